"""The loss terms and their derivatives (docs/model.md "Error"; Hinton, lecture 7b).

    squared        l(s, y) = (s - y)^2 / 2                  dl/ds = s - y
    cross-entropy  l(s, y) = -y log s - (1 - y) log(1 - s)  dl/ds = -y / s + (1 - y) / (1 - s)
                   (a softmax unit: -y log s, dl/ds = -y / s)

A free logistic or softmax unit under cross-entropy takes its loss from the net input instead
(softplus, log-sum-exp) and passes d = a - y back: both equal the definitions and stay finite
when units saturate. E sums the terms of the targeted (state, time, case) cells and divides by B.

Numba caches each file under its own timestamp, and the cached machine code of kernels.py and
fastmath.py has these functions inlined: after editing this file, touch those two (or delete
engine/__pycache__), or they keep running the old code.
"""
import math

import numpy as np
from numba import njit

from .config import CROSS_ENTROPY, LOGISTIC, SOFTMAX


@njit(cache=True)
def _xlogy(y, s):
    """y log s with the convention 0 log 0 = 0 (a target of 0 costs nothing on its own term).

    log 0 is -inf here with or without the JIT (Python's math.log would raise): a clamped
    state of exactly 0 against a target of 1 has an infinite error, which the optimiser refuses.
    """
    if y == 0.0:
        return 0.0
    if s <= 0.0:
        return -np.inf if s == 0.0 else np.nan
    return y * math.log(s)


@njit(cache=True)
def _softplus(z):
    """log(1 + e^z) without overflow: the logistic cross-entropy from the net input."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@njit(cache=True)
def _squared_term(s, y, m):
    """(s - y)^2 / 2 where there is a target (m != 0), else 0: adding 0.0 for a unit without a
    target leaves a sum exactly as skipping it, so a slice can be summed without branches."""
    r = s - y
    return 0.5 * r * r if m != 0.0 else 0.0


@njit(cache=True)
def _state_loss(loss_kind, act, s, y):
    """l(s, y) from the state s itself (row 0 and clamped units)."""
    if loss_kind != CROSS_ENTROPY:
        return _squared_term(s, y, 1.0)
    if act == SOFTMAX:
        return -_xlogy(y, s)
    return -(_xlogy(y, s) + _xlogy(1.0 - y, 1.0 - s))


@njit(cache=True)
def _unit_loss(loss_kind, act, clamped, z, s, y, lse):
    """l of one targeted unit at t >= 1: from the net input z for a free logistic or softmax
    unit under cross-entropy (exact even when saturated; ``lse`` is its group's log-sum-exp),
    from the state s otherwise."""
    if loss_kind == CROSS_ENTROPY and not clamped and act == LOGISTIC:
        return _softplus(z) - y * z
    if loss_kind == CROSS_ENTROPY and not clamped and act == SOFTMAX:
        return -(y * (z - lse))  # -y log softmax(z)
    return _state_loss(loss_kind, act, s, y)


@njit(cache=True, error_model="numpy")
def _state_loss_grad(loss_kind, act, s, y):
    """dl/ds from the state itself; the division form, exact wherever it is finite.

    A unit saturated to exactly 0 or 1 against a cross-entropy target gets +-inf here (the
    numpy error model: IEEE division, no ZeroDivisionError). Only the g stack shows it; d and
    the weight gradients use the combined form d = a - y, which stays finite.
    """
    if loss_kind != CROSS_ENTROPY:
        return s - y
    if act == SOFTMAX:
        return -y / s if y != 0.0 else 0.0
    g = 0.0
    if y != 0.0:
        g -= y / s
    if y != 1.0:
        g += (1.0 - y) / (1.0 - s)
    return g


@njit(cache=True)
def _state_error(later, loss_kind, act, s, y, m, inv_B):
    """g = dE/ds: the error ``later`` steps send back (W^T d_{t+1}), plus (1/B) dl/ds where the
    state has a target (m != 0)."""
    g = later
    if m != 0.0:
        g += inv_B * _state_loss_grad(loss_kind, act, s, y)
    return g


@njit(cache=True)
def _sum_terms(terms, e, N):
    """e[c] = sum over i of terms[c*N + i], in unit order as a plain loop would, but with the cases
    side by side (independent sums) rather than one after the other (one long dependency chain)."""
    B = e.shape[0]
    for c in range(B):
        e[c] = 0.0
    for i in range(N):
        for c in range(B):
            e[c] += terms[c * N + i]
