"""The document format: exact round trips, and every bad document refused with the session unchanged."""
import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import document as D
from simulator.lessons.registry import LESSONS
from simulator.serving.player import Player
from simulator.state.selection import DETAIL_TABS, HIDEABLE, Selection, TAB_TITLES
from simulator.state.session import Session
from simulator.views.lecture import LectureMode


def state(s):
    """Everything a document carries, as comparable plain values."""
    seq = s.sequences
    return dict(arrays=[np.array(a) for a in (s.net.W, s.net.b, s.net.h0, s.net.C, s.net.learn_h0, seq.X, seq.K,
                                                   seq.Y, seq.M, s.trainer.optimiser.velocity)],
                other=(s.lesson, s.seed, s.steps, s.learning_rate, s.momentum, s.clip, s.activation, s.loss,
                       s.learn_h0, s.updates, list(s.history), list(s.unit_names), list(s.unit_groups),
                       s.net.activation, s.net.loss, s.net.bias, s.net.ties, s.loss_value))


def same(a, b):
    return a["other"] == b["other"] and all(np.array_equal(x, y) for x, y in zip(a["arrays"], b["arrays"]))


def viewer(session):
    """A Selection and a LectureMode for ``session``, as the app makes them."""
    sel = Selection()
    return sel, LectureMode(session=session, selection=sel, player=Player(session=session, selection=sel))


def view_state(sel, lecture):
    """Everything a "view" section carries, as comparable plain values."""
    return (sel.time, sel.case, sel.weight, sel.unit, sel.tab, lecture.large_type, list(lecture.hidden), lecture.card)


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_round_trip_every_lesson_after_training(lesson, tmp_path):
    """Session -> file -> new session gives identical arrays and settings, and the same next updates."""
    s = Session(lesson=lesson)
    s.param.update(learning_rate=0.07, momentum=0.3)
    s.step(7)
    path = tmp_path / "state.json"
    D.save(path, s)
    t = D.load(path)
    assert same(state(s), state(t))
    s.step(3)
    t.step(3)
    assert same(state(s), state(t))


def test_round_trip_keeps_edits():
    """Structural edits (an added unit, a tie, a removed connection, a typed weight) survive a round trip."""
    s = Session()
    s.add_unit("hidden")
    s.tie([("W", 2, 0), ("W", 3, 1)])
    s.toggle_connection(5, 2)
    s.set_parameter(("b", 4), "0.125")
    s.step(2)
    t = D.session_from_document(json.loads(D.dumps(D.to_document(s))))
    assert same(state(s), state(t)) and t.net.N == 7 and t.net.ties == s.net.ties


def test_round_trip_with_the_view():
    """State and view (time step, case, selected weight and unit, open tab, large type, hidden
    controls, lecture card) -> JSON -> a new session, selection and lecture mode: all identical."""
    s = Session(lesson="temporal-xor")
    s.step(5)
    sel, lecture = viewer(s)
    sel.param.update(time=3, case=s.sequences.B - 1, weight=tuple(int(k) for k in np.argwhere(s.net.C)[-1]),
                     unit=(2, s.net.N - 1), tab="Weight matrices")
    lecture.param.update(large_type=True, hidden=["settings", "loss-curve"], card=2)
    text = D.dumps(D.to_document(s, view=D.view_of(s, sel, lecture)))
    t = Session()
    sel2, lecture2 = viewer(t)
    D.apply_document(t, D.parse(text), validated=True, selection=sel2, lecture=lecture2)
    assert same(state(s), state(t))
    assert view_state(sel2, lecture2) == view_state(sel, lecture) != view_state(*viewer(Session()))
    assert D.to_document(t, view=D.view_of(t, sel2, lecture2)) == json.loads(text)


def test_a_document_without_a_view_loads_and_keeps_the_view():
    """Older documents (no "view" section) still load; the selection and lecture mode stay as they were."""
    src = Session(lesson="tied-weights")
    doc = D.to_document(src)
    assert "view" not in doc
    s = Session()
    sel, lecture = viewer(s)
    sel.param.update(time=2, tab="By hand")
    lecture.large_type = True
    D.apply_document(s, D.parse(D.dumps(doc)), validated=True, selection=sel, lecture=lecture)
    assert same(state(src), state(s)) and (sel.time, sel.tab, lecture.large_type) == (2, "By hand", True)


def test_a_partial_view_takes_the_defaults():
    """Each key of the view section may be left out: a missing one means its default."""
    s = Session()
    sel, lecture = viewer(s)
    sel.param.update(time=5, weight=(2, 0), tab="By hand")
    lecture.param.update(hidden=["sidebar"], card=3)
    D.apply_document(s, {**D.to_document(s), "view": {"time": 4, "large_type": True}}, selection=sel, lecture=lecture)
    assert view_state(sel, lecture) == (4, 0, None, None, DETAIL_TABS[0], True, [], 0)


def test_view_of_leaves_out_what_the_net_cannot_show():
    """A weight whose connection was removed, a stale hidden name and a unit beyond T are not
    saved (the document would be refused), the rest of the view is."""
    s = Session()
    sel, lecture = viewer(s)
    sel.param.update(time=4, weight=(2, 0), unit=(99, 0))
    s.toggle_connection(2, 0)
    lecture.hidden = ["settings", "no-such-control", "settings"]
    view = D.view_of(s, sel, lecture)
    assert (view["time"], view["weight"], view["unit"], view["hidden"]) == (4, None, None, ["settings"])
    D.validate(D.to_document(s, view=view))
    with pytest.raises(ValueError, match=r"view\.weight: expected an existing connection"):
        D.to_document(s, view={"weight": [2, 0]})


def test_app_names_match_the_view_section():
    """The app's detail tabs and the controls lecture mode can hide are the names the format allows,
    and the open tab follows Selection.tab both ways."""
    from simulator.app import SimulatorApp
    app = SimulatorApp()
    app.__panel__()
    tabs = app.lecture.targets["detail-tabs"]
    # Titled by what they hold (TAB_TITLES), one per name the format allows, in the same order.
    assert list(app.lecture.targets) == list(HIDEABLE) and tabs._names == list(TAB_TITLES)
    assert len(TAB_TITLES) == len(DETAIL_TABS)
    tabs.active = 3
    assert app.selection.tab == "Inspect & edit"
    app.selection.tab = "By hand"
    assert tabs.active == 6


def test_create_app_opens_at_a_view():
    """create_app(view=...) (what `bptt-sim serve FILE` calls per page) opens at the document's view."""
    import panel as pn

    from simulator.app import create_app
    root = create_app(view={"time": 2, "tab": "By hand", "large_type": True, "hidden": ["loss-curve"]})
    tabs = root.select(pn.Tabs)[0]
    assert "large-type" in root.css_classes and tabs.active == DETAIL_TABS.index("By hand")
    slider = next(w for w in root.select(pn.widgets.IntSlider) if "time-slider" in w.css_classes)
    assert slider.value == 2


def test_apply_into_an_existing_session_of_another_lesson():
    """Loading into a session switches its lesson, settings and weights to the document's."""
    src = Session(lesson="tied-weights")
    src.step(4)
    dst = Session()
    D.apply_document(dst, D.to_document(src))
    assert same(state(src), state(dst)) and dst.message_kind == "info"
    assert dst.message == "Loaded a saved state of the lesson “Weight constraints” at update 4.", dst.message


def test_messages_name_the_place():
    """A refusal names the path in the document and what was expected there."""
    doc = D.to_document(Session())
    bad = copy.deepcopy(doc)
    bad["network"]["W"][2] = bad["network"]["W"][2][:-1]
    with pytest.raises(ValueError, match=r"network\.W\[2\]: expected 6 entries; got 5"):
        D.validate(bad)
    bad = copy.deepcopy(doc)
    bad["version"] = 2
    with pytest.raises(ValueError, match="version: expected 1"):
        D.validate(bad)
    bad = copy.deepcopy(doc)
    bad["data"]["Y"][0][3][5] = float("nan")
    with pytest.raises(ValueError, match=r"data\.Y\[0\]\[3\]\[5\]: expected a finite number"):
        D.validate(bad)
    with pytest.raises(ValueError, match="limit is 5000000 bytes"):
        D.parse(" " * (D.MAX_BYTES + 1))


def test_weight_on_absent_connection_refused():
    """A nonzero weight where connections says 0 is inconsistent, not silently dropped."""
    doc = D.to_document(Session())
    doc["network"]["W"][0][0] = 0.5  # a is an input: nothing connects into it
    with pytest.raises(ValueError, match=r"network\.W\[0\]\[0\]: expected 0"):
        D.session_from_document(doc)


# -- generated bad documents --------------------------------------------------------------------------
_BASE = Session()
_BASE.step(3)
GOOD_VIEW = {"time": 3, "case": 1, "weight": [2, 0], "unit": [4, 3], "tab": "Weight matrices", "large_type": True,
             "hidden": ["settings"], "card": 2, "theme": "dark"}
CARDS = len(LESSONS[_BASE.lesson]["points"])
GOOD = D.to_document(_BASE, view=GOOD_VIEW)
GOOD_TEXT = D.dumps(GOOD)
T, B, N = _BASE.sequences.T, _BASE.sequences.B, _BASE.net.N
ABSENT = [[int(i), int(j)] for i, j in np.argwhere(_BASE.net.C == 0)]
NOT_INT = st.sampled_from([1.5, "3", True, None, [1], {"t": 1}])
VALID_NAMES = {*LESSONS, "W", "b", "h0", "logistic", "tanh", "linear", "softmax", "squared", "cross_entropy", "lesson"}
ARRAYS = [("network", "W"), ("network", "b"), ("network", "h0"), ("network", "connections"), ("network", "activation"),
          ("network", "learn_h0"), ("units", "names"), ("units", "groups"), ("data", "X"), ("data", "K"),
          ("data", "Y"), ("data", "M"), ("training", "velocity")]


def paths(node, prefix=()):
    """Every path (tuple of keys/indices) into a document, leaves and containers alike."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield from paths(v, prefix + (k,))


def _sample_path(draw, node, prefix=()):
    """A random path, descending one random child at a time (every depth is reachable)."""
    while True:
        kids = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        if not kids or (prefix and draw(st.booleans())):
            return prefix, node
        k, node = draw(st.sampled_from(kids))
        prefix = prefix + (k,)


def _set(doc, path, value):
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _delete(doc, path):
    node = doc
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]


@st.composite
def bad_documents(draw):
    """JSON text that must be refused: a good document with one sure-to-break mutation."""
    kind = draw(st.sampled_from(["drop_key", "null", "wrong_type", "shape", "nan", "huge", "truncate", "garbage",
                                 "version", "unknown_name", "view"]))
    doc = copy.deepcopy(GOOD)
    if kind == "truncate":
        return GOOD_TEXT[:draw(st.integers(0, len(GOOD_TEXT) - 1))]
    if kind == "garbage":
        return draw(st.one_of(st.text(max_size=50), st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
                              st.sampled_from(["[]", "null", "1", '"bptt-sim"', "{", "{}", '{"format":"bptt-sim"}'])))
    if kind == "drop_key":  # every key is required (but the view section, its keys and the training
        # section's keys beyond D.KEYS, e.g. the gradient norms, are optional)
        dict_paths = [p for p in paths(doc) if p and isinstance(p[-1], str) and p[0] != "view"
                      and not (p[0] == "training" and len(p) == 2 and p[1] not in D.KEYS["training"])]
        _delete(doc, draw(st.sampled_from(dict_paths)))
    elif kind == "null":  # no value in the format is ever null (except "no weight/unit selected")
        path, _ = _sample_path(draw, doc)
        if path in (("view", "weight"), ("view", "unit")):
            path = ("view", "time")
        _set(doc, path, None)
    elif kind == "wrong_type":  # an object or a nested list where the format never has one
        path, node = _sample_path(draw, doc)
        _set(doc, path, {"x": 1} if not isinstance(node, dict) else [[1]])
    elif kind == "shape":
        section, key = draw(st.sampled_from(ARRAYS))
        node, depth = doc[section][key], 0
        while isinstance(node, list) and node and isinstance(node[0], list) and draw(st.booleans()):
            node, depth = node[draw(st.integers(0, len(node) - 1))], depth + 1
        if draw(st.booleans()):
            node.pop(draw(st.integers(0, len(node) - 1)))
        else:
            node.append(copy.deepcopy(node[-1]))
    elif kind == "nan":
        section, key = draw(st.sampled_from([a for a in ARRAYS if a[1] in ("W", "b", "h0", "X", "Y", "velocity")]))
        leaves = [p for p in paths(doc[section][key]) if p and not isinstance(_get(doc[section][key], p), list)]
        _set(doc[section][key], draw(st.sampled_from(leaves)), draw(st.sampled_from([float("nan"), float("inf"), -1e999])))
        return json.dumps(doc)  # json writes NaN / Infinity, which Python's json reads back
    elif kind == "huge":
        what = draw(st.sampled_from(["steps", "seed", "updates_negative", "text", "cases"]))
        if what == "steps":
            doc["training"]["steps"] = draw(st.integers(61, 10 ** 12))
        elif what == "seed":
            doc["training"]["seed"] = draw(st.integers(2 ** 31, 2 ** 80))
        elif what == "updates_negative":
            doc["training"]["updates"] = draw(st.integers(-10 ** 9, -1))
        elif what == "text":
            return GOOD_TEXT[:-1] + ',"pad":"' + "x" * D.MAX_BYTES + '"}'
        else:
            for key in "XKYM":  # 4160 cases * 11 steps * 6 units > MAX_CELLS, under MAX_BYTES
                doc["data"][key] = doc["data"][key] * 130
    elif kind == "view":
        doc["view"] = draw(bad_views())
    elif kind == "version":
        doc["version"] = draw(st.sampled_from([0, 2, "1", 1.5, True, None]))
    else:
        where = draw(st.sampled_from(["lesson", "activation", "loss", "group", "ref", "setting"]))
        name = draw(st.text(min_size=1, max_size=8).filter(lambda t: t not in VALID_NAMES))
        if where == "lesson":
            doc["lesson"] = name
        elif where == "activation":
            doc["network"]["activation"][2] = name
        elif where == "loss":
            doc["network"]["loss"] = name
        elif where == "group":
            doc["units"]["groups"][0] = name + "?"
        elif where == "ref":
            doc["network"]["ties"] = [[["W", 2, 0], [name, 3]]]
        else:
            doc["training"]["activation"] = name + "?"
    return json.dumps(doc)


@st.composite
def bad_views(draw):
    """A "view" section that must be refused for GOOD's net (N units, T steps, B cases)."""
    view = dict(GOOD_VIEW)
    key = draw(st.sampled_from(["time", "case", "card", "weight", "unit", "tab", "large_type", "hidden",
                                "unknown_key", "not_an_object"]))
    if key in ("time", "case", "card"):
        top = {"time": T, "case": B - 1, "card": CARDS - 1}[key]
        view[key] = draw(st.one_of(st.integers(top + 1, 10 ** 12), st.integers(-10 ** 12, -1), NOT_INT))
    elif key in ("weight", "unit"):
        sizes = (N, N) if key == "weight" else (T + 1, N)
        k = draw(st.integers(0, 1))
        beyond = list(view[key])
        beyond[k] = draw(st.one_of(st.integers(sizes[k], 10 ** 6), st.integers(-10 ** 6, -1), NOT_INT))
        wrong = [st.just(beyond), st.lists(st.integers(0, 3), max_size=4).filter(lambda x: len(x) != 2),
                 st.sampled_from(["2,0", 2, True, {"i": 2, "j": 0}])]
        if key == "weight":
            wrong.append(st.sampled_from(ABSENT))  # [i, j] in range, but no such connection
        view[key] = draw(st.one_of(*wrong))
    elif key == "tab":
        view["tab"] = draw(st.one_of(st.text(max_size=12).filter(lambda t: t not in DETAIL_TABS),
                                     st.sampled_from([0, None, True, [DETAIL_TABS[0]]])))
    elif key == "large_type":
        view["large_type"] = draw(st.sampled_from([0, 1, "true", None, [], {}]))
    elif key == "hidden":
        name = st.text(max_size=12).filter(lambda t: t not in HIDEABLE)
        view["hidden"] = draw(st.one_of(st.lists(name, min_size=1, max_size=3).map(lambda x: ["sidebar", *x]),
                                        st.sampled_from(HIDEABLE).map(lambda h: [h, "settings", h]),
                                        st.sampled_from(["sidebar", None, 1, {"sidebar": True}, [["sidebar"]]])))
    elif key == "unknown_key":
        view[draw(st.text(max_size=10).filter(lambda t: t not in D.VIEW_DEFAULTS))] = draw(st.sampled_from([0, None]))
    else:
        return draw(st.sampled_from([[], None, "time=3", 3, [GOOD_VIEW]]))
    return view


def _get(node, path):
    for k in path:
        node = node[k]
    return node


def test_generator_mutates_a_valid_document():
    """The unmutated document is accepted (otherwise every refusal below would prove nothing), with
    its non-default view section or without it."""
    assert D.parse(GOOD_TEXT) == GOOD and GOOD["view"] == GOOD_VIEW
    assert D.parse(D.dumps({k: v for k, v in GOOD.items() if k != "view"}))


VIEWER = viewer(Session())  # shared by the examples below: none may change it


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=bad_documents())
def test_bad_documents_refused_and_session_unchanged(text):
    """Every generated bad document raises ValueError with a message; the session, the selection
    and lecture mode keep their state."""
    s = Session(lesson="tied-weights")  # another lesson: a half-applied load would show
    sel, lecture = VIEWER
    before, view_before = state(s), view_state(sel, lecture)
    with pytest.raises(ValueError) as info:
        D.apply_document(s, D.parse(text), selection=sel, lecture=lecture)
    assert str(info.value) and "\n" not in str(info.value)
    assert same(before, state(s)) and view_state(sel, lecture) == view_before
