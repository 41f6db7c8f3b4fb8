"""Limits that protect a shared server, and numerical faults: the user is told, nothing crashes,
and the state stays as it was (or goes back to the last good weights)."""
import numpy as np
import pytest

from engine import Network, config
from simulator.state import edits as edits
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session


def _snapshot(s):
    return s.net.params().copy(), s.updates, len(s.history), s.sequences.X.copy()


def _unchanged(s, snap):
    params, updates, n_history, X = snap
    np.testing.assert_array_equal(s.net.params(), params)
    assert (s.updates, len(s.history)) == (updates, n_history)
    np.testing.assert_array_equal(s.sequences.X, X)


def test_steps_and_rates_are_bounded_params():
    """T, the learning rate and the frame rate have caps; a value beyond one is refused by param
    (the widgets built from these params cannot even offer it) and the old value stays."""
    s = Session()
    assert s.param.steps.bounds == (1, 60) and s.param.learning_rate.bounds[1] == 100.0
    snap = _snapshot(s)
    for name, value in (("steps", 61), ("steps", 0), ("learning_rate", 1e3), ("momentum", 1.0)):
        old = getattr(s, name)
        with pytest.raises(ValueError):
            setattr(s, name, value)
        assert getattr(s, name) == old
    _unchanged(s, snap)
    p = Player(session=s, selection=Selection())
    assert p.param.period.bounds[0] >= 20 and p.param.max_updates.bounds[1] <= 10_000
    with pytest.raises(ValueError):
        p.period = 5  # faster than 50 frames per second


def test_engine_size_caps_raise_clear_errors():
    """N, T and B beyond engine/config.py's caps raise a ValueError that names the limit."""
    with pytest.raises(ValueError, match=str(config.MAX_UNITS)):
        Network.random(config.MAX_UNITS + 1, np.random.default_rng(0))
    from engine import Sequences
    N, T = 2, config.MAX_STEPS + 1
    with pytest.raises(ValueError, match="beyond the limits"):
        Sequences(np.zeros((1, T + 1, N)), np.zeros((1, T + 1, N), bool),
                  np.zeros((1, T + 1, N)), np.zeros((1, T + 1, N), bool))


def test_adding_units_stops_at_the_edit_cap_with_a_message():
    """Add unit beyond simulator/edits.MAX_EDIT_UNITS: a message, the network stays as it was."""
    s = Session()
    while s.net.N < edits.MAX_EDIT_UNITS:
        assert s.add_unit("hidden"), s.message
    snap = _snapshot(s)
    assert s.add_unit("hidden") is False
    assert s.message_kind == "error" and str(edits.MAX_EDIT_UNITS) in s.message
    assert s.net.N == edits.MAX_EDIT_UNITS
    _unchanged(s, snap)


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "-inf", "1e999", "0x10", "1,5", None, "<b>1</b>"])
def test_a_typed_value_that_is_not_a_finite_number_is_refused(text):
    """set_parameter with bad text: an error message, the weight and everything else unchanged."""
    s = Session()
    snap = _snapshot(s)
    assert s.set_parameter(("W", 2, 0), text) is False
    assert s.message_kind == "error" and "number" in s.message
    _unchanged(s, snap)


def _blow_up():
    """A learning rate that blows up: linear units, squared error, learning rate 1 (update 2 of
    the default lesson already gives a loss of ~1e55, and the next one is NaN)."""
    s = Session()
    s.loss = "squared"
    s.activation = "linear"
    s.learning_rate = 1.0
    assert s.message_kind != "error", s.message
    return s, s.loss_value  # the lowest error is the starting one


def test_divergence_pauses_the_player_and_keeps_the_weights():
    """A blown-up update is refused: step returns False, the Player stops, the message says how
    to recover, and no parameter becomes inf or NaN."""
    s, _ = _blow_up()
    p = Player(session=s, selection=Selection(), max_updates=50)
    p.playing = True
    for _ in range(10):  # frames until the refused update (the first frame runs one update)
        p.tick()
        if not p.playing:
            break
    assert p.playing is False and s.diverged
    assert s.message_kind == "error" and "learning rate" in s.message and "Undo" in s.message
    last = s.net.params().copy()  # the weights of the last accepted update
    assert np.all(np.isfinite(last)) and len(s.history) == s.updates
    assert s.step(1) is False  # still refused: nothing changes until the user acts
    np.testing.assert_array_equal(s.net.params(), last)


def test_undo_after_divergence_restores_the_lowest_error_weights():
    """Undo after a refused update puts back the weights with the lowest error since the reset,
    and training can go on from there."""
    s, best_loss = _blow_up()
    while s.step(1):
        assert s.updates < 20, "this learning rate should blow up within a few updates"
    s.undo()
    assert not s.diverged and np.all(np.isfinite(s.net.params()))
    assert s.loss_value <= best_loss + 1e-12
    s.learning_rate = 1e-4
    assert s.step(2) is True
