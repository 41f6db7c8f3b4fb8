"""Truncation in the unrolled picture (issue 16): with "Truncate to h steps" set and a weight
selected, the columns the error of the cursor's step reaches are marked; which columns those are
is checked against the engine's BPTT(h) itself, not against the view's own formula."""
import numpy as np
import pytest

from engine import Sequences, bptt

from simulator.views.unrolled import OUT_OF_REACH
from test_view_unrolled import view  # noqa: F401  (the fixture: the default lesson's picture in a document)


def engine_reach(session, t, h):
    """The columns the error of step t reaches in the engine's BPTT(h): with a target at step t
    alone, the states whose d is not 0 (u >= 1) and the state before the earliest of them, which
    enters that step's G (docs/model.md: s_(t-h) .. s_t, and s_0 with its g when the chain ends there)."""
    seq, T = session.sequences, session.sequences.T
    M = np.zeros_like(seq.M)
    M[:, t, :] = seq.M[:, :, :].max(axis=1)  # every unit that has a target somewhere, now at t only
    g = bptt(session.net, Sequences(seq.X, seq.K, seq.Y, M), truncate=h or None)
    active = [u for u in range(1, T + 1) if np.any(g.dz[:, u, :] != 0)]
    cols = np.zeros(T + 1, bool)
    if active:
        cols[min(active) - 1:max(active) + 1] = True
    return cols


@pytest.mark.parametrize("h", [1, 2, 0])
@pytest.mark.parametrize("t", [1, 2, 6])
def test_the_reached_columns_are_those_the_engines_truncated_error_reaches(view, h, t):
    s, sel = view.session, view.selection
    s.truncate = h
    sel.param.update(time=t, weight=(2, 0))
    reached = np.array(view.reach.data["reached"])
    np.testing.assert_array_equal(reached, engine_reach(s, t, h))
    assert reached.sum() == (min(h, t) if h else t) + 1  # h transitions: h + 1 columns, fewer near t = 0
    shade = np.array(view.reach.data["shade"])
    if h:  # marked: the columns out of reach greyed, a bracket around the others
        np.testing.assert_array_equal(shade, np.where(reached, 0.0, OUT_OF_REACH))
        b = view.reach_bracket
        assert b.visible and (b.left, b.right) == (np.argmax(reached) - 0.5, t + 0.5)
        assert f"BPTT({h}): the error at t = {t} reaches columns" in view.subtitle.text
    else:  # full BPTT: nothing is cut, nothing is drawn
        assert not shade.any() and not view.reach_bracket.visible


def test_marks_need_a_selected_weight_and_follow_the_cursor(view):
    s, sel = view.session, view.selection
    s.truncate = 2
    sel.time = 5
    assert not np.any(view.reach.data["shade"]) and not view.reach_bracket.visible
    sel.weight = (2, 0)
    assert list(np.flatnonzero(view.reach.data["shade"] == 0)) == [3, 4, 5]
    sel.time = 8
    assert list(np.flatnonzero(view.reach.data["shade"] == 0)) == [6, 7, 8]
    s.truncate = 0
    assert not view.reach_bracket.visible
