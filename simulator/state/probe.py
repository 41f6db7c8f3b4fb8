"""The trained net run on a sequence the user types (issue 15): which units take the typed inputs,
reading the text, and the net's outputs at every step. Nothing of the session changes: the
sequence is a batch of one that training never sees.

Input units: a net of the user's own cases takes its file's in: units; a lesson's net the units
its data clamp after t = 0 (or at t = 0 if nothing later is clamped). Output units: those with
a target somewhere. Line k of the text is step t0 + k, t0 the first step the data clamp an input.

The pictures show such a run step by step while Selection.typed holds it (stack() below gives
them its stack instead of the cases'); the views/data.py banner takes them back to the cases.
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
    (None before t0), "outputs": [names], "states": (T+1, outputs), "run": the TypedRun that the
    pictures show (Selection.typed)}; ValueError says what is wrong."""
    typed = TypedRun(session, text)
    grads = typed.gradients(session.net)
    names = list(session.unit_names)
    T = typed.sequences.T
    rows = [None] * typed.t0 + typed.rows + [None] * (T + 1 - typed.t0 - len(typed.rows))
    return {"steps": list(range(T + 1)), "inputs": [names[i] for i in typed.inputs], "rows": rows,
            "outputs": [names[i] for i in typed.outputs], "states": grads.states[0][:, typed.outputs], "run": typed}


class TypedRun:
    """A typed sequence as a batch of one case (inputs clamped, no targets) on the session's units;
    its stack is bptt of whatever net is current, so the pictures follow training while they show it."""

    def __init__(self, session, text):
        self.inputs, self.outputs, self.t0 = units(session)
        self.names = list(session.unit_names)
        if not self.inputs:
            raise ValueError("this net's data clamp no unit: there is nothing to type")
        self.rows = read_sequence(text, [self.names[i] for i in self.inputs])
        T = max(1, self.t0 + len(self.rows) - 1)
        if T > caps.MAX_STEPS:
            raise ValueError(f"at most {caps.MAX_STEPS - self.t0 + 1} steps (t = {self.t0}..{caps.MAX_STEPS}); "
                             f"got {len(self.rows)}")
        N = len(self.names)
        X, K = np.zeros((1, T + 1, N)), np.zeros((1, T + 1, N))  # (1, T+1, N)
        for k, row in enumerate(self.rows):
            for i, value in zip(self.inputs, row):
                if value is not None:
                    X[0, self.t0 + k, i], K[0, self.t0 + k, i] = value, 1.0
        self.sequences = Sequences(X, K, np.zeros_like(X), np.zeros_like(X))
        self._stack = None  # (net, its parameters, Gradients): one bptt per weight change, not per picture

    def fits(self, session):
        """True while the session's net has the units the sequence was typed for."""
        return session.net.N == len(self.names) and list(session.unit_names) == self.names

    def gradients(self, net):
        params = net.params()
        if self._stack is None or self._stack[0] is not net or not np.array_equal(self._stack[1], params):
            self._stack = (net, params, bptt(net, self.sequences, check=False))
        return self._stack[2]


def showing(session, selection):
    """True while the pictures show a typed sequence (Selection.typed) instead of the cases."""
    typed = getattr(selection, "typed", None)
    return typed is not None and typed.fits(session)


def note(session, selection):
    """What a picture's subtitle adds while it shows a typed sequence ("" otherwise)."""
    return ("   · your typed sequence (Inputs & targets: Back to the cases)" if showing(session, selection)
            else "")


def stack(session, selection):
    """(Sequences, Gradients) the pictures show: the typed sequence's while Selection.typed holds one
    that fits the net, else the training cases' (the session's own)."""
    if showing(session, selection):
        return selection.typed.sequences, selection.typed.gradients(session.net)
    return session.sequences, session.gradients
