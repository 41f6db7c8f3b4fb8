"""Compare mode's state (simulator/state/compare.py, issue 19): runs in lockstep equal separate
runs to the last digit; bad comparisons are refused with a message and change nothing; the
document and the link carry a comparison."""
import numpy as np
import pytest

from simulator import document
from simulator.state import compare as C
from simulator.state.session import Session


def separate(lesson, settings, n, chunks=1):
    """A Session of ``lesson`` with ``settings`` set as the controls set them, trained n updates."""
    s = Session(lesson=lesson)
    for name, value in settings.items():
        setattr(s, name, value)
    for _ in range(chunks):
        s.step(n // chunks)
    return s


def same_run(a, b):
    assert np.array_equal(a.net.W, b.net.W) and np.array_equal(a.net.b, b.net.b)
    assert np.array_equal(a.net.h0, b.net.h0)
    assert a.history == b.history and a.updates == b.updates
    assert a.loss_value == b.loss_value


@pytest.mark.parametrize("lesson, text, settings", [
    ("learned-initial-state", "learn_h0:false,true", [{"learn_h0": False}, {"learn_h0": True}]),
    ("temporal-xor", "learning_rate:0.1,1.0", [{"learning_rate": 0.1}, {"learning_rate": 1.0}]),
    ("temporal-xor", "optimizer:momentum,adam;learning_rate:0.2,0.02",
     [{"optimizer": "momentum", "learning_rate": 0.2}, {"optimizer": "adam", "learning_rate": 0.02}]),
    ("temporal-xor", "truncate:0,2,1", [{"truncate": 0}, {"truncate": 2}, {"truncate": 1}]),
    ("binary-addition", "seed:12,3", [{"seed": 12}, {"seed": 3}]),
    ("vanishing-exploding", "radius:0.7,1.3", [{"radius": 0.7}, {"radius": 1.3}]),
])
def test_lockstep_equals_separate_runs(lesson, text, settings):
    """After 3 + 17 + 10 updates in lockstep, each run equals a separate run of 30 with its settings."""
    c = C.Comparison.of_lesson(lesson, text)
    for n in (3, 17, 10):
        c.step(n)
    assert c.updates == 30 and len(c.runs) == len(settings)
    for run, own in zip(c.runs, settings):
        same_run(run, separate(lesson, own, 30))
    # the runs really differ: a comparison of one run twice would pass the loop above too
    assert len({c.runs[k].loss_value for k in range(len(settings))}) == len(settings)


def test_same_seed_unless_changed():
    """Runs that do not change the seed start from the same weights."""
    c = C.Comparison.of_lesson("temporal-xor", "learning_rate:0.1,1.0")
    assert np.array_equal(c.runs[0].net.W, c.runs[1].net.W)
    assert c.runs[0].seed == c.runs[1].seed == Session(lesson="temporal-xor").seed


def test_reset_goes_back_to_the_start():
    c = C.Comparison.of_lesson("temporal-xor", "learning_rate:0.1,1.0")
    start = [r.net.W.copy() for r in c.runs]
    c.step(5)
    c.reset()
    assert c.updates == 0 and all(r.updates == 0 for r in c.runs)
    assert all(np.array_equal(r.net.W, w) for r, w in zip(c.runs, start))


def test_parse_and_text_round_trip():
    text = "optimizer:momentum,adam;learning_rate:0.5,0.01"
    settings = C.parse_compare(text)
    assert settings == {"learning_rate": [0.5, 0.01], "optimizer": ["momentum", "adam"]}  # SETTINGS order
    assert C.parse_compare(C.compare_text(settings)) == settings
    assert C.parse_compare("learn_h0:false,true;truncate:0,3") == {"learn_h0": [False, True], "truncate": [0, 3]}


@pytest.mark.parametrize("text, words", [
    ("lr:0.1,1.0", "unknown setting 'lr'; expected one of seed, steps, learning_rate"),
    ("lesson:binary-addition,temporal-xor", "lesson: runs of different lessons have different networks"),
    ("learning_rate:0.1,abc", "learning_rate: expected a number in [0.0001, 100]; got 'abc'"),
    ("learning_rate:0.1,1000", "learning_rate: expected a number in [0.0001, 100]; got '1000'"),
    ("learning_rate:nan,1", "expected a number"),
    ("optimizer:momentum,nesterov", "optimizer: expected one of sgd, momentum, adam, rmsprop"),
    ("learn_h0:false,maybe", "learn_h0: expected true or false"),
    ("truncate:0,1.5", "truncate: expected an integer"),
    ("learning_rate:0.1", "expected 2 to 4 values per setting"),
    ("learning_rate:0.1,0.2,0.3,0.4,0.5", "5 runs asked for; this server compares at most 4 runs"),
    ("learning_rate:0.1,0.1", "two runs have the same settings"),
    ("learning_rate:0.1,1;momentum:0.5", "the same number of values for every setting"),
    ("learning_rate", "expected SETTING:V1,V2, e.g. learning_rate:0.1,1.0"),
    ("learning_rate:0.1,1;learning_rate:2,3", "learning_rate is given twice"),
])
def test_bad_comparisons_are_refused_and_the_last_good_state_stays(text, words):
    c = C.Comparison.of_lesson("temporal-xor", "learning_rate:0.1,1.0")
    c.step(2)
    runs, settings = list(c.runs), dict(c.settings)
    with pytest.raises(ValueError) as err:
        c.change(text)
    assert words in str(err.value)
    assert c.runs == runs and c.settings == settings and c.updates == 2 and c.runs[0].updates == 2


def test_a_value_the_lesson_refuses_names_the_run():
    """A batch larger than the cases: the Session's own reason, prefixed by the run."""
    with pytest.raises(ValueError, match=r"run 2: batch_size=1000: .*larger than the"):
        C.Comparison.of_lesson("temporal-xor", "batch_size:0,1000")


def test_the_server_can_lower_the_cap():
    token = C.MAX_RUNS.set(2)
    try:
        assert C.allowed_runs() == 2
        with pytest.raises(ValueError, match="at most 2 runs"):
            C.Comparison.of_lesson("temporal-xor", "learning_rate:0.1,0.5,1.0")
        assert len(C.Comparison.of_lesson("temporal-xor", "learning_rate:0.1,0.5").runs) == 2
    finally:
        C.MAX_RUNS.reset(token)
    assert C.allowed_runs() == 4
    token = C.MAX_RUNS.set(99)
    try:
        assert C.allowed_runs() == 4  # never above the program's own cap
    finally:
        C.MAX_RUNS.reset(token)


def test_different_networks_are_refused():
    """A document whose net was edited keeps it at its own seed only: a run at another seed gets
    the lesson's net back, and the comparison is refused."""
    s = Session(lesson="temporal-xor")
    assert s.add_unit("hidden")
    doc = document.to_document(s)
    doc["compare"] = {"settings": {"seed": [s.seed, s.seed + 1]}}
    with pytest.raises(ValueError, match="run 2 has a different network .* Compare mode needs the same network"):
        document.comparison_from_document(doc)
    doc["compare"] = {"settings": {"learning_rate": [0.1, 1.0]}}  # the edited net in both: fine
    assert document.comparison_from_document(doc).runs[1].net.N == s.net.N


def test_document_round_trip():
    """Comparison -> document -> JSON -> Comparison: the same settings and the same start, so the
    same numbers after training."""
    c = C.Comparison.of_lesson("learned-initial-state", "learn_h0:false,true;learning_rate:0.5,0.3")
    doc = document.parse(document.dumps(document.comparison_document(c)))
    assert doc["compare"] == {"settings": {"learning_rate": [0.5, 0.3], "learn_h0": [False, True]}}
    again = document.comparison_from_document(doc, validated=True)
    assert again.settings == c.settings
    c.step(20)
    again.step(20)
    for a, b in zip(c.runs, again.runs):
        same_run(a, b)


@pytest.mark.parametrize("section, words", [
    ({"settings": {}}, "compare.settings: expected an object of training settings"),
    ({"settings": {"learning_rate": [0.1]}}, "compare.settings.learning_rate: expected a list of 2 to 4 values"),
    ({"settings": {"colour": [1, 2]}}, "compare.settings: unknown setting 'colour'"),
    ({"settings": {"learning_rate": [0.1, -1]}}, "compare.settings: learning_rate: expected a number"),
    ({"runs": []}, "compare: missing key 'settings'"),
])
def test_document_refuses_a_bad_section(section, words):
    doc = document.to_document(Session(lesson="temporal-xor"))
    doc["compare"] = section
    with pytest.raises(ValueError) as err:
        document.validate(doc)
    assert words in str(err.value)


def test_documents_without_the_section_load_as_before():
    doc = document.to_document(Session(lesson="temporal-xor"))
    assert "compare" not in doc
    assert document.session_from_document(doc).lesson == "temporal-xor"
    with pytest.raises(ValueError, match="no \"compare\" section"):
        document.comparison_from_document(doc)
