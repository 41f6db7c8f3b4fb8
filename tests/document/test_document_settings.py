"""Settings and counts in a document: what the session accepts saves, and what it must not hold is refused."""
import json

import numpy as np
import pytest

import fuzz_inputs as F
from simulator import document as D
from simulator.state.session import Session

NUMERIC = ("seed", "steps", "learning_rate", "momentum", "clip")


def trained(lesson="tied-weights", n=3):
    s = Session(lesson=lesson)
    s.step(n)
    return s


@pytest.mark.parametrize("value", [True, False, np.True_])
@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_settings_refuse_true_and_false(name, value):
    """True/False is not a number (though Python counts it as 1/0): the session refuses it saying
    what it expects and keeps its state; a document holding it is refused too."""
    s = trained()
    before = F.snapshot(s)
    with pytest.raises(ValueError, match=rf"^{name}: expected (a number|an integer) in \[") as info:
        setattr(s, name, value)
    assert "true/false is not a number" in str(info.value)
    F.assert_unchanged(before, s)
    doc = D.to_document(s)
    doc["training"][name] = bool(value)
    with pytest.raises(ValueError, match=rf"^training\.{name}: expected (a number|an integer)"):
        D.validate(doc)


def test_numpy_numbers_as_settings_save_and_load():
    """Settings given as numpy scalars (as a notebook may) save as plain JSON and load back equal."""
    s = Session(lesson="tied-weights")
    s.param.update(seed=np.int64(3), learning_rate=np.float64(0.3), momentum=np.float32(0.25))
    s.step(2)
    t = D.session_from_document(json.loads(D.dumps(D.to_document(s))))
    assert (t.seed, t.learning_rate, t.momentum) == (3, 0.3, 0.25)
    assert D.to_document(t) == D.to_document(s)


def refused(doc, pattern):
    """``doc`` is refused with a message matching ``pattern``, and loading it changes nothing."""
    s = trained("binary-addition")
    before = F.snapshot(s)
    with pytest.raises(ValueError, match=pattern):
        D.apply_document(s, json.loads(D.dumps(doc)))
    F.assert_unchanged(before, s)


@pytest.mark.parametrize("shift", [-1, 1])
def test_steps_must_be_the_data_s_T(shift):
    """training.steps is the T of the data: a document where they differ is refused naming both."""
    doc = D.to_document(trained())
    T = len(doc["data"]["X"][0]) - 1
    doc["training"]["steps"] = T + shift
    refused(doc, rf"^training\.steps: expected {T}, the number of time steps T in data .*; got {T + shift}$")


def _set(path, value):
    def change(doc):
        node = doc["training"]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value(doc) if callable(value) else value
    return change


COUNTS = {  # a change of a trained document's counts -> what the refusal says
    "negative update count": (_set(["updates"], -1), r"^training\.updates: expected a count in 0\.\."),
    "update count over the cap": (_set(["updates"], D.MAX_UPDATES + 1),
                                  rf"^training\.updates: expected a count in 0\.\.{D.MAX_UPDATES}; got"),
    "negative update in the history": (_set(["history", 0, 0], -1), r"^training\.history\[0\]\[0\]: expected an update number in 1\.\."),
    "update 0 in the history": (_set(["history", 0, 0], 0), r"^training\.history\[0\]\[0\]: expected an update number in 1\.\."),
    "history beyond the count": (_set(["history", -1, 0], lambda d: d["training"]["updates"] + 1),
                                 r"^training\.history\[2\]\[0\]: expected an update number in 3\.\.3 \(.*\); got 4$"),
    "history out of order": (_set(["history", 1, 0], 1), r"^training\.history\[1\]\[0\]: expected an update number in 2\.\.3 \(.*\); got 1$"),
    "negative loss in the history": (_set(["history", 1, 1], -0.5), r"^training\.history\[1\]\[1\]: expected a loss >= 0; got -0\.5$"),
}


@pytest.mark.parametrize("what", list(COUNTS))
def test_counts_are_refused(what):
    """Counts that no training makes (negative, beyond training.updates or its cap, out of order)
    and negative losses are refused naming the place; nothing changes."""
    change, pattern = COUNTS[what]
    doc = D.to_document(trained())
    assert doc["training"]["updates"] == 3 and len(doc["training"]["history"]) == 3
    change(doc)
    refused(doc, pattern)


def test_the_update_cap_itself_loads():
    """A document at exactly MAX_UPDATES updates loads and saves back the same (the cap is inclusive)."""
    doc = D.to_document(trained())
    doc["training"]["updates"] = D.MAX_UPDATES
    doc["training"]["history"][-1][0] = D.MAX_UPDATES
    t = D.session_from_document(json.loads(D.dumps(doc)))
    assert t.updates == D.MAX_UPDATES and D.to_document(t) == doc


def test_a_load_that_changes_the_lesson_installs_once():
    """Loading another lesson's document builds nothing of the lesson's own on the way (it used to
    install the lesson's new net, then the document's): the net's watchers fire once, and see the
    new lesson, settings and names already there."""
    doc = D.to_document(trained("attractors", 4))
    s = Session(lesson="tied-weights")
    seen = []
    s.param.watch(lambda e: seen.append((s.lesson, s.learning_rate, len(s.unit_names), e.new.N)), "net")
    D.apply_document(s, doc)
    assert seen == [("attractors", doc["training"]["learning_rate"], len(doc["units"]["names"]), s.net.N)]
    assert D.to_document(s) == doc
