"""The Session's training settings (simulator/state/training.py, issue 16): the rule, minibatches,
decay, truncation, frozen parameters and stopping rules reach the trainer; Undo puts back the
optimizer's state; a setting that does not fit goes back with a message."""
import numpy as np

from simulator.lessons import registry as L
from simulator.state.session import Session


def adam_session(**kw):
    s = Session()
    s.param.update(optimizer="adam", batch_size=64, truncate=3, weight_decay=0.01, **kw)
    return s


def test_settings_reach_the_trainer_and_replay_from_the_seed():
    """Two sessions with the same seed and settings train to the same weights (==), minibatches
    included; the trainer has every setting."""
    a, b = adam_session(), adam_session()
    a.step(5)
    b.step(2)
    b.step(3)
    np.testing.assert_array_equal(a.net.params(), b.net.params())
    t = a.trainer
    assert (t.optimiser.optimizer, t.batch_size, t.truncate, t.optimiser.weight_decay) == ("adam", 64, 3, 0.01)
    assert (t.epoch, t.position) == (1, 64)  # 5 batches of 64 from 256 cases


def test_undo_puts_back_the_optimizer_state_exactly():
    """Undo returns the weights and adam's moments, count and the sampler's place: the updates
    after it are those that followed the first time (==)."""
    a = adam_session()
    a.step(4)
    a.step(3)
    after = a.net.params()
    a.undo()
    a.step(3)
    np.testing.assert_array_equal(a.net.params(), after)
    assert a.trainer.optimiser.k == 7


def test_frozen_parameter_keeps_its_value_but_shows_its_gradient():
    """A frozen weight does not move under training; its gradient is still computed and shown."""
    s = Session()
    s.set_frozen(("W", 3, 0))
    before = s.net.W[3, 0]
    s.step(5)
    assert s.net.W[3, 0] == before and s.gradients.dW[3, 0] != 0
    assert s.is_frozen(("W", 3, 0))
    s.set_frozen(("W", 3, 0), False)
    s.step(1)
    assert s.net.W[3, 0] != before


def test_a_batch_larger_than_the_cases_goes_back_with_a_message():
    """batch_size beyond B is refused: the setting goes back, the message says what fits."""
    s = Session()
    s.batch_size = 8
    s.batch_size = 1000
    assert s.batch_size == 8 and s.trainer.batch_size == 8
    assert s.message_kind == "error" and "larger than the 256 cases" in s.message


def test_stop_at_updates_ends_the_run_there_with_a_message():
    """Stop at update N: step(n) stops at N exactly, returns False and says which rule."""
    s = Session()
    s.stop_at_updates = 7
    assert s.step(5)
    assert not s.step(20)
    assert s.updates == 7 and "Stop at update" in s.message and s.message_kind == "info"


def test_stop_at_loss_ends_the_run_once_the_loss_is_below():
    """Stop at loss: training stops before an update at or below that loss, and says so."""
    free = Session()
    free.step(30)
    goal = [loss for _, loss in free.history][9]
    s = Session()
    s.stop_at_loss = goal
    assert not s.step(30)
    assert s.updates < 30 and s.gradients.loss <= goal and "Stop at loss" in s.message


def test_stop_when_right_uses_the_lesson_criterion(monkeypatch):
    """Stop when every case is right asks the lesson's criterion after each run of updates."""
    s = Session()
    s.stop_when_right = True
    assert s.step(2)
    monkeypatch.setattr(L, "solved", lambda *a, **k: True)
    assert not s.step(2)
    assert "every case is right" in s.message


def test_a_new_lesson_brings_back_the_default_training():
    """Choosing a lesson puts back its training settings: momentum, all cases, nothing frozen."""
    s = adam_session()
    s.set_frozen(("b", 0))
    s.lesson = "tied-weights"
    assert (s.optimizer, s.batch_size, s.truncate, s.frozen) == ("momentum", 0, 0, [])
    assert s.trainer.optimiser.frozen is None
