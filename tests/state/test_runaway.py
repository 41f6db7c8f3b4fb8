"""A loss that runs away (finite, but thousands of times its start) pauses training, and Undo says
which update it went back to and puts back that update's count, loss and history (issue 20)."""
from simulator.state.session import RUNAWAY, Session


def test_runaway_loss_pauses_and_undo_goes_back_to_the_best_update():
    s = Session(lesson="vanishing-exploding")
    start = s.loss_value
    s.learning_rate, s.clip = 100.0, 1.0  # what a lecturer tried: the loss reached 9.4e57 unwarned
    while s.step(1):
        assert s.updates < 200, "learning rate 100 should run away"
    assert s.diverged and s.message_kind == "error" and "grew to" in s.message
    assert RUNAWAY * start < s.loss_value < float("inf")
    assert s.step(1) is False  # still blown up: refused until the user acts
    stopped = s.updates
    s.undo()
    assert s.updates == len(s.history) and s.message == f"Undo: back to update {s.updates}, loss {s.loss_value:.6g}."
    assert s.loss_value <= start and s.updates < stopped  # the lowest error so far, an earlier update
    assert not s.diverged


def test_undo_after_a_step_restores_the_count_and_undo_after_reset_says_why_not():
    s = Session()
    s.step(3)
    loss3 = s.loss_value
    s.step(2)
    s.undo()
    assert (s.updates, len(s.history), s.loss_value) == (3, 3, loss3)
    s.reset()
    s.undo()
    assert s.message == "Nothing to undo yet (Reset or the lesson started again at update 0)."
