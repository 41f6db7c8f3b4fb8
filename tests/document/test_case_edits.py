"""The app's Data place without a browser (simulator/document/case_edits.py): a CSV file as a new
net or as new data for the current net, a blank net, a case duplicated, deleted or moved across
the split, the data as CSV; every refusal all or nothing."""
import numpy as np
import pytest

from simulator import document as D
from simulator.document import case_edits as E
from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from simulator.state.session import Session

from test_cases import TEXT  # the same small file: a, b (test) and c, of different lengths


def state(s):
    """Everything a refused change must leave as it was."""
    return (s.lesson, s.updates, list(s.history), s.net.params().tobytes(), s.sequences, s.cases, list(s.unit_names))


def test_new_net_in_a_session_is_what_bptt_sim_new_makes():
    """A CSV loaded in the app as a new net gives the net, data and cases of ``bptt-sim new`` with
    the session's seed: one way to make a net from a file."""
    s = Session()
    s.seed = 5
    s.step(3)
    assert E.new_net(s, TEXT.encode(), 3, "t.csv")
    made = CS.new_session(read_csv(TEXT), hidden=3, seed=5)
    assert D.to_document(s) == D.to_document(made)
    assert s.message == "Your own net: 1 inputs, 5 units, 2 training and 1 test cases."


def test_new_data_keeps_the_net_its_weights_and_count():
    """New data for this net: the weights, update count and history stay; the file's cases replace the
    data, its test case is kept aside, and the document saves and loads again."""
    s = CS.new_session(read_csv(TEXT), hidden=2, seed=1)
    s.step(4)
    params, history = s.net.params().copy(), list(s.history)
    other = TEXT.replace("a,1,0,1", "a,1,1,0").replace(",test", ",train")
    other = other.replace("c,0,0,,train\nc,1,1,,train\nc,2,,0,train\nc,3,,1,train",
                          "c,0,0,,test\nc,1,1,,test\nc,2,,0,test\nc,3,,1,test")
    assert E.use_data(s, other, "o.csv"), s.message
    np.testing.assert_array_equal(s.net.params(), params)
    assert (s.updates, s.history) == (4, history)
    assert s.cases["split"] == ["train", "train", "test"] and s.sequences.B == 2 and s.cases["test"].B == 1
    assert s.sequences.Y[0, 1, s.unit_names.index("y")] == 0.0  # a's new target
    again = D.session_from_document(D.parse(D.dumps(D.to_document(s))))
    assert E.csv_text(again) == E.csv_text(s) == CS.C.write_csv(read_csv(other))


def test_a_lessons_data_become_own_cases_on_its_net():
    """A lesson's own data, downloaded and loaded back as new data, are the same cases on the same
    net (hosted now by the lesson that fits any net)."""
    s = Session(lesson="binary-addition")
    text = E.csv_text(s)
    data = s.sequences
    assert E.use_data(s, text)
    assert s.lesson == CS.HOST and s.cases is not None
    for a in "XKYM":
        np.testing.assert_array_equal(getattr(s.sequences, a), getattr(data, a))
    assert E.csv_text(s) == text


@pytest.mark.parametrize("edit, message", [
    (lambda s: E.new_net(s, "case,t,in:x,target:y\na,0,1,\na,1,one,1\n", 2, "bad.csv"),
     "Could not use the data: bad.csv: line 3, column 3 ('in:x'): expected a number or an empty cell; got 'one'"),
    (lambda s: E.use_data(s, "case,t,in:q,target:y\na,0,1,1\n", "q.csv"),
     "Could not use the data: the file names unit 'q', which this net does not have; expected units among x, h1, "
     "h2, y (or make a new net from the file)"),
    (lambda s: E.use_data(s, "case,t,in:x,target:y\na,0,1,\na,1,0,2\n"),
     "Could not use the data: the train cases: "),
    (lambda s: E.blank_net(s, "a,a", 1, "y", 3), "Could not make a blank net: inputs: 'a' is named twice"),
    (lambda s: E.delete_case(s, 3), "Could not delete the case: expected a case number 0..2; got 3"),
    (lambda s: E.duplicate_case(s, -1), "Could not duplicate the case: expected a case number 0..2; got -1"),
    (lambda s: E.set_split(s, 0, "both"), "Could not change the split: expected train or test; got 'both'"),
])
def test_refusals_change_nothing(edit, message):
    """Each bad request says why, prefixed by what it tried, and leaves the session as it was."""
    s = CS.new_session(read_csv(TEXT), hidden=2, seed=1)
    s.step(2)
    before = state(s)
    assert not edit(s)
    assert s.message.startswith(message) and s.message_kind == "error"
    after = state(s)
    assert after[:3] == before[:3] and after[3] == before[3] and after[4] is before[4] and after[5] is before[5]


def test_duplicate_delete_and_split():
    """A duplicate follows its case with a free label; a case moved to test leaves the training data;
    deleting every case leaves a net with no cases, which still saves and loads."""
    s = CS.new_session(read_csv(TEXT), hidden=2, seed=1)
    assert E.duplicate_case(s, 0) and E.duplicate_case(s, 0)
    assert s.cases["labels"] == ["a", "a copy 2", "a copy", "b", "c"]
    assert s.message == "Case 'a' duplicated as 'a copy 2'."
    np.testing.assert_array_equal(s.sequences.X[1], s.sequences.X[0])
    assert E.set_split(s, 4, "test")
    assert (s.sequences.B, s.cases["test"].B, s.cases["split"][4]) == (3, 2, "test")
    x = s.unit_names.index("x")
    assert s.cases["test"].X[1, :4, x].tolist() == [0, 1, 0, 0] and s.sequences.T == 1  # c, then only a's left
    for _ in range(5):
        assert E.delete_case(s, 0)
    assert s.cases["labels"] == [] and s.sequences.B == 1 and not s.sequences.K.any()
    again = D.session_from_document(D.parse(D.dumps(D.to_document(s))))
    assert again.cases["labels"] == [] and E.csv_text(again) == "case,t,in:x,target:y\n"


def test_blank_net_from_the_app():
    """A blank net in the app: the typed inputs and targets, H hidden units, T steps, no cases."""
    s = Session()
    assert E.blank_net(s, " a, b ", 3, "sum", 6)
    assert s.unit_names == ["a", "b", "h1", "h2", "h3", "sum"] and s.steps == 6 and s.cases["labels"] == []
    assert D.to_document(s) == D.to_document(CS.new_session(None, hidden=3, inputs=["a", "b"], targets=["sum"],
                                                            steps=6, seed=s.seed))


def test_an_added_case_is_empty_training_data_that_the_grid_fills():
    """Add a case: an empty training case T steps long; a target painted into it in the grid is in
    the CSV written afterwards, on that case's rows."""
    s = CS.new_session(read_csv(TEXT), hidden=2, seed=1)
    assert E.add_case(s)
    assert s.cases["labels"] == ["a", "b", "c", "new 4"] and s.cases["lengths"][-1] == s.sequences.T == 3
    assert s.sequences.B == 3 and not s.sequences.K[2].any() and not s.sequences.M[2].any()
    assert s.set_cell(2, 2, s.unit_names.index("y"), "target", "1")
    assert E.csv_text(s).endswith("new 4,0,,,train\nnew 4,1,,,train\nnew 4,2,,1,train\nnew 4,3,,,train\n")
