"""InspectorView without a browser: a unit's numbers and arithmetic agree with the engine, and the
parameter editor sets exact values or keeps the old one and shows why."""
import math

import numpy as np
import pytest

from markup_text import shown
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.inspector import InspectorView, unit_numbers
from simulator.views.style import fmt


@pytest.fixture
def view():
    v = InspectorView(session=Session(), selection=Selection())
    v.__panel__()
    return v


def test_prompt_without_selection(view):
    """With no unit selected the inspector says how to pick one."""
    assert "Click a unit" in view.text.object


def test_forward_arithmetic_matches_the_engine(view):
    """The written sum sum_j w_ij s_j(t-1) + b_i equals the engine's z, and both appear in the text."""
    s = view.session
    s.step(3)
    view.selection.param.update(case=2, unit=(5, 3))
    net, g = s.net, s.gradients
    prev = g.states[2, 4]
    z = sum(net.W[3, j] * prev[j] for j in range(net.N) if net.C[3, j]) + net.b[3]
    assert z == pytest.approx(g.net_inputs[2, 5, 3], rel=1e-10, abs=1e-12)
    text = view.text.object
    assert f"= {fmt(g.net_inputs[2, 5, 3])}" in text
    assert f"{fmt(net.W[3, 2])}" in text and f"{fmt(prev[2])}" in text
    assert f"{fmt(1 / (1 + math.exp(-z)))}" in text  # s = logistic(z)
    assert "case 2" in text and "t = 5" in text


def test_backward_sum_matches_the_engine(view):
    """For every unit and step, the written g = sum_k w_ki d_k(t+1) + (1/B) dl/ds equals the engine's g."""
    s = view.session
    for t in range(s.sequences.T + 1):
        for i in range(s.net.N):
            n = unit_numbers(s, 1, t, i)
            assert n["later"] + n["target_term"] == pytest.approx(n["g"], rel=1e-9, abs=1e-12)


def test_target_unit_shows_target_and_error(view):
    """A taught unit shows its target y and its error term l."""
    view.session.loss = "cross_entropy"  # the l written below (the lesson's own loss is squared)
    seq = view.session.sequences
    t = int(np.flatnonzero(seq.M[0, :, 5])[0])
    view.selection.unit = (t, 5)
    n = unit_numbers(view.session, 0, t, 5)
    s, y = n["s"], n["y"]
    l = -(y * math.log(s) + (1 - y) * math.log(1 - s)) if 0 < y < 1 else -math.log(s if y == 1 else 1 - s)
    assert n["l"] == pytest.approx(l)
    assert f"y = {fmt(y)}" in view.text.object and fmt(l) in view.text.object


def test_clamped_unit_takes_no_error(view):
    """A clamped input shows its clamped value, the unused f(z), and d = 0."""
    view.selection.unit = (3, 0)
    text = view.text.object
    assert "clamped" in text and "d = dE/dz = 0" in text
    assert f"s = X = {fmt(view.session.sequences.X[0, 3, 0])}" in text


def test_initial_state(view):
    """At t = 0 a free unit's state is its initial state h0."""
    view.selection.unit = (0, 3)
    assert f"h0[h2] = {fmt(view.session.net.h0[3])}" in view.text.object


def test_text_follows_training(view):
    """After weight updates the shown z is the new one."""
    view.selection.unit = (4, 2)
    view.session.step(5)
    assert f"= {fmt(view.session.gradients.net_inputs[0, 4, 2])}" in view.text.object


def test_selected_weight_fills_the_editor(view):
    """Selecting a connection picks W[i, j] and puts its exact value in the box."""
    view.selection.weight = (3, 1)
    W = view.session.net.W
    assert view.ref() == ("W", 3, 1)
    assert view.input.value == f"{W[3, 1]:.6g}" and view.input.value_input == view.input.value
    assert fmt(W[3, 1], 6) in view.current.object


def test_set_weight_with_button_and_enter(view):
    """Set and Enter both put the typed value into the weight and update the shown value."""
    view.selection.weight = (2, 0)
    view.input.value = "0.7"
    view.set_button.clicks += 1
    assert view.session.net.W[2, 0] == 0.7 and not view.feedback.visible
    assert "0.7" in view.current.object
    view.input.value_input = "-1.25"
    view.input.param.trigger("enter_pressed")
    assert view.session.net.W[2, 0] == -1.25


@pytest.mark.parametrize("text", ["abc", "nan", "", "inf"])
def test_bad_value_keeps_the_old_one(view, text):
    """Invalid text shows the session's message in red and leaves the weight as it was."""
    view.selection.weight = (2, 0)
    old = view.session.net.W[2, 0]
    view.input.value = text
    view.set_button.clicks += 1
    assert view.session.net.W[2, 0] == old
    assert view.feedback.visible and view.feedback.alert_type == "danger"
    assert shown(view.feedback) == view.session.message and "not" in view.session.message


def test_bias_and_initial_state(view):
    """The editor also sets a bias b[i] and an initial state h0[i]."""
    view.kind.value, view.to_unit.value = "b", 4
    view.input.value = "0.3"
    view.apply()
    assert view.session.net.b[4] == 0.3
    view.kind.value = "h0"
    view.input.value = "0.9"
    view.apply()
    assert view.session.net.h0[4] == 0.9
    assert not view.from_unit.visible


def test_absent_connection_is_refused(view):
    """W for a connection that does not exist is refused with the reason."""
    view.kind.value, view.to_unit.value, view.from_unit.value = "W", 0, 5
    assert "no such connection" in view.current.object
    view.input.value = "1"
    view.apply()
    assert view.feedback.visible and "absent connection" in view.feedback.object


def test_editor_starts_on_an_existing_connection(view):
    """With no weight selected the editor shows a connection that exists, not an absent one."""
    i, j = view.ref()[1:]
    assert view.session.net.C[i, j] == 1 and "no such connection" not in view.current.object
