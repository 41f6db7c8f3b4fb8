"""Truncated BPTT, BPTT(h) (docs/model.md "Truncated BPTT"), against the reference's windows and
against finite differences of the truncated objective.

tests/reference.py computes BPTT(h) as full BPTT (its own slow loops) on one window per step t,
s_{t-h}..s_t with s_{t-h} held constant; the engine follows chains in its kernels. Finite
differences perturb each parameter and rerun the forward pass from the held states.
"""
import numpy as np
import pytest
from hypothesis import assume, given

from engine import GradientCheck, Network, Sequences, bptt, finite_differences
from problems import SLOW, assert_close, make_problem, problems
from reference import bptt_truncated_reference
from test_engine_oracle import ACT_LOSS, OUTPUTS, acts_for

T = 6
HS = (1, 2, T - 1, T, T + 3)


def truncated_reference(p, h):
    with np.errstate(all="ignore"):
        return bptt_truncated_reference(p.W, p.b, p.h0, p.C, p.acts, p.loss, p.X, p.K, p.Y, p.M, h, bias=p.bias)


def check_truncated(p, h, rtol=1e-9):
    """bptt(truncate=h) equals the reference's windows in the loss and every array it reports."""
    g = bptt(p.network(), p.sequences(), truncate=h)
    r = truncated_reference(p, h)
    assert_close(g.loss, r.loss, rtol, "loss")
    for name in OUTPUTS:
        assert_close(getattr(g, name), getattr(r, name), rtol, name)
    return g


@pytest.mark.parametrize("h", HS)
@pytest.mark.parametrize("B", [1, 9])
@pytest.mark.parametrize("kind, loss", ACT_LOSS)
def test_case_truncated_matches_reference(kind, loss, B, h, rng):
    """Every activation and both losses, with partial clamps and sparse connections, for h = 1, 2,
    T-1, T and beyond: the engine's BPTT(h) is the reference's, stacks and dW_by_step included."""
    N = 5 if kind != "mixed" else 6
    p = make_problem(rng, N, T, B, acts_for(kind, N, rng), loss=loss, clamp="random", target="random",
                     density=0.6, learn="some")
    check_truncated(p, h)


@pytest.mark.parametrize("B", [1, 9])
def test_case_full_length_is_full_bptt_bit_for_bit(B, rng):
    """h >= T gives exactly (==) the numbers of full BPTT; h < T gives other numbers here."""
    p = make_problem(rng, 5, T, B, ["logistic", "tanh", "softmax", "softmax", "linear"], clamp="random",
                     target="all", density=0.7, learn="all")
    net, seq = p.network(), p.sequences()
    full = bptt(net, seq)
    for h in (T, T + 1, 10 ** 6, None):
        g = bptt(net, seq, truncate=h)
        for name in ("dW", "db", "dh0", "ds", "dz", "dW_by_step"):
            assert np.array_equal(getattr(g, name), getattr(full, name)), name
        assert g.loss == full.loss
    short = bptt(net, seq, truncate=T - 1)
    assert not np.allclose(short.dW, full.dW)


@pytest.mark.parametrize("h", [1, 2, T - 1])
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_case_truncated_gradient_is_finite_differences_of_truncated_objective(loss, h, rng):
    """BPTT(h) is the derivative of sum_t E_t with s_{t-h} held at its value: finite differences agree."""
    acts = ["logistic", "softmax", "softmax", "logistic"] if loss == "cross_entropy" else \
        ["logistic", "tanh", "linear", "softmax"]
    p = make_problem(rng, 4, T, 2, acts, loss=loss, clamp="initial-subset", target="all", density=0.7,
                     learn="all", scale=0.8)
    check = GradientCheck(p.network(), p.sequences(), truncate=h)
    assert check.max_abs_diff < 1e-7, check
    full_fd = finite_differences(p.network(), p.sequences())
    assert max(np.max(np.abs(f - b)) for f, b in zip(full_fd, check.bptt)) > 1e-5  # another objective


def test_case_h0_only_from_steps_within_reach(rng):
    """With targets only at T and h < T, no error reaches s_0: dh0 is 0; with h = T it is not."""
    p = make_problem(rng, 4, T, 2, ["tanh"] * 4, clamp="none", target="final-all", learn="all")
    assert np.all(bptt(p.network(), p.sequences(), truncate=T - 1).dh0 == 0)
    assert np.any(bptt(p.network(), p.sequences(), truncate=T).dh0 != 0)


@SLOW
@given(problems(max_T=6))
def test_random_problems_truncated(p):
    """Random problems (ties, clamps, targets, sizes, B = 1 and B > 1): BPTT(h) for h = 1 and 2
    matches the reference in every output."""
    assume(np.abs(p.reference().net_inputs).max() < 30)  # saturation: test_engine_oracle.py
    for h in (1, 2):
        check_truncated(p, h)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, np.float64(3)])
def test_edge_bad_truncate_is_refused(bad):
    """truncate must be a whole number >= 1 (or None); the message says so."""
    net = Network(np.zeros((2, 2)))
    seq = Sequences(targets=np.zeros((3, 2)), target_mask=np.ones((3, 2)))
    with pytest.raises(ValueError, match="truncate must be a whole number of steps >= 1"):
        bptt(net, seq, truncate=bad)
