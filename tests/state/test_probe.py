"""The trained net run on a typed sequence (simulator/state/probe.py): which units take the typed
values, reading the text, and outputs equal to the net's on the same inputs in its data."""
import re

import numpy as np
import pytest

from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from simulator.state import probe
from simulator.state.session import Session

ECHO = ("case,t,in:x,target:y,split\n" + "".join(f"a,{t},{b},{'' if t < 2 else c},train\n"
                                                   for t, (b, c) in enumerate(zip("0110100", "--01101")))
        + "b,0,1,,test\nb,1,0,,test\nb,2,0,1,test\n")


def test_typed_bits_give_the_outputs_of_the_same_case_in_the_data():
    """Typing case a's inputs gives, step by step, the output states the net has on case a (targets
    do not change a forward pass), and the session is untouched."""
    s = CS.new_session(read_csv(ECHO), hidden=3, seed=2)
    s.step(5)
    before = (s.updates, s.gradients)
    result = probe.run(s, "0110100")
    y = s.unit_names.index("y")
    assert result["inputs"] == ["x"] and result["outputs"] == ["y"] and result["steps"] == list(range(7))
    np.testing.assert_allclose(result["states"][:, 0], s.gradients.states[0, :, y], rtol=0, atol=1e-12)
    assert result["rows"] == [[float(c)] for c in "0110100"]
    assert (s.updates, s.gradients) == before


def test_lesson_units_and_first_step():
    """A lesson's net takes the units its data clamp after t = 0, from the first step they are
    clamped; its outputs are the units with targets."""
    s = Session(lesson="binary-addition")
    inputs, outputs, t0 = probe.units(s)
    names = s.unit_names
    assert [names[i] for i in inputs] == ["a", "b"] and [names[i] for i in outputs] == ["sum"]
    assert t0 == int(np.flatnonzero(s.sequences.K[:, :, inputs].any(axis=(0, 2)))[0])
    result = probe.run(s, "1 0\n0,1\n- 1")
    assert result["rows"][t0:t0 + 3] == [[1.0, 0.0], [0.0, 1.0], [None, 1.0]]


def test_letters_shorthand():
    """Input units named by single letters: a typed word clamps one letter's unit per step."""
    assert probe.read_sequence("aba", ["a", "b"]) == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize("text, names, message", [
    ("", ["x"], "expected one line per step with a value for each of x"),
    ("1 2 3", ["a", "b"], "line 1: expected 2 values (a, b), separated by commas or spaces; got 3"),
    ("1\nz", ["x"], "line 2, value 1 (x): expected a number or -; got 'z'"),
    ("nan", ["x"], "line 1, value 1 (x): expected a number or -; got 'nan'"),
    ("abc", ["a", "b"], "letter 3 ('c') is not an input unit; expected letters among ab"),
])
def test_bad_sequences(text, names, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        probe.read_sequence(text, names)


def test_too_many_steps():
    s = CS.new_session(read_csv(ECHO), hidden=1, seed=0)
    with pytest.raises(ValueError, match=r"^at most 61 steps \(t = 0..60\); got 62"):
        probe.run(s, "\n".join("1" for _ in range(62)))
