"""Unit activations a = f(z) and their derivatives, side by side (docs/model.md "Units";
Hinton, lecture 7b).

    logistic  f(z) = 1 / (1 + e^-z)          f'(z) = a (1 - a)
    tanh      f(z) = tanh z                  f'(z) = 1 - a^2
    linear    f(z) = z                       f'(z) = 1
    softmax   a_k = e^z_k / sum_i e^z_i      J^T u = a * (u - sum_i a_i u_i)   (over the group)

f' is written in terms of a = f(z), which the stack keeps. The logistic runs over a whole (B, N)
time slice at once (_logistic_block) with an inline exp, so that it vectorises: libm's exp is a
scalar call that costs more than the rest of the forward pass. The inline exp is within 1 ulp of
libm's; fast, but not Numba's fastmath=True: only "contract" (fused multiply-add) is allowed, so
NaN and inf keep IEEE meaning. The softmax group is normalised per case. _clamp gives a unit's
state: its input where clamped, else its activation. The passes over a time slice are leaves
(arrays in, only scalar helpers called), for the reason kernels.py gives.

Numba caches each file under its own timestamp, and the cached machine code of kernels.py and
fastmath.py has these functions inlined: after editing this file, touch those two (or delete
engine/__pycache__), or they keep running the old code.
"""
import math

import numpy as np
from numba import config as _numba_config
from numba import njit

from .config import EXP_FAST_LIMIT, LOGISTIC, TANH


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _logistic_inside(z, inside):
    """1 / (1 + e^-z) where ``inside`` (|z| <= EXP_FAST_LIMIT), branch-free with the inline exp;
    a placeholder elsewhere, which the caller redoes with _logistic_outside."""
    return 1.0 / (1.0 + _exp_inside(-z if inside else 0.0))


@njit(cache=True)
def _logistic_outside(z):
    """1 / (1 + e^-z) for |z| > EXP_FAST_LIMIT or NaN, with the library exp. Beyond log(DBL_MAX)
    e^-z is inf and the logistic 0; said explicitly, because math.exp raises OverflowError there
    when the kernels run as plain Python."""
    return 0.0 if -z > _LOG_DBL_MAX else 1.0 / (1.0 + math.exp(-z))


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
        inside = abs(Z[k]) <= EXP_FAST_LIMIT
        n_out += 0 if inside else 1
        A[k] = _logistic_inside(Z[k], inside)
    if n_out > 0:
        for k in range(Z.shape[0]):
            if not abs(Z[k]) <= EXP_FAST_LIMIT:
                A[k] = _logistic_outside(Z[k])


@njit(cache=True)
def _tanh_or_linear(kind, z):
    """f(z) of a tanh or linear unit."""
    return math.tanh(z) if kind == TANH else z


@njit(cache=True)
def _derivative(kind, a):
    """f'(z) of a logistic, tanh or linear unit, from its output a = f(z)."""
    return a * (1.0 - a) if kind == LOGISTIC else (1.0 - a * a if kind == TANH else 1.0)


@njit(cache=True)
def _activate_others(act, el, sm, z, a, lses):
    """a_t = f(z_t) of the tanh and linear units ``el`` and the softmax group ``sm``, over a flat
    (B*N,) time slice z, a; lses[c] = log sum_i e^z_i of case c's group (cross-entropy needs it).
    The largest z of the group is subtracted first, so e^z cannot overflow."""
    B, N = lses.shape[0], act.shape[0]
    for c in range(B):
        off = c * N
        for q in range(el.shape[0]):
            a[off + el[q]] = _tanh_or_linear(act[el[q]], z[off + el[q]])
        lses[c] = 0.0
        if sm.shape[0] == 0:
            continue
        m = -math.inf
        for q in range(sm.shape[0]):
            m = max(m, z[off + sm[q]])
        tot = 0.0
        for q in range(sm.shape[0]):
            ex = math.exp(z[off + sm[q]] - m)
            a[off + sm[q]] = ex
            tot += ex
        for q in range(sm.shape[0]):
            a[off + sm[q]] /= tot
        lses[c] = m + math.log(tot)


@njit(cache=True)
def _softmax_back(a, u, v, sm, d):
    """d = J^T u - v + a sum(v) for each case's softmax group, over a flat (B*N,) time slice a, d:
    d_k = a_k (u_k - sum_i a_i u_i) - v_k + a_k sum_i v_i, with u and v (B, n_softmax).

    J^T u carries the error of the states; v is cross-entropy's target term y / B, whose
    a_k * (-y_k / a_k) enters without a division (0 for squared loss)."""
    B = u.shape[0]
    N = a.shape[0] // B
    for c in range(B):
        su = 0.0
        sv = 0.0
        for q in range(sm.shape[0]):
            su += a[c * N + sm[q]] * u[c, q]
            sv += v[c, q]
        for q in range(sm.shape[0]):
            ak = a[c * N + sm[q]]
            d[c * N + sm[q]] = ak * (u[c, q] - su) - v[c, q] + ak * sv


@njit(cache=True)
def _clamp(k, x, a):
    """s = where(K, X, a): a clamped unit's state is its input, a free unit's is its activation."""
    return x if k != 0.0 else a


# -- the inline exp of the logistic --------------------------------------------------------
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
    """e^x for |x| <= config.EXP_FAST_LIMIT, branch-free (callers pass 0 for the others)."""
    n = math.floor(x * _LOG2E + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO
    p = 1.0 + r * (1.0 + r * (_C2 + r * (_C3 + r * (_C4 + r * (_C5 + r * (_C6 + r * (
        _C7 + r * (_C8 + r * (_C9 + r * (_C10 + r * (_C11 + r * (_C12 + r * _C13))))))))))))
    return p * _bits_as_float((np.int64(n) + 1023) << 52)
