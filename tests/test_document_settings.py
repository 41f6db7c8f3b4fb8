"""Settings and counts in a document: what the session accepts saves, and what it must not hold is refused."""
import json

import numpy as np
import pytest

import fuzz_inputs as F
from simulator import document as D
from simulator.session import Session

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
