"""Built-in tasks as CSV files of sequences (docs/data.md, issue 15): echo after d steps, parity of
the last k inputs, counting, L-bit addition and the next letter of a typed text, each made by a
seeded function into the same text a user's file holds, so a generated task is loaded, split,
saved and exported like any other. And the length test: a net's accuracy on sequences of the
same task longer than the ones it was trained on (generalising to longer sums shows that the
net learned the rule, not the cases).

A unit's state at step t depends on the clamps of step t-2 at the earliest (input -> hidden ->
output, docs/model.md), so every answer is asked for two steps after the inputs that decide it.
"""
import numpy as np

from engine import Sequences, bptt

from simulator.document import cases as CS
from simulator.document import sequences_csv as C
from simulator.state import caps
from simulator.state.caps import quote

DELAY = 2  # input -> hidden -> output
#: Each task: its parameter's name and (lowest, default, highest) value, and what it asks.
TASKS = {
    "echo": ("d", (DELAY, 2, 12), "y at step t is the bit x of step t - d (d >= 2)"),
    "parity": ("k", (1, 2, 6), "y is the parity (XOR) of the last k bits of x"),
    "counting": ("n", (2, 4, 20), "y is the number of 1s of x so far, divided by n (at most 1)"),
    "addition": ("L", (1, 8, 56), "sum is a + b, L-bit numbers given lowest bit first"),
    "next-letter": ("text", None, "the output of a letter's unit is the letter after the one clamped"),
}
MAX_TEXT = 2000  # characters of a typed text for next-letter


def _rows(label, split, columns):
    """CSV lines of one case: ``columns`` is {header: [cell per step]}."""
    steps = len(next(iter(columns.values())))
    return [",".join([label, str(t), *(col[t] for col in columns.values()), split]) for t in range(steps)]


def _cell(value, keep=True):
    return C.number_text(value) if keep else ""


def generate(task, param, cases=40, test=8, steps=12, seed=0):
    """The CSV text of ``cases`` cases of ``task`` (the last ``test`` of them test cases), each
    ``steps`` steps long (addition: as long as its L bits need); ValueError names a bad argument."""
    if task not in TASKS:
        raise ValueError(f"expected a task among {', '.join(TASKS)}; got {quote(task)}")
    name, bounds, _ = TASKS[task]
    if bounds is not None and not (isinstance(param, int) and bounds[0] <= param <= bounds[2]):
        raise ValueError(f"{task}: expected {name} in {bounds[0]}..{bounds[2]}; got {quote(param)}")
    if not 1 <= cases <= caps.MAX_CASES or not 0 <= test <= cases:
        raise ValueError(f"expected 1..{caps.MAX_CASES} cases with 0..cases of them test cases; got {cases} and {test}")
    if task == "addition":
        steps = param + DELAY
    if not 1 <= steps <= caps.MAX_STEPS:
        raise ValueError(f"expected 1..{caps.MAX_STEPS} steps; got {steps}")
    rng = np.random.default_rng(seed)
    if task == "next-letter":
        return _letters(str(param), cases, test, steps, rng)
    header = "case,t,in:a,in:b,target:sum,split" if task == "addition" else "case,t,in:x,target:y,split"
    lines = [header]
    for c in range(cases):
        split = "test" if c >= cases - test else "train"
        lines += _rows(f"c{c}", split, _case(task, param, steps, rng))
    return "\n".join(lines) + "\n"


def _case(task, p, steps, rng):
    """{column: cells} of one case of a bit task."""
    if task == "addition":
        a, b = rng.integers(0, 2 ** p, 2)
        bit = lambda v, t: (int(v) >> t) & 1  # noqa: E731
        total = int(a) + int(b)
        return {"a": [_cell(bit(a, t), t < p) for t in range(steps + 1)],
                "b": [_cell(bit(b, t), t < p) for t in range(steps + 1)],
                "sum": [_cell(bit(total, max(0, t - DELAY)), t >= DELAY) for t in range(steps + 1)]}
    x = rng.integers(0, 2, steps + 1)  # (T+1,)
    first = {"echo": p, "parity": p - 1 + DELAY, "counting": DELAY}[task]
    y = []
    for t in range(steps + 1):
        seen = x[:max(0, t - DELAY + 1)]  # the inputs the output at step t can know
        if task == "echo":
            y.append(x[t - first] if t >= first else 0)
        elif task == "parity":
            y.append(int(seen[-p:].sum() % 2) if t >= first else 0)
        else:
            y.append(min(1.0, seen.sum() / p))
    return {"x": [_cell(v) for v in x], "y": [_cell(v, t >= first) for t, v in enumerate(y)]}


def _letters(text, cases, test, steps, rng):
    """Cases of ``steps`` + 1 letters taken at random places of ``text``: letter t clamped on its
    unit at step t, and at step t + 2 the unit next_<letter> of the letter t + 1 is taught 1, the others 0."""
    text = " ".join(text.lower().split())
    letters = sorted(set(c for c in text if c.isalpha()))
    if len(text) > MAX_TEXT or len(letters) < 2 or len(text) < steps + 2:
        raise ValueError(f"next-letter: expected a text of {steps + 2}..{MAX_TEXT} characters with at least two "
                         f"different letters; got {len(text)} characters and {len(letters)} letters")
    if 2 * len(letters) > caps.MAX_UNITS:
        raise ValueError(f"next-letter: at most {caps.MAX_UNITS // 2} different letters; got {len(letters)}")
    lines = ["case,t," + ",".join(f"in:{c}" for c in letters) + "," + ",".join(f"target:next_{c}" for c in letters)
             + ",split"]
    for c in range(cases):
        start = int(rng.integers(0, len(text) - steps - 1))
        piece = text[start:start + steps + 2]
        columns = {}
        for letter in letters:
            columns[f"in:{letter}"] = [_cell(float(piece[t] == letter), piece[t].isalpha()) for t in range(steps + 1)]
        for letter in letters:
            columns[f"target:next_{letter}"] = [
                _cell(float(piece[t - 1] == letter), t >= DELAY and piece[t - 1].isalpha()) for t in range(steps + 1)]
        lines += _rows(f"c{c}", "test" if c >= cases - test else "train", columns)
    return "\n".join(lines) + "\n"


def length_test(session, task, param, lengths, cases=50, seed=12345):
    """[(steps, accuracy)] of the session's net on ``cases`` new cases of ``task`` for each number of
    steps in ``lengths`` (addition: each L-bit length); the net must have the task's units. Accuracy:
    cases.accuracy's (counting: the fraction of states within 0.5 / n of the target)."""
    names, out = list(session.unit_names), []
    for n in lengths:
        text = generate(task, n if task == "addition" else param, cases=cases, test=0,
                        steps=n, seed=seed)
        table = C.read_csv(text, f"{task} of length {n}")
        missing = [u for u in table.units if u not in names]
        if missing:
            raise ValueError(f"this net has no unit {quote(missing[0])}, which {task} needs; make a net from "
                             f"generated {task} cases first")
        seq = Sequences(*CS.arrays(table, names, "train"))
        grads = bptt(session.net, seq, check=False)
        acc = CS.accuracy(session.net, seq, grads)
        if acc is None:  # counting's fractions: right when the state rounds to the right count
            taught = seq.M > 0
            acc = float((np.abs(grads.states - seq.Y)[taught] < 0.5 / param).mean()) if taught.any() else None
        out.append((n, acc))
    return out


def lengths_for(task, param, steps):
    """The lengths a length test tries: from the trained one (``steps``; addition: L bits) to about
    three times it, at most six, within the step cap."""
    base = param if task == "addition" else steps
    top = caps.MAX_STEPS - DELAY if task == "addition" else caps.MAX_STEPS
    if task == "next-letter":  # pieces of the text: no longer than it
        top = min(top, len(" ".join(str(param).lower().split())) - DELAY)
    return sorted({min(top, max(1, round(base * f))) for f in (0.5, 1, 1.5, 2, 2.5, 3)})
