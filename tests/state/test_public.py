"""The public methods other layers use in place of Session's and Network's insides (issue 12):
Session.restore (a checked document's state), Session.attempt (run an edit or keep the state and
say why) and Network.assign (a flat parameter vector)."""
import numpy as np
import pytest

import fuzz_inputs as F
from engine import Network
from simulator.state.session import Session


def test_restore_shows_another_session_s_state_and_forgets_the_undo():
    """restore gives a session another's lesson, settings, net, data, counts and velocity; its
    undo is gone (the weights before a restore are not the restored state's past)."""
    src = Session(lesson="tied-weights")
    src.param.update(seed=4, learning_rate=0.3)
    src.step(3)
    dst = Session()
    dst.step(1)
    settings = {name: getattr(src, name) for name in ("seed", "steps", "learning_rate", "momentum", "clip",
                                                       "activation", "loss", "learn_h0")}
    dst.restore(src.lesson, src.net.copy(), src.sequences, settings, src.unit_names, src.unit_groups,
                updates=src.updates, history=src.history, velocity=src.trainer.optimiser.velocity.copy(),
                task_info=src.task_info, message="restored")
    assert (dst.lesson, dst.seed, dst.learning_rate, dst.updates, dst.history) == \
        ("tied-weights", 4, 0.3, 3, src.history)
    np.testing.assert_array_equal(dst.net.params(), src.net.params())
    np.testing.assert_array_equal(dst.trainer.optimiser.velocity, src.trainer.optimiser.velocity)
    assert (dst.message, dst.message_kind, dst.unit_names) == ("restored", "info", src.unit_names)
    dst.undo()
    assert dst.message == "Nothing to undo yet."
    src.step(2), dst.step(2)  # the same state trains on identically
    np.testing.assert_array_equal(dst.net.params(), src.net.params())


def test_attempt_keeps_the_state_and_says_why():
    """attempt returns True when the action runs; on ValueError False, the reason in the message
    after ``what``, and the state as it was."""
    s = Session()
    before = F.snapshot(s)

    def refuse():
        raise ValueError("no such thing")
    assert not s.attempt(refuse, "Could not do it")
    F.assert_refused(s, before, "Could not do it", "no such thing")
    assert s.message == "Could not do it: no such thing"
    assert s.attempt(lambda: None, "Could not do it")


def test_assign_writes_a_flat_vector_and_refuses_another_length():
    """assign keeps absent connections at 0 and refuses a vector of the wrong length, changing nothing."""
    net = Network(W=np.zeros((2, 2)), connections=[[0, 1], [1, 0]])
    net.assign(np.arange(8.0))
    np.testing.assert_array_equal(net.params(), [0, 1, 2, 0, 4, 5, 6, 7])
    with pytest.raises(ValueError, match=r"expected 8 parameters \[W\.ravel\(\), b, h0\]; got shape \(7,\)"):
        net.assign(np.zeros(7))
    np.testing.assert_array_equal(net.params(), [0, 1, 2, 0, 4, 5, 6, 7])
