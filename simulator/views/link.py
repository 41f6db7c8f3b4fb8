"""Links: the page's URL carries the state, so copying the address bar reproduces it.

Readable query parameters for the settings, like TensorFlow Playground
(``?lesson=binary-addition&seed=12&lr=0.2&momentum=0.5&T=10&clip=0.0&act=lesson&loss=lesson&h0=false``),
plus the update count ``n``
and, for small nets, the weights ``w``: [W.ravel(), b, h0] as float64, zlib-compressed,
base64url (exact, so the numbers on screen are the same). What is looked at comes too (the
document's "view" section): the time step ``t``, case ``case``, selected weight ``sel=i,j``, unit
``unit=t,i`` and open ``tab``, and the loss curve ``curve``: up to CURVE_POINTS of the history's
[update, loss] pairs, evenly spread with the last, packed like ``w``. A lesson's training data are
not in the link: they are regenerated from lesson, seed and T. A net of the user's own data has
no lesson to make them from: ``own`` carries its document (simulator/document/own_link.py) while
the whole link fits caps.MAX_LINK_CHARS, and ``own_note`` says when it does not (use Save). A link is turned into a document and
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
from simulator.document import own_link
from simulator.lessons import registry as L
from simulator.lessons.registry import DEFAULT_LESSON, LESSONS
from simulator.state import caps
from simulator.state.compare import apply_run_settings, parse_value
from simulator.state.selection import DETAIL_TABS, Selection
from simulator.state.session import Session
from simulator.state.training import TRAINING_SETTINGS

#: Longest ``w`` written into a URL (characters); larger nets share settings and seed only.
MAX_W_CHARS = 4000
#: Most [update, loss] points of the loss curve in a URL (fewer when the weights leave less room).
CURVE_POINTS = 120
VIEW_KEYS = ("t", "case", "sel", "unit", "tab", "curve")
QUERY = {k: k for k in ("lesson", "seed", "lr", "momentum", "T", "clip", "act", "loss", "h0", "n", "w", *VIEW_KEYS,
                        "own")}
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


def _pack(array):
    return base64.urlsafe_b64encode(zlib.compress(np.ascontiguousarray(array).tobytes(), 9)).decode().rstrip("=")


def _unpack(text, most, what):
    """The bytes of a _pack()ed string, at most ``most`` of them; ValueError naming ``what`` if not."""
    if not isinstance(text, str) or len(text) > caps.MAX_LINK_CHARS:
        raise ValueError(f"{what}: expected at most {caps.MAX_LINK_CHARS} characters of base64url")
    try:
        return zlib.decompressobj().decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), most + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError(f"{what}: not an encoding made by this app (base64url of zlib-compressed numbers)") from None


def encode_curve(history, max_chars):
    """The loss curve (Session.history) thinned to at most CURVE_POINTS points, evenly spread with
    the last, as update numbers (uint32) then losses (float64, exact); fewer points until the
    text fits ``max_chars``. "" for an empty history."""
    points = CURVE_POINTS
    while history and points >= 2:
        keep = np.unique(np.linspace(0, len(history) - 1, min(points, len(history))).round().astype(int))
        kept = [history[k] for k in keep]
        text = _pack(np.concatenate([np.array([u for u, _ in kept], dtype="<u4").view("<u1"),
                                     np.array([e for _, e in kept], dtype="<f8").view("<u1")]))
        if len(text) <= max_chars:
            return text
        points //= 2
    return ""


def decode_curve(text):
    """The inverse of encode_curve: [[update, loss]] (the document's checks then bound them)."""
    raw = _unpack(text, 12 * CURVE_POINTS, "curve")
    if len(raw) % 12 or len(raw) > 12 * CURVE_POINTS:
        raise ValueError(f"curve: expected at most {CURVE_POINTS} [update, loss] points")
    n = len(raw) // 12
    updates, losses = np.frombuffer(raw[:4 * n], "<u4"), np.frombuffer(raw[4 * n:], "<f8")
    return [[int(u), float(e)] for u, e in zip(updates, losses)]


def link_of(session, selection=None, own=None):
    """The query parameters of the session's state and of what ``selection`` shows (all strings).
    ``own``: a dict LinkSync keeps the last ``own`` encoding in (made again only when the data change)."""
    s = session
    query = {"lesson": s.lesson, "seed": str(s.seed), "lr": repr(float(s.learning_rate)),
             "momentum": repr(float(s.momentum)), "T": str(s.steps), "clip": repr(float(s.clip)),
             "act": s.activation, "loss": s.loss, "h0": "true" if s.learn_h0 else "false", "n": str(s.updates)}
    # Always (when small enough): after an edit by hand, an undo or a load, the seed alone
    # would not give the weights on screen. "" clears a stale value from the URL.
    query["w"] = (encode_params(s.net) or "") if _lesson_structure(s) else ""
    if selection is not None:
        view = document.view_of(s, selection)
        pair = lambda p: "" if p is None else f"{p[0]},{p[1]}"
        query.update(t=str(view["time"]), case=str(view["case"]), sel=pair(view["weight"]), unit=pair(view["unit"]),
                     tab=view["tab"])
    _own_data(s, query, {} if own is None else own)
    # The curve takes the room the rest leaves (a link stays within caps.MAX_LINK_CHARS).
    room = caps.MAX_LINK_CHARS - sum(len(k) + len(v) + 2 for k, v in query.items()) - 3 * len(query.get("tab", ""))
    query["curve"] = encode_curve(s.history, room - 20)
    return query


def _own_data(session, query, cache):
    """``own`` and ``w`` of a net of the user's own data while the link holds them (the curve may
    shrink to nothing for them), else both "" and cache["note"] says so; for a lesson's net, "" alone."""
    cache["note"], query["own"] = "", ""
    if not own_link.is_own(session):
        return
    key = own_link.key_of(session)
    if cache.get("key") is None or not _same_key(cache["key"], key):
        cache.update(key=key, text=own_link.encode(session))
    query["w"] = encode_params(session.net) or ""
    # As link_of counts the room for the curve: each space of the tab's name is sent as %20.
    size = sum(len(k) + len(v) + 2 for k, v in query.items()) + len(cache["text"]) + 3 * len(query.get("tab", ""))
    if cache["text"] and query["w"] and size <= caps.MAX_LINK_CHARS - 40:
        query["own"] = cache["text"]
        return
    query["w"] = ""  # the host lesson's link instead: these weights would not fit its net
    cache["note"] = (f"This net's data is too large for a link (a link holds {caps.MAX_LINK_CHARS} characters): "
                     "use Save to keep or share it.")


def _same_key(a, b):
    return a[0] is b[0] and a[1] is b[1] and a[2:] == b[2:]


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
    """A document for the link's query parameters (missing ones: the lesson's defaults). With
    ``own``, its document gives the net, data and settings (lesson and settings are not read)."""
    if query.get("own") not in (None, ""):
        return _own_document(query)
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
    # Read, not written: Compare mode's "open this run on its own" links name them (views/compare.py).
    apply_run_settings(base, {k: parse_value(k, query[k]) for k in TRAINING_SETTINGS if k in query})
    return _counts_and_view(query, document.to_document(base), base.net.N)


def _own_document(query):
    """The document of ``own`` with the weights of ``w`` (none: drawn from its seed, as Reset does)."""
    doc = own_link.decode(query["own"])
    if query.get("w") in (None, ""):
        drawn = document.session_from_document(doc, validated=True)
        drawn.reset()
        doc["network"].update(W=drawn.net.W.tolist(), b=drawn.net.b.tolist(), h0=drawn.net.h0.tolist())
    return _counts_and_view(query, doc, len(doc["units"]["names"]))


def _counts_and_view(query, doc, N):
    """The update count ``n``, view, curve and weights ``w`` of the link put into ``doc``; checked."""
    if "n" in query:
        doc["training"]["updates"] = _number(query, "n", int)
    view = _view(query)
    if view:
        doc["view"] = view
    if query.get("curve") not in (None, ""):
        doc["training"]["history"] = decode_curve(query["curve"])
    if query.get("w") not in (None, ""):
        flat = decode_params(query["w"], N * N + 2 * N)
        doc["network"]["W"] = flat[:N * N].reshape(N, N).tolist()
        doc["network"]["b"] = flat[N * N:N * N + N].tolist()
        doc["network"]["h0"] = flat[N * N + N:].tolist()
    return document.validate(doc)


def _view(query):
    """The document's "view" section from t, case, sel, unit and tab (the document checks the bounds)."""
    view = {}
    for key, name in (("t", "time"), ("case", "case")):
        if key in query:
            view[name] = _number(query, key, int)
    for key, name, what in (("sel", "weight", "the selected weight as i,j (from unit j to unit i)"),
                            ("unit", "unit", "the selected unit as t,i (unit i at time t)")):
        value = query.get(key)
        if value in (None, ""):
            continue
        parts = value.split(",") if isinstance(value, str) else []
        if len(parts) != 2 or not all(p.strip().isdecimal() and p.strip().isascii() and len(p) < 10 for p in parts):
            raise ValueError(f"{key}: expected {what}; got {caps.quote(value)}")
        view[name] = [int(p) for p in parts]
    if "tab" in query:
        if query["tab"] not in DETAIL_TABS:  # may be a list or a dict: compared, never hashed
            raise ValueError(f"tab: expected one of {', '.join(DETAIL_TABS)}; got {caps.quote(query['tab'])}")
        view["tab"] = query["tab"]
    return view


class _Query(param.Parameterized):
    """The URL's parameters as the page has them (plain values; checked by link_document)."""

    lesson, seed, lr, momentum, T, clip, act, loss, h0, n, w, t, case, sel, unit, tab, curve, own = (
        param.Parameter(default=None) for _ in range(18))


class TrailingWrite:
    """``write_soon()``: ``_write()`` once, ``delay_ms`` after the first ask, with the state of then
    (a served page's URL written at most so often; Compare mode's page uses it too)."""

    _pending = _served = False

    def write_soon(self):
        if self._pending or not self._served:
            return
        self._pending = True
        pn.state.curdoc.add_timeout_callback(self._write, self.delay_ms)


class LinkSync(TrailingWrite, param.Parameterized):
    """Keeps the page URL and the session in step: read once when the page opens, then written
    (at most every ``delay_ms``, always with the latest state) whenever the state changes."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection, doc="What is looked at: in the link, and set by it.")
    delay_ms = param.Integer(default=400, doc="Trailing delay before the URL catches up with training.")
    own_note = param.String(default="", doc="Why the link does not carry this net's own data (too large), or \"\".")
    loading = param.Callable(default=None, doc="loading(title) covers the page while a link to another lesson opens, "
                                               "loading(None) uncovers it (app.py); None: the link opens at once.")

    def __init__(self, **params):
        params.setdefault("selection", Selection())
        super().__init__(**params)
        self.query, self._pending, self._served, self._own = _Query(), False, False, {}
        location = pn.state.location
        if location is None:  # not served (tests, notebooks): no URL to keep
            return
        # Panel hands the values over as the URL's strings (serving/server.py: raw_query_values);
        # every one is parsed here, and a link longer than any this app writes is refused whole.
        search = location.search or ""
        given = {k: v for k, v in location.query_params.items() if k in QUERY or k in TRAINING_SETTINGS}
        if len(search) > 1 + caps.MAX_LINK_CHARS:
            given = {}
            self.session.attempt(lambda: caps.check_link(search[1:]), "Could not open the link")
            location.search = ""  # the page must not keep (and later extend) the refused link
        location.sync(self.query, QUERY)
        other = given.get("lesson") if not given.get("own") else None
        if self.loading is not None and isinstance(other, str) and other in LESSONS and other != self.session.lesson:
            # Another lesson: the page first shows "Loading" over this one, then the link opens
            # (issue 20, item 1: the page stayed blank while a large lesson was built). The URL
            # is not written meanwhile: it still holds the link.
            self.loading(LESSONS[other]["title"])
            pn.state.onload(lambda: self._open(given))
            return
        self._open(given)

    def _open(self, given):
        try:
            if given:
                self.session.attempt(lambda: document.apply_document(self.session, link_document(given),
                                                                     selection=self.selection),
                                     "Could not open the link", also=[self.selection])
        finally:
            if self.loading is not None:
                self.loading(None)
        self._served = True
        self._write()

    @param.depends("session.lesson", "session.seed", "session.learning_rate", "session.momentum", "session.steps",
                   "session.gradients", "selection.time", "selection.case", "selection.weight", "selection.unit",
                   "selection.tab", watch=True)
    def _schedule(self):
        self.write_soon()

    def _write(self):
        self._pending = False
        self.query.param.update(link_of(self.session, self.selection, self._own))
        self.own_note = self._own.get("note", "")
