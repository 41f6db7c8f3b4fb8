"""The one document format: a whole simulator state as JSON ("format": "bptt-sim", "version": 1).

    doc = to_document(session)          # a dict of plain JSON values
    save("adder.json", session); session = load("adder.json")
    apply_document(session, doc)        # all or nothing: on ValueError the session is unchanged
    doc = to_document(session, view=view_of(session, selection, lecture))   # with the view options
    apply_document(session, doc, selection=selection, lecture=lecture)      # ... and back

Loading only parses JSON and checks it (``validate``: the shape against document.schema.json,
then what a schema cannot say); nothing from a file is ever executed, imported or evaluated.
Every refusal is a ValueError whose message names the place in the document and what was
expected there, e.g. ``network.W[2]: expected 6 entries; got 5``. docs/document-format.md describes the keys;
the optional "view" section is written, checked and applied by simulator/document/view_section.py, and
the optional "lesson_data" section (the robot writer's own sentences) is checked by
simulator/document/lesson_data.py, and the optional "cases" section (a net made from the user's
own cases: labels, split and test cases, docs/data.md) by simulator/document/cases.py.
"""
import json
import os
import pathlib

import numpy as np

from engine import Network, Sequences, bptt

from simulator.state import caps
from simulator.document import json_checks as J
from simulator.document import schema as S
from simulator.document import cases as CS
from simulator.document import compare_section as CMP
from simulator.document import lesson_data as LD
from simulator.document import training_section as TS
from simulator.lessons import registry as L
from simulator.state.session import Session
from simulator.lessons.tasks import make_task
from simulator.document.view_section import apply_view, check_view

FORMAT, VERSION = "bptt-sim", 1
MAX_BYTES, MAX_CELLS, MAX_UPDATES = caps.MAX_BYTES, caps.MAX_CELLS, caps.MAX_UPDATES  # simulator/state/caps.py

SETTINGS = ("seed", "steps", "learning_rate", "momentum", "clip", "activation", "loss", "learn_h0")
#: Each object's keys, all required, and the optional sections: document.schema.json's.
KEYS = {"": tuple(S.schema()["required"]),
        **{k: tuple(S.schema()["properties"][k]["required"]) for k in ("units", "network", "data", "training")}}
OPTIONAL = {"": tuple(k for k in S.schema()["properties"] if k not in KEYS[""])}


# -- writing ------------------------------------------------------------------------------------
def _floats(a):
    return np.asarray(a, dtype=float).tolist()


def _plain(value):
    """A setting as a JSON value: numpy's scalars (seed=np.int64(3) from a notebook) as Python's."""
    return value.item() if isinstance(value, np.generic) else value


def to_document(session, view=None):
    """The session's whole state as a dict of JSON values (lists, numbers, strings, bools).
    ``view``: a "view" section to include (see view_of), checked against the session's net."""
    net, seq, opt = session.net, session.sequences, session.trainer.optimiser
    doc = {
        "format": FORMAT, "version": VERSION, "lesson": session.lesson,
        "units": {"names": list(session.unit_names), "groups": list(session.unit_groups)},
        "network": {
            "activation": list(net.activation), "loss": net.loss, "connections": net.C.astype(int).tolist(),
            "W": _floats(net.W), "b": _floats(net.b), "h0": _floats(net.h0),
            "learn_h0": [bool(x) for x in net.learn_h0], "bias": bool(net.bias),
            "ties": [[[r[0], *(int(k) for k in r[1:])] for r in group] for group in net.ties],
        },
        "data": {"X": _floats(seq.X), "K": seq.K.astype(int).tolist(), "Y": _floats(seq.Y),
                 "M": seq.M.astype(int).tolist()},
        "training": {
            **{name: _plain(getattr(session, name)) for name in SETTINGS},
            "updates": int(session.updates),
            "history": [[int(u), float(loss)] for u, loss in caps.thin_history(session.history)],
            "velocity": _floats(opt.velocity),
            **TS.section(session),
        },
    }
    if session.lesson_data:  # only then: a document without it stays as it always was
        doc["lesson_data"] = LD.check(session.lesson_data)
    own = CS.section(session)
    if own is not None:  # only then (a net of the user's): a lesson's document stays as it always was
        doc["cases"] = own
    if view is not None:
        doc["view"] = check_view(view, net.N, seq.T, seq.B, net.C, session.lesson_spec)
    return doc


def dumps(doc):
    """JSON text of a document (exact: Python writes the shortest repr that reads back equal);
    ValueError beyond MAX_BYTES: what is written must load again."""
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    caps.check_bytes(len(text), "this state as a document")
    return text


def save(path, session, view=None):
    """Write the session's document (with the "view" section ``view``, if given) to ``path``."""
    pathlib.Path(path).write_text(dumps(to_document(session, view)), encoding="utf-8")


# -- reading: JSON text -> checked dict ------------------------------------------------------------
def parse(text):
    """A checked document from JSON text (str or bytes); ValueError says what is wrong."""
    caps.check_bytes(len(text))
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"document is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"document is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ValueError("document is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits, which Python will not read
        raise ValueError(f"document cannot be read as JSON: {exc}") from None
    validate(doc)
    return doc


def read(path):
    """The checked document (a dict) in the file at ``path``: for its "view" section too (load
    gives the session alone)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"expected the path of a document file; got {type(path).__name__}")
    p = pathlib.Path(path)
    if not p.is_file():
        raise ValueError(f"{path}: no such file")
    caps.check_bytes(p.stat().st_size, str(path))  # before reading: a huge file is never parsed
    return parse(p.read_bytes())


def load(path):
    """A new Session from the document at ``path``."""
    return session_from_document(read(path), validated=True)


# -- the checks ------------------------------------------------------------------------------------
def validate(doc):
    """Check a document; return it unchanged or raise ValueError naming the first problem. Its
    shape is document.schema.json's (schema.check); what a schema cannot say is checked here."""
    # The view's shape is check_view's to check, with the sizes of the net and data that its
    # refusals name.
    S.check({k: v for k, v in doc.items() if k != "view"} if isinstance(doc, dict) else doc)
    if type(doc["version"]) is not int:  # the schema's const 1 takes 1.0 too
        raise ValueError(f"version: expected {VERSION} (this program reads version {VERSION} only); "
                         f"got {J.kind(doc['version'])}")
    lesson = J.choice(doc["lesson"], "lesson", list(L.LESSONS))
    lesson_data = LD.check(doc["lesson_data"]) if "lesson_data" in doc else {}
    units, net, data, tr = (doc[k] for k in ("units", "network", "data", "training"))

    N = len(units["names"])
    caps.check_units(N, "units.names")
    for path, value in (("units.groups", units["groups"]), ("network.activation", net["activation"]),
                        ("network.learn_h0", net["learn_h0"])):
        J.sizes(value, path, (N,))
    for key, shape in (("connections", (N, N)), ("W", (N, N)), ("b", (N,)), ("h0", (N,))):
        J.numbers(net[key], f"network.{key}", shape)
    _ties(net["ties"], N)

    B, T1, n = len(data["X"]), len(data["X"][0]), len(data["X"][0][0])
    if n != N:
        raise ValueError(f"data.X: expected {N} units per step (one per name in units.names); got {n}")
    caps.check_shape(B, T1 - 1, N, "data.X")
    for key in ("X", "K", "Y", "M"):
        J.numbers(data[key], f"data.{key}", (B, T1, N))

    for name in ("learning_rate", "momentum", "clip"):  # NaN passes a schema's bounds
        J.number(tr[name], f"training.{name}")
    if tr["steps"] != T1 - 1:  # the Steps T setting is the T of the data (a change of T makes new data)
        raise ValueError(f"training.steps: expected {T1 - 1}, the number of time steps T in data "
                         f"(data.X has T+1 = {T1} rows per case); got {tr['steps']}")
    _history(tr)
    J.numbers(tr["velocity"], "training.velocity", (N * N + 2 * N,))
    TS.check(tr, N, B)
    if "cases" in doc:
        CS.check_section(doc["cases"], units["names"], data)
    if "view" in doc:
        check_view(doc["view"], N, T1 - 1, B, net["connections"], LD.lesson_spec(lesson, lesson_data))
    if "compare" in doc:
        CMP.check(doc["compare"])
    return doc


def _history(tr):
    """training.history's updates rising within 1..training.updates (the loss after each of them;
    the schema says they are pairs [integer >= 1, number >= 0]), and its losses finite."""
    updates, last = tr["updates"], 0
    if len(tr["history"]) > updates:
        raise ValueError(f"training.history: expected a list of at most training.updates = {updates} "
                         f"[update, loss] pairs; got {len(tr['history'])}")
    for k, (u, loss) in enumerate(tr["history"]):
        if not last < u <= updates:
            raise ValueError(f"training.history[{k}][0]: expected an update number in {last + 1}..{updates} "
                             f"(after the entry before, at most training.updates); got {u}")
        J.number(loss, f"training.history[{k}][1]")
        last = u


def _ties(ties, N):
    """Each reference's unit indices within the net (the schema says what a reference is)."""
    caps.check_tie_refs(sum(len(g) for g in ties))
    for g, group in enumerate(ties):
        for r, ref in enumerate(group):
            for k in ref[1:]:
                if k >= N:
                    raise ValueError(f"network.ties[{g}][{r}]: unit index {k} is outside 0..{N - 1}")


# -- reading: checked dict -> engine objects -> session -------------------------------------------------
def build(doc):
    """(Network, Sequences) of a valid document; ValueError if the engine refuses them together."""
    n, d = doc["network"], doc["data"]
    try:
        net = Network(W=n["W"], b=n["b"], h0=n["h0"], connections=n["connections"], activation=n["activation"],
                      loss=n["loss"], learn_h0=n["learn_h0"], bias=n["bias"],
                      ties=[[tuple(r) for r in g] for g in n["ties"]])
    except ValueError as exc:
        raise ValueError(f"network: {exc}") from None
    W = np.asarray(n["W"], dtype=float)
    if np.any((W != 0) & (net.C == 0)):
        i, j = (int(k) for k in np.argwhere((W != 0) & (net.C == 0))[0])
        raise ValueError(f"network.W[{i}][{j}]: expected 0 (network.connections[{i}][{j}] is 0, no connection)")
    try:
        seq = Sequences(d["X"], d["K"], d["Y"], d["M"])
        bptt(net, seq)  # the engine's own compatibility checks, e.g. cross-entropy targets in (0, 1)
    except ValueError as exc:
        raise ValueError(f"data: {exc}") from None
    if "cases" in doc:
        test = CS.from_section(doc["cases"])["test"]
        try:
            if test is not None:
                bptt(net, test)
        except ValueError as exc:
            raise ValueError(f"cases.test: {exc}") from None
    return net, seq


def apply_document(session, doc, validated=False, selection=None, lecture=None, built=None):
    """Make ``session`` show the document's state, and ``selection`` and ``lecture`` (a LectureMode)
    its "view" section if it has one. Everything is checked and built before anything is touched,
    so a ValueError leaves them exactly as they were. ``validated``: the caller has just run
    validate(doc) (parse does), so it is not run twice; ``built``: it has just run build(doc), maybe in
    a worker thread (simulator/serving/offload.py), and passes the (Network, Sequences) it gave."""
    if not validated:
        validate(doc)
    net, seq = build(doc) if built is None else built
    tr, units = doc["training"], doc["units"]
    # A document without the section describes lessons on their own data: a session that had
    # sentences of its own must not keep them.
    lesson_data = LD.check(doc["lesson_data"]) if "lesson_data" in doc else {}
    spec = LD.lesson_spec(doc["lesson"], lesson_data)
    cases = CS.from_section(doc["cases"]) | {"shape": (seq.B, seq.T, net.N)} if "cases" in doc else None
    info = _task_info(spec, tr) if cases is None else {}  # the host lesson's read-outs need no task output
    message = (f"Loaded a saved state of the lesson “{spec['title']}” at update {tr['updates']}." if cases is None
               else f"{CS.told(cases, units['names'])} Loaded at update {tr['updates']}.")
    settings = {**{name: tr[name] for name in SETTINGS}, **TS.settings(tr)}
    session.restore(doc["lesson"], net, seq, settings, units["names"], units["groups"],
                    updates=tr["updates"], history=tr["history"], velocity=TS.state(tr, net.N),
                    lesson_data=lesson_data, task_info=info, message=message, cases=cases)
    if "view" in doc:  # after the install, whose watchers fit the old selection to the new data
        apply_view(doc["view"], selection, lecture)
    return session


def session_from_document(doc, validated=False):
    """A new Session showing the document's state."""
    if not validated:
        validate(doc)
    build(doc)  # refuse before building a session
    return apply_document(Session(lesson=doc["lesson"]), doc, validated=True)


def comparison_document(comparison, view=None):
    """A Comparison (simulator/state/compare.py) as one document: its start with a "compare" section."""
    return CMP.comparison_document(comparison, to_document, view)


def comparison_from_document(doc, validated=False, most=None):
    """A Comparison of the runs a document's "compare" section asks for, each from its state."""
    if not validated:
        validate(doc)
    return CMP.comparison_from_document(doc, session_from_document, most)


def _task_info(spec, tr):
    """The task's extra output (e.g. the training pairs that readouts keep out of the held-out
    test): it is not stored, but regenerated from lesson, seed and T exactly as Session.reset does."""
    rng = np.random.default_rng(tr["seed"])
    activation = None if tr["activation"] == "lesson" else tr["activation"]
    loss = None if tr["loss"] == "lesson" else tr["loss"]
    try:
        L.build_network(spec, rng, activation=activation, loss=loss, learn_h0=tr["learn_h0"])
        return make_task(spec["task"], tr["steps"], rng)[1]
    except ValueError:
        return None
