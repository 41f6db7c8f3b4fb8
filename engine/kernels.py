"""The compiled heart of BPTT: one forward pass that builds the stack of activities and one
backward pass that peels it off (Hinton, lecture 7b; docs/model.md, "Forward pass" and
"Backward pass").

Everything here is time-major, so that each time slice ``[t]`` is a contiguous (B, N) block
that BLAS can multiply in one call:

    data  (4, T+1, B, N): X, K, Y, M     inputs, clamp mask, targets, target mask
    stack (5, T+1, B, N): S, A, Z, G, D  states s_t, activations a_t = f(z_t), net inputs z_t,
                                         dE/ds_t (g_t) and dE/dz_t (d_t)

Kernels take contiguous float64 arrays and integer codes only (config.py names the codes), so
they also run unchanged under NUMBA_DISABLE_JIT=1.

Where the time goes, and what is done about it (benchmarks/bench_engine.py measures it):

- Elementwise work is written as branch-free loops over a whole (B, N) time slice, indexed from
  0 (so Numba drops its negative-index check), which LLVM turns into SIMD code. The logistic
  uses an inline exp, and an all-logistic net with squared loss does z += b, a = f(z), the
  clamp and the loss terms in one pass: both in fastmath.py, as is _sum_terms, which sums the
  loss of each case in unit order, as the plain loop would, but with the cases side by side.
- On the BLAS path with many units, units clamped in every case at a step (inputs) have d = 0
  there; the backward pass multiplies only the other columns of d_t, in W^T d_t and in dW.

Results equal the straightforward loops up to rounding (the inline exp is within 1 ulp of libm's;
BLAS sums in its own order anyway).
"""
import math

import numpy as np
from numba import njit

from .config import BLAS_MIN_BATCH, COMPACT_MIN_UNITS, CROSS_ENTROPY, LINEAR, LOGISTIC, SOFTMAX, TANH
from .fastmath import _logistic_block, _logistic_squared_block, _sum_terms


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
def _state_loss(loss_kind, act, s, y):
    """l(s, y) of MODEL.md "Error", from the state s itself (row 0 and clamped units)."""
    if loss_kind != CROSS_ENTROPY:
        return 0.5 * (s - y) * (s - y)
    if act == SOFTMAX:
        return -_xlogy(y, s)
    return -(_xlogy(y, s) + _xlogy(1.0 - y, 1.0 - s))


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
def _forward(W, b, h0, act, sm, loss_kind, data, stack, parts):
    """s_0 = where(K_0, X_0, h0); z_t = W s_{t-1} + b; a_t = f(z_t); s_t = where(K_t, X_t, a_t).

    Fills S, A, Z of ``stack`` and ``parts[t, c]``, the summed loss terms of case c at time t
    (not yet divided by B). Softmax units ``sm`` are normalised together at each step.
    """
    X, K, Y, M = data[0], data[1], data[2], data[3]
    S, A, Z = stack[0], stack[1], stack[2]
    T1, B, N = X.shape
    BN = B * N
    n_sm = sm.shape[0]
    WT = np.ascontiguousarray(W.T)  # (N, N): z_t = s_{t-1} @ W^T, row form over the batch
    # Flat views: time slice t is the contiguous block [t*BN, (t+1)*BN).
    Zf, Af, Sf = Z.reshape(T1 * BN), A.reshape(T1 * BN), S.reshape(T1 * BN)
    Xf, Kf, Yf, Mf = X.reshape(T1 * BN), K.reshape(T1 * BN), Y.reshape(T1 * BN), M.reshape(T1 * BN)
    lses = np.empty(B)  # log-sum-exp of the softmax group, per case
    terms = np.empty(BN)  # squared loss: the terms of one time slice
    n_logistic = 0
    el = np.empty(N, dtype=np.int64)  # the tanh and linear units
    n_el = 0
    for i in range(N):
        if act[i] == LOGISTIC:
            n_logistic += 1
        elif act[i] == TANH or act[i] == LINEAR:
            el[n_el] = i
            n_el += 1
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
    fused = B >= BLAS_MIN_BATCH and n_logistic == N and loss_kind != CROSS_ENTROPY
    b_rep = np.empty(BN if fused else 0)  # b for every case of a block
    for k in range(b_rep.shape[0]):
        b_rep[k] = b[k % N]
    for t in range(1, T1):
        lo, hi = t * BN, (t + 1) * BN
        if fused:
            np.dot(S[t - 1], WT, Z[t])  # (B, N)
            _logistic_squared_block(Zf[lo:hi], b_rep, Af[lo:hi], Sf[lo:hi], Xf[lo:hi], Kf[lo:hi], Yf[lo:hi],
                                    Mf[lo:hi], terms)
            _sum_terms(terms, parts[t], N)
            continue
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
        if n_logistic > 0:  # every unit of the block; the others are overwritten just below
            _logistic_block(Zf[t * BN:(t + 1) * BN], Af[t * BN:(t + 1) * BN])
        for c in range(B):
            for q in range(n_el):
                i = el[q]
                z = Z[t, c, i]
                A[t, c, i] = math.tanh(z) if act[i] == TANH else z
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
            lses[c] = lse
        if loss_kind != CROSS_ENTROPY and B >= BLAS_MIN_BATCH:
            # Squared loss, branch-free: the clamp select runs as SIMD over the whole block,
            # and adding 0.0 for a unit without a target leaves the sum exactly as skipping it.
            Sb, Xb, Kb, Ab, Yb, Mb = Sf[lo:hi], Xf[lo:hi], Kf[lo:hi], Af[lo:hi], Yf[lo:hi], Mf[lo:hi]
            for k in range(BN):
                s = Xb[k] if Kb[k] != 0.0 else Ab[k]
                Sb[k] = s
                r = s - Yb[k]
                terms[k] = 0.5 * r * r if Mb[k] != 0.0 else 0.0
            _sum_terms(terms, parts[t], N)
            continue
        for c in range(B):
            lse = lses[c]
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
    BN = B * N
    flat = not ce and B >= BLAS_MIN_BATCH  # small blocks: the plain loop below is quicker
    # Flat views: time slice t is the contiguous block [t*BN, (t+1)*BN).
    Sf, Af, Gf, Df = S.reshape(T1 * BN), A.reshape(T1 * BN), G.reshape(T1 * BN), D.reshape(T1 * BN)
    Yf, Kf, Mf = Y.reshape(T1 * BN), K.reshape(T1 * BN), M.reshape(T1 * BN)
    gpf = gp.reshape(BN)
    kinds = np.empty(BN if flat else 0, dtype=np.int64)  # act[i] for every cell of a (B, N) block
    for c in range(B if flat else 0):
        for i in range(N):
            kinds[c * N + i] = act[i]
    dW[:, :] = 0.0
    db[:] = 0.0
    for i in range(N):
        for c in range(B):
            D[0, c, i] = 0.0
    # Column skipping (large N, BLAS path): cols[:n_cols] are the units that can have d != 0 at
    # the current step (softmax, or not clamped in every case), Wc[:n_cols] their rows of W;
    # one_set while that set has not changed from step to step.
    compact = B >= BLAS_MIN_BATCH and N >= COMPACT_MIN_UNITS and T > 0
    nz = np.zeros(N, dtype=np.uint8)
    cols = np.empty(N, dtype=np.int64)
    new_cols = np.empty(N, dtype=np.int64)
    n_cols = -1
    one_set = True
    Wc = np.empty((N if compact else 0, N))
    Dc_all = np.empty(0)
    Dc_step = np.empty(B * N if compact else 0)
    for t in range(T, 0, -1):
        if flat:
            # Squared loss: g_t and d_t of the whole (B, N) block in one branch-free loop
            # (selects, no calls), which the compiler turns into SIMD code.
            lo, hi = t * BN, (t + 1) * BN
            Sb, Yb, Mb, Kb = Sf[lo:hi], Yf[lo:hi], Mf[lo:hi], Kf[lo:hi]
            Ab, Gb, Db = Af[lo:hi], Gf[lo:hi], Df[lo:hi]
            for k in range(BN):
                g = gpf[k]
                g = g + inv_B * (Sb[k] - Yb[k]) if Mb[k] != 0.0 else g
                Gb[k] = g
                a = Ab[k]
                kind = kinds[k]
                fp = a * (1.0 - a) if kind == LOGISTIC else (1.0 - a * a if kind == TANH else 1.0)
                Db[k] = 0.0 if (kind == SOFTMAX or Kb[k] != 0.0) else fp * g
        for c in range(B):
            for i in range(0 if flat else N):
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
        if compact:
            # A unit clamped in every case at step t, with an elementwise activation, has d = 0
            # there and adds nothing to W^T d_t or dW: multiply only the columns of the others.
            # (The set follows from K alone, so it stays the same from step to step when the
            # inputs are clamped at every step, and dW below can use one product too.)
            for i in range(N):
                nz[i] = act[i] == SOFTMAX
            for c in range(B):
                for i in range(N):
                    nz[i] |= K[t, c, i] == 0.0
            n_new = 0
            for i in range(N):
                if nz[i]:
                    new_cols[n_new] = i
                    n_new += 1
            same = n_new == n_cols
            for q in range(n_new if same else 0):
                same = same and new_cols[q] == cols[q]
            if not same:
                if n_cols >= 0:
                    one_set = False  # the set changed from one step to the next
                elif n_new < N:
                    Dc_all = np.empty(T * B * n_new)  # first step (t = T): room for all steps
                n_cols = n_new
                for q in range(n_cols):
                    cols[q] = new_cols[q]
                    for j in range(N):
                        Wc[q, j] = W[cols[q], j]
            if n_cols == N:
                np.dot(D[t], W, gp)
            else:
                Dc = (Dc_all[(t - 1) * B * n_cols:t * B * n_cols] if one_set else Dc_step[:B * n_cols]).reshape(B, n_cols)
                for c in range(B):
                    for q in range(n_cols):
                        Dc[c, q] = D[t, c, cols[q]]
                if n_cols > 0:
                    np.dot(Dc, Wc[:n_cols], gp)  # (B, N)
                else:
                    gp[:, :] = 0.0
        elif B >= BLAS_MIN_BATCH:
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
    if compact and one_set and n_cols < N:
        # The same columns at every step: dW's other rows are 0, and the gathered d's of all
        # steps, (T*B, n_cols), give the rest in one product.
        Sflat = S[:T].reshape(T * B, N)  # (T*B, N)
        dWc = np.zeros((n_cols, N))
        if n_cols > 0:
            np.dot(Dc_all.reshape(T * B, n_cols).T, Sflat, dWc)
        for q in range(n_cols):
            for j in range(N):
                dW[cols[q], j] = dWc[q, j]
    elif B >= BLAS_MIN_BATCH and T > 0:
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
