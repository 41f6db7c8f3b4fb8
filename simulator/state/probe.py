"""The trained net run on a sequence the user types (issue 15): which units take the typed inputs,
reading the text, and the net's outputs at every step. Nothing of the session changes: the
sequence is a batch of one that training never sees.

Input units: a net of the user's own cases takes its file's in: units; a lesson's net the units
its data clamp after t = 0 (or at t = 0 if nothing later is clamped). Output units: those with
a target somewhere. Line k of the text is step t0 + k, t0 the first step the data clamp an input.
"""
import re

import numpy as np

from engine import Sequences, bptt

from simulator.state import caps
from simulator.state.caps import quote

_SPLIT = re.compile(r"[,\s]+")
FREE = ("-", "")  # a cell that clamps nothing


def units(session):
    """(input unit indices, output unit indices, t0) of the session's net and data."""
    names, seq, own = list(session.unit_names), session.sequences, session.cases
    if own is not None and own["inputs"]:
        inputs = [names.index(n) for n in own["inputs"] if n in names]
        outputs = [names.index(n) for n in own["targets"] if n in names]
    else:
        later = seq.K[:, 1:].any(axis=(0, 1))
        inputs = list(np.flatnonzero(later if later.any() else seq.K.any(axis=(0, 1))))
        outputs = list(np.flatnonzero(seq.M.any(axis=(0, 1))))
    clamped = np.flatnonzero(seq.K[:, :, inputs].any(axis=(0, 2))) if inputs else []
    return [int(i) for i in inputs], [int(i) for i in outputs], int(clamped[0]) if len(clamped) else 0


def read_sequence(text, names):
    """The typed steps as a list of rows (a value or None per input unit named ``names``).

    One step per line: a value per input unit, separated by commas or spaces, ``-`` for a unit
    left free. Shorthands on a single line: one input unit and only the digits 0/1 (``0110``: a
    step per digit); or input units each named by one character and a word (``hello``: a step per
    letter, that letter's unit 1 and the others 0)."""
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    if not lines:
        raise ValueError(f"expected one line per step with a value for each of {', '.join(names)}")
    if len(lines) == 1 and len(names) == 1 and re.fullmatch(r"[01]{2,}", lines[0]):
        return [[float(c)] for c in lines[0]]
    if len(lines) == 1 and all(len(n) == 1 for n in names) and len(names) > 1 and not re.search(r"[\d,]", lines[0]):
        word = lines[0]
        for k, c in enumerate(word):
            if c not in names:
                raise ValueError(f"letter {k + 1} ({quote(c)}) is not an input unit; expected letters among "
                                 f"{''.join(names)}")
        return [[1.0 if n == c else 0.0 for n in names] for c in word]
    rows = []
    for k, line in enumerate(lines, 1):
        cells = [c for c in _SPLIT.split(line) if c != ""] if "," not in line else [c.strip() for c in line.split(",")]
        if len(cells) != len(names):
            raise ValueError(f"line {k}: expected {len(names)} value{'s' * (len(names) != 1)} ({', '.join(names)}), "
                             f"separated by commas or spaces; got {len(cells)}")
        row = []
        for j, cell in enumerate(cells):
            if cell in FREE:
                row.append(None)
                continue
            try:
                value = float(cell)
            except ValueError:
                value = None
            if value is None or not np.isfinite(value):
                raise ValueError(f"line {k}, value {j + 1} ({names[j]}): expected a number or -; got {quote(cell)}")
            row.append(value)
        rows.append(row)
    return rows


def run(session, text):
    """The net on the typed sequence: {"steps": [t...], "inputs": [names], "rows": typed rows per t
    (None before t0), "outputs": [names], "states": (T+1, outputs)}; ValueError says what is wrong."""
    inputs, outputs, t0 = units(session)
    names = list(session.unit_names)
    if not inputs:
        raise ValueError("this net's data clamp no unit: there is nothing to type")
    rows = read_sequence(text, [names[i] for i in inputs])
    T = max(1, t0 + len(rows) - 1)
    if T > caps.MAX_STEPS:
        raise ValueError(f"at most {caps.MAX_STEPS - t0 + 1} steps (t = {t0}..{caps.MAX_STEPS}); got {len(rows)}")
    N = session.net.N
    X, K = np.zeros((1, T + 1, N)), np.zeros((1, T + 1, N))  # (1, T+1, N)
    for k, row in enumerate(rows):
        for i, value in zip(inputs, row):
            if value is not None:
                X[0, t0 + k, i], K[0, t0 + k, i] = value, 1.0
    grads = bptt(session.net, Sequences(X, K, np.zeros_like(X), np.zeros_like(X)), check=False)
    typed = [None] * t0 + rows + [None] * (T + 1 - t0 - len(rows))
    return {"steps": list(range(T + 1)), "inputs": [names[i] for i in inputs], "rows": typed,
            "outputs": [names[i] for i in outputs], "states": grads.states[0][:, outputs]}
