"""The compiled heart of BPTT: one forward pass that builds the stack of activities and one
backward pass that peels it off (Hinton, lecture 7b; docs/model.md, "Forward pass" and
"Backward pass").

Everything here is time-major, so that each time slice ``[t]`` is a contiguous (B, N) block
that BLAS can multiply in one call:

    data  (4, T+1, B, N): X, K, Y, M     inputs, clamp mask, targets, target mask
    stack (5, T+1, B, N): S, A, Z, G, D  states s_t, activations a_t = f(z_t), net inputs z_t,
                                         dE/ds_t (g_t) and dE/dz_t (d_t)

Kernels take contiguous float64 arrays and integer codes only (config.py names the codes), so
they also run unchanged under NUMBA_DISABLE_JIT=1. The activations (f and f') are written once,
in activations.py, and the loss terms and their derivatives once, in losses.py; _forward and
_backward below compose them step by step, each step a small function of its own.

Where the time goes, and what is done about it (benchmarks/bench_engine.py measures it): from
BLAS_MIN_BATCH cases on, products over the batch go to BLAS, and the elementwise work of a time
slice runs as the branch-free loops of fastmath.py, which LLVM turns into SIMD code once it has
inlined the helpers (the logistic's inline exp in activations.py is there for that); with many
units, the backward pass multiplies only the columns of d_t of units that are not clamped in
every case. Results equal the straightforward loops up to rounding (the inline exp is within
1 ulp of libm's; BLAS sums in its own order anyway).
"""
import numpy as np
from numba import njit

from .activations import _activate_others, _clamp, _derivative, _logistic_block, _softmax_back
from .config import BLAS_MIN_BATCH, COMPACT_MIN_UNITS, CROSS_ENTROPY, LINEAR, LOGISTIC, SOFTMAX, SQUARED, TANH
from .fastmath import (_clamp_squared_slice, _columns_outer, _free_columns, _logistic_squared_slice,
                       _pass_back_columns)
from .losses import _state_error, _state_loss, _sum_terms, _unit_loss

# Rows of ``data`` and ``stack``: data[K, t, c, i] is K_t of case c, unit i.
#
# Speed rule for the step functions that _forward and _backward call at every step: each is a
# leaf (arrays in, only scalar helpers called, no np.dot; the BLAS products stay in the two
# kernels). A function that hands arrays on to another call pays reference counting on every
# array it was given, at every call (about 28 ns each here); taking views such as data[1] costs
# the same. Written as a tree of array-passing helpers, a small net (N=8, T=16, B=1) ran three
# times slower than this.
X, K, Y, M = 0, 1, 2, 3
S, A, Z, G, D = 0, 1, 2, 3, 4


# -- the forward pass ---------------------------------------------------------------------
@njit(cache=True)
def _first_row(h0, act, loss_kind, data, stack, parts):
    """s_0 = where(K_0, X_0, h0), with a_0 = s_0 and z_0 = 0 (nothing computes s_0); parts[0]."""
    for c in range(data.shape[2]):
        e = 0.0
        for i in range(data.shape[3]):
            s = _clamp(data[K, 0, c, i], data[X, 0, c, i], h0[i])
            stack[S, 0, c, i] = s
            stack[A, 0, c, i] = s
            stack[Z, 0, c, i] = 0.0
            if data[M, 0, c, i] != 0.0:
                e += _state_loss(loss_kind, act[i], s, data[Y, 0, c, i])
        parts[0, c] = e


@njit(cache=True)
def _net_input_loops(W, b, stack, t):
    """z_t = W s_{t-1} + b for every case, as plain loops (below BLAS_MIN_BATCH cases, where they
    beat the call overhead of BLAS)."""
    for c in range(stack.shape[2]):
        for i in range(stack.shape[3]):
            acc = b[i]
            for j in range(stack.shape[3]):
                acc += W[i, j] * stack[S, t - 1, c, j]
            stack[Z, t, c, i] = acc


@njit(cache=True)
def _add_bias(b, stack, t):
    """z_t += b for every case (after the BLAS product W s_{t-1})."""
    for c in range(stack.shape[2]):
        for i in range(stack.shape[3]):
            stack[Z, t, c, i] += b[i]


@njit(cache=True)
def _clamp_and_loss(t, act, loss_kind, data, stack, lses, parts):
    """s_t = where(K_t, X_t, a_t) and parts[t, c], the summed loss terms of case c, for any units
    and loss (cross-entropy of free logistic and softmax units from the net input)."""
    for c in range(data.shape[2]):
        e = 0.0
        for i in range(data.shape[3]):
            s = _clamp(data[K, t, c, i], data[X, t, c, i], stack[A, t, c, i])
            stack[S, t, c, i] = s
            if data[M, t, c, i] != 0.0:
                e += _unit_loss(loss_kind, act[i], data[K, t, c, i] != 0.0, stack[Z, t, c, i], s,
                                data[Y, t, c, i], lses[c])
        parts[t, c] = e


@njit(cache=True)
def _tile(x, B):
    """x repeated for every case of a flat (B*N) block: out[c*N + i] = x[i]."""
    out = np.empty(B * x.shape[0], dtype=x.dtype)  # (B*N,)
    for k in range(out.shape[0]):
        out[k] = x[k % x.shape[0]]
    return out


@njit(cache=True)
def _forward(W, b, h0, act, sm, loss_kind, data, stack, parts):
    """s_0 = where(K_0, X_0, h0); z_t = W s_{t-1} + b; a_t = f(z_t); s_t = where(K_t, X_t, a_t)
    (MODEL.md "Forward pass"; l and E as in "Error").

    Fills S, A, Z of ``stack`` and ``parts[t, c]``, the summed loss terms of case c at time t
    (not yet divided by B). Softmax units ``sm`` are normalised together at each step.
    """
    _, T1, B, N = data.shape
    BN = B * N
    WT = np.ascontiguousarray(W.T)  # (N, N)
    # Flat views: time slice t of a row is the contiguous block [t*BN, (t+1)*BN).
    Zf, Af, Sf = stack[Z].reshape(T1 * BN), stack[A].reshape(T1 * BN), stack[S].reshape(T1 * BN)
    Xf, Kf = data[X].reshape(T1 * BN), data[K].reshape(T1 * BN)
    Yf, Mf = data[Y].reshape(T1 * BN), data[M].reshape(T1 * BN)
    n_logistic = 0
    el = np.empty(N, dtype=np.int64)  # the tanh and linear units: el[:n_el]
    n_el = 0
    for i in range(N):
        n_logistic += act[i] == LOGISTIC
        if act[i] == TANH or act[i] == LINEAR:
            el[n_el] = i
            n_el += 1
    el = el[:n_el]
    blas_squared = B >= BLAS_MIN_BATCH and loss_kind != CROSS_ENTROPY
    fused = blas_squared and n_logistic == N
    b_rep = _tile(b, B if fused else 0)  # (B*N,): b for every case of a block
    lses = np.zeros(B)  # log-sum-exp of the softmax group, per case
    terms = np.empty(BN)  # squared loss: the terms of one time slice
    _first_row(h0, act, loss_kind, data, stack, parts)
    for t in range(1, T1):
        lo, hi = t * BN, (t + 1) * BN
        if B >= BLAS_MIN_BATCH:
            np.dot(stack[S, t - 1], WT, stack[Z, t])  # (B, N): z_t = s_{t-1} @ W^T, row form over the batch
        else:
            _net_input_loops(W, b, stack, t)
        if fused:  # z += b, f, the clamp and the loss terms in one pass
            _logistic_squared_slice(Zf[lo:hi], b_rep, Af[lo:hi], Sf[lo:hi], Xf[lo:hi], Kf[lo:hi], Yf[lo:hi],
                                    Mf[lo:hi], terms)
        else:
            if B >= BLAS_MIN_BATCH:
                _add_bias(b, stack, t)
            if n_logistic > 0:  # every unit of the slice; the others are overwritten just below
                _logistic_block(Zf[lo:hi], Af[lo:hi])
            if n_el + sm.shape[0] > 0:  # a call that hands on arrays costs, even when it has nothing to do
                _activate_others(act, el, sm, Zf[lo:hi], Af[lo:hi], lses)
        if blas_squared:
            if not fused:
                _clamp_squared_slice(Af[lo:hi], Xf[lo:hi], Kf[lo:hi], Yf[lo:hi], Mf[lo:hi], Sf[lo:hi], terms)
            _sum_terms(terms, parts[t], N)
        else:
            _clamp_and_loss(t, act, loss_kind, data, stack, lses, parts)


# -- the backward pass --------------------------------------------------------------------
@njit(cache=True)
def _unit_errors(later, loss_kind, act, clamped, s, a, y, m, inv_B):
    """(g, d) of one unit at t >= 1: g = later + (1/B) dl/ds; d = f'(z) g for a free unit, 0 for
    a clamped one (its state takes no error) and for softmax (activations._softmax_back does those).

    A free logistic unit with a cross-entropy target uses d = f' later + (a - y) / B, which
    equals f' g and stays finite when the unit saturates.
    """
    g = _state_error(later, loss_kind, act, s, y, m, inv_B)
    if act == SOFTMAX or clamped:
        return g, 0.0
    fp = _derivative(act, a)
    if loss_kind == CROSS_ENTROPY and act == LOGISTIC and m != 0.0:
        return g, fp * later + inv_B * (a - y)
    return g, fp * g


@njit(cache=True)
def _errors_squared_slice(kinds, later, s, a, y, m, k, g, d, inv_B):
    """g_t and d_t of a flat time slice under squared loss, in one loop that has no calls left
    once the helpers are inlined, which the compiler turns into SIMD code. ``kinds``: act per cell."""
    for q in range(g.shape[0]):
        g[q], d[q] = _unit_errors(later[q], SQUARED, kinds[q], k[q] != 0.0, s[q], a[q], y[q], m[q], inv_B)


@njit(cache=True)
def _errors_by_case(t, act, loss_kind, data, stack, later, inv_B):
    """g_t and d_t case by case, for any loss (quicker than a flat pass on small blocks)."""
    for c in range(data.shape[2]):
        for i in range(data.shape[3]):
            stack[G, t, c, i], stack[D, t, c, i] = _unit_errors(
                later[c, i], loss_kind, act[i], data[K, t, c, i] != 0.0, stack[S, t, c, i], stack[A, t, c, i],
                data[Y, t, c, i], data[M, t, c, i], inv_B)


@njit(cache=True)
def _softmax_inputs(t, sm, loss_kind, data, stack, later, inv_B, u, v):
    """What activations._softmax_back takes for the softmax group of each case c: under squared
    loss u = the free units' g; under cross-entropy u = their ``later`` error and v = their
    target term y / B, so d = a - y where nothing comes from later steps. u, v: (B, n_softmax)."""
    ce = loss_kind == CROSS_ENTROPY
    for c in range(data.shape[2]):
        for q in range(sm.shape[0]):
            i = sm[q]
            free = 1.0 - data[K, t, c, i]
            u[c, q] = free * (later[c, i] if ce else stack[G, t, c, i])
            v[c, q] = free * data[M, t, c, i] * data[Y, t, c, i] * inv_B if ce else 0.0


@njit(cache=True)
def _pass_back_loops(t, W, stack, gp, dW):
    """gp = W^T d_t for every case (the error that reaches s_{t-1}) and dW += d_t s_{t-1}^T, as
    plain loops below BLAS_MIN_BATCH cases, skipping units with d = 0."""
    B, N = stack.shape[2], stack.shape[3]
    for c in range(B):
        for j in range(N):
            gp[c, j] = 0.0
        for i in range(N):
            d = stack[D, t, c, i]
            if d == 0.0:
                continue
            for j in range(N):
                gp[c, j] += d * W[i, j]
                dW[i, j] += d * stack[S, t - 1, c, j]


@njit(cache=True)
def _weight_gradient(stack, C, cols, n_cols, Dc_all, columns_only, dW):
    """dW = (sum_t d_t s_{t-1}^T) * C, summed over cases, by one product over all steps (the
    loops of _pass_back_loops have already summed it below BLAS_MIN_BATCH); ``columns_only``: from
    the d's that column skipping gathered (fastmath._columns_outer). Once per call."""
    _, T1, B, N = stack.shape
    T = T1 - 1
    if columns_only:
        _columns_outer(stack[S], cols, n_cols, Dc_all, dW)
    elif B >= BLAS_MIN_BATCH and T > 0:
        Dflat = stack[D, 1:].reshape(T * B, N)  # (T*B, N)
        np.dot(Dflat.T, stack[S, :T].reshape(T * B, N), dW)  # sum over t and cases of d_t s_{t-1}^T
    for i in range(N):
        for j in range(N):
            dW[i, j] *= C[i, j]


@njit(cache=True)
def _first_row_errors(act, loss_kind, data, stack, later, inv_B, dh0):
    """g_0 = W^T d_1 + the target term at t = 0, and dh0 = sum over cases of g_0 * (1 - K_0)."""
    dh0[:] = 0.0
    for c in range(data.shape[2]):
        for i in range(data.shape[3]):
            g = _state_error(later[c, i], loss_kind, act[i], stack[S, 0, c, i], data[Y, 0, c, i],
                             data[M, 0, c, i], inv_B)
            stack[G, 0, c, i] = g
            dh0[i] += g * (1.0 - data[K, 0, c, i])


@njit(cache=True)
def _backward(W, C, act, sm, loss_kind, data, stack, dW, db, dh0):
    """Peel the stack from T down to 1 (MODEL.md "Backward pass"); fill G, D, dW, db, dh0.

    g_t = W^T d_{t+1} + (1/B) dl/ds_t; d_t = J_f(z_t)^T (g_t * (1 - K_t)); dW = sum_t (d_t s_{t-1}^T)
    * C; db = sum_t d_t; dh0 = g_0 * (1 - K_0). Every gradient is of E, the loss already divided
    by B. Cross-entropy on logistic and softmax units uses the combined forms (d = a - y), which
    equal the definition and stay finite when units saturate.
    """
    _, T1, B, N = data.shape
    T, BN = T1 - 1, B * N
    inv_B = 1.0 / B
    flat = B >= BLAS_MIN_BATCH and loss_kind != CROSS_ENTROPY  # small blocks: per case is quicker
    # Flat views: time slice t of a row is the contiguous block [t*BN, (t+1)*BN).
    Sf, Af, Gf, Df = (stack[S].reshape(T1 * BN), stack[A].reshape(T1 * BN), stack[G].reshape(T1 * BN),
                      stack[D].reshape(T1 * BN))
    Yf, Kf, Mf = data[Y].reshape(T1 * BN), data[K].reshape(T1 * BN), data[M].reshape(T1 * BN)
    kinds = _tile(act, B if flat else 0)  # (B*N,): act[i] for every cell of a block
    gp = np.zeros((B, N))  # W^T d_{t+1}: the error that reaches s_t from later steps
    gpf = gp.reshape(BN)
    u, v = np.empty((B, sm.shape[0])), np.empty((B, sm.shape[0]))  # softmax: J^T's inputs
    dW[:, :] = 0.0
    db[:] = 0.0
    stack[D, 0] = 0.0
    # Column skipping (large N, BLAS path): cols[:n_cols] are the units that can have d != 0 at
    # the current step, Wc[:n_cols] their rows of W; one_set while that set has not changed from
    # step to step (it follows from K alone, so it stays when the inputs are clamped throughout).
    compact = B >= BLAS_MIN_BATCH and N >= COMPACT_MIN_UNITS and T > 0
    Kd, Ds = data[K], stack[D]  # (T+1, B, N)
    nz = np.zeros(N, dtype=np.uint8)
    cols, new_cols = np.empty(N, dtype=np.int64), np.empty(N, dtype=np.int64)
    n_cols = _free_columns(act, Kd, T, nz, cols) if compact else N
    Wc = np.empty((N if compact else 0, N))
    for q in range(n_cols if compact else 0):
        Wc[q] = W[cols[q]]
    Dc_all = np.empty(T * B * n_cols if compact and n_cols < N else 0)  # gathered d's of every step
    Dc_step = np.empty(BN if compact else 0)
    one_set = True
    for t in range(T, 0, -1):
        lo, hi = t * BN, (t + 1) * BN
        if flat:
            _errors_squared_slice(kinds, gpf, Sf[lo:hi], Af[lo:hi], Yf[lo:hi], Mf[lo:hi], Kf[lo:hi], Gf[lo:hi],
                                  Df[lo:hi], inv_B)
        else:
            _errors_by_case(t, act, loss_kind, data, stack, gp, inv_B)
        if sm.shape[0] > 0:
            _softmax_inputs(t, sm, loss_kind, data, stack, gp, inv_B, u, v)
            _softmax_back(Af[lo:hi], u, v, sm, Df[lo:hi])
        if compact:
            n_new = _free_columns(act, Kd, t, nz, new_cols)
            if n_new != n_cols or not np.array_equal(new_cols[:n_new], cols[:n_cols]):
                one_set = False  # the set changed from one step to the next
                n_cols = n_new
                for q in range(n_cols):
                    cols[q] = new_cols[q]
                    Wc[q] = W[cols[q]]
            buf = Dc_all[(t - 1) * B * n_cols:t * B * n_cols] if one_set else Dc_step[:B * n_cols]
            _pass_back_columns(t, W, Wc, cols, n_cols, Ds, buf, gp)
        elif B >= BLAS_MIN_BATCH:
            np.dot(stack[D, t], W, gp)  # (B, N): row form of W^T d_t
        else:
            _pass_back_loops(t, W, stack, gp, dW)
        for c in range(B):
            for i in range(N):
                db[i] += stack[D, t, c, i]
    _weight_gradient(stack, C, cols, n_cols, Dc_all, compact and one_set and n_cols < N, dW)
    _first_row_errors(act, loss_kind, data, stack, gp, inv_B, dh0)


@njit(cache=True, nogil=True)  # no GIL: a server computes a big net in a worker thread meanwhile
def _bptt(W, b, h0, C, act, sm, loss_kind, data, stack, parts, dW, db, dh0):
    """One gradient evaluation: forward then backward; returns E (MODEL.md "Error")."""
    _forward(W, b, h0, act, sm, loss_kind, data, stack, parts)
    _backward(W, C, act, sm, loss_kind, data, stack, dW, db, dh0)
    return parts.sum() / data.shape[2]


@njit(cache=True, nogil=True)  # no GIL: a server computes a big net in a worker thread meanwhile
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
