"""Central finite differences of E, to check BPTT's derivatives by hand or in a test."""
import numpy as np

from .bptt import bptt, check_compatible, check_truncate
from .network import Sequences


def truncated_objective(net, seq, h):
    """The objective whose gradient at ``net``'s parameters is BPTT(h)'s (docs/model.md "Truncated
    BPTT"): F(probe) = sum_t E_t(probe), where E_t is computed from s_{t-h} held at ``net``'s
    state there (a constant), or from s_0 when t <= h. Returns F, a function of a Network."""
    S = bptt(net, seq, check=False).states  # (B, T+1, N): the constants s_{t-h}
    windows = []
    for t in range(seq.T + 1):
        if not seq.M[:, t].any():
            continue
        start = max(0, t - h)
        rows = slice(start, max(t, 1) + 1)  # a target at row 0 has nothing to flow through
        X, K, M = seq.X[:, rows].copy(), seq.K[:, rows].copy(), np.zeros(seq.Y[:, rows].shape)
        M[:, t - start] = seq.M[:, t]
        if start > 0:
            X[:, 0], K[:, 0] = S[:, start], 1.0
        windows.append(Sequences(X, K, seq.Y[:, rows], M))
    return lambda probe: sum(bptt(probe, w, check=False).loss for w in windows)


def finite_differences(net, seq, eps=1e-6, truncate=None):
    """dE/dtheta by (E(theta + eps) - E(theta - eps)) / 2 eps for every entry of [W, b, h0].

    Absent connections and switched-off biases are held at 0, so their entries come out 0.
    With ``truncate`` = h < T, E is BPTT(h)'s truncated objective (``truncated_objective``).
    Returns (dW (N, N), db (N,), dh0 (N,)). Costs 2 (N^2 + 2N) forward passes (times the steps
    with targets when truncated).
    """
    check_compatible(net, seq)
    h = check_truncate(truncate)
    objective = (lambda probe: bptt(probe, seq, check=False).loss) if h is None or h >= seq.T else \
        truncated_objective(net, seq, h)
    probe = net.copy()
    flat = net.params()
    fd = np.zeros_like(flat)
    free = np.concatenate([net.C.ravel() != 0, np.full(net.N, net.bias), np.ones(net.N, bool)])
    for k in np.flatnonzero(free):
        for sign in (1.0, -1.0):
            x = flat.copy()
            x[k] += sign * eps
            probe.assign(x)
            fd[k] += sign * objective(probe)
    fd /= 2 * eps
    return net.unflatten(fd)


class GradientCheck:
    """BPTT's gradients next to finite differences, with the largest differences."""

    def __init__(self, net, seq, eps=1e-6, truncate=None):
        g = bptt(net, seq, truncate=truncate)
        self.loss = g.loss
        self.bptt = (g.dW, g.db, g.dh0)
        self.numeric = finite_differences(net, seq, eps, truncate)
        a = np.concatenate([x.ravel() for x in self.bptt])
        f = np.concatenate([x.ravel() for x in self.numeric])
        diff = np.abs(a - f)
        self.max_abs_diff = float(diff.max())
        # Relative to the larger of the two, with a floor so that two near-zero numbers agree.
        self.max_rel_diff = float((diff / np.maximum(np.maximum(np.abs(a), np.abs(f)), 1e-7)).max())

    def __repr__(self):
        return f"GradientCheck(max_abs_diff={self.max_abs_diff:.3g}, max_rel_diff={self.max_rel_diff:.3g})"
