"""The lecture's claim as tests: BPTT is backprop in the unrolled feedforward net with tied copies.

Layer t-1 feeds layer t through its own copy W^(t) (engine.UnrolledNet); ordinary backprop gives
dE/dW^(t) = G_t, and tying the copies gives every one the sum, BPTT's dW (docs/model.md, "The
equivalence with a feedforward net").
"""
import numpy as np
import pytest
from hypothesis import assume, given

from engine import UnrolledNet, bptt
from problems import FAST, SLOW, assert_close, make_problem, problems


def tame(p):
    """Skip saturated problems: the unrolled twin uses the division form of the CE derivative."""
    r = p.reference()
    assume(np.abs(r.net_inputs).max() < 30)
    return r


@FAST
@given(problems())
def test_per_copy_gradients_are_the_per_step_gradients(p):
    """Each copy W^(t) of the unrolled net gets G_t, as BPTT's dW_by_step and the reference say."""
    r = tame(p)
    twin = UnrolledNet(p.network(), p.sequences())
    twin.forward()
    dW_copies, db_copies, dh0 = twin.backward()
    g = bptt(p.network(), p.sequences())
    assert dW_copies.shape == g.dW_by_step.shape
    assert_close(dW_copies, r.dW_by_step, name="unrolled vs reference")
    assert_close(g.dW_by_step, dW_copies, name="bptt vs unrolled")
    assert_close(db_copies.sum(axis=0), r.db, name="db")
    assert_close(dh0, r.dh0, name="dh0")


@FAST
@given(problems())
def test_tied_copies_get_bptt_gradients(p):
    """Backprop with the copies tied gives BPTT's loss, dW, db and dh0."""
    tame(p)
    loss, dW, db, dh0 = UnrolledNet(p.network(), p.sequences()).tied_gradients()
    g = bptt(p.network(), p.sequences())
    assert_close(g.loss, loss, name="loss")
    assert_close(g.dW, dW, name="dW")
    assert_close(g.db, db, name="db")
    assert_close(g.dh0, dh0, name="dh0")


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_perturbing_one_copy_moves_E_by_G_t(loss, rng):
    """Nudging one copy W^(t) alone changes E at the rate G_t[i, j] (a finite difference per copy)."""
    p = make_problem(rng, 4, 4, 2, ["logistic", "softmax", "softmax", "logistic"], loss=loss, target="random",
                     clamp="initial-subset")
    g = bptt(p.network(), p.sequences())
    twin = UnrolledNet(p.network(), p.sequences())
    eps = 1e-6
    for t in range(1, p.shape[1]):
        layer = twin.layers[t - 1]
        for i, j in np.argwhere(p.C == 1):
            w = layer.W[i, j]
            layer.W[i, j] = w + eps
            up = twin.forward()
            layer.W[i, j] = w - eps
            down = twin.forward()
            layer.W[i, j] = w
            assert abs((up - down) / (2 * eps) - g.dW_by_step[t - 1, i, j]) < 1e-7


def test_unrolled_net_copies_are_independent(rng):
    """The unrolled layers hold separate copies of W: changing one leaves the net and the others alone."""
    p = make_problem(rng, 3, 3, 1, ["tanh"] * 3)
    net = p.network()
    twin = UnrolledNet(net, p.sequences())
    twin.layers[0].W[0, 0] += 1.0
    assert twin.layers[1].W[0, 0] == net.W[0, 0] != twin.layers[0].W[0, 0]


@SLOW
@given(problems(B=64))
def test_unrolled_twin_on_the_blas_path(p):
    """With B = 64 (BLAS path) the tied unrolled gradients still equal BPTT's."""
    tame(p)
    loss, dW, db, dh0 = UnrolledNet(p.network(), p.sequences()).tied_gradients()
    g = bptt(p.network(), p.sequences())
    assert_close(g.loss, loss)
    for a, b in ((g.dW, dW), (g.db, db), (g.dh0, dh0)):
        assert_close(a, b)


TRUNC_T = 6


@pytest.mark.parametrize("h", [1, 2, TRUNC_T - 1, TRUNC_T, TRUNC_T + 3])
@pytest.mark.parametrize("B", [1, 9])
@pytest.mark.parametrize("loss, acts", [("squared", ["logistic", "tanh", "linear", "softmax", "softmax"]),
                                        ("cross_entropy", ["logistic", "softmax", "softmax", "logistic", "tanh"])])
def test_truncated_twin_is_bptt_h(loss, acts, B, h, rng):
    """UnrolledNet(truncate=h), each E_t backpropagated through at most h layers, gives BPTT(h)'s
    per-step and tied gradients (partial clamps, sparse connections, learned initial states)."""
    p = make_problem(rng, 5, TRUNC_T, B, acts, loss=loss, clamp="random", target="random", density=0.6,
                     learn="some", scale=0.8)
    net, seq = p.network(), p.sequences()
    g = bptt(net, seq, truncate=h)
    assert g.truncate == h
    twin = UnrolledNet(net, seq, truncate=h)
    loss_, dW, db, dh0 = twin.tied_gradients()
    assert_close(g.loss, loss_, name="loss")
    for name, ours, theirs in (("dW", g.dW, dW), ("db", g.db, db), ("dh0", g.dh0, dh0)):
        assert_close(ours, theirs, name=name)
    dW_copies, _, _ = twin.backward()
    assert_close(g.dW_by_step, dW_copies, name="dW_by_step")


def test_truncated_twin_differs_from_the_full_twin(rng):
    """With h < T the twin computes other numbers than without truncation (the check is not vacuous)."""
    p = make_problem(rng, 4, TRUNC_T, 2, ["tanh"] * 4, clamp="none", target="all", learn="all")
    full = UnrolledNet(p.network(), p.sequences()).tied_gradients()
    short = UnrolledNet(p.network(), p.sequences(), truncate=2).tied_gradients()
    assert full[0] == short[0]  # the forward pass is the same
    assert not np.allclose(full[1], short[1])
