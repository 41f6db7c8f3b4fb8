"""Reset (and a new seed) on a net of the user's own cases (issue 15): new weights from the seed,
drawn as the net was made, on the same units and the same cases; a lesson's Reset is unchanged."""
import numpy as np

from simulator.document import case_edits as E
from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from simulator.state.session import Session

from test_cases import TEXT  # a, b (test) and c, of different lengths


def _same_data(a, b):
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in "XKYM")


def test_reset_keeps_own_cases_and_redraws_the_weights_of_the_seed():
    s = CS.new_session(read_csv(TEXT), hidden=3, seed=5)
    made, seq, names, cases = s.net.params(), s.sequences, list(s.unit_names), s.cases
    s.step(7)
    assert not np.array_equal(s.net.params(), made)
    s.reset()
    assert s.cases is not None and s.cases["labels"] == cases["labels"] and s.cases["split"] == cases["split"]
    assert _same_data(s.cases["test"], cases["test"]) and _same_data(s.sequences, seq)
    assert list(s.unit_names) == names and s.lesson == CS.HOST
    np.testing.assert_array_equal(s.net.params(), made)  # the same draw as when the net was made
    assert (s.updates, s.history) == (0, [])


def test_a_new_seed_on_own_cases_gives_that_seeds_net():
    s = CS.new_session(read_csv(TEXT), hidden=3, seed=5)
    seq = s.sequences
    s.seed = 9
    other = CS.new_session(read_csv(TEXT), hidden=3, seed=9)
    np.testing.assert_array_equal(s.net.params(), other.net.params())
    assert s.cases is not None and _same_data(s.sequences, seq)


def test_reset_keeps_a_blank_net_and_its_painted_case():
    s = Session()
    assert E.blank_net(s, "a,b", 2, "sum", 6)
    assert E.add_case(s)
    names, T = list(s.unit_names), s.sequences.T
    s.step(3)
    s.reset()
    assert s.cases is not None and list(s.unit_names) == names and s.sequences.T == T
    assert s.cases["labels"] == ["new 1"]


def test_a_lessons_reset_is_unchanged():
    s = Session(lesson="binary-addition")
    first = s.net.params()
    s.step(4)
    s.reset()
    np.testing.assert_array_equal(s.net.params(), first)
    assert s.cases is None
