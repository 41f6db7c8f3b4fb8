"""Learning (docs/model.md "Learning"): momentum updates, refused blow-ups, clipping, what stays fixed."""
import numpy as np
import pytest

from engine import Momentum, Network, Sequences, Trainer, bptt, constrain
from reference import bptt_reference


def remember_a_bit(rng, B=8, T=3):
    """A learnable task: unit 0 is clamped to a bit at row 0; unit 2 must report it at time T."""
    bits = rng.integers(0, 2, B).astype(float)
    X = np.zeros((B, T + 1, 3)); X[:, 0, 0] = bits
    K = np.zeros((B, T + 1, 3)); K[:, 0, 0] = 1
    Y = np.zeros((B, T + 1, 3)); Y[:, T, 2] = bits
    M = np.zeros((B, T + 1, 3)); M[:, T, 2] = 1
    return Sequences(X, K, Y, M)


@pytest.mark.parametrize("loss, golden", [("squared", (0.13621363175504833, 0.0002543883885110068)),
                                          ("cross_entropy", (0.7383314830199504, 0.000401369872282158))])
def test_loss_decreases_on_a_learnable_task(loss, golden):
    """Training with momentum on a task the net can learn cuts the loss to under a fifth (seeded:
    to the golden numbers, 1e-9)."""
    rng = np.random.default_rng(2)  # its own seed, so the golden numbers do not depend on the test's id
    net = Network.random(3, rng, weight_scale=0.3, activation="logistic", loss=loss)
    trainer = Trainer(net, remember_a_bit(rng), learning_rate=0.5, momentum=0.9)
    first = trainer.evaluate().loss
    reports = trainer.step(400)
    assert len(reports) == 400 and all(r.ok for r in reports)
    assert trainer.updates == 400
    last = trainer.evaluate().loss
    assert (first, last) == pytest.approx(golden, rel=1e-9) and last < 0.2 * first


def test_momentum_update_follows_the_formula(rng):
    """v = alpha v - eps g and theta += v, with g the reference gradient restricted to what is learned."""
    N, T, B = 3, 3, 2
    C = np.array([[1, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=float)
    net = Network(rng.uniform(-1, 1, (N, N)), b=rng.uniform(-1, 1, N), h0=[0.3, 0.6, 0.5],
                  connections=C, activation=["logistic", "tanh", "linear"], learn_h0=[True, False, True])
    Y = rng.uniform(-1, 1, (B, T + 1, N))
    seq = Sequences(targets=Y, target_mask=np.ones((B, T + 1, N)))
    opt = Momentum(net, learning_rate=0.1, momentum=0.7)
    theta = net.params()
    v = np.zeros_like(theta)
    for _ in range(3):
        W, b, h0 = net.unflatten(theta)
        r = bptt_reference(W, b, h0, C, net.activation, "squared", seq.X, seq.K, seq.Y, seq.M)
        g = np.concatenate([(r.dW * C).ravel(), r.db, r.dh0 * [1, 0, 1]])
        v = 0.7 * v - 0.1 * g
        theta = theta + v
        report = opt.step(net, bptt(net, seq))
        assert report.ok and not report.clipped
        np.testing.assert_allclose(net.params(), theta, rtol=1e-9, atol=1e-12)


def blow_up_problem():
    """Linear units with large weights and targets far away: a big learning rate overflows."""
    N, T = 3, 4
    W = np.full((N, N), 1.5)
    Y = np.full((1, T + 1, N), 50.0)
    M = np.ones((1, T + 1, N))
    return Network(W, activation="linear"), Sequences(targets=Y, target_mask=M)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_blow_up_is_refused_and_parameters_keep_their_last_finite_values():
    """An update that overflows is refused: ok False, a message, parameters as before that step."""
    net, seq = blow_up_problem()
    trainer = Trainer(net, seq, learning_rate=10.0, momentum=0.9)
    for _ in range(100):
        before = net.params()
        (report,) = trainer.step(1)
        if not report.ok:
            break
        assert np.all(np.isfinite(net.params()))
    else:
        pytest.fail("the learning rate never blew up")
    assert report.message
    np.testing.assert_array_equal(net.params(), before)
    assert np.all(np.isfinite(net.params()))
    assert np.all(trainer.optimiser.velocity == 0)  # what blew up is forgotten


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_step_stops_at_the_refused_update():
    """Trainer.step(n) returns early, with the refused report last, and counts only applied updates."""
    net, seq = blow_up_problem()
    trainer = Trainer(net, seq, learning_rate=10.0, momentum=0.9)
    reports = trainer.step(100)
    assert len(reports) == 3  # two updates applied, the third overflows
    assert not reports[-1].ok and all(r.ok for r in reports[:-1])
    assert trainer.updates == len(reports) - 1
    assert np.all(np.isfinite(net.params()))


def test_what_is_not_learned_gets_exactly_zero_even_from_an_overflowed_gradient(rng):
    """Absent connections and fixed initial states get 0 in the applied gradient, also when their
    own entry overflowed (inf * 0 gave nan there, and a warning)."""
    C = np.ones((3, 3)); C[0, 2] = 0
    net = Network.random(3, rng, connections=C, learn_h0=[True, False, True])
    dW, db, dh0 = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3)
    dW[0, 2], dh0[1] = np.inf, -np.inf
    with np.errstate(all="raise"):
        flat = constrain(net, dW, db, dh0)
    W, b, h0 = net.unflatten(flat)
    assert W[0, 2] == 0 and h0[1] == 0
    assert np.array_equal(W[C == 1], dW[C == 1]) and np.array_equal(b, db) and np.array_equal(h0[[0, 2]], dh0[[0, 2]])


@pytest.mark.parametrize("clip", [0.01, 0.5])
def test_gradient_clipping_caps_the_applied_norm(clip, rng):
    """With momentum 0 the applied change is lr * g scaled to norm at most ``clip``."""
    net = Network.random(4, rng, activation="tanh", learn_h0=True)
    seq = Sequences(targets=rng.uniform(-1, 1, (2, 4, 4)), target_mask=np.ones((2, 4, 4)))
    lr = 0.3
    trainer = Trainer(net, seq, learning_rate=lr, clip=clip)
    g = constrain(net, *(lambda h: (h.dW, h.db, h.dh0))(trainer.evaluate()))
    norm = np.linalg.norm(g)
    before = net.params()
    (report,) = trainer.step(1)
    change = net.params() - before
    assert report.ok and report.clipped == (norm > clip)
    assert report.grad_norm == pytest.approx(norm, rel=1e-12)
    assert np.linalg.norm(change) <= lr * clip * (1 + 1e-12)
    expected = -lr * g * (min(1.0, clip / norm))
    np.testing.assert_allclose(change, expected, rtol=1e-9, atol=1e-14)


def test_fixed_things_stay_fixed(rng):
    """Fixed h0 entries, switched-off biases and absent connections do not change in training."""
    C = (rng.random((4, 4)) < 0.6).astype(float)
    learn = np.array([True, False, True, False])
    net = Network(rng.uniform(-1, 1, (4, 4)), h0=[0.2, 0.4, 0.6, 0.8], connections=C, bias=False,
                  activation=["logistic", "tanh", "softmax", "softmax"], learn_h0=learn)
    seq = Sequences(targets=rng.uniform(0, 1, (3, 5, 4)), target_mask=np.ones((3, 5, 4)))
    g = bptt(net, seq)
    assert np.all(g.dh0[~learn] != 0)  # the gradient is reported for fixed h0 too, just not applied
    Trainer(net, seq, learning_rate=0.2, momentum=0.8).step(20)
    np.testing.assert_array_equal(net.h0[~learn], [0.4, 0.8])
    assert np.all(net.h0[learn] != [0.2, 0.6])
    assert np.all(net.b == 0)
    assert np.all(net.W[C == 0] == 0)


def test_learn_h0_false_leaves_h0_unchanged(rng):
    """With learn_h0=False, training never moves the initial states."""
    net = Network.random(3, rng, activation="logistic")
    h0 = net.h0.copy()
    seq = Sequences(targets=rng.uniform(0, 1, (2, 4, 3)), target_mask=np.ones((2, 4, 3)))
    Trainer(net, seq, learning_rate=0.5, momentum=0.5).step(20)
    np.testing.assert_array_equal(net.h0, h0)


def test_set_hyper_keeps_the_velocity(rng):
    """Changing learning rate and momentum live keeps the accumulated velocity."""
    net = Network.random(3, rng, activation="tanh")
    seq = Sequences(targets=rng.uniform(-1, 1, (2, 4, 3)), target_mask=np.ones((2, 4, 3)))
    trainer = Trainer(net, seq, learning_rate=0.1, momentum=0.9)
    trainer.step(3)
    v = trainer.optimiser.velocity.copy()
    assert np.any(v != 0)
    trainer.optimiser.set_hyper(0.05, 0.5)
    np.testing.assert_array_equal(trainer.optimiser.velocity, v)
    assert (trainer.optimiser.learning_rate, trainer.optimiser.momentum) == (0.05, 0.5)
