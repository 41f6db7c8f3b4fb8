"""The compiled heart of BPTT: one forward pass that builds the stack of activities and one
backward pass that peels it off (Hinton, lecture 7b; ../shared/MODEL.md, "Forward pass" and
"Backward pass").

Everything here is time-major, so that each time slice ``[t]`` is a contiguous (B, N) block
that BLAS can multiply in one call:

    data  (4, T+1, B, N): X, K, Y, M     inputs, clamp mask, targets, target mask
    stack (5, T+1, B, N): S, A, Z, G, D  states s_t, activations a_t = f(z_t), net inputs z_t,
                                         dE/ds_t (g_t) and dE/dz_t (d_t)

Kernels take contiguous float64 arrays and integer codes only (config.py names the codes), so
they also run unchanged under NUMBA_DISABLE_JIT=1.
"""
import math

import numpy as np
from numba import njit

from .config import BLAS_MIN_BATCH, CROSS_ENTROPY, LINEAR, LOGISTIC, SOFTMAX, TANH


@njit(cache=True)
def _xlogy(y, s):
    """y log s with the convention 0 log 0 = 0 (a target of 0 costs nothing on its own term)."""
    if y == 0.0:
        return 0.0
    return y * math.log(s)


@njit(cache=True)
def _softplus(z):
    """log(1 + e^z) without overflow: the logistic cross-entropy from the net input."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@njit(cache=True)
def _state_loss(loss_kind, act, s, y):
    """l(s, y) of MODEL.md "Error", from the state s itself (row 0 and clamped units)."""
    if loss_kind != CROSS_ENTROPY:
        return 0.5 * (s - y) * (s - y)
    if act == SOFTMAX:
        return -_xlogy(y, s)
    return -(_xlogy(y, s) + _xlogy(1.0 - y, 1.0 - s))


@njit(cache=True)
def _state_loss_grad(loss_kind, act, s, y):
    """dl/ds from the state itself; the division form, exact wherever it is finite."""
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
def _forward(W, b, h0, act, sm, loss_kind, data, stack, parts):
    """s_0 = where(K_0, X_0, h0); z_t = W s_{t-1} + b; a_t = f(z_t); s_t = where(K_t, X_t, a_t).

    Fills S, A, Z of ``stack`` and ``parts[t, c]``, the summed loss terms of case c at time t
    (not yet divided by B). Softmax units ``sm`` are normalised together at each step.
    """
    X, K, Y, M = data[0], data[1], data[2], data[3]
    S, A, Z = stack[0], stack[1], stack[2]
    T1, B, N = X.shape
    n_sm = sm.shape[0]
    WT = np.ascontiguousarray(W.T)  # (N, N): z_t = s_{t-1} @ W^T, row form over the batch
    for c in range(B):
        e = 0.0
        for i in range(N):
            s = X[0, c, i] if K[0, c, i] != 0.0 else h0[i]
            S[0, c, i] = s
            A[0, c, i] = s
            Z[0, c, i] = 0.0
            if M[0, c, i] != 0.0:
                e += _state_loss(loss_kind, act[i], s, Y[0, c, i])
        parts[0, c] = e
    for t in range(1, T1):
        if B >= BLAS_MIN_BATCH:
            np.dot(S[t - 1], WT, Z[t])  # (B, N)
            for c in range(B):
                for i in range(N):
                    Z[t, c, i] += b[i]
        else:
            for c in range(B):
                for i in range(N):
                    acc = b[i]
                    for j in range(N):
                        acc += W[i, j] * S[t - 1, c, j]
                    Z[t, c, i] = acc
        for c in range(B):
            for i in range(N):
                z = Z[t, c, i]
                k = act[i]
                if k == LOGISTIC:
                    A[t, c, i] = 1.0 / (1.0 + math.exp(-z))
                elif k == TANH:
                    A[t, c, i] = math.tanh(z)
                elif k == LINEAR:
                    A[t, c, i] = z
            lse = 0.0
            if n_sm > 0:
                m = -np.inf
                for q in range(n_sm):
                    m = max(m, Z[t, c, sm[q]])
                tot = 0.0
                for q in range(n_sm):
                    ex = math.exp(Z[t, c, sm[q]] - m)
                    A[t, c, sm[q]] = ex
                    tot += ex
                for q in range(n_sm):
                    A[t, c, sm[q]] /= tot
                lse = m + math.log(tot)
            e = 0.0
            for i in range(N):
                clamped = K[t, c, i] != 0.0
                S[t, c, i] = X[t, c, i] if clamped else A[t, c, i]
                if M[t, c, i] == 0.0:
                    continue
                y = Y[t, c, i]
                if loss_kind == CROSS_ENTROPY and not clamped and act[i] == LOGISTIC:
                    e += _softplus(Z[t, c, i]) - y * Z[t, c, i]  # exact, even when saturated
                elif loss_kind == CROSS_ENTROPY and not clamped and act[i] == SOFTMAX:
                    e -= y * (Z[t, c, i] - lse)  # -y log softmax(z), from log-sum-exp
                else:
                    e += _state_loss(loss_kind, act[i], S[t, c, i], Y[t, c, i])
            parts[t, c] = e


@njit(cache=True)
def _backward(W, C, act, sm, loss_kind, data, stack, dW, db, dh0):
    """Peel the stack from T down to 1 (MODEL.md "Backward pass"); fill G, D, dW, db, dh0.

    d_t = J_f(z_t)^T (g_t * (1 - K_t)); dW = sum_t (d_t s_{t-1}^T) * C; g_{t-1} = W^T d_t plus
    the target term at t-1; dh0 = g_0 * (1 - K_0). Every gradient is of E, the loss already
    divided by B. Cross-entropy on logistic and softmax units uses the combined forms
    (d = s - y), which equal the definition and stay finite when units saturate.
    """
    X, K, Y, M = data[0], data[1], data[2], data[3]
    S, A, G, D = stack[0], stack[1], stack[3], stack[4]
    T1, B, N = X.shape
    T = T1 - 1
    inv_B = 1.0 / B
    ce = loss_kind == CROSS_ENTROPY
    n_sm = sm.shape[0]
    gp = np.zeros((B, N))  # W^T d_{t+1}: the error that reaches s_t from later steps
    dW[:, :] = 0.0
    db[:] = 0.0
    for i in range(N):
        for c in range(B):
            D[0, c, i] = 0.0
    for t in range(T, 0, -1):
        for c in range(B):
            for i in range(N):
                g = gp[c, i]
                if M[t, c, i] != 0.0:
                    g += inv_B * _state_loss_grad(loss_kind, act[i], S[t, c, i], Y[t, c, i])
                G[t, c, i] = g
                if act[i] == SOFTMAX or K[t, c, i] != 0.0:
                    D[t, c, i] = 0.0  # a clamped unit's state takes no error
                    continue
                a = A[t, c, i]
                k = act[i]
                fp = a * (1.0 - a) if k == LOGISTIC else (1.0 - a * a if k == TANH else 1.0)
                if ce and k == LOGISTIC and M[t, c, i] != 0.0:
                    D[t, c, i] = fp * gp[c, i] + inv_B * (a - Y[t, c, i])
                else:
                    D[t, c, i] = fp * g
            if n_sm > 0:
                # J^T u for softmax: d_k = a_k (u_k - sum_i a_i u_i); the CE target term
                # a_k * (-y_k / a_k) enters as -v_k + a_k sum_i v_i, with no division.
                su = 0.0
                sv = 0.0
                for q in range(n_sm):
                    i = sm[q]
                    free = 1.0 - K[t, c, i]
                    if ce:
                        u = free * gp[c, i]
                        sv += free * M[t, c, i] * Y[t, c, i] * inv_B
                    else:
                        u = free * G[t, c, i]
                    su += A[t, c, i] * u
                for q in range(n_sm):
                    i = sm[q]
                    free = 1.0 - K[t, c, i]
                    a = A[t, c, i]
                    if ce:
                        u = free * gp[c, i]
                        v = free * M[t, c, i] * Y[t, c, i] * inv_B
                    else:
                        u = free * G[t, c, i]
                        v = 0.0
                    D[t, c, i] = a * (u - su) - v + a * sv
        # Accumulate this step's contribution G_t = d_t s_{t-1}^T and pass the error back.
        if B >= BLAS_MIN_BATCH:
            np.dot(D[t], W, gp)  # (B, N): row form of W^T d_t
        else:
            for c in range(B):
                for j in range(N):
                    gp[c, j] = 0.0
                for i in range(N):
                    d = D[t, c, i]
                    if d == 0.0:
                        continue
                    for j in range(N):
                        gp[c, j] += d * W[i, j]
                        dW[i, j] += d * S[t - 1, c, j]
        for c in range(B):
            for i in range(N):
                db[i] += D[t, c, i]
    if B >= BLAS_MIN_BATCH and T > 0:
        Dflat = D[1:].reshape(T * B, N)  # (T*B, N)
        Sflat = S[:T].reshape(T * B, N)  # (T*B, N)
        np.dot(Dflat.T, Sflat, dW)  # sum over t and cases of d_t s_{t-1}^T
    for i in range(N):
        for j in range(N):
            dW[i, j] *= C[i, j]
        dh0[i] = 0.0
    for c in range(B):
        for i in range(N):
            g = gp[c, i]
            if M[0, c, i] != 0.0:
                g += inv_B * _state_loss_grad(loss_kind, act[i], S[0, c, i], Y[0, c, i])
            G[0, c, i] = g
            dh0[i] += g * (1.0 - K[0, c, i])


@njit(cache=True)
def _bptt(W, b, h0, C, act, sm, loss_kind, data, stack, parts, dW, db, dh0):
    """One gradient evaluation: forward then backward; returns E (MODEL.md "Error")."""
    _forward(W, b, h0, act, sm, loss_kind, data, stack, parts)
    _backward(W, C, act, sm, loss_kind, data, stack, dW, db, dh0)
    return parts.sum() / data.shape[2]


@njit(cache=True)
def _steps_outer(D, S, C, out):
    """G_t = (d_t s_{t-1}^T) * C for every t, summed over cases: out (T, N, N)."""
    T1, B, N = S.shape
    for t in range(1, T1):
        for c in range(B):
            for i in range(N):
                d = D[t, c, i]
                if d == 0.0:
                    continue
                for j in range(N):
                    out[t - 1, i, j] += d * S[t - 1, c, j]
    for t in range(T1 - 1):
        for i in range(N):
            for j in range(N):
                out[t, i, j] *= C[i, j]
