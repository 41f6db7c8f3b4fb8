"""Training data for the lessons: named generators that return the clamp/target arrays.

A lesson names its task and the task's settings (plain data); the generator turns them into
X, K, Y, M of shape (B, T+1, N) (../shared/MODEL.md, "One training case"). Randomness comes
from the Generator passed in, built from the lesson's seed.
"""
import numpy as np


def bits_of(n, width):
    """Bits of n, least-significant first (the order the net reads them)."""
    return np.array([(int(n) >> k) & 1 for k in range(width)], dtype=np.float64)


def addition_case(a, b, bits):
    """One binary-addition case for the 2-3-1 net of lecture 7c: units (a, b, h1, h2, h3, sum).

    Inputs are clamped at every step, least-significant bit first, padded with zero columns
    so that the final bits come out. Every connection takes one step, so the sum bit of the
    column given at step t is the target two steps later (input -> hidden -> output).
    Returns X, K, Y, M of shape (T+1, 6) with T = bits + 2.
    """
    T = bits + 2
    X, K, Y, M = (np.zeros((T + 1, 6)) for _ in range(4))  # (T+1, N)
    X[:bits, 0], X[:bits, 1] = bits_of(a, bits), bits_of(b, bits)
    K[:, 0:2] = 1
    total = bits_of(a + b, bits + 1)  # (bits+1,)
    Y[2:2 + bits + 1, 5] = total
    M[2:2 + bits + 1, 5] = 1
    return X, K, Y, M


def binary_addition(rng, T=10, cases=32, held_out=()):
    """``cases`` random pairs of (T-2)-bit numbers, none of them in ``held_out`` (kept for testing)."""
    bits = T - 2
    if bits < 1:
        raise ValueError(f"binary addition needs T >= 3 (T - 2 bits per number); got T={T}")
    keep = {tuple(p) for p in held_out}
    pairs = []
    while len(pairs) < cases:
        a, b = (int(v) for v in rng.integers(0, 2 ** bits, size=2))
        if (a, b) not in keep:
            pairs.append((a, b))
    arrays = [addition_case(a, b, bits) for a, b in pairs]
    return tuple(np.stack([c[k] for c in arrays]) for k in range(4)), pairs  # each (B, T+1, N)


TASKS = {"binary-addition": binary_addition}


def make_task(spec, T, rng):
    """Run the generator named by ``spec["name"]`` for T steps, the rest of ``spec`` as settings.

    Returns ((X, K, Y, M), info) where info is the generator's extra output (e.g. the pairs).
    """
    spec = dict(spec)
    name = spec.pop("name")
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; expected one of {', '.join(TASKS)}")
    return TASKS[name](rng, T=T, **spec)
