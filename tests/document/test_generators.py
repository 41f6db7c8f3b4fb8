"""Built-in tasks as CSV files (simulator/document/generators.py): each file asks what its task says
(checked from the file's own columns), echo is docs/echo.csv, bad arguments are refused, and the
length test scores a trained net on longer cases."""
import re

import numpy as np
import pytest

from simulator.document import cases as CS
from simulator.document import generators as G
from simulator.document.sequences_csv import read_csv
from test_cli_data import echo_csv


def columns(text, unit):
    """(values, taught) of ``unit`` per case: (cases, T+1) arrays of the file."""
    t = read_csv(text)
    i = t.units.index(unit)
    return t.X[..., i] + t.Y[..., i], (t.K[..., i] + t.M[..., i]) > 0


def test_echo_is_docs_echo_csv():
    assert G.generate("echo", 2, cases=40, test=8, steps=8, seed=0) == echo_csv()


@pytest.mark.parametrize("d", [2, 3, 5])
def test_echo_asks_for_the_bit_d_steps_back(d):
    text = G.generate("echo", d, cases=5, test=1, steps=10, seed=d)
    x, _ = columns(text, "x")
    y, taught = columns(text, "y")
    assert not taught[:, :d].any() and taught[:, d:].all()
    np.testing.assert_array_equal(y[:, d:], x[:, :-d])


def test_parity_of_the_last_k_bits():
    k = 3
    text = G.generate("parity", k, cases=6, test=0, steps=12, seed=1)
    x, _ = columns(text, "x")
    y, taught = columns(text, "y")
    for t in range(13):
        want = x[:, t - 1 - k:t - 1].sum(axis=1) % 2 if t >= k + 1 else None
        assert taught[:, t].all() == (want is not None)
        if want is not None:
            np.testing.assert_array_equal(y[:, t], want)


def test_counting_and_addition():
    x, _ = columns(G.generate("counting", 4, cases=3, test=0, steps=9, seed=2), "x")
    y, taught = columns(G.generate("counting", 4, cases=3, test=0, steps=9, seed=2), "y")
    for t in range(2, 10):
        np.testing.assert_array_equal(y[:, t], np.minimum(1, x[:, :t - 1].sum(axis=1) / 4))
    text = G.generate("addition", 5, cases=20, test=4, seed=3)
    table = read_csv(text)
    assert table.lengths == (7,) * 20 and table.splits.count("test") == 4
    a, b, s = (columns(text, u)[0] for u in ("a", "b", "sum"))
    weights = 2 ** np.arange(6)
    np.testing.assert_array_equal((a[:, :5] * weights[:5]).sum(1) + (b[:, :5] * weights[:5]).sum(1),
                                  (s[:, 2:8] * weights).sum(1))


def test_next_letter():
    text = G.generate("next-letter", "abc abd", cases=4, test=0, steps=3, seed=0)
    t = read_csv(text)
    assert t.inputs == ("a", "b", "c", "d") and t.targets == ("next_a", "next_b", "next_c", "next_d")
    for b in range(4):
        clamped = [t.units[i] for i in np.argmax(t.X[b, :, :4] * t.K[b, :, :4], axis=1)]
        for step in range(2, 4):
            if t.M[b, step].any() and t.K[b, step - 1, :4].any():
                assert t.units[int(np.argmax(t.Y[b, step]))] == "next_" + clamped[step - 1]


@pytest.mark.parametrize("args, message", [
    (("echo", 1), "echo: expected d in 2..12; got 1"),
    (("parity", "2"), "parity: expected k in 1..6; got '2'"),
    (("sorting", 2), "expected a task among echo, parity, counting, addition, next-letter; got 'sorting'"),
    (("addition", 59), "addition: expected L in 1..56; got 59"),
    (("next-letter", "aaaaaaaaaaaaaaaaaaaa"), "next-letter: expected a text of 14..2000 characters with at least two "
                                            "different letters; got 20 characters and 1 letters"),
])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        G.generate(*args)


def test_length_test_of_a_trained_echo_net():
    """A net trained on echo cases of 8 steps gets every target of 16- and 24-step cases right;
    a net without the task's units is refused."""
    s = CS.new_session(read_csv(echo_csv()), hidden=4, seed=0)
    s.step(300)
    assert G.lengths_for("echo", 2, 8) == [4, 8, 12, 16, 20, 24]
    assert G.length_test(s, "echo", 2, [16, 24]) == [(16, 1.0), (24, 1.0)]
    with pytest.raises(ValueError, match="^this net has no unit 'a', which addition needs"):
        G.length_test(s, "addition", 4, [4])
