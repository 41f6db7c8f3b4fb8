"""Training data for the lessons: named generators that return the clamp/target arrays.

A lesson names its task and the task's settings (plain data); the generator turns them into
X, K, Y, M of shape (B, T+1, N) (docs/model.md, "One training case"). Randomness comes
from the Generator passed in, built from the lesson's seed. Every generator has the signature
``gen(rng, T, **settings) -> ((X, K, Y, M), info)`` and raises ValueError (with what to use
instead) for a T or a setting it cannot work with, so the Session can refuse and say why.

Every connection takes one time step (lecture 7b), so a unit two connections away from an
input sees it two steps later; the generators put targets where the net can first reach them.
"""
import numpy as np

from engine import clamp_pattern


def bits_of(n, width):
    """Bits of n, least-significant first (the order the net reads them)."""
    return np.array([(int(n) >> k) & 1 for k in range(width)], dtype=np.float64)


def _blank(B, T, N):
    return tuple(np.zeros((B, T + 1, N)) for _ in range(4))  # X, K, Y, M each (B, T+1, N)


def _need(cond, message):
    if not cond:
        raise ValueError(message)


# -- binary addition (lecture 7c) --------------------------------------------------------------
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


def addition_batch(pairs, bits):
    """addition_case for each (a, b): X, K, Y, M each (B, bits+3, 6)."""
    arrays = [addition_case(a, b, bits) for a, b in pairs]
    return tuple(np.stack([c[k] for c in arrays]) for k in range(4))


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
    return addition_batch(pairs, bits), pairs  # each (B, T+1, N)


# -- the robot writing a sentence (the seed's exercise) ---------------------------------------
def alphabet_of(sentences):
    """The sorted distinct characters of the sentences: one input and one output unit each."""
    return "".join(sorted(set("".join(sentences))))


def robot_writer(rng, T=10, sentences=("hello world",), alphabet=None, hidden=8):
    """One case per sentence: letter t clamped one-hot on the input units at step t, and the
    softmax output units' target at step t+1 is letter t+1 (input -> output is one step).

    Units: len(alphabet) inputs, ``hidden`` hidden units, len(alphabet) outputs. A sentence
    longer than T+1 letters is cut (info["cut"] says so); a shorter one leaves its last rows
    with all inputs clamped to 0 and no targets.
    """
    sentences = [sentences] if isinstance(sentences, str) else list(sentences)
    _need(sentences and all(len(s) >= 2 for s in sentences),
          f"each sentence needs at least 2 letters; got {sentences!r}")
    alphabet = alphabet or alphabet_of(sentences)
    missing = sorted(set("".join(sentences)) - set(alphabet))
    _need(not missing, f"letters {missing!r} are not in the alphabet {alphabet!r}")
    A = len(alphabet)
    X, K, Y, M = _blank(len(sentences), T, 2 * A + hidden)
    out = 2 * A + hidden - A  # first output unit
    for c, s in enumerate(sentences):
        K[c, :, :A] = 1
        for t, letter in enumerate(s[:T + 1]):
            k = alphabet.index(letter)
            X[c, t, k] = 1
            if t >= 1:
                Y[c, t, out + k], M[c, t, out:] = 1, 1
    info = {"alphabet": alphabet, "sentences": sentences, "steps_needed": max(len(s) for s in sentences) - 1,
            "cut": any(len(s) > T + 1 for s in sentences)}
    return (X, K, Y, M), info


# -- attractors: targets on all units for the last k steps ------------------------------------
def attractors(rng, T=8, patterns=("11001100", "00110011"), last=3, flips=1, low=0.0):
    """Pattern completion: the initial states of all units are a pattern with ``flips`` bits
    flipped (every such corruption, plus the clean pattern), and every unit's target for the
    last ``last`` steps is the clean pattern: the state must fall into it and stay there.
    A "0" in a pattern stands for the value ``low`` (-1 suits tanh units)."""
    pats = [np.where(np.array([ch == "1" for ch in p]), 1.0, float(low)) for p in patterns]
    N = len(pats[0])
    _need(all(len(p) == N for p in pats), f"patterns must have equal length; got {list(patterns)!r}")
    _need(1 <= last <= T, f"last must be in 1..T = {T}; got {last}")
    starts, clean = [], []
    for p in pats:
        starts.append(p.copy())
        clean.append(p)
        if flips:
            for i in range(N):  # every single-unit corruption (flips=1 is what is supported)
                q = p.copy()
                q[i] = 1.0 + low - q[i]
                starts.append(q)
                clean.append(p)
    X, K, Y, M = _blank(len(starts), T, N)
    X[:, 0], K[:, 0] = np.array(starts), 1  # initial states of all units
    Y[:, T - last + 1:] = np.array(clean)[:, None, :]
    M[:, T - last + 1:] = 1
    return (X, K, Y, M), {"patterns": list(patterns), "last": last, "starts": np.array(starts)}


# -- learned initial states ---------------------------------------------------------------------
def fixed_sequence(rng, T=6, pattern=("10", "01"), outputs=2, hidden=2):
    """No input at all: the output units must show ``pattern`` (one string of 0/1 per step,
    repeated) from t = 0. Row 0 is the initial state, so with h0 fixed at 0.5 the error at
    t = 0 cannot go down whatever W and b are; a learned h0 can start where the pattern does."""
    rows = [np.array([float(ch) for ch in p]) for p in pattern]
    _need(all(len(r) == outputs for r in rows), f"each pattern entry needs {outputs} digits; got {list(pattern)!r}")
    X, K, Y, M = _blank(1, T, hidden + outputs)
    for t in range(T + 1):
        Y[0, t, hidden:] = rows[t % len(rows)]
    M[0, :, hidden:] = 1
    return (X, K, Y, M), {"pattern": list(pattern), "outputs": list(range(hidden, hidden + outputs))}


# -- the three ways of giving input ----------------------------------------------------------
INPUT_MODES = ("initial-all", "initial-subset", "every-step-subset")


def input_modes(rng, T=3, mode="every-step-subset", inputs=2, hidden=3):
    """XOR of two input bits, read from the output unit at the last step, with the bits given
    in one of the lecture's three ways (``mode``): as the initial states of all units (the
    non-input units start at 0, given by the data, not by h0), of the input subset only (the
    others start at h0), or clamped on the input subset at every step. Units: inputs,
    hidden, one output."""
    _need(mode in INPUT_MODES, f"unknown mode {mode!r}; expected one of {', '.join(INPUT_MODES)}")
    _need(T >= 2, f"the answer needs two steps (input -> hidden -> output); got T={T}")
    N = inputs + hidden + 1
    subset = list(range(inputs))
    cases = [bits_of(n, inputs) for n in range(2 ** inputs)]
    X, K, Y, M = _blank(len(cases), T, N)
    K[:] = clamp_pattern(mode, T, N, units=subset)
    for c, x in enumerate(cases):
        X[c, :, :inputs] = x
        Y[c, T, N - 1] = x.sum() % 2
    M[:, T, N - 1] = 1
    return (X, K, Y, M), {"mode": mode, "cases": [tuple(int(v) for v in x) for x in cases]}


# -- tied weights in a feedforward net -----------------------------------------------------------
def feedforward_xor(rng, T=2, hidden=2):
    """XOR through a 2-hidden-1 feedforward net laid out in time: inputs (a, b) are the
    initial states at t = 0, the hidden layer is t = 1, the output's target is at t = 2."""
    _need(T == 2, f"this feedforward net has exactly two layers of weights: T must be 2; got {T}")
    cases = [(0, 0), (0, 1), (1, 0), (1, 1)]
    N = 2 + hidden + 1
    X, K, Y, M = _blank(4, T, N)
    for c, (a, b) in enumerate(cases):
        X[c, 0, :2] = a, b
        Y[c, 2, N - 1] = a ^ b
    K[:, 0, :2] = 1
    M[:, 2, N - 1] = 1
    return (X, K, Y, M), {"cases": cases}


# -- memory: temporal XOR, delay line, latch -----------------------------------------------------
MEMORY_KINDS = ("xor", "delay", "latch")


def memory(rng, T=12, kind="xor", cases=32, hidden=4, lags=(2, 3)):
    """Random bit streams clamped on the input unit(s) at every step; the output's target at
    step t is computed from the inputs clamped ``lags`` steps earlier. An input at step t
    reaches the output at t + 2 at the earliest (input -> hidden -> output), so lags >= 2.

    - "xor": y_t = x_{t-l1} XOR x_{t-l2} (lags (2, 3): the two newest bits the output can know).
    - "delay": y_t = x_{t-l} with l = lags[0] (a delay line).
    - "latch": two inputs, set and reset (rare pulses); the output holds 1 from a set until
      the next reset, two steps late.
    """
    _need(kind in MEMORY_KINDS, f"unknown kind {kind!r}; expected one of {', '.join(MEMORY_KINDS)}")
    n_in = 2 if kind == "latch" else 1
    N = n_in + hidden + 1
    X, K, Y, M = _blank(cases, T, N)
    K[:, :, :n_in] = 1
    if kind == "latch":
        pulses = rng.random((cases, T + 1)) < 0.2  # (B, T+1)
        which = rng.integers(0, 2, size=(cases, T + 1))  # 0 = set, 1 = reset
        X[:, :, 0] = pulses & (which == 0)
        X[:, :, 1] = pulses & (which == 1)
        held = np.zeros(cases)  # (B,)
        for t in range(T - 1):
            held = np.where(X[:, t, 0] == 1, 1.0, np.where(X[:, t, 1] == 1, 0.0, held))
            Y[:, t + 2, N - 1], M[:, t + 2, N - 1] = held, 1
        return (X, K, Y, M), {"kind": kind}
    lag = [int(v) for v in lags][: 2 if kind == "xor" else 1]
    _need(len(lag) == (2 if kind == "xor" else 1) and min(lag) >= 2,
          f"lags must be {'two' if kind == 'xor' else 'one'} step count(s) >= 2 (input -> hidden -> output); got {lags!r}")
    first = max(lag)
    _need(T >= first, f"T must be at least {first} for lags {lag}; got {T}")
    X[:, :, 0] = rng.integers(0, 2, size=(cases, T + 1))
    for t in range(first, T + 1):
        bits = [X[:, t - l, 0] for l in lag]
        Y[:, t, N - 1] = (bits[0] != bits[1]) if kind == "xor" else bits[0]
        M[:, t, N - 1] = 1
    return (X, K, Y, M), {"kind": kind, "lags": lag}


# -- vanishing and exploding gradients (lecture 7d) ---------------------------------------------
def remember_first(rng, T=12, cases=16, chains=2, size=4):
    """A value clamped on the input unit at t = 0 only; each of ``chains`` copies of a
    recurrent group (``size`` units) feeds its own output unit, whose target at t = T is that
    value. The error at T must travel back T - 1 steps through the recurrent weights to reach
    the input weights. Units: input, chain 1, ..., chain n, output 1, ..., output n."""
    _need(T >= 2, f"input -> chain -> output takes two steps; got T={T}")
    N = 1 + chains * size + chains
    X, K, Y, M = _blank(cases, T, N)
    x = rng.uniform(-1, 1, size=cases)  # (B,)
    X[:, 0, 0], K[:, 0, 0] = x, 1
    Y[:, T, N - chains:] = x[:, None]
    M[:, T, N - chains:] = 1
    return (X, K, Y, M), {"values": x}


TASKS = {
    "binary-addition": binary_addition,
    "robot-writer": robot_writer,
    "attractors": attractors,
    "fixed-sequence": fixed_sequence,
    "input-modes": input_modes,
    "feedforward-xor": feedforward_xor,
    "memory": memory,
    "remember-first": remember_first,
}


def make_task(spec, T, rng):
    """Run the generator named by ``spec["name"]`` for T steps, the rest of ``spec`` as settings.

    Returns ((X, K, Y, M), info) where info is the generator's extra output (e.g. the pairs).
    """
    spec = dict(spec)
    name = spec.pop("name")
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; expected one of {', '.join(TASKS)}")
    return TASKS[name](rng, T=T, **spec)
