"""Properties of BPTT that hold on every small random problem (hypothesis), checked on the engine."""
import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import Trainer, bptt, constrain, finite_differences
from problems import FAST, SLOW, assert_close, problems

GRADS = ("dW", "db", "dh0")
EVERYTHING = ("dW", "db", "dh0", "dW_by_step", "states", "activations", "net_inputs", "ds", "dz",
              "loss_by_step", "loss_by_case")


def tame(p):
    """Skip problems whose net inputs saturate (test_engine_oracle.py has their own test)."""
    assume(np.abs(p.reference().net_inputs).max() < 30)
    return p


def assert_identical(g, h):
    """Two Gradients are bit-for-bit equal."""
    assert g.loss == h.loss
    for name in EVERYTHING:
        np.testing.assert_array_equal(getattr(g, name), getattr(h, name), err_msg=name)


@FAST
@given(problems())
def test_gradients_match_finite_differences(p):
    """dW, db and dh0 equal central finite differences of E to about 1e-6."""
    tame(p)
    net, seq = p.network(), p.sequences()
    g = bptt(net, seq)
    for name, fd, exact in zip(GRADS, finite_differences(net, seq, eps=1e-6), (g.dW, g.db, g.dh0)):
        scale = max(1.0, np.abs(exact).max(initial=0.0))
        np.testing.assert_allclose(exact, fd, rtol=1e-5, atol=1e-6 * scale, err_msg=name)


@FAST
@given(problems())
def test_own_finite_differences_of_the_loss(p):
    """A finite difference along a random direction in [W, b, h0] equals the directional derivative."""
    tame(p)
    net, seq = p.network(), p.sequences()
    g = bptt(net, seq)
    rng = np.random.default_rng(0)
    dW, db, dh0 = rng.normal(size=p.W.shape) * p.C, rng.normal(size=p.b.shape) * p.bias, rng.normal(size=p.h0.shape)
    eps = 1e-6
    loss = lambda k: bptt(net.replace(W=p.W + k * eps * dW, b=p.b + k * eps * db, h0=p.h0 + k * eps * dh0, ties=()),
                          seq).loss
    numeric = (loss(1) - loss(-1)) / (2 * eps)
    exact = (g.dW * dW).sum() + (g.db * db).sum() + (g.dh0 * dh0).sum()
    assert abs(numeric - exact) <= 1e-6 * max(1.0, abs(exact))


@FAST
@given(problems())
def test_dW_is_the_sum_of_the_per_step_gradients(p):
    """dW == dW_by_step.sum(0): the derivatives at all the different times added together."""
    g = bptt(p.network(), p.sequences())
    assert g.dW_by_step.shape == (p.shape[1] - 1,) + p.W.shape
    assert_close(g.dW, g.dW_by_step.sum(axis=0), 1e-12)


@FAST
@given(problems())
def test_loss_splits_by_step_and_by_case(p):
    """loss_by_step and loss_by_case each sum to the loss."""
    g = bptt(p.network(), p.sequences())
    B, T1, _ = p.shape
    assert g.loss_by_step.shape == (T1,) and g.loss_by_case.shape == (B,)
    assert_close(g.loss_by_step.sum(), g.loss, 1e-12)
    assert_close(g.loss_by_case.sum(), g.loss, 1e-12)


@FAST
@given(problems(tie=False))
def test_absent_connections_get_exactly_zero(p):
    """An absent connection (C = 0) has exactly zero dW and zero G_t at every step."""
    g = bptt(p.network(), p.sequences())
    absent = p.C == 0
    assert np.all(g.dW[absent] == 0)
    assert np.all(g.dW_by_step[:, absent] == 0)
    assert np.all(p.network().W[absent] == 0)


@FAST
@given(problems())
def test_clamped_units_pass_nothing_back(p):
    """An elementwise unit clamped at step t >= 1 has d_t exactly 0; one clamped at row 0 in every
    case has dh0 exactly 0."""
    g = bptt(p.network(), p.sequences())
    elementwise = np.array([a != "softmax" for a in p.acts])  # (N,)
    clamped = (p.K[:, 1:, :] == 1) & elementwise  # (B, T, N)
    assert np.all(g.dz[:, 1:, :][clamped] == 0)
    assert np.all(g.dz[:, 0, :] == 0)
    always_clamped0 = p.K[:, 0, :].min(axis=0) == 1
    assert np.all(g.dh0[always_clamped0] == 0)


@FAST
@given(problems(targets=("none",)))
def test_no_targets_means_zero_loss_and_gradients(p):
    """Without targets E is exactly 0 and so is every gradient."""
    g = bptt(p.network(), p.sequences())
    assert g.loss == 0
    for name in ("dW", "db", "dh0", "dW_by_step", "ds", "dz"):
        assert np.all(getattr(g, name) == 0), name


@FAST
@given(problems(clamps=("all",)))
def test_everything_clamped_means_zero_gradients(p):
    """With every state clamped no parameter reaches E: all gradients are exactly 0."""
    g = bptt(p.network(), p.sequences())
    for name in ("dW", "db", "dh0", "dz"):
        assert np.all(getattr(g, name) == 0), name
    assert_close(g.loss, p.reference().loss)


@FAST
@given(problems())
def test_bias_off_reports_zero_db(p):
    """With biases switched off db is exactly 0, whatever the problem."""
    g = bptt(p.network(b=np.zeros(len(p.b)), bias=False, ties=()), p.sequences())
    assert np.all(g.db == 0)


@FAST
@given(problems(B=1))
def test_batch_of_one_equals_unbatched(p):
    """A (1, T+1, N) batch gives bit-for-bit the same results as the (T+1, N) single case."""
    net = p.network()
    one = bptt(net, p.replace(unbatched=False).sequences())
    single = bptt(net, p.replace(unbatched=True).sequences())
    assert_identical(one, single)


@FAST
@given(problems(max_B=4))
def test_batch_is_the_mean_of_its_cases(p):
    """E and its gradients for a batch are the means over its cases computed one at a time."""
    tame(p)
    net, seq = p.network(), p.sequences()
    g = bptt(net, seq)
    cases = [bptt(net, seq.case(c)) for c in range(seq.B)]
    assert_close(g.loss, np.mean([h.loss for h in cases]))
    for name in GRADS + ("dW_by_step",):
        assert_close(getattr(g, name), np.mean([getattr(h, name) for h in cases], axis=0), name=name)
    for name in ("states", "activations", "net_inputs"):
        assert_close(getattr(g, name), np.concatenate([getattr(h, name) for h in cases]), name=name)


def _scrambled(a, how):
    """The same values in another memory layout: Fortran order, or a strided view of a bigger array."""
    a = np.asarray(a, dtype=float)
    if how == "fortran":
        return np.asfortranarray(a)
    if how == "strided":
        big = np.full(tuple(2 * n for n in a.shape), np.nan)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return big[tuple(slice(None, None, 2) for _ in a.shape)]
    if how == "reversed":
        return np.flip(np.flip(a).copy())  # negative strides
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 0, -1)), -1, 0)  # axes permuted in memory


@FAST
@given(problems(), st.sampled_from(["fortran", "strided", "reversed", "transposed"]))
def test_results_do_not_depend_on_memory_order(p, how):
    """Fortran-ordered, strided, reversed or transposed inputs give bit-for-bit the same results."""
    g = bptt(p.network(), p.sequences())
    q = p.replace(**{k: _scrambled(getattr(p, k), how) for k in ("W", "b", "h0", "C", "X", "K", "Y", "M")})
    assert_identical(g, bptt(q.network(), q.sequences()))


@FAST
@given(problems())
def test_bptt_changes_neither_network_nor_sequences(p):
    """bptt reads its inputs only, and two calls give bit-for-bit the same results."""
    net, seq = p.network(), p.sequences()
    before = net.params(), seq.X.copy(), seq.K.copy(), seq.Y.copy(), seq.M.copy()
    g = bptt(net, seq)
    h = bptt(net, seq)
    after = net.params(), seq.X, seq.K, seq.Y, seq.M
    for x, y in zip(before, after):
        np.testing.assert_array_equal(x, y)
    assert_identical(g, h)


@FAST
@given(problems(tie=True, losses=("squared",)))
def test_tied_parameters_get_their_groups_summed_gradient(p):
    """constrain gives every member of a tie group the sum of the group's reference gradients."""
    tame(p)
    net = p.network()
    r = p.reference()
    flat = constrain(net, r.dW, r.db, r.dh0)
    plain = np.concatenate([(r.dW * p.C).ravel(), r.db * p.bias, r.dh0 * p.learn_h0])
    N = len(p.b)
    index = {"W": lambda i, j: i * N + j, "b": lambda i: N * N + i, "h0": lambda i: N * N + N + i}
    tied = set()
    for group in p.ties:
        ks = [index[ref[0]](*ref[1:]) for ref in group]
        tied.update(ks)
        assert_close(flat[ks], np.full(len(ks), plain[ks].sum()))
    untied = [k for k in range(len(flat)) if k not in tied]
    assert_close(flat[untied], plain[untied])


@SLOW
@given(problems(tie=True, max_B=2), st.floats(0.0, 0.95), st.sampled_from([None, 0.5]))
def test_tied_parameters_stay_exactly_equal_after_training(p, momentum, clip):
    """After many momentum updates every tie group still holds exactly equal values."""
    assume(p.ties)
    net = p.network()
    trainer = Trainer(net, p.sequences(), learning_rate=0.05, momentum=momentum, clip=clip)
    trainer.step(30)
    W, b, h0 = net.unflatten(net.params())
    values = {"W": W, "b": b, "h0": h0}
    for group in p.ties:
        vals = [values[ref[0]][ref[1:]] for ref in group]
        assert all(v == vals[0] for v in vals), (group, vals)
    assert np.all(W[p.C == 0] == 0)
