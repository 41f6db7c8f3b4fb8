"""Fast elementwise passes over one (B, N) time slice, for kernels.py's forward pass: the logistic
with an inline exp, the fused logistic + squared-loss pass, and the loss sum per case.

libm's exp is a scalar call that costs more than the rest of the forward pass; the inline exp
(within 1 ulp of it) lets LLVM turn these loops into SIMD code. Fast, but not Numba's
fastmath=True: only "contract" (fused multiply-add) is allowed, so NaN and inf keep IEEE meaning.

Numba caches each file under its own timestamp, and kernels.py's cached machine code has these
functions inlined: after editing this file, touch kernels.py (or delete engine/__pycache__),
or kernels.py keeps running the old code.
"""
import math

import numpy as np
from numba import config as _numba_config
from numba import njit

from .config import EXP_FAST_LIMIT

if _numba_config.DISABLE_JIT:
    def _bits_as_float(bits):
        """The float64 whose bit pattern is the int64 ``bits`` (interpreted fallback)."""
        return float(np.array(bits, dtype=np.int64).view(np.float64))
else:
    from numba.core import types as _types
    from numba.extending import intrinsic

    @intrinsic
    def _bits_as_float(typingctx, bits):
        """The float64 whose bit pattern is the int64 ``bits``: one bitcast, so loops vectorise."""
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(_types.float64))
        return _types.float64(_types.int64), codegen

# exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln(2) / 2: Cody-Waite reduction with ln 2
# split in two (n * _LN2_HI is exact for |n| < 2^21) and the Taylor polynomial of e^r to r^13,
# whose truncation error (< 1e-17) is far below one ulp. Measured against the library's exp on
# 4 million arguments in [-708, 708]: at most 1 ulp apart.
_LOG2E = 1.4426950408889634
_LOG_DBL_MAX = 709.782712893384  # math.log(sys.float_info.max): e^x is finite up to here
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_C2, _C3, _C4, _C5, _C6, _C7 = 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040
_C8, _C9, _C10, _C11, _C12, _C13 = 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800, 1 / 479001600, 1 / 6227020800


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _exp_inside(x):
    """e^x for |x| <= EXP_FAST_LIMIT, branch-free (callers pass 0 for the others)."""
    n = math.floor(x * _LOG2E + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO
    p = 1.0 + r * (1.0 + r * (_C2 + r * (_C3 + r * (_C4 + r * (_C5 + r * (_C6 + r * (
        _C7 + r * (_C8 + r * (_C9 + r * (_C10 + r * (_C11 + r * (_C12 + r * _C13))))))))))))
    return p * _bits_as_float((np.int64(n) + 1023) << 52)


@njit(cache=True)
def _logistic_outside(z):
    """1 / (1 + e^-z) for |z| > EXP_FAST_LIMIT or NaN, with the library exp. Beyond log(DBL_MAX)
    e^-z is inf and the logistic 0; said explicitly, because math.exp raises OverflowError there
    when the kernels run as plain Python."""
    return 0.0 if -z > _LOG_DBL_MAX else 1.0 / (1.0 + math.exp(-z))


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _logistic_squared_block(Z, b, A, S, X, K, Y, M, terms):
    """One pass over a time slice of an all-logistic net with squared loss (BLAS path):
    z += b; a = 1 / (1 + e^-z); s = where(K, X, a); terms = M ? (s - y)^2 / 2 : 0.

    Fusing the passes reads each cell once, which matters once the stacks leave the cache.
    ``b`` is the bias repeated for every case of the block.
    """
    n_out = 0
    for k in range(Z.shape[0]):
        z = Z[k] + b[k]
        Z[k] = z
        inside = abs(z) <= EXP_FAST_LIMIT
        n_out += 0 if inside else 1
        a = 1.0 / (1.0 + _exp_inside(-z if inside else 0.0))
        A[k] = a
        s = X[k] if K[k] != 0.0 else a
        S[k] = s
        r = s - Y[k]
        terms[k] = 0.5 * r * r if M[k] != 0.0 else 0.0
    if n_out > 0:
        for k in range(Z.shape[0]):
            if not abs(Z[k]) <= EXP_FAST_LIMIT:
                a = _logistic_outside(Z[k])
                A[k] = a
                s = X[k] if K[k] != 0.0 else a
                S[k] = s
                r = s - Y[k]
                terms[k] = 0.5 * r * r if M[k] != 0.0 else 0.0


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _logistic_block(Z, A):
    """A[k] = 1 / (1 + exp(-Z[k])) for every k of the 1-d blocks Z and A.

    libm's exp is a scalar call and costs more than everything else the forward pass does per
    unit (Numba has no vector math library here), so e^x is computed inline with a branch-free
    polynomial that the compiler turns into SIMD code. Arguments beyond +-EXP_FAST_LIMIT, and
    NaN, are redone with math.exp, so overflow, underflow and NaN behave exactly as before.
    """
    n_out = 0
    for k in range(Z.shape[0]):  # from 0: Numba knows k >= 0 and drops the wraparound check
        x = -Z[k]
        inside = abs(x) <= EXP_FAST_LIMIT
        n_out += 0 if inside else 1
        A[k] = 1.0 / (1.0 + _exp_inside(x if inside else 0.0))
    if n_out > 0:
        for k in range(Z.shape[0]):
            if not abs(Z[k]) <= EXP_FAST_LIMIT:
                A[k] = _logistic_outside(Z[k])


@njit(cache=True)
def _sum_terms(terms, e, N):
    """e[c] = sum over i of terms[c*N + i], in unit order as before, but with the cases side by
    side (independent sums) rather than one after the other (one long dependency chain)."""
    B = e.shape[0]
    for c in range(B):
        e[c] = 0.0
    for i in range(N):
        for c in range(B):
            e[c] += terms[c * N + i]
