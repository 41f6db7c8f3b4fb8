"""Sequences as CSV (docs/data.md): one row per case and time step,

    case,t,in:<unit>,...,target:<unit>,...[,split]

read strictly (every refusal a ValueError naming the line and column, ``line 4, column 3
(in:x): expected a number or an empty cell; got 'abc'``) into a Table, and a Table written back
as the same text. Pure functions: no session, no network (cases.py puts a Table into a document).
"""
import csv
import io
import pathlib
import re
from dataclasses import dataclass

import numpy as np

from simulator.state import caps
from simulator.state.caps import quote

#: Rows of a file: every step of the largest number of cases.
MAX_ROWS = caps.MAX_CASES * (caps.MAX_STEPS + 1)
#: A unit name: an identifier, as long as the document allows (document.schema.json).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}\Z")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
SPLITS = ("train", "test")
MAX_LABEL = 200  # characters of a case label (document.schema.json)
_KNOWN = "case, t, split, in:<unit> or target:<unit>"


@dataclass(frozen=True)
class Table:
    """The cases of a CSV file. ``units``: every unit named by an in: or target: column (in the
    order first named); ``inputs`` and ``targets``: the names of the in: and target: columns.
    Per case (in file order): ``labels``, ``splits`` ("train"/"test"), ``lengths`` (its last t).
    X, K, Y, M: (cases, max length + 1, units), as engine.Sequences (K: clamped, M: has a target)."""
    units: tuple
    inputs: tuple
    targets: tuple
    labels: tuple
    splits: tuple
    lengths: tuple
    X: np.ndarray
    K: np.ndarray
    Y: np.ndarray
    M: np.ndarray


def _where(line, col=None, header=None):
    return f"line {line}" + ("" if col is None else f", column {col + 1}"
                             + (f" ({quote(header[col])})" if header is not None and col < len(header) else ""))


# -- reading ----------------------------------------------------------------------------------------
def text_of(data, what="CSV file"):
    """The text of a file's bytes (or a str): refused if empty, past caps.MAX_BYTES, binary (a NUL
    byte) or not UTF-8, naming the line and column of the first bad byte. A UTF-8 BOM is dropped."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > caps.MAX_BYTES:
        raise ValueError(f"{what} is {size} bytes ({caps.size_text(size)}); the limit is {caps.MAX_BYTES} bytes")
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data)
        bad = data.find(b"\0")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = exc.start if bad < 0 else min(bad, exc.start)
        if bad >= 0:
            line = data.count(b"\n", 0, bad) + 1
            col = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
            raise ValueError(f"{what}: line {line}, column {col}: byte {data[bad]:#04x} is not UTF-8 text; "
                             "expected a text file of comma-separated values (this looks like a binary file)")
    else:
        text = data
    if "\0" in text:
        line, col = _line_col(text, text.index("\0"))
        raise ValueError(f"{what}: line {line}, column {col}: a NUL character; expected text")
    return text.removeprefix("\ufeff")


def _line_col(text, k):
    return text.count("\n", 0, k) + 1, k - (text.rfind("\n", 0, k) + 1) + 1


def _header(fields, line):
    """{"case": col, "t": col, "split": col or None} and [(col, kind, name)] of the unit columns."""
    fixed, units, seen = {"split": None}, [], {}
    for col, raw in enumerate(fields):
        head = raw.strip()
        if head in seen:
            raise ValueError(f"{_where(line, col)}: column {quote(head)} is repeated (first in column {seen[head] + 1})")
        seen[head] = col
        if head in ("case", "t", "split"):
            fixed[head] = col
            continue
        kind, colon, name = head.partition(":")
        if not colon or kind not in ("in", "target"):
            raise ValueError(f"{_where(line, col)}: unknown column {quote(head)}; expected {_KNOWN}")
        if not NAME.match(name):
            raise ValueError(f"{_where(line, col)}: {quote(name)} is not a unit name; expected an identifier "
                             "(a letter or _, then letters, digits or _, at most 40 characters)")
        units.append((col, kind, name))
    for need in ("case", "t"):
        if need not in fixed:
            raise ValueError(f"{_where(line)}: missing column {need!r}; the header must name case, t, then "
                             "in:<unit> and target:<unit> columns (docs/data.md)")
    if not any(kind == "target" for _, kind, _ in units):
        raise ValueError(f"{_where(line)}: no target:<unit> column; expected at least one (no targets at all: "
                         "there is nothing to learn)")
    names = list(dict.fromkeys(name for _, _, name in units))
    if len(names) > caps.MAX_UNITS:
        col = next(c for c, _, n in units if n == names[caps.MAX_UNITS])
        raise ValueError(f"{_where(line, col)}: at most {caps.MAX_UNITS} units; this column names unit "
                         f"{caps.MAX_UNITS + 1}")
    return fixed, units, names


def _step(text, line, col, header):
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise ValueError(f"{_where(line, col, header)}: expected an integer step 0..{caps.MAX_STEPS}; got {quote(text)}")
    t = int(text)
    if t > caps.MAX_STEPS:
        raise ValueError(f"{_where(line, col, header)}: step {t} is past the limit of {caps.MAX_STEPS} steps")
    return t


def _value(text, line, col, header):
    if not _NUMBER.match(text):
        raise ValueError(f"{_where(line, col, header)}: expected a number or an empty cell; got {quote(text)}")
    value = float(text)
    if not np.isfinite(value):
        raise ValueError(f"{_where(line, col, header)}: expected a finite number; got {quote(text)}")
    return value


def read_csv(data, what="CSV file"):
    """The Table of a CSV file's bytes or text; ValueError naming the line and column of the first
    thing wrong (docs/data.md lists the rules)."""
    rows = csv.reader(io.StringIO(text_of(data, what), newline=""), strict=True)
    try:
        return _read(rows)
    except csv.Error as exc:
        raise ValueError(f"{what}: line {rows.line_num}: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def read_csv_file(path):
    """The Table of the CSV file at ``path`` (its size checked before it is read: a huge file is
    never read); messages start with the path."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise ValueError(f"{path}: no such file")
    size = p.stat().st_size
    if size > caps.MAX_BYTES:
        raise ValueError(f"{path} is {size} bytes ({caps.size_text(size)}); the limit is {caps.MAX_BYTES} bytes")
    return read_csv(p.read_bytes(), str(path))


class _Case:
    """One case while the file is read: its index, split, the line that set the split, {t: line}."""
    __slots__ = ("index", "split", "line", "steps")

    def __init__(self, index, split, line):
        self.index, self.split, self.line, self.steps = index, split, line, {}


def _read(rows):
    header = None
    cases, cells, count = {}, [], 0  # label -> _Case; cells: (case, t, unit, kind, value)
    for fields in rows:
        line = rows.line_num
        if not any(f.strip() for f in fields):
            continue  # blank lines (a last newline, a spreadsheet's empty rows)
        if header is None:
            header, header_line = [f.strip() for f in fields], line
            fixed, columns, names = _header(fields, line)
            unit_of = {n: k for k, n in enumerate(names)}
            continue
        if len(fields) != len(header):
            raise ValueError(f"{_where(line)}: expected {len(header)} fields, as the header on line "
                             f"{header_line} has; got {len(fields)}")
        count += 1
        if count > MAX_ROWS:
            raise ValueError(f"{_where(line)}: at most {MAX_ROWS} rows of steps ({caps.MAX_CASES} cases of "
                             f"{caps.MAX_STEPS + 1} steps)")
        case, t = _row_case(fields, line, fixed, header, cases)
        for col, kind, name in columns:
            text = fields[col].strip()
            if text:
                cells.append((case.index, t, unit_of[name], kind, _value(text, line, col, header)))
    if header is None:
        raise ValueError("the file is empty; expected a header line such as case,t,in:x,target:y")
    if not cases:
        raise ValueError(f"{_where(header_line)}: no cases; expected rows of steps after the header")
    return _table(cases, cells, columns, names, header_line, header)


def _row_case(fields, line, fixed, header, cases):
    """The row's case (a new one at its first row) and step, checked against the case's other rows."""
    label = fields[fixed["case"]].strip()
    if not 1 <= len(label) <= MAX_LABEL:
        raise ValueError(f"{_where(line, fixed['case'], header)}: expected a case label of 1 to {MAX_LABEL} "
                         f"characters; got {quote(label) if label else 'an empty cell'}")
    t = _step(fields[fixed["t"]].strip(), line, fixed["t"], header)
    split = fields[fixed["split"]].strip() if fixed["split"] is not None else ""
    if split not in ("", *SPLITS):
        raise ValueError(f"{_where(line, fixed['split'], header)}: expected train, test or an empty cell "
                         f"(train); got {quote(split)}")
    split = split or "train"
    if label not in cases:
        if len(cases) == caps.MAX_CASES:
            raise ValueError(f"{_where(line, fixed['case'], header)}: at most {caps.MAX_CASES} cases; "
                             f"{quote(label)} would be case {caps.MAX_CASES + 1}")
        cases[label] = _Case(len(cases), split, line)
    case = cases[label]
    if split != case.split:
        raise ValueError(f"{_where(line, fixed['split'], header)}: case {quote(label)} is {case.split!r} on line "
                         f"{case.line}; a case is wholly train or test")
    if t in case.steps:
        raise ValueError(f"{_where(line, fixed['t'], header)}: step {t} of case {quote(label)} is repeated "
                         f"(first on line {case.steps[t]})")
    case.steps[t] = line
    return case, t


def _table(cases, cells, columns, names, header_line, header):
    lengths = [max(c.steps) for c in cases.values()]
    shape = (len(cases), max(lengths) + 1, len(names))
    if shape[0] * shape[1] * shape[2] > caps.MAX_CELLS:
        raise ValueError(f"{_where(header_line)}: {shape[0]} cases of up to {shape[1]} steps over {shape[2]} units "
                         f"are {shape[0] * shape[1] * shape[2]} cells; the limit is {caps.MAX_CELLS}")
    X, K, Y, M = (np.zeros(shape) for _ in range(4))
    for b, t, i, kind, value in cells:
        if kind == "in":
            X[b, t, i], K[b, t, i] = value, 1.0
        else:
            Y[b, t, i], M[b, t, i] = value, 1.0
    if not M.any():
        col = next(c for c, k, _ in columns if k == "target")
        raise ValueError(f"{_where(header_line, col, header)}: no targets at all (every target: cell is empty); expected "
                         "at least one target value to learn")
    return Table(units=tuple(names), inputs=tuple(n for _, k, n in columns if k == "in"),
                 targets=tuple(n for _, k, n in columns if k == "target"), labels=tuple(cases),
                 splits=tuple(c.split for c in cases.values()), lengths=tuple(lengths), X=X, K=K, Y=Y, M=M)


# -- writing ----------------------------------------------------------------------------------------
def number_text(x):
    """The shortest text that reads back to the same float, without a needless ".0"."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def write_csv(table):
    """The CSV text of ``table``: header, then every step 0..length of every case in order; an
    empty cell where nothing is clamped or taught; a split column only if some case is a test case."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    with_split = "test" in table.splits
    w.writerow(["case", "t", *(f"in:{n}" for n in table.inputs), *(f"target:{n}" for n in table.targets)]
               + (["split"] if with_split else []))
    ins = [table.units.index(n) for n in table.inputs]
    outs = [table.units.index(n) for n in table.targets]
    for b, (label, split, length) in enumerate(zip(table.labels, table.splits, table.lengths)):
        for t in range(length + 1):
            row = [label, str(t)]
            row += [number_text(table.X[b, t, i]) if table.K[b, t, i] else "" for i in ins]
            row += [number_text(table.Y[b, t, i]) if table.M[b, t, i] else "" for i in outs]
            w.writerow(row + ([split] if with_split else []))
    return out.getvalue()
