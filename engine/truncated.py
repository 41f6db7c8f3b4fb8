"""Truncated BPTT, BPTT(h) (docs/model.md "Truncated BPTT"): the error of each step flows back
through at most h steps.

The forward pass is the full one (kernels._forward). The backward pass follows each step t that
has targets on its own chain: its error E_t enters at s_t and is passed back through the steps
t, t-1, .., t-h+1; what reaches s_{t-h} stops there (that state is a constant for E_t) unless the
chain has reached s_0, whose error goes to h0. The chains are added into one backward stack:

    d_u = sum over t = u .. u+h-1 of the d_u of E_t's chain       (u >= 1)
    g_u = the same sum of the g_u that pass on into d_u            (u >= 1)
    g_0 = the target term at 0 + the error of every chain that reaches s_0 (t <= h)

so that dW = sum_u G_u with G_u = (d_u s_{u-1}^T) * C, db = sum_u d_u and dh0 = g_0 * (1 - K_0),
as in full BPTT. The work is at most T chains of h steps: O(T h), not O(T^2). h >= T is full
BPTT, which bptt.py computes with the untruncated kernels (identical numbers).
"""
import numpy as np
from numba import njit

from .activations import _softmax_back
from .config import BLAS_MIN_BATCH, CROSS_ENTROPY
from .kernels import _forward, _unit_errors
from .losses import _state_error

X, K, Y, M = 0, 1, 2, 3
S, A, Z, G, D = 0, 1, 2, 3, 4


@njit(cache=True)
def _chain_step(u, own, act, sm, loss_kind, data, stack, later, d, su, sv, inv_B):
    """One step u of a chain: g = later (+ the target term at u when ``own``, the chain's first
    step), d = J^T (g * (1 - K_u)); both added into the stack's G_u and D_u; d (B, N) kept."""
    ce = loss_kind == CROSS_ENTROPY
    for c in range(data.shape[2]):
        for i in range(data.shape[3]):
            m = data[M, u, c, i] if own else 0.0
            g, d[c, i] = _unit_errors(later[c, i], loss_kind, act[i], data[K, u, c, i] != 0.0, stack[S, u, c, i],
                                      stack[A, u, c, i], data[Y, u, c, i], m, inv_B)
            stack[G, u, c, i] += g
            for q in range(sm.shape[0]):
                if sm[q] == i:  # the softmax group's J^T takes g (squared) or later and y / B (cross-entropy)
                    free = 1.0 - data[K, u, c, i]
                    su[c, q] = free * (later[c, i] if ce else g)
                    sv[c, q] = free * m * data[Y, u, c, i] * inv_B if ce else 0.0
    if sm.shape[0] > 0:
        _softmax_back(stack[A, u].reshape(d.size), su, sv, sm, d.reshape(d.size))
    for c in range(data.shape[2]):
        for i in range(data.shape[3]):
            stack[D, u, c, i] += d[c, i]


@njit(cache=True)
def _pass_back(d, W, later):
    """later = W^T d for every case: the error that reaches s_{u-1} (row form d W)."""
    B, N = d.shape
    if B >= BLAS_MIN_BATCH:
        np.dot(d, W, later)
        return
    for c in range(B):
        for j in range(N):
            acc = 0.0
            for i in range(N):
                acc += d[c, i] * W[i, j]
            later[c, j] = acc


@njit(cache=True)
def _backward_truncated(W, C, act, sm, loss_kind, data, stack, h, dW, db, dh0):
    """Fill G, D, dW, db, dh0 of BPTT(h) from the forward stack (module docstring). 1 <= h."""
    _, T1, B, N = data.shape
    T = T1 - 1
    inv_B = 1.0 / B
    stack[G] = 0.0
    stack[D] = 0.0
    later = np.zeros((B, N))  # the chain's error arriving at the state it has reached
    d = np.empty((B, N))
    su, sv = np.empty((B, sm.shape[0])), np.empty((B, sm.shape[0]))
    for t in range(T, 0, -1):
        if not np.any(data[M, t] != 0.0):
            continue  # no error enters at t: its chain carries nothing
        later[:, :] = 0.0
        stop = max(1, t - h + 1)
        for u in range(t, stop - 1, -1):
            _chain_step(u, u == t, act, sm, loss_kind, data, stack, later, d, su, sv, inv_B)
            _pass_back(d, W, later)
        if t <= h:  # the chain has reached s_0: its error goes on to h0
            for c in range(B):
                for i in range(N):
                    stack[G, 0, c, i] += later[c, i]
    dh0[:] = 0.0
    for c in range(B):
        for i in range(N):
            g = _state_error(stack[G, 0, c, i], loss_kind, act[i], stack[S, 0, c, i], data[Y, 0, c, i],
                             data[M, 0, c, i], inv_B)
            stack[G, 0, c, i] = g
            dh0[i] += g * (1.0 - data[K, 0, c, i])
    # dW = sum_u d_u s_{u-1}^T over steps and cases, one product; db = sum_u d_u.
    Dflat = stack[D, 1:].reshape(T * B, N)  # (T*B, N)
    np.dot(Dflat.T, stack[S, :T].reshape(T * B, N), dW)
    for i in range(N):
        db[i] = 0.0
        for j in range(N):
            dW[i, j] *= C[i, j]
    for r in range(T * B):
        for i in range(N):
            db[i] += Dflat[r, i]


@njit(cache=True, nogil=True)  # no GIL, as kernels._bptt
def _bptt_truncated(W, b, h0, C, act, sm, loss_kind, data, stack, parts, h, dW, db, dh0):
    """One gradient evaluation of BPTT(h): the full forward pass, the truncated backward; returns E."""
    _forward(W, b, h0, act, sm, loss_kind, data, stack, parts)
    _backward_truncated(W, C, act, sm, loss_kind, data, stack, h, dW, db, dh0)
    return parts.sum() / data.shape[2]
