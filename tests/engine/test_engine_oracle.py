"""The engine against the slow reference of docs/model.md (tests/reference.py), number by number.

Tests named ``test_case_*`` and ``test_edge_*`` are plain parametrised cases; test_engine_nojit.py
reruns them with NUMBA_DISABLE_JIT=1. The hypothesis tests draw random small problems.
"""
import numba
import numpy as np
import pytest
from hypothesis import assume, given, settings

from engine import Network, Sequences, bptt, config
from problems import ACTS, CLAMP_MODES, FAST, SLOW, TARGET_MODES, assert_close, make_problem, problems
from reference import log_logistic, logistic

OUTPUTS = ("dW", "db", "dh0", "dW_by_step", "states", "activations", "net_inputs", "ds", "dz",
           "loss_by_step", "loss_by_case")


def check_against_reference(p, rtol=1e-9):
    """bptt on problem ``p`` equals the reference in the loss and every array it reports."""
    g = bptt(p.network(), p.sequences())
    r = p.reference()
    assert_close(g.loss, r.loss, rtol, "loss")
    for name in OUTPUTS:
        assert_close(getattr(g, name), getattr(r, name), rtol, name)
    return g, r


def acts_for(kind, N, rng):
    return list(rng.choice(ACTS, N)) if kind == "mixed" else [kind] * N


# Cross-entropy targets on tanh and linear units are an error (test_engine_validation.py); on a
# mix, make_problem keeps cross-entropy targets to the logistic and softmax units.
ACT_LOSS = [(k, "squared") for k in ("logistic", "tanh", "linear", "softmax", "mixed")] + \
    [(k, "cross_entropy") for k in ("logistic", "softmax", "mixed")]


@pytest.mark.parametrize("B", [1, 3])
@pytest.mark.parametrize("kind, loss", ACT_LOSS)
def test_case_activation_loss(kind, loss, B, rng):
    """Each activation (and a per-unit mix) with each loss matches the reference in every output."""
    for _ in range(3):
        p = make_problem(rng, 4, 4, B, acts_for(kind, 4, rng), loss=loss, learn="some")
        check_against_reference(p)


@pytest.mark.parametrize("target", TARGET_MODES)
@pytest.mark.parametrize("clamp", CLAMP_MODES)
def test_case_clamp_target(clamp, target, rng):
    """Every clamp pattern with every target pattern (row 0 included) matches the reference."""
    for loss in ("squared", "cross_entropy"):
        acts = ["logistic", "softmax", "tanh", "softmax", "logistic"] if loss == "squared" else \
            ["logistic", "softmax", "softmax", "logistic", "softmax"]
        p = make_problem(rng, 5, 3, 2, acts, loss=loss, clamp=clamp, target=target, density=0.7,
                         learn="some")
        check_against_reference(p)


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_case_partly_clamped_softmax_group(loss, rng):
    """A clamped member of a softmax group still moves the normaliser, so its d_t can be nonzero."""
    acts = ["softmax", "softmax", "softmax", "logistic"]
    p = make_problem(rng, 4, 4, 2, acts, loss=loss, clamp="none", target="all", learn="all")
    p.K[:, :, 0] = 1  # unit 0 clamped at every step, units 1 and 2 free
    p.X[:, :, 0] = rng.uniform(0.1, 0.9, p.X[:, :, 0].shape)
    g, r = check_against_reference(p)
    assert np.any(g.dz[:, 1:, 0] != 0)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("learn", ["none", "all", "some"])
def test_case_bias_and_initial_states(bias, learn, rng):
    """Bias on/off and learned/fixed h0: db is exactly 0 with biases off; dh0 is reported for all."""
    p = make_problem(rng, 4, 3, 2, ["logistic", "tanh", "linear", "logistic"], clamp="initial-subset",
                     target="all", bias=bias, learn=learn)
    g, r = check_against_reference(p)
    if not bias:
        assert np.all(g.db == 0)
    unclamped0 = p.K[:, 0, :].min(axis=0) == 0  # units free at row 0 in some case
    assert np.all(g.dh0[~unclamped0] == 0)


@pytest.mark.parametrize("B", [7, 8, 9, 64])
def test_case_blas_batch_sizes(B, rng):
    """Batch sizes around and above config.BLAS_MIN_BATCH (the BLAS path) match the reference."""
    for loss in ("squared", "cross_entropy"):
        acts = ["logistic", "softmax", "softmax", "logistic", "tanh" if loss == "squared" else "logistic"]
        p = make_problem(rng, 5, 4, B, acts, loss=loss, density=0.7, learn="some")
        check_against_reference(p)


# The column-skipping backward pass runs from config.COMPACT_MIN_UNITS units on the BLAS path.
MANY_UNITS = getattr(config, "COMPACT_MIN_UNITS", 32) + 2


@pytest.mark.parametrize("clamp", ["every-step-subset", "step-subsets", "initial-subset", "random", "all"])
def test_case_many_units_blas_path(clamp, rng):
    """Many units with a BLAS-sized batch (the path that skips clamped columns) match the reference."""
    B = config.BLAS_MIN_BATCH + 1
    for loss, kinds in (("squared", ("logistic", "tanh", "linear", "softmax")), ("cross_entropy", ("logistic", "softmax"))):
        acts = list(rng.choice(kinds, MANY_UNITS))
        p = make_problem(rng, MANY_UNITS, 3, B, acts, loss=loss, clamp=clamp, target="random", density=0.5,
                         scale=0.4, learn="some")
        check_against_reference(p)


@pytest.mark.parametrize("B", [1, 9])
def test_case_logistic_over_the_whole_range(B):
    """Logistic activities equal 1/(1 + e^-z) to about 1e-15 for z from -800 to 800, across every
    range the kernels treat differently (fast inline exp, library exp, overflow, subnormals)."""
    limit = getattr(config, "EXP_FAST_LIMIT", 708.0)
    zs = np.concatenate([np.linspace(-800, 800, 321), [-1e-300, 1e-300, 1e-8, -36.7, 36.7, 37.5, -745.2, 745.2],
                         np.nextafter(limit, 0) * np.array([1, -1]), limit * np.array([1, -1]),
                         np.nextafter(limit, 1e4) * np.array([1, -1]), [-709.8, 709.8, -710, 710]])
    N = len(zs) + 1
    W = np.zeros((N, N)); W[1:, 0] = zs  # unit 0 is clamped to 1, so unit i gets net input zs[i-1]
    X = np.zeros((B, 2, N)); X[:, :, 0] = 1
    K = np.zeros((B, 2, N)); K[:, :, 0] = 1
    g = bptt(Network(W, activation="logistic"), Sequences(inputs=X, clamp=K))
    want = [logistic(z) for z in zs]
    for c in range(B):
        np.testing.assert_array_equal(g.net_inputs[c, 1, 1:], zs)
        np.testing.assert_allclose(g.activations[c, 1, 1:], want, rtol=2e-15, atol=1e-300)


def test_case_weight_ties_do_not_change_bptt(rng):
    """A net with tie groups reports the same per-weight gradients as the reference."""
    p = make_problem(rng, 4, 3, 2, ["logistic", "softmax", "softmax", "tanh"], learn="all", tie=True)
    assert p.ties
    check_against_reference(p)


# -- edge cases ------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_edge_one_step(loss, rng):
    """T = 1 (one row of net inputs after the initial state) matches the reference."""
    for kind in ("logistic", "softmax", "mixed"):
        acts = acts_for(kind, 3, rng) if loss == "squared" else ["logistic", "softmax", "softmax"]
        p = make_problem(rng, 3, 1, 2, acts, loss=loss, target="all", learn="all")
        check_against_reference(p)


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_edge_no_targets(loss, rng):
    """With no targets at all the loss is 0 and every gradient and backward stack is exactly 0."""
    p = make_problem(rng, 4, 3, 2, ["logistic", "softmax", "softmax", "logistic"], loss=loss, target="none")
    g, r = check_against_reference(p)
    assert g.loss == 0
    for name in ("dW", "db", "dh0", "dW_by_step", "ds", "dz", "loss_by_step", "loss_by_case"):
        assert np.all(getattr(g, name) == 0), name


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_edge_everything_clamped(loss, rng):
    """With every state clamped nothing is learned (all gradients exactly 0); E is still counted."""
    acts = ["logistic", "softmax", "softmax", "logistic"]
    p = make_problem(rng, 4, 3, 2, acts, loss=loss, clamp="all", target="all", learn="all")
    g, r = check_against_reference(p)
    assert g.loss > 0
    for name in ("dW", "db", "dh0", "dW_by_step", "dz"):
        assert np.all(getattr(g, name) == 0), name


@pytest.mark.parametrize("z, y", [(z, y) for z in (30.0, 40.0, -40.0, 800.0, -800.0) for y in (0.0, 0.25, 1.0)])
def test_edge_saturated_logistic_cross_entropy(z, y):
    """A saturated logistic unit with a cross-entropy target: E equals its definition computed
    stably, stays finite, and d = a - y (the exact limit) reaches the weights."""
    # Unit 0 is clamped to 1 at every step; unit 1 gets net input z from it at t = 1 and 2.
    W = np.array([[0.0, 0.0], [z, 0.0]])
    X = np.zeros((3, 2)); X[:, 0] = 1.0
    K = np.zeros((3, 2)); K[:, 0] = 1.0
    Y = np.zeros((3, 2)); Y[1:, 1] = y
    M = np.zeros((3, 2)); M[1:, 1] = 1.0
    g = bptt(Network(W, activation="logistic", loss="cross_entropy"), Sequences(X, K, Y, M))
    # -(y log s + (1-y) log(1-s)) with log s = log_logistic(z), log(1-s) = log_logistic(-z).
    want = -2 * (y * log_logistic(z) + (1 - y) * log_logistic(-z))
    assert np.isfinite(g.loss)
    assert_close(g.loss, want, 1e-12)
    a = 1 / (1 + np.exp(-z)) if z > -700 else 0.0
    assert_close(g.dz[0, 1:, 1], [a - y, a - y], 1e-12)
    for arr in (g.dW, g.db, g.dh0):
        assert np.all(np.isfinite(arr))
    assert_close(g.dW[1, 0], 2 * (a - y), 1e-12)
    if a in (0.0, 1.0) and a != y:  # the division form of dE/ds is infinite there, not an error
        assert np.all(np.isinf(g.ds[0, 1:, 1]))


@pytest.mark.parametrize("z", [-40.0, -800.0])
def test_edge_saturated_softmax_cross_entropy(z):
    """A softmax unit pushed to activity ~0 with a cross-entropy target of 1: E = -log softmax stays
    finite and d = a - y reaches the weights."""
    # Unit 0 is clamped to 1; softmax units 1 and 2 get net inputs 0 and z at t = 1.
    W = np.zeros((3, 3)); W[2, 0] = z
    X = np.zeros((2, 3)); X[:, 0] = 1
    K = np.zeros((2, 3)); K[:, 0] = 1
    Y = np.zeros((2, 3)); Y[1, 2] = 1
    M = np.zeros((2, 3)); M[1, 1:] = 1
    g = bptt(Network(W, activation=["logistic", "softmax", "softmax"], loss="cross_entropy"), Sequences(X, K, Y, M))
    assert_close(g.loss, -(z - np.logaddexp(0.0, z)), 1e-12)
    a2 = np.exp(z - np.logaddexp(0.0, z))
    assert_close(g.dz[0, 1, 1:], [1 - a2, a2 - 1], 1e-12)
    assert_close(g.dW[2, 0], a2 - 1, 1e-12)


# -- random problems -------------------------------------------------------------------------

@FAST
@given(problems())
def test_random_problems_match_reference(p):
    """Random small problems (every activation mixed per unit, both losses, all clamp and target
    patterns, sparse C, ties, learned/fixed h0, bias on/off, B = 1 and B > 1) match the reference."""
    r = p.reference()
    assume(np.abs(r.net_inputs).max() < 30)  # saturation has its own test above
    check_against_reference(p)


@settings(SLOW, max_examples=8)
@given(problems(min_N=MANY_UNITS, max_N=MANY_UNITS + 2, max_T=3, B=config.BLAS_MIN_BATCH + 1))
def test_random_problems_many_units_blas_path_match_reference(p):
    """Random problems with many units and a BLAS-sized batch (the column-skipping path) match the reference."""
    r = p.reference()
    assume(np.abs(r.net_inputs).max() < 30)
    check_against_reference(p)


@SLOW
@given(problems(B=64))
def test_random_problems_blas_path_match_reference(p):
    """Random problems with B = 64 (the BLAS path) match the reference."""
    r = p.reference()
    assume(np.abs(r.net_inputs).max() < 30)
    check_against_reference(p)
