"""The user's own cases in a document (docs/data.md): a net made from a CSV file (or blank), the
optional "cases" section that carries the labels, lengths and split beside the training data,
and the test cases' figures.

Training data stay where every document has them ("data": the train cases only, so nothing
trains on a test case); the "cases" section adds what a CSV file says beyond them:

    "cases": {"labels": [...], "lengths": [...], "split": ["train", "test", ...],
              "inputs": [unit names], "targets": [unit names],
              "test": {"X": ..., "K": ..., "Y": ..., "M": ...}}      (only if some case is a test case)

A Session keeps it as ``Session.cases`` (the test cases as engine.Sequences). Such a net is hosted
by the lesson HOST, whose read-outs (error by step, fraction of targets right) fit any net.
"""
import numpy as np

from engine import Sequences, bptt

from simulator.document import json_checks as J
from simulator.document import sequences_csv as C
from simulator.lessons import registry as L
from simulator.state import caps
from simulator.state.caps import quote

HOST = L.OWN_DATA_HOST
SECTION_KEYS = ("labels", "lengths", "split", "inputs", "targets")


# -- a new net ----------------------------------------------------------------------------------------
def names_list(text, what):
    """Unit names typed as ``a,b,c`` (--inputs, --targets): identifiers, each once."""
    names = [n.strip() for n in str(text).split(",")] if str(text).strip() else []
    for n in names:
        if not C.NAME.match(n):
            raise ValueError(f"{what}: {quote(n)} is not a unit name; expected identifiers separated by commas")
    if len(set(names)) != len(names):
        raise ValueError(f"{what}: {quote(next(n for k, n in enumerate(names) if n in names[:k]))} is named twice")
    return names


def layout(inputs, targets, hidden):
    """(names, groups) of the new net: the units clamped only, ``hidden`` hidden units (h1, h2, ...,
    renamed past any taken name), then the target units (a unit named in both kinds is one unit,
    among the targets: it is computed where not clamped)."""
    pure = [n for n in inputs if n not in targets]
    taken = set(inputs) | set(targets)
    prefix = "h"
    while any(f"{prefix}{k}" in taken for k in range(1, hidden + 1)):
        prefix += "_"
    hid = [f"{prefix}{k}" for k in range(1, hidden + 1)]
    return pure + hid + list(targets), ["inputs"] * len(pure) + ["hidden"] * hidden + ["outputs"] * len(targets)


def spec_of(names, groups):
    """A lesson spec of the host lesson with these units, every unit feeding every unit that is not an
    input (one step each): what the network is built from (simulator/lessons/build.py)."""
    spec = L.lesson(HOST)
    spec["groups"] = {g: [n for n, h in zip(names, groups) if h == g] for g in ("inputs", "hidden", "outputs")}
    spec["connections"] = [[src, dst] for src in ("inputs", "hidden", "outputs") for dst in ("hidden", "outputs")]
    return spec


def arrays(table, names, split, steps=None):
    """(X, K, Y, M) over the net's units ``names`` of the table's cases of ``split``, padded to the
    longest of them (or to ``steps``); None if there are none."""
    rows = [b for b, s in enumerate(table.splits) if s == split]
    if not rows:
        return None
    T = steps if steps is not None else max(1, max(table.lengths[b] for b in rows))
    cols = [names.index(u) for u in table.units]
    out = []
    for a in (table.X, table.K, table.Y, table.M):
        full = np.zeros((len(rows), T + 1, len(names)))
        full[:, :, cols] = a[rows, :T + 1]
        out.append(full)
    return tuple(out)


def new_session(table=None, hidden=0, **kw):
    """A Session of a new net on ``table``'s cases (a sequences_csv.Table), or blank (``inputs``,
    ``targets``, ``steps`` and no cases yet); ValueError names what does not fit."""
    from simulator.state.session import Session
    parts = new_parts(table, hidden, **kw)
    session = Session(lesson=HOST)
    session.restore(**parts)
    return session


def new_parts(table=None, hidden=0, inputs=(), targets=(), steps=None, activation=None, loss=None, seed=0):
    """What Session.restore needs (keyword arguments) to show a new net on ``table``'s cases, or a
    blank one: new_session's, for a session that exists already (the app's Data place)."""
    if not 0 <= hidden <= caps.MAX_UNITS:
        raise ValueError(f"--hidden: expected 0..{caps.MAX_UNITS} hidden units; got {hidden}")
    if table is not None:
        inputs, targets = table.inputs, table.targets
    elif not targets:
        raise ValueError("--targets: expected at least one target unit (what the net learns)")
    names, groups = layout(inputs, targets, hidden)
    caps.check_units(len(names), f"{len(inputs)} inputs, {hidden} hidden and {len(targets)} targets")
    spec = spec_of(names, groups)
    if table is None:
        T = steps if steps is not None else spec["T"]
        if not 1 <= T <= caps.MAX_STEPS:
            raise ValueError(f"--steps: expected 1..{caps.MAX_STEPS}; got {T}")
        train, test, labels = (np.zeros((1, T + 1, len(names))),) * 4, None, []
    else:
        train = arrays(table, names, "train") or (np.zeros((1, 2, len(names))),) * 4
        test, labels = arrays(table, names, "test"), list(table.labels)
    for where, data in (("the train cases", train), ("the test cases", test)):
        if data is not None:
            caps.check_shape(len(data[0]), data[0].shape[1] - 1, len(names), where)
    if loss is None:  # cross-entropy needs logistic units and targets in [0, 1]
        taught = table.Y[table.M > 0] if table is not None else np.zeros(0)
        loss = None if activation in (None, "logistic") and np.all((taught >= 0) & (taught <= 1)) else "squared"
    net = L.build_network(spec, np.random.default_rng(seed), activation=activation, loss=loss, learn_h0=False)
    seq = Sequences(*train)
    bptt(net, seq)  # the engine's own checks of the pair, e.g. cross-entropy targets on tanh units
    tr = spec["training"]
    settings = {"seed": seed, "steps": seq.T, "learning_rate": tr["learning_rate"], "momentum": tr["momentum"],
                "clip": 0.0, "activation": activation or "lesson", "loss": loss or "lesson", "learn_h0": False}
    cases = {"labels": labels, "lengths": list(table.lengths) if table else [],
             "split": list(table.splits) if table else [], "inputs": list(inputs), "targets": list(targets),
             "test": None if test is None else Sequences(*test), "shape": (seq.B, seq.T, net.N)}
    if cases["test"] is not None:
        bptt(net, cases["test"])
    return dict(lesson=HOST, net=net, seq=seq, settings=settings, names=names, groups=groups, task_info={},
                cases=cases, message=told(cases, names))


def new_from_arguments(data, inputs, targets, steps, **kw):
    """new_session for ``bptt-sim new``: from the CSV file at path ``data``, or blank from
    ``inputs`` and ``targets`` (typed a,b) and ``steps``; keyword arguments as new_session's."""
    if data is not None:
        if inputs is not None or targets is not None or steps is not None:
            raise ValueError("--data gives the inputs, targets and steps; leave out --inputs, --targets and --steps")
        return new_session(C.read_csv_file(data), **kw)
    if targets is None or steps is None:
        raise ValueError("new needs --data FILE.csv, or --targets and --steps (and --inputs) for a blank net")
    return new_session(None, inputs=names_list(inputs or "", "--inputs"), targets=names_list(targets, "--targets"),
                       steps=steps, **kw)


def told(cases, names):
    """What the status line says of a net of the user's."""
    n_test = cases["split"].count("test")
    return (f"Your own net: {len(cases['inputs'])} inputs, {len(names)} units, "
            f"{len(cases['split']) - n_test} training and {n_test} test cases.")


# -- the document's "cases" section ------------------------------------------------------------------
def section(session):
    """The "cases" section of the session's document, or None for a lesson's data. A case's length
    grows to cover a clamp or target set past it since (in the app's grid), so the file loads again."""
    out = outline(session)
    t = (session.cases or {}).get("test")
    if out is not None and t is not None:
        out["test"] = {k: np.asarray(a, dtype=float).tolist() if k in "XY" else np.asarray(a).astype(int).tolist()
                       for k, a in zip("XKYM", (t.X, t.K, t.Y, t.M))}
    return out


def outline(session):
    """section() without the test cases' numbers (cheap: what a list of the cases shows), or None."""
    own = session.cases
    if own is None:
        return None
    seq, lengths = session.sequences, list(own["lengths"])
    for data, which in ((seq, "train"), (own["test"], "test")):
        rows = [k for k, s in enumerate(own["split"]) if s == which]
        if not rows:
            continue
        used = (data.K[:len(rows)] > 0).any(axis=2) | (data.M[:len(rows)] > 0).any(axis=2)  # (cases, T+1)
        last = np.where(used.any(axis=1), used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1), 0)
        for k, grown in zip(rows, last):
            lengths[k] = max(lengths[k], int(grown))
    return {"labels": list(own["labels"]), "lengths": lengths, "split": list(own["split"]),
            "inputs": list(own["inputs"]), "targets": list(own["targets"])}


def check_section(value, names, data):
    """A "cases" section checked against the document's unit ``names`` and its "data" (the train
    cases); ValueError names the first bad place. Returns it."""
    n = len(value["labels"])  # the schema checked the section's shape (document.schema.json)
    for key in ("lengths", "split"):
        if len(value[key]) != n:
            raise ValueError(f"cases.{key}: expected {n} entries, one per label in cases.labels; got {len(value[key])}")
    for k, label in enumerate(value["labels"]):
        if label != label.strip():
            raise ValueError(f"cases.labels[{k}]: expected no space at either end; got {quote(label)}")
        if label in value["labels"][:k]:
            raise ValueError(f"cases.labels[{k}]: {quote(label)} appears twice; each case has its own label")
    for key in ("inputs", "targets"):
        for k, name in enumerate(value[key]):
            if name not in names:
                raise ValueError(f"cases.{key}[{k}]: expected a unit name of units.names; got {quote(name)}")
            if name in value[key][:k]:
                raise ValueError(f"cases.{key}[{k}]: {quote(name)} appears twice")
    _check_cases(value, "train", data, "data", len(names))
    if ("test" in value) != ("test" in value["split"]):
        raise ValueError("cases.test: expected the test cases' X, K, Y, M exactly when cases.split has 'test'"
                         if "test" in value["split"] else "cases: unknown key 'test' (no case is a test case)")
    if "test" in value:
        _check_cases(value, "test", value["test"], "cases.test", len(names))
    return value


def _check_cases(value, which, data, where, N):
    """The cases of ``which`` split are the B cases of ``data`` (X, K, Y, M, whose shape the schema
    checked), nothing is clamped or taught past a case's length. No train case: one empty case."""
    lengths = [n for n, s in zip(value["lengths"], value["split"]) if s == which]
    X = data["X"]
    B, T1 = len(X), len(X[0]) if X else 0
    if which == "test":
        caps.check_shape(B, T1 - 1, N, f"{where}.X")
        for key in "XKYM":
            J.numbers(data[key], f"{where}.{key}", (B, T1, N))
    if B != max(1, len(lengths)):
        raise ValueError(f"{where}.X: expected {len(lengths)} {which} cases (cases.split); got {B}")
    K, M = (np.asarray(data[k], dtype=float) for k in "KM")
    if not lengths:  # no train case yet (a blank net): the one case of "data" holds nothing
        if K.any() or M.any():
            raise ValueError(f"{where}: expected nothing clamped or taught (cases.split names no {which} case)")
        return
    for b, length in enumerate(lengths):
        used = (K[b] > 0).any(axis=1) | (M[b] > 0).any(axis=1)
        if length >= T1 or used[length + 1:].any():
            raise ValueError(f"{where}: {which} case {b} ({quote(_label(value, which, b))}) has length {length} "
                             f"(cases.lengths) but {'only ' + str(T1 - 1) + ' steps' if length >= T1 else 'a clamp or target past it'}")


def _label(value, which, b):
    return [lab for lab, s in zip(value["labels"], value["split"]) if s == which][b]


def from_section(value):
    """Session.cases of a checked "cases" section (the document's net and data give the shape)."""
    t = value.get("test")
    return {key: list(value[key]) for key in SECTION_KEYS} | {
        "test": None if t is None else Sequences(t["X"], t["K"], t["Y"], t["M"])}


# -- figures and the CSV of a session ---------------------------------------------------------------
def accuracy(net, seq, grads):
    """The fraction of target cells on the right side of 0.5, a softmax group's taught steps counted
    once each (right when its largest state is its largest target); None unless every target outside
    the softmax group is 0 or 1."""
    soft = np.zeros(net.N, bool)
    soft[net.softmax_units] = True
    M, Y, S = seq.M > 0, seq.Y, grads.states
    cells = M & ~soft
    if not np.all(np.isin(Y[cells], (0.0, 1.0))) or not M.any():
        return None
    right, count = int((np.abs(S - Y)[cells] < 0.5).sum()), int(cells.sum())
    if soft.any():
        steps = M[..., soft].any(axis=-1)  # (B, T+1)
        hit = S[..., soft].argmax(-1) == Y[..., soft].argmax(-1)
        right, count = right + int(hit[steps].sum()), count + int(steps.sum())
    return right / count


def figures(session):
    """{"accuracy", "test_loss", "test_accuracy"} of the session's net, those that apply: accuracy
    when every target is 0/1 (or a softmax group); the test figures when it has test cases."""
    out = {}
    acc = accuracy(session.net, session.sequences, session.gradients)
    if acc is not None:
        out["accuracy"] = acc
    test = (session.cases or {}).get("test")
    if test is not None:
        grads = bptt(session.net, test, check=False)
        out["test_loss"] = float(grads.loss)
        acc = accuracy(session.net, test, grads)
        if acc is not None:
            out["test_accuracy"] = acc
    return out


def table_of(session):
    """The session's cases as a sequences_csv.Table (write_csv makes the file). A lesson's data
    have no labels: its cases are 0, 1, ..., each T long, every unit clamped or taught somewhere a column."""
    names, seq = list(session.unit_names), session.sequences
    own = outline(session)
    if own is None:
        used = lambda A: [n for i, n in enumerate(names) if A[..., i].any()]  # noqa: E731
        own = {"labels": [str(b) for b in range(seq.B)], "lengths": [seq.T] * seq.B, "split": ["train"] * seq.B,
               "inputs": used(seq.K), "targets": used(seq.M)}
    test = (session.cases or {}).get("test")
    units = list(dict.fromkeys([*own["inputs"], *own["targets"]]))
    units += [n for i, n in enumerate(names) if n not in units and (seq.K[..., i].any() or seq.M[..., i].any() or (
        test is not None and (test.K[..., i].any() or test.M[..., i].any())))]
    T = max([1, *own["lengths"]])
    cols = [names.index(u) for u in units]
    out = [np.zeros((len(own["labels"]), T + 1, len(units))) for _ in range(4)]
    position = {"train": 0, "test": 0}
    for k, split in enumerate(own["split"]):
        data, b = (seq if split == "train" else test), position[split]
        position[split] += 1
        n = min(T, data.T) + 1
        for a, full in zip((data.X, data.K, data.Y, data.M), out):
            full[k, :n] = a[b, :n][:, cols]
    inputs = [*own["inputs"], *(u for u in units if u not in own["inputs"] and out[1][..., units.index(u)].any())]
    targets = [*own["targets"], *(u for u in units if u not in own["targets"] and out[3][..., units.index(u)].any())]
    return C.Table(units=tuple(units), inputs=tuple(inputs), targets=tuple(targets), labels=tuple(own["labels"]),
                   splits=tuple(own["split"]), lengths=tuple(own["lengths"]), X=out[0], K=out[1], Y=out[2], M=out[3])
