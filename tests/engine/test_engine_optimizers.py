"""Learning rules, weight decay, frozen parameters, minibatches and stopping (docs/model.md "Other
learning rules"): the first updates against the formulas written out here from the reference's
gradients; saved state continues exactly; the minibatch order is the seed's."""
import numpy as np
import pytest

from engine import OPTIMIZERS, Trainer, bptt
from problems import make_problem
from reference import bptt_reference

EPS = 0.05


def problem(rng, B=4, tie=False):
    return make_problem(rng, 4, 4, B, ["logistic", "tanh", "logistic", "linear"], clamp="initial-subset",
                        target="subset-every-step", density=0.8, learn="some", tie=tie)


def tied_gradient(p, W, b, h0):
    """The reference's gradient at (W, b, h0), masked to the learnable parameters and summed over ties."""
    r = bptt_reference(W, b, h0, p.C, p.acts, p.loss, p.X, p.K, p.Y, p.M, bias=p.bias)
    g = np.concatenate([(r.dW * p.C).ravel(), r.db * p.bias, r.dh0 * p.learn_h0])
    N = len(b)
    index = {("W", i, j): i * N + j for i in range(N) for j in range(N)}
    index.update({("b", i): N * N + i for i in range(N)})
    index.update({("h0", i): N * N + N + i for i in range(N)})
    for group in p.ties:
        members = [index[tuple(r)] for r in group]
        g[members] = g[members].sum()
    return g


def by_formula(p, rule, n, momentum=0.6, decay=0.0):
    """n updates of ``rule`` written out from docs/model.md, on the reference's gradients."""
    N = len(p.b)
    theta = np.concatenate([(p.W * p.C).ravel(), p.b, p.h0])
    v, m, r, s = (np.zeros_like(theta) for _ in range(4))
    for k in range(1, n + 1):
        W, b, h0 = theta[:N * N].reshape(N, N), theta[N * N:N * N + N], theta[N * N + N:]
        g = tied_gradient(p, W, b, h0)
        g[:N * N] += decay * W.ravel() * p.C.ravel()
        if rule == "sgd":
            theta = theta - EPS * g
        elif rule == "momentum":
            v = momentum * v - EPS * g
            theta = theta + v
        elif rule == "rmsprop":
            r = 0.99 * r + 0.01 * g ** 2
            theta = theta - EPS * g / (np.sqrt(r) + 1e-8)
        else:
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g ** 2
            theta = theta - EPS * (m / (1 - 0.9 ** k)) / (np.sqrt(s / (1 - 0.999 ** k)) + 1e-8)
    return theta


@pytest.mark.parametrize("decay", [0.0, 0.3])
@pytest.mark.parametrize("rule", OPTIMIZERS)
def test_first_and_second_updates_follow_the_formulas(rule, decay, rng):
    """Updates 1 and 2 of each rule (with and without weight decay, with ties) equal the formulas."""
    p = problem(rng, tie=True)
    t = Trainer(p.network(), p.sequences(), EPS, 0.6, optimizer=rule, weight_decay=decay)
    for n in (1, 2):
        t.step(1)
        np.testing.assert_allclose(t.net.params(), by_formula(p, rule, n, decay=decay), rtol=1e-10, atol=1e-13)


def test_decay_all_reaches_biases_and_learned_initial_states_only_when_chosen(rng):
    """Weight decay leaves b and h0 alone unless decay_all; then it adds lam * theta to learned ones."""
    p = problem(rng)
    base = Trainer(p.network(), p.sequences(), EPS, optimizer="sgd")
    only_w = Trainer(p.network(), p.sequences(), EPS, optimizer="sgd", weight_decay=0.5)
    every = Trainer(p.network(), p.sequences(), EPS, optimizer="sgd", weight_decay=0.5, decay_all=True)
    before = p.network().params()
    for t in (base, only_w, every):
        t.step(1)
    N = len(p.b)
    learnable = np.concatenate([p.C.ravel(), np.ones(N), p.learn_h0])
    np.testing.assert_array_equal(only_w.net.params()[N * N:], base.net.params()[N * N:])
    np.testing.assert_allclose(every.net.params() - base.net.params(), -EPS * 0.5 * before * learnable, atol=1e-15)


@pytest.mark.parametrize("rule", OPTIMIZERS)
def test_frozen_parameters_never_move_and_keep_no_state(rule, rng):
    """Frozen entries (and their tie groups) stay exactly put over many updates; the rest move."""
    p = problem(rng, tie=True)
    net = p.network()
    frozen = np.zeros(net.params().size, bool)
    frozen[[1, 5, net.N * net.N + 2, net.N * net.N + net.N]] = True
    frozen[np.flatnonzero(net.tie_index >= 0)[:1]] = True  # one member of a tie group: the group
    expect = frozen | np.isin(net.tie_index, net.tie_index[frozen & (net.tie_index >= 0)])
    before = net.params()
    t = Trainer(net, p.sequences(), EPS, 0.5, optimizer=rule, frozen=frozen, weight_decay=0.1, decay_all=True)
    t.step(5)
    after = t.net.params()
    np.testing.assert_array_equal(after[expect], before[expect])
    assert np.any(after[~expect] != before[~expect])
    for a in t.optimiser.state.values():
        assert np.all(a[expect] == 0)


@pytest.mark.parametrize("batch_size", [None, 3])
@pytest.mark.parametrize("rule", OPTIMIZERS)
def test_saved_state_continues_exactly(rule, batch_size, rng):
    """The next update after putting back state_dict() on a fresh trainer equals the one without it."""
    p = problem(rng, B=7)
    kw = dict(optimizer=rule, batch_size=batch_size, seed=5, truncate=2)
    a = Trainer(p.network(), p.sequences(), EPS, 0.7, **kw)
    a.step(4)
    saved, params = a.state_dict(), a.net.params()
    a.step(3)
    net = p.network()
    net.assign(params)
    b = Trainer(net, p.sequences(), EPS, 0.7, **kw)
    b.load_state(saved)
    b.step(3)
    np.testing.assert_array_equal(b.net.params(), a.net.params())
    assert b.updates == a.updates == 7
    fresh = Trainer(p.network(), p.sequences(), EPS, 0.7, **kw)
    fresh.net.assign(params)
    fresh.step(3)
    if rule != "sgd" or batch_size:  # without the state, the next updates differ
        assert not np.array_equal(fresh.net.params(), a.net.params())


def test_minibatches_cover_every_case_once_per_epoch_in_the_seed_order(rng):
    """Each epoch is a permutation of the cases from the seed: the same seed, the same batches."""
    p = problem(rng, B=7)
    p.X[:, 0, 0] = np.arange(7)  # a label per case
    seq = p.sequences()
    def labels(seed, n):
        t = Trainer(p.network(), seq, EPS, batch_size=3, seed=seed)
        return [tuple(t.next_batch().X[:, 0, 0].astype(int)) for _ in range(n)]
    first = labels(11, 6)
    assert [len(b) for b in first] == [3, 3, 1, 3, 3, 1]
    assert sorted(sum(first[:3], ())) == list(range(7)) and sorted(sum(first[3:], ())) == list(range(7))
    assert first == labels(11, 6)
    assert first != labels(12, 6)
    order = np.random.default_rng([11, 0]).permutation(7)
    assert sum(first[:3], ()) == tuple(order)


def test_minibatch_update_uses_that_batchs_gradient(rng):
    """An update with batch_size uses bptt on the drawn cases alone (its 1/B included)."""
    p = problem(rng, B=5)
    t = Trainer(p.network(), p.sequences(), EPS, optimizer="sgd", batch_size=2, seed=3)
    idx = np.random.default_rng([3, 0]).permutation(5)[:2]
    g = bptt(p.network(), p.sequences().cases(idx))
    expect = p.network().params() - EPS * np.concatenate([(g.dW * p.C).ravel(), g.db, g.dh0 * p.learn_h0])
    t.step(1)
    np.testing.assert_allclose(t.net.params(), expect, rtol=1e-12, atol=1e-15)


def test_full_batch_and_full_truncation_are_todays_training(rng):
    """batch_size = B and truncate >= T train exactly (==) as the defaults do."""
    p = problem(rng, B=5)
    a = Trainer(p.network(), p.sequences(), 0.3, 0.8)
    b = Trainer(p.network(), p.sequences(), 0.3, 0.8, batch_size=5, truncate=4)
    a.step(5)
    b.step(5)
    np.testing.assert_array_equal(a.net.params(), b.net.params())


def test_truncated_training_uses_bptt_h(rng):
    """An update with truncate=h applies BPTT(h)'s gradient."""
    p = problem(rng)
    t = Trainer(p.network(), p.sequences(), EPS, optimizer="sgd", truncate=1)
    g = bptt(p.network(), p.sequences(), truncate=1)
    expect = p.network().params() - EPS * np.concatenate([(g.dW * p.C).ravel(), g.db, g.dh0 * p.learn_h0])
    t.step(1)
    np.testing.assert_allclose(t.net.params(), expect, rtol=1e-12, atol=1e-15)


def test_stop_at_stops_before_an_update_at_or_below_the_loss(rng):
    """step(n) stops once the loss is at or below stop_at, without that update."""
    p = problem(rng)
    free = Trainer(p.network(), p.sequences(), 0.5, 0.5)
    losses = [r.loss for r in free.step(30)]
    target = losses[6]
    t = Trainer(p.network(), p.sequences(), 0.5, 0.5, stop_at=target)
    reports = t.step(30)
    assert len(reports) == 6 and t.updates == 6
    assert t.step(5) == []


def test_changing_the_rule_starts_a_fresh_state(rng):
    """configure() to another rule resets the state (adam's count too); the same rule keeps it."""
    p = problem(rng)
    t = Trainer(p.network(), p.sequences(), EPS, optimizer="adam")
    t.step(2)
    assert t.optimiser.k == 2
    t.optimiser.configure("adam", 0.1)
    assert t.optimiser.k == 2
    t.optimiser.configure("rmsprop")
    assert set(t.optimiser.state) == {"r"} and np.all(t.optimiser.state["r"] == 0)


@pytest.mark.parametrize("kw, match", [
    (dict(optimizer="adagrad"), "optimizer must be one of sgd, momentum, adam, rmsprop"),
    (dict(weight_decay=-0.1), "weight_decay must be a number >= 0"),
    (dict(learning_rate=-1.0), "learning_rate must be a positive number"),
    (dict(truncate=0), "truncate must be a whole number of steps >= 1"),
    (dict(batch_size=9), "batch_size must be a whole number of cases from 1 to 4"),
    (dict(batch_size=0), "batch_size must be a whole number of cases from 1 to 4"),
    (dict(stop_at=-1), "stop_at must be a loss >= 0"),
    (dict(frozen=[True]), "frozen must be a mask of 24 parameters"),
])
def test_bad_settings_are_refused_by_name(kw, match, rng):
    """Each bad training setting gets a ValueError naming it and what it should be."""
    p = problem(rng)
    with pytest.raises(ValueError, match=match):
        Trainer(p.network(), p.sequences(), **kw)
