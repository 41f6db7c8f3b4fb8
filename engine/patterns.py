"""The lecture's ways of giving input and teaching signals, as clamp and target masks by name.

Lecture 7b, "Providing input": the initial states of all units, of a subset, or the states of
the same subset at every step. "Teaching signals": final activities of all units, all units
for the last few steps (attractors), or a subset of units. Each function returns a (T+1, N)
0/1 mask (docs/model.md, "One training case").
"""
import numpy as np

CLAMP_MODES = ("initial-all", "initial-subset", "every-step-subset")
TARGET_MODES = ("final-all", "last-k-all", "subset-every-step")


def _units(units, N, mode):
    if units is None:
        raise ValueError(f"mode {mode!r} needs units=[...], the subset of unit indices")
    idx = np.asarray(units, dtype=np.int64).ravel()
    if idx.size == 0 or idx.min() < 0 or idx.max() >= N:
        raise ValueError(f"units must be indices in 0..{N - 1}; got {list(np.asarray(units).ravel())}")
    return idx


def _size(T, N):
    if int(T) < 1 or int(N) < 1:
        raise ValueError(f"need T >= 1 and N >= 1; got T={T}, N={N}")
    return np.zeros((int(T) + 1, int(N)))  # (T+1, N)


def clamp_pattern(mode, T, N, units=None):
    """K for one of CLAMP_MODES; ``units`` is the subset for the subset modes."""
    K = _size(T, N)
    if mode == "initial-all":
        K[0, :] = 1
    elif mode == "initial-subset":
        K[0, _units(units, N, mode)] = 1
    elif mode == "every-step-subset":
        K[:, _units(units, N, mode)] = 1
    else:
        raise ValueError(f"unknown clamp mode {mode!r}; expected one of {', '.join(CLAMP_MODES)}")
    return K


def target_pattern(mode, T, N, units=None, last=1):
    """M for one of TARGET_MODES; ``last`` is k for "last-k-all", ``units`` the subset."""
    M = _size(T, N)
    if mode == "final-all":
        M[-1, :] = 1
    elif mode == "last-k-all":
        if not 1 <= int(last) <= T + 1:
            raise ValueError(f"last must be in 1..T+1 = {T + 1}; got {last}")
        M[-int(last):, :] = 1
    elif mode == "subset-every-step":
        M[:, _units(units, N, mode)] = 1
    else:
        raise ValueError(f"unknown target mode {mode!r}; expected one of {', '.join(TARGET_MODES)}")
    return M
