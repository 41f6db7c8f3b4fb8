"""bptt(net, seq) -> Gradients: check compatibility, allocate, call the kernel once, wrap.

Backpropagation through time as Hinton's lecture 7b tells it: "the forward pass builds up a
stack of the activities of all the units at each time step; the backward pass peels
activities off the stack to compute the error derivatives at each time step; after the
backward pass we add together the derivatives at all the different times for each weight."
"""
import numpy as np

from .config import CROSS_ENTROPY
from .kernels import _bptt, _steps_outer
from .network import Network, Sequences
from .truncated import _bptt_truncated


class Gradients:
    """E and its derivatives for one network on one batch, with the stacks that produced them.

    Attributes
    ----------
    loss : float
        E of docs/model.md, averaged over the B cases.
    dW : (N, N)
        dE/dW = sum_t G_t (zero where a connection is absent).
    db : (N,)
        dE/db (zero when biases are switched off).
    dh0 : (N,)
        dE/dh0 = g_0 * (1 - K_0) summed over cases, for every unit, learned or fixed: the
        optimiser applies it only to learned initial states.
    states, activations, net_inputs : (B, T+1, N)
        s_t, a_t = f(z_t) before clamping, and z_t (row 0 of z is 0: nothing computes s_0).
    ds, dz : (B, T+1, N)
        The backward stack: g_t = dE/ds_t and d_t = dE/dz_t (row 0 of dz is 0).
    loss_by_step : (T+1,) ; loss_by_case : (B,)
        E split by time step and by case (each sums to ``loss`` with the 1/B factor applied).
    dW_by_step : (T, N, N)
        G_1..G_T summed over cases, computed on first access from the stacks.
    truncate : int or None
        The h of BPTT(h) these are (None: full BPTT), so that a check compares like with like.
    """

    __slots__ = ("loss", "dW", "db", "dh0", "truncate", "_stack", "_parts", "_C", "_dW_by_step")

    def __init__(self, loss, dW, db, dh0, stack, parts, C, truncate=None):
        self.loss, self.dW, self.db, self.dh0, self.truncate = loss, dW, db, dh0, truncate
        self._stack, self._parts, self._C = stack, parts, C
        self._dW_by_step = None

    states = property(lambda self: self._stack[0].transpose(1, 0, 2))
    activations = property(lambda self: self._stack[1].transpose(1, 0, 2))
    net_inputs = property(lambda self: self._stack[2].transpose(1, 0, 2))
    ds = property(lambda self: self._stack[3].transpose(1, 0, 2))
    dz = property(lambda self: self._stack[4].transpose(1, 0, 2))

    @property
    def loss_by_step(self):
        return self._parts.sum(axis=1) / self._parts.shape[1]

    @property
    def loss_by_case(self):
        return self._parts.sum(axis=0) / self._parts.shape[1]

    @property
    def dW_by_step(self):
        if self._dW_by_step is None:
            S, D = self._stack[0], self._stack[4]
            T, N = S.shape[0] - 1, S.shape[2]
            out = np.zeros((T, N, N))  # (T, N, N)
            _steps_outer(D, S, self._C, out)
            self._dW_by_step = out
        return self._dW_by_step

    def __repr__(self):
        return f"Gradients(loss={self.loss:.6g}, |dW|={np.linalg.norm(self.dW):.3g})"


def check_compatible(net, seq):
    """Raise ValueError unless ``seq`` fits ``net`` (sizes, and cross-entropy targets)."""
    if not isinstance(net, Network):
        raise ValueError(f"net must be an engine.Network; got {type(net).__name__}")
    if not isinstance(seq, Sequences):
        raise ValueError(f"seq must be an engine.Sequences; got {type(seq).__name__}")
    if seq.N != net.N:
        raise ValueError(f"the sequences have N={seq.N} units but the network has N={net.N}")
    if net.loss_code == CROSS_ENTROPY:
        bad = seq.target_units & ~net.ce_units
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"cross-entropy targets need logistic or softmax units; unit {i} is "
                             f"{net.activation[i]} (use loss='squared' or change its activation)")
        lo, hi = seq.target_range
        if lo < 0 or hi > 1:
            raise ValueError(f"cross-entropy targets must lie in [0, 1]; got targets in [{lo:g}, {hi:g}]")


def check_truncate(truncate):
    """``truncate`` as an int >= 1, or None (full BPTT); ValueError for anything else."""
    if truncate is None:
        return None
    if isinstance(truncate, (bool, np.bool_)) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
        raise ValueError(f"truncate must be a whole number of steps >= 1 (or None for full BPTT); got {truncate!r}")
    return int(truncate)


def bptt(net, seq, check=True, truncate=None):
    """E and all its gradients for ``net`` on ``seq``, by one compiled forward+backward pass.

    Parameters
    ----------
    net : Network
    seq : Sequences
        Its N must equal the network's.
    check : bool
        Skip ``check_compatible`` only when the caller has already checked this pair (the
        optimiser checks once, not at every step).
    truncate : int >= 1 or None
        BPTT(h) with h = ``truncate`` (docs/model.md "Truncated BPTT"): the error of each step
        flows back through at most h steps. None, or h >= T, is full BPTT (the same numbers).

    Returns
    -------
    Gradients
    """
    if check:
        check_compatible(net, seq)
    h = check_truncate(truncate)
    data = seq._data  # (4, T+1, B, N)
    _, T1, B, N = data.shape
    stack = np.empty((5, T1, B, N))  # S, A, Z, G, D
    parts = np.empty((T1, B))
    dW = np.empty((N, N))
    db = np.empty(N)
    dh0 = np.empty(N)
    args = (net._W, net._b, net._h0, net._C, net.act_codes, net.softmax_units, net.loss_code, data, stack, parts)
    if h is None or h >= T1 - 1:
        loss = _bptt(*args, dW, db, dh0)
    else:
        loss = _bptt_truncated(*args, h, dW, db, dh0)
    if not net.bias:
        db[:] = 0.0
    return Gradients(loss, dW, db, dh0, stack, parts, net._C, h)
