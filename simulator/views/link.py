"""Links: the page's URL carries the state, so copying the address bar reproduces it.

Readable query parameters for the settings, like TensorFlow Playground
(``?lesson=binary-addition&seed=12&lr=0.2&momentum=0.5&T=10&clip=0.0&act=lesson&loss=lesson&h0=false``),
plus the update count ``n``
and, for small nets, the weights ``w``: [W.ravel(), b, h0] as float64, zlib-compressed,
base64url (exact, so the numbers on screen are the same). Training data are not in the
link: they are regenerated from lesson, seed and T. A link is turned into a document and
loaded with document.apply_document, so a bad link is refused by the same checks as a bad
file and the page keeps its state.
"""
import base64
import binascii
import zlib

import numpy as np
import panel as pn
import param

from simulator import document
from simulator.lessons import registry as L
from simulator.lessons.registry import DEFAULT_LESSON, LESSONS
from simulator.state import caps
from simulator.state.session import Session

#: Longest ``w`` written into a URL (characters); larger nets share settings and seed only.
MAX_W_CHARS = 4000
QUERY = {k: k for k in ("lesson", "seed", "lr", "momentum", "T", "clip", "act", "loss", "h0", "n", "w")}
SETTING = {"seed": "seed", "lr": "learning_rate", "momentum": "momentum", "T": "steps", "clip": "clip",
           "act": "activation", "loss": "loss", "h0": "learn_h0"}
KINDS = {"seed": int, "T": int, "lr": float, "momentum": float, "clip": float, "act": str, "loss": str, "h0": bool}


def encode_params(net):
    """The net's parameters [W.ravel(), b, h0] as a short exact string (None if too long for a URL)."""
    raw = np.ascontiguousarray(net.params(), dtype="<f8").tobytes()
    text = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    return text if len(text) <= MAX_W_CHARS else None


def decode_params(text, size):
    """The inverse of encode_params for a net with ``size`` = N*N + 2N parameters; ValueError if not."""
    if not isinstance(text, str) or len(text) > MAX_W_CHARS:
        raise ValueError(f"w: expected at most {MAX_W_CHARS} characters of base64url")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, 8 * size + 1)  # never more than the net can hold
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError("w: not a weight encoding made by this app (base64url of zlib-compressed numbers)") from None
    if len(raw) != 8 * size:
        got = f"more than {size}" if len(raw) > 8 * size else f"{len(raw) / 8:g}"
        raise ValueError(f"w: expected {size} numbers for this network; got {got}")
    return np.frombuffer(raw, dtype="<f8").astype(float)


def link_of(session):
    """The query parameters of the session's state (all strings)."""
    s = session
    query = {"lesson": s.lesson, "seed": str(s.seed), "lr": repr(float(s.learning_rate)),
             "momentum": repr(float(s.momentum)), "T": str(s.steps), "clip": repr(float(s.clip)),
             "act": s.activation, "loss": s.loss, "h0": "true" if s.learn_h0 else "false", "n": str(s.updates)}
    # Always (when small enough): after an edit by hand, an undo or a load, the seed alone
    # would not give the weights on screen. "" clears a stale value from the URL.
    query["w"] = (encode_params(s.net) or "") if _lesson_structure(s) else ""
    return query


def _lesson_structure(session):
    """True if the net has the lesson's units, connections and ties (the link carries weights
    only: a net with units added or connections changed is shared as a file instead). The lesson
    as a link opens it, on its own data: the robot writer on sentences of the user's has other
    units, and its weights would be refused there."""
    spec, net = L.LESSONS[session.lesson], session.net
    ties = [tuple(tuple(r) for r in g) for g in L.tie_refs(spec)]
    return net.N == len(L.unit_layout(spec)[0]) and np.array_equal(net.C, L.connection_mask(spec)) \
        and [tuple(tuple(r) for r in g) for g in net.ties] == ties


def _number(query, key, kind):
    value = query[key]
    try:
        number = kind(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: float(10**400), int(inf)
        number = None
    if number is None or (kind is float and not np.isfinite(number)) or (kind is int and str(number) != str(value).strip()):
        raise ValueError(f"{key}: expected {'an integer' if kind is int else 'a number'}; got {caps.quote(value)}")
    return number


def _word(query, key, kind):
    value = query[key]
    if kind is bool:
        if value in (True, False, "true", "false"):
            return value in (True, "true")
        raise ValueError(f"{key}: expected true or false; got {caps.quote(value)}")
    options = Session.param[SETTING[key]].objects  # checked here, so that the message names this key
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{key}: expected one of {', '.join(options)}; got {caps.quote(value)}")
    return value


def link_document(query):
    """A document for the link's query parameters (missing ones: the lesson's defaults)."""
    lesson = query.get("lesson", DEFAULT_LESSON)
    if not isinstance(lesson, str) or lesson not in LESSONS:  # a URL may give a list: unhashable
        raise ValueError(f"lesson: expected one of {', '.join(LESSONS)}; got {caps.quote(lesson)}")
    base = Session(lesson=lesson)
    # Seed first (it resets the weights), then T, rates and clip, then activation, loss and
    # learned h0 together: they are checked as one combination (tanh needs squared error).
    values = {key: _number(query, key, kind) if kind in (int, float) else _word(query, key, kind)
              for key, kind in KINDS.items() if key in query}
    numbers = [k for k in values if KINDS[k] in (int, float)]
    for group in ([[k] for k in numbers] + [[k for k in values if k not in numbers]]):
        if not group:
            continue
        try:
            base.param.update({SETTING[k]: values[k] for k in group})
        except ValueError as exc:
            raise ValueError(f"{group[0]}: {exc}") from None
        wrong = [k for k in group if getattr(base, SETTING[k]) != values[k]]
        if wrong:  # the session put it back and said why
            raise ValueError(f"{wrong[0]}: {base.message}")
    doc = document.to_document(base)
    if "n" in query:
        doc["training"]["updates"] = _number(query, "n", int)
    if query.get("w") not in (None, ""):
        N = base.net.N
        flat = decode_params(query["w"], N * N + 2 * N)
        doc["network"]["W"] = flat[:N * N].reshape(N, N).tolist()
        doc["network"]["b"] = flat[N * N:N * N + N].tolist()
        doc["network"]["h0"] = flat[N * N + N:].tolist()
    return document.validate(doc)


class _Query(param.Parameterized):
    """The URL's parameters as the page has them (plain values; checked by link_document)."""

    lesson, seed, lr, momentum, T, clip, act, loss, h0, n, w = (param.Parameter(default=None) for _ in range(11))


class LinkSync(param.Parameterized):
    """Keeps the page URL and the session in step: read once when the page opens, then written
    (at most every ``delay_ms``, always with the latest state) whenever the state changes."""

    session = param.ClassSelector(class_=Session)
    delay_ms = param.Integer(default=400, doc="Trailing delay before the URL catches up with training.")

    def __init__(self, **params):
        super().__init__(**params)
        self.query, self._pending = _Query(), False
        location = pn.state.location
        if location is None:  # not served (tests, notebooks): no URL to keep
            return
        # Panel hands the values over as the URL's strings (serving/server.py: raw_query_values);
        # every one is parsed here, and a link longer than any this app writes is refused whole.
        search = location.search or ""
        given = {k: v for k, v in location.query_params.items() if k in QUERY}
        if len(search) > 1 + caps.MAX_LINK_CHARS:
            given = {}
            self.session.attempt(lambda: caps.check_link(search[1:]), "Could not open the link")
            location.search = ""  # the page must not keep (and later extend) the refused link
        location.sync(self.query, QUERY)
        if given:
            self.session.attempt(lambda: document.apply_document(self.session, link_document(given)),
                                 "Could not open the link")
        self.session.param.watch(self._schedule, ["lesson", "seed", "learning_rate", "momentum", "steps", "gradients"])
        self._write()

    def _schedule(self, *_):
        if self._pending:
            return
        self._pending = True
        pn.state.curdoc.add_timeout_callback(self._write, self.delay_ms)

    def _write(self):
        self._pending = False
        self.query.param.update(link_of(self.session))
