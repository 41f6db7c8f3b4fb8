"""A net of the user's own cases (simulator/document/cases.py): its layout, the document's "cases"
section (round trips, refusals), the test split that training never sees, and the figures."""
import copy

import numpy as np
import pytest

from engine import Sequences, bptt

from simulator import document as D
from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv, write_csv
from simulator.state.session import Session

TEXT = ("case,t,in:x,target:y,split\n"
        "a,0,1,,train\n"
        "a,1,0,1,train\n"
        "b,0,1,,test\n"
        "b,1,,,test\n"
        "b,2,,0,test\n"
        "c,0,0,,train\n"
        "c,1,1,,train\n"
        "c,2,,0,train\n"
        "c,3,,1,train\n")


def own(text=TEXT, hidden=2, seed=3, **kw):
    return CS.new_session(read_csv(text), hidden=hidden, seed=seed, **kw)


def reloaded(session):
    return D.session_from_document(D.parse(D.dumps(D.to_document(session))))


def test_new_net_layout():
    """One unit per input name, H hidden units, one per target name; every unit feeds every unit
    that is not an input (C[i, j]: j -> i), with the host lesson's settings and the seed's weights."""
    s = own()
    assert s.unit_names == ["x", "h1", "h2", "y"] and s.unit_groups == ["inputs", "hidden", "hidden", "outputs"]
    assert s.net.C.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]
    assert (s.lesson, s.seed, s.steps, s.loss, s.net.loss, s.updates) == (CS.HOST, 3, 3, "lesson", "cross_entropy", 0)
    assert s.sequences.B == 2 and s.cases["test"].B == 1 and s.cases["test"].T == 2
    assert not np.array_equal(s.net.W, own(seed=4).net.W) and np.array_equal(s.net.W, own().net.W)


def test_names_a_unit_of_both_kinds_once_and_hidden_names_keep_clear():
    """in:h1 and target:h1 are one unit (computed, clamped where its in: cell is filled); the
    hidden units then take names that are free; targets outside [0, 1] choose the squared error."""
    s = own("case,t,in:h1,target:h1\na,0,1,\na,1,,2\n", hidden=2)
    assert s.unit_names == ["h_1", "h_2", "h1"] and s.unit_groups == ["hidden", "hidden", "outputs"]
    assert s.sequences.K[0, :, 2].tolist() == [1, 0] and s.sequences.M[0, :, 2].tolist() == [0, 1]
    assert s.loss == "squared" and s.net.C[2].tolist() == [1, 1, 1]
    assert write_csv(CS.table_of(reloaded(s))) == "case,t,in:h1,target:h1\na,0,1,\na,1,,2\n"


def test_csv_document_csv_round_trip():
    """CSV -> document (JSON text) -> session -> CSV gives the same text, and the document the same
    arrays: train cases in "data", the test case in "cases"."""
    s = reloaded(own())
    assert write_csv(CS.table_of(s)) == TEXT
    doc = D.to_document(s)
    assert doc["version"] == 1 and doc["cases"]["split"] == ["train", "test", "train"]
    assert doc["data"]["M"][0] == [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert doc["cases"]["test"]["Y"] == [[[0, 0, 0, 0]] * 3]
    assert doc["cases"]["test"]["M"] == [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]]


def test_document_csv_document_round_trip():
    """A document written as CSV and made again with the same hidden units and seed is the same document."""
    s = own()
    again = own(write_csv(CS.table_of(s)))
    assert D.to_document(again) == D.to_document(s)


def test_test_cases_are_never_trained_on():
    """Training with the test case present gives exactly the weights of training without it; its
    figures are those of the engine on the test case's own Sequences."""
    with_test, without = own(), own("".join(line + "\n" for line in TEXT.splitlines() if ",test" not in line))
    assert without.cases["test"] is None and without.cases["split"] == ["train", "train"]
    with_test.step(25)
    without.step(25)
    assert np.array_equal(with_test.net.W, without.net.W) and with_test.loss_value == without.loss_value
    X = np.zeros((1, 3, 4))
    X[0, 0, 0] = 1
    K, Y, M = X.copy(), np.zeros((1, 3, 4)), np.zeros((1, 3, 4))
    M[0, 2, 3] = 1
    grads = bptt(with_test.net, Sequences(X, K, Y, M))
    figures = CS.figures(with_test)
    assert figures["test_loss"] == float(grads.loss)
    assert figures["test_accuracy"] == float(grads.states[0, 2, 3] < 0.5)
    assert set(CS.figures(without)) == {"accuracy"}


def test_accuracy_rules():
    """0/1 targets: the fraction of target cells on the right side of 0.5; a softmax group: its taught
    steps, right when the largest state is at the largest target; any other target: no accuracy."""
    s = own()
    net, seq = s.net, s.sequences  # targets on y (unit 3): (a, t=1) = 1, (c, t=2) = 0, (c, t=3) = 1
    states = np.zeros((2, 4, 4))
    states[0, 1, 3], states[1, 2, 3], states[1, 3, 3] = 0.6, 0.7, 0.1  # right, wrong, wrong
    g = type("Grads", (), {"states": states})
    assert CS.accuracy(net, seq, g) == 1 / 3
    soft = net.replace(activation=["logistic", "logistic", "softmax", "softmax"])  # the group (h2, y)
    Y, M = seq.Y.copy(), seq.M.copy()
    Y[1, 2, 2], M[1, 2, 2] = 1, 1  # (c, 2): target h2, and the state is largest at h2 (0.9 > 0.7): right
    Y[1, 3, 2], M[1, 3, 2], Y[1, 3, 3] = 0.2, 1, 0.8  # (c, 3): a distribution, largest at y; state at h2: wrong
    states[1, 2, 2], states[1, 3, 2] = 0.9, 0.5
    assert CS.accuracy(soft, Sequences(seq.X, seq.K, Y, M), g) == 2 / 3  # (a, 1) right: y 0.6 > h2 0
    assert CS.accuracy(net, Sequences(seq.X, seq.K, Y, M), g) is None  # 0.2, 0.8 on logistic units


def test_blank_net():
    """No cases yet: one case with nothing clamped or taught, T steps, loss 0; it saves and loads."""
    s = CS.new_session(None, hidden=3, inputs=["a", "b"], targets=["sum"], steps=5, seed=2)
    assert s.unit_names == ["a", "b", "h1", "h2", "h3", "sum"] and s.steps == 5 and s.loss_value == 0.0
    assert not s.sequences.K.any() and s.sequences.B == 1 and s.sequences.T == 5
    doc = D.to_document(reloaded(s))
    assert doc["cases"] == {"labels": [], "lengths": [], "split": [], "inputs": ["a", "b"], "targets": ["sum"]}


@pytest.mark.parametrize("kw, message", [
    (dict(inputs=["a"], targets=[], steps=5), "--targets: expected at least one target unit"),
    (dict(inputs=["a"], targets=["y"], steps=0), "--steps: expected 1..60; got 0"),
    (dict(inputs=["a"], targets=["y"], steps=61), "--steps: expected 1..60; got 61"),
    (dict(inputs=[f"u{k}" for k in range(70)], targets=["y"], steps=2, hidden=2),
     "70 inputs, 2 hidden and 1 targets: at most 72 units"),
    (dict(inputs=["a"], targets=["y"], steps=2, hidden=73), "--hidden: expected 0..72 hidden units; got 73"),
])
def test_blank_net_refusals(kw, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        CS.new_session(None, **{"hidden": 1, **kw})


def test_loss_and_activation_choices():
    """cross-entropy by default for 0/1 targets on logistic units, else squared; a choice the
    engine refuses is refused with its reason."""
    assert own(activation="tanh").net.loss == "squared" and own(activation="tanh").net.activation[3] == "tanh"
    assert own(loss="squared").net.loss == "squared" and own().net.loss == "cross_entropy"
    with pytest.raises(ValueError, match="cross-entropy"):
        own(activation="linear", loss="cross_entropy")


def test_names_list():
    assert CS.names_list("a, b ,c", "--inputs") == ["a", "b", "c"] and CS.names_list(" ", "--inputs") == []
    with pytest.raises(ValueError, match=r"^--inputs: '1a' is not a unit name"):
        CS.names_list("a,1a", "--inputs")
    with pytest.raises(ValueError, match=r"^--targets: 'a' is named twice"):
        CS.names_list("a,b,a", "--targets")


def test_lesson_documents_stay_as_they_were():
    """Version-1 documents without the section load as before (no cases), and a lesson's document
    is written without one."""
    doc = D.to_document(Session(lesson="temporal-xor"))
    assert "cases" not in doc and doc["version"] == 1
    s = D.session_from_document(doc)
    assert s.cases is None and "cases" not in D.to_document(s)
    s = own()
    D.apply_document(s, doc)
    assert s.cases is None  # loading a lesson's document drops the own cases


def test_cases_follow_the_data():
    """A new unit or a failed edit: the cases go when the data they describe go, and stay
    otherwise (Reset keeps them: tests/document/test_own_reset.py); a clamp set past a case's end
    lengthens that case."""
    s = own()
    assert s.add_unit("hidden") and s.cases is None and "cases" not in D.to_document(s)
    s = own()
    s.reset()
    assert s.cases is not None
    s = own()
    assert s.set_cell(0, 3, 0, "clamp", 9)
    assert s.cases is not None and D.to_document(s)["cases"]["lengths"] == [3, 2, 3]
    assert write_csv(CS.table_of(reloaded(s))).splitlines()[3] == "a,2,,,train"
    before = s.cases
    assert s.set_cell(0, 99, 0, "clamp", 1) is False and s.cases is before


def _broken(change):
    doc = D.to_document(own())
    change(doc)
    return doc


@pytest.mark.parametrize("change, message", [
    (lambda d: d["cases"]["lengths"].pop(), "cases.lengths: expected 3 entries, one per label in cases.labels; got 2"),
    (lambda d: d["cases"]["labels"].__setitem__(2, "a"), "cases.labels[2]: 'a' appears twice"),
    (lambda d: d["cases"]["labels"].__setitem__(0, " a"), "cases.labels[0]: expected no space at either end"),
    (lambda d: d["cases"]["labels"].__setitem__(0, ""), "cases.labels[0]: expected a case label of 1 to 200"),
    (lambda d: d["cases"]["split"].__setitem__(1, "dev"), "cases.split[1]: expected one of train, test"),
    (lambda d: d["cases"]["inputs"].append("q"), "cases.inputs[1]: expected a unit name of units.names; got 'q'"),
    (lambda d: d["cases"]["targets"].append("y"), "cases.targets[1]: 'y' appears twice"),
    (lambda d: d["cases"]["lengths"].__setitem__(0, 0), "data: train case 0 ('a') has length 0 "
                                                        "(cases.lengths) but a clamp or target past it"),
    (lambda d: d["cases"]["lengths"].__setitem__(2, 4), "data: train case 1 ('c') has length 4 (cases.lengths) but only 3 steps"),
    (lambda d: d["cases"]["lengths"].__setitem__(2, 61), "cases.lengths[2]: expected a case's last step"),
    (lambda d: d["cases"].pop("test"), "cases.test: expected the test cases' X, K, Y, M exactly when"),
    (lambda d: d["cases"]["split"].__setitem__(1, "train"), "data.X: expected 3 train cases (cases.split); got 2"),
    (lambda d: d["cases"]["test"]["M"][0][2].__setitem__(3, 2), "cases.test.M[0][2][3]: expected 0 or 1"),
    (lambda d: d["cases"]["test"]["X"][0][1].pop(), "cases.test.X[0][1]: expected 4 entries; got 3"),
    (lambda d: d["cases"]["test"]["Y"][0][2].__setitem__(3, 2.0),
     "cases.test: cross-entropy targets must lie in [0, 1]"),
    (lambda d: d["cases"].__setitem__("extra", 1), "cases: unknown key 'extra'"),
])
def test_bad_cases_sections_are_refused(change, message):
    doc = _broken(change)
    with pytest.raises(ValueError) as info:
        D.session_from_document(copy.deepcopy(doc))
    assert str(info.value).startswith(message), str(info.value)
