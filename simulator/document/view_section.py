"""The optional "view" section of a document: what the user was looking at.

The time step, training case, selected weight and unit and open tab (a Selection) and lecture
mode's large type, hidden controls and the card shown (a LectureMode), and the colour theme. simulator/document/format.py writes, checks and
applies it with the rest of the document; docs/document-format.md describes its keys.
"""
from simulator.document import schema as S
from simulator.state.selection import DETAIL_TABS, HIDEABLE, THEMES

#: The section may be left out (documents written before it existed, `bptt-sim train LESSON --out`
#: and links write none), and so may each of its keys: a missing key means its default here.
VIEW_DEFAULTS = {"time": 0, "case": 0, "weight": None, "unit": None, "tab": DETAIL_TABS[0],
                 "large_type": False, "hidden": [], "card": 0, "theme": THEMES[0]}


def last_card(spec):
    """The index of a lesson's last lecture card (one per point; 0 for a lesson without points)."""
    return max(0, len(spec.get("points", [])) - 1)


def view_of(session, selection, lecture=None):
    """The view options as a "view" section: the Selection's time step, case, selected weight and
    unit and open tab, and (given a LectureMode) large type, hidden controls and card. A selection the
    session's net cannot show (a weight whose connection was removed) is left out, not refused."""
    net, seq, sel = session.net, session.sequences, selection
    weight = None if sel.weight is None else [int(k) for k in sel.weight]
    if weight and not (all(0 <= k < net.N for k in weight) and net.C[weight[0], weight[1]]):
        weight = None
    unit = None if sel.unit is None else [int(k) for k in sel.unit]
    if unit and not (0 <= unit[0] <= seq.T and 0 <= unit[1] < net.N):
        unit = None
    view = {"time": min(int(sel.time), seq.T), "case": min(int(sel.case), seq.B - 1), "weight": weight,
            "unit": unit, "tab": sel.tab, "theme": sel.theme}
    if lecture is not None:  # a stale link may have named controls that do not exist: not saved
        view.update(large_type=bool(lecture.large_type),
                    hidden=list(dict.fromkeys(h for h in lecture.hidden if h in HIDEABLE)),
                    card=min(int(lecture.card), last_card(session.lesson_spec)))
    return view


def apply_view(view, selection=None, lecture=None):
    """Show a checked "view" section (validate or to_document checked it against the net): set
    the Selection and the LectureMode (either may be None); a missing key takes its VIEW_DEFAULTS."""
    v = {**VIEW_DEFAULTS, **view}
    if selection is not None:
        pair = lambda x: None if x is None else tuple(int(k) for k in x)
        selection.param.update(time=v["time"], case=v["case"], weight=pair(v["weight"]), unit=pair(v["unit"]),
                               tab=v["tab"], theme=v["theme"])
    if lecture is not None:  # the card is shown, its action not done again: the document holds its effect
        lecture.param.update(large_type=v["large_type"], hidden=list(v["hidden"]), card=v["card"])


def check_view(view, N, T, B, C, spec):
    """A checked copy of a "view" section, with every key, for a net of N units and connections C
    (N x N of 0/1), data of B cases over T steps and the lesson ``spec`` (its cards). Its shape is
    document.schema.json's; the bounds, which depend on the net, the data and the lesson, are
    checked first, so that a refusal names them ("in 0..10", where the schema can only say "0..T")."""
    if isinstance(view, dict):
        _bounds(view, N, T, B, spec)
    v = {**VIEW_DEFAULTS, **S.check(view, "view")}
    if v["weight"] is not None and not C[v["weight"][0]][v["weight"][1]]:
        i, j = v["weight"]
        raise ValueError(f"view.weight: expected an existing connection; network.connections[{i}][{j}] is 0")
    return {**v, "weight": v["weight"] and list(v["weight"]), "unit": v["unit"] and list(v["unit"]),
            "hidden": list(v["hidden"])}


def _bounds(view, N, T, B, spec):
    """The integers of ``view`` within its net, data and lesson (the rest is left to the schema)."""
    for key, top, what in (("time", T, "a time step"), ("case", B - 1, "a training case"),
                           ("card", last_card(spec), "a card of the lesson")):
        x = view.get(key, 0)
        if type(x) is int and not 0 <= x <= top:
            raise ValueError(f"view.{key}: expected {what} in 0..{top}; got {x}")
    for key, sizes in (("weight", (N, N)), ("unit", (T + 1, N))):
        pair = view.get(key)
        for k, (x, size) in enumerate(zip(pair if type(pair) is list and len(pair) == 2 else (), sizes)):
            if type(x) is int and not 0 <= x < size:
                raise ValueError(f"view.{key}[{k}]: expected an index in 0..{size - 1}; got {x}")
