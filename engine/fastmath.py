"""Passes that exist for speed alone: each gives the numbers of the plain per-case loops it
replaces (kernels.py chooses between them by size; benchmarks/bench_engine.py measures them).

Forward, on the BLAS path with squared loss: branch-free loops over a whole flat (B*N) time
slice, which LLVM turns into SIMD code once it has inlined the small helpers; an all-logistic
net does z += b, a = f(z), the clamp and the loss terms in one pass.

Backward, on the BLAS path with many units: units clamped in every case at a step (inputs) have
d = 0 there, so W^T d_t and dW multiply only the other columns of d_t.

Not Numba's fastmath=True: the logistic pass allows only "contract" (fused multiply-add), as
activations.py does, so NaN and inf keep IEEE meaning.

Like every function the kernels call once per step, these are leaves: arrays in, only scalar
helpers called (see kernels.py on why).

Numba caches each file under its own timestamp, and kernels.py's cached machine code has these
functions inlined: after editing this file, touch kernels.py (or delete engine/__pycache__).
"""
import numpy as np
from numba import njit

from .activations import _clamp, _logistic_inside, _logistic_outside
from .config import EXP_FAST_LIMIT, SOFTMAX
from .losses import _squared_term


# -- forward: one time slice at a time ------------------------------------------------------
@njit(cache=True)
def _clamp_squared(k, x, a, y, m):
    """(s, l): s = where(K, X, a) and its squared-loss term (0 without a target), for one cell."""
    s = _clamp(k, x, a)
    return s, _squared_term(s, y, m)


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _logistic_squared_slice(Z, b, A, S, X, K, Y, M, terms):
    """One pass over a time slice of an all-logistic net with squared loss (BLAS path):
    z += b; a = 1 / (1 + e^-z); s = where(K, X, a); terms = M ? (s - y)^2 / 2 : 0.

    Fusing the passes reads each cell once, which matters once the stacks leave the cache.
    ``b`` is the bias repeated for every case of the block. As in activations._logistic_block,
    cells beyond +-EXP_FAST_LIMIT (and NaN) are redone with the library exp.
    """
    n_out = 0
    for k in range(Z.shape[0]):
        z = Z[k] + b[k]
        Z[k] = z
        inside = abs(z) <= EXP_FAST_LIMIT
        n_out += 0 if inside else 1
        a = _logistic_inside(z, inside)
        A[k] = a
        S[k], terms[k] = _clamp_squared(K[k], X[k], a, Y[k], M[k])
    if n_out > 0:
        for k in range(Z.shape[0]):
            if not abs(Z[k]) <= EXP_FAST_LIMIT:
                a = _logistic_outside(Z[k])
                A[k] = a
                S[k], terms[k] = _clamp_squared(K[k], X[k], a, Y[k], M[k])


@njit(cache=True)
def _clamp_squared_slice(A, X, K, Y, M, S, terms):
    """s_t = where(K_t, X_t, a_t) and the squared-loss terms of a flat time slice, branch-free."""
    for k in range(A.shape[0]):
        S[k], terms[k] = _clamp_squared(K[k], X[k], A[k], Y[k], M[k])


# -- backward: column skipping ---------------------------------------------------------------
@njit(cache=True)
def _free_columns(act, K, t, nz, cols):
    """The units that can have d != 0 at step t (softmax, or free in some case), listed in
    increasing order in cols[:n]; returns n. ``nz`` is scratch."""
    B, N = K.shape[1], K.shape[2]
    for i in range(N):
        nz[i] = act[i] == SOFTMAX
    for c in range(B):
        for i in range(N):
            nz[i] |= K[t, c, i] == 0.0
    n = 0
    for i in range(N):
        if nz[i]:
            cols[n] = i
            n += 1
    return n


@njit(cache=True)
def _pass_back_columns(t, W, Wc, cols, n_cols, D, buf, gp):
    """gp = W^T d_t from the columns cols[:n_cols] of d_t alone (the others are 0): gathers them
    into ``buf`` as (B, n_cols), kept there for dW, and multiplies by Wc, their rows of W."""
    B, N = D.shape[1], D.shape[2]
    if n_cols == N:
        np.dot(D[t], W, gp)  # (B, N)
        return
    Dc = buf.reshape(B, n_cols)  # (B, n_cols)
    for c in range(B):
        for q in range(n_cols):
            Dc[c, q] = D[t, c, cols[q]]
    if n_cols > 0:
        np.dot(Dc, Wc[:n_cols], gp)  # (B, N)
    else:
        gp[:, :] = 0.0


@njit(cache=True)
def _columns_outer(S, cols, n_cols, Dc_all, dW):
    """dW = sum_t d_t s_{t-1}^T, summed over cases, when the same columns cols[:n_cols] were the
    only ones with d != 0 at every step: Dc_all (T*B, n_cols) holds them, dW's other rows are 0."""
    T1, B, N = S.shape
    T = T1 - 1
    dWc = np.zeros((n_cols, N))  # (n_cols, N)
    if n_cols > 0:
        np.dot(Dc_all.reshape(T * B, n_cols).T, S[:T].reshape(T * B, N), dWc)
    for q in range(n_cols):
        for j in range(N):
            dW[cols[q], j] = dWc[q, j]
