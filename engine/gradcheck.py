"""Central finite differences of E, to check BPTT's derivatives by hand or in a test."""
import numpy as np

from .bptt import bptt, check_compatible


def finite_differences(net, seq, eps=1e-6):
    """dE/dtheta by (E(theta + eps) - E(theta - eps)) / 2 eps for every entry of [W, b, h0].

    Absent connections and switched-off biases are held at 0, so their entries come out 0.
    Returns (dW (N, N), db (N,), dh0 (N,)). Costs 2 (N^2 + 2N) forward passes.
    """
    check_compatible(net, seq)
    probe = net.copy()
    flat = net.params()
    fd = np.zeros_like(flat)
    free = np.concatenate([net.C.ravel() != 0, np.full(net.N, net.bias), np.ones(net.N, bool)])
    for k in np.flatnonzero(free):
        for sign in (1.0, -1.0):
            x = flat.copy()
            x[k] += sign * eps
            probe.assign(x)
            fd[k] += sign * bptt(probe, seq, check=False).loss
    fd /= 2 * eps
    return net.unflatten(fd)


class GradientCheck:
    """BPTT's gradients next to finite differences, with the largest differences."""

    def __init__(self, net, seq, eps=1e-6):
        g = bptt(net, seq)
        self.loss = g.loss
        self.bptt = (g.dW, g.db, g.dh0)
        self.numeric = finite_differences(net, seq, eps)
        a = np.concatenate([x.ravel() for x in self.bptt])
        f = np.concatenate([x.ravel() for x in self.numeric])
        diff = np.abs(a - f)
        self.max_abs_diff = float(diff.max())
        # Relative to the larger of the two, with a floor so that two near-zero numbers agree.
        self.max_rel_diff = float((diff / np.maximum(np.maximum(np.abs(a), np.abs(f)), 1e-7)).max())

    def __repr__(self):
        return f"GradientCheck(max_abs_diff={self.max_abs_diff:.3g}, max_rel_diff={self.max_rel_diff:.3g})"
