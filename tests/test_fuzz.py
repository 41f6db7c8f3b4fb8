"""Fuzz: thousands of generated bad inputs through every entry point (typed values, uploaded
documents, URL parameters; the Python API in tests/test_fuzz_api.py) are refused with a clear ValueError (or the session's
error message) naming what was wrong, and the state is exactly as it was afterwards. The inputs
come from tests/fuzz_inputs.py and tests/fuzz_documents.py; tests/document/test_document.py mutates the
values of one document, these mutate every lesson's saved state and send it through the upload
widget."""
import base64

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuzz_documents as FD
import fuzz_inputs as F
from engine.patterns import CLAMP_MODES, TARGET_MODES
from simulator import document as D
from simulator.state.caps import quote
from simulator.state.edits import KINDS, MAX_EDIT_UNITS, param_value, ref_label
from simulator.lessons.registry import LESSONS
from simulator.state.selection import Selection
from simulator.lessons.own_data import check_sentences
from simulator.state.session import Session
from simulator.views.grid import GridEditorView
from simulator.views.inspector import InspectorView
from simulator.views.link import decode_params, link_document, link_of
from simulator.views.share import ShareView
from simulator.views.structure import StructureView
from simulator.views.text import md


from fuzz_inputs import fuzz, trained


# -- 1. typed values ---------------------------------------------------------------------------------
INSPECTOR = InspectorView(session=trained(Session()), selection=Selection())


@fuzz(600)
@given(text=F.typed_text, kind=st.sampled_from(["W", "b", "h0"]), i=st.integers(0, 5), j=st.integers(0, 5))
def test_typed_values_in_the_inspector(text, kind, i, j):
    """Text typed into the inspector's value box: a number goes in exactly; anything else (or a weight
    of an absent connection) is refused beside the box, naming the parameter and the text."""
    view, s = INSPECTOR, INSPECTOR.session
    view.kind.value, view.to_unit.value, view.from_unit.value = kind, i, j
    view.input.value = text
    before = F.snapshot(s)
    view.apply()
    ref = ("W", i, j) if kind == "W" else (kind, i)
    value = F.as_number(text)
    if value is not None and (kind != "W" or s.net.C[i, j]):
        assert not view.feedback.visible and param_value(s.net, ref) == value
    else:
        F.assert_refused(s, before, f"Could not set {ref_label(ref, s.unit_names)}", quote(text), "absent connection")
        assert view.feedback.visible and view.feedback.object == md(s.message)  # shown as literal text


API = trained(Session())


@fuzz(400)
@given(ref=F.refs, text=st.one_of(st.sampled_from(["0.5", -1.25, "  2e-3 "]), F.typed_text))
def test_set_parameter_from_python(ref, text):
    """Session.set_parameter with any reference and text: set exactly, or refused naming what was wrong."""
    s = API
    before = F.snapshot(s)
    ok = s.set_parameter(ref, text)
    value = F.as_number(text)
    valid = F.valid_ref(ref, s.net.N) and value is not None and (ref[0] != "W" or s.net.C[ref[1], ref[2]])
    assert ok == valid, s.message
    if ok:
        assert param_value(s.net, tuple(ref)) == value
    else:
        names = [quote(text), quote(ref)] + ([quote(tuple(ref))] if isinstance(ref, list) else [])
        F.assert_refused(s, before, "Could not set", *names)


def cross_entropy(session):
    """``session`` with cross-entropy, whose targets must lie in [0, 1] (binary addition's own loss is squared)."""
    session.loss = "cross_entropy"
    return session


GRID = GridEditorView(session=trained(cross_entropy(Session())), selection=Selection())


@fuzz(400)
@given(text=F.typed_text, brush=st.sampled_from(["Clamp", "Target"]), t=st.integers(-2, 12), i=st.integers(-2, 7),
       every=st.booleans())
def test_typed_values_in_the_grid(text, brush, t, i, every):
    """The grid's value box painted into a cell: a number is the clamp or target (cross-entropy
    targets in [0, 1]); junk is refused beside the grid; a click outside the grid does nothing."""
    view, s = GRID, GRID.session
    view.brush.value, view.all_cases.value = brush, every
    view.value.param.update(value=text, value_input=text)  # typed: value_input follows each key
    before = F.snapshot(s)
    view.paint(t, i)
    v, seq = F.as_number(text), s.sequences
    if not (0 <= t <= seq.T and 0 <= i < seq.N):
        F.assert_unchanged(before, s)
    elif v is not None and (brush == "Clamp" or 0 <= v <= 1):
        c = slice(None) if every else view.current_case()
        mask, values = (seq.K, seq.X) if brush == "Clamp" else (seq.M, seq.Y)
        assert np.all(mask[c, t, i] == 1) and np.all(values[c, t, i] == v)
    elif v is None:  # not a number: refused beside the grid, the session untouched
        F.assert_unchanged(before, s)
        F.assert_clear(ValueError(view.problem), quote(text))
    else:
        F.assert_refused(s, before, "Could not set that cell", "cross-entropy targets")
        assert view.problem == s.message


DATA = trained(Session())
B, T, N = DATA.sequences.B, DATA.sequences.T, DATA.net.N
CELL_GOOD = dict(case=st.one_of(st.none(), st.integers(0, B - 1)), t=st.integers(0, T), i=st.integers(0, N - 1),
                 kind=st.sampled_from(["clamp", "target"]), value=st.sampled_from([0, 1, "0.5", 0.25]))
CELL_BAD = dict(case=F.index_junk(B).filter(lambda c: c is not None), t=F.index_junk(T + 1), i=F.index_junk(N), value=F.not_a_number,
                kind=st.one_of(st.text(max_size=8).filter(lambda k: k not in KINDS), st.sampled_from([None, 1, ["clamp"]])))
CELL_NAMES = dict(case="case", t="time step", i="unit", kind="kind", value="value")


@fuzz(400)
@given(case=F.one_bad(CELL_GOOD, CELL_BAD))
def test_cell_edits_from_python(case):
    """Session.set_cell with one bad argument is refused naming that argument; nothing changes."""
    key, args = case
    before = F.snapshot(DATA)
    assert not DATA.set_cell(**args)
    F.assert_refused(DATA, before, "Could not set that cell", CELL_NAMES[key])


def _pattern_args(kind, mode):
    units = st.lists(st.integers(0, N - 1), min_size=1, max_size=N, unique=True)
    return dict(kind=st.just(kind), mode=st.just(mode), units=units, last=st.integers(1, T + 1), combine=st.booleans())


@st.composite
def bad_pattern(draw):
    kind = draw(st.sampled_from(["clamp", "target"]))
    mode = draw(st.sampled_from(CLAMP_MODES if kind == "clamp" else TARGET_MODES))
    bad = dict(kind=st.one_of(st.text(max_size=8).filter(lambda k: k not in ("clamp", "target")), st.sampled_from([None, 1])),
               mode=st.one_of(st.text(max_size=12).filter(lambda m: m not in CLAMP_MODES + TARGET_MODES),
                              st.sampled_from([None, 1, "final-all" if kind == "clamp" else "initial-all"])),
               units=st.one_of(st.integers(), st.sampled_from(["ab", b"\x01", 1.5, [N], [-1], [1.5], [None], [True], ["a"]]
                                                              + ([[]] if "subset" in mode else []))))
    if mode == "last-k-all":
        bad["last"] = F.index_junk(T + 2)
    return draw(F.one_bad(_pattern_args(kind, mode), bad))


@fuzz(300)
@given(case=bad_pattern())
def test_pattern_edits_from_python(case):
    """Session.apply_pattern with one bad argument is refused naming it; nothing changes."""
    key, args = case
    before = F.snapshot(DATA)
    assert not DATA.apply_pattern(**args)
    names = dict(kind=("kind",), mode=("pattern",), units=("unit",), last=("k (the number of last steps)",))[key]
    F.assert_refused(DATA, before, f"Could not apply the {args['kind']} pattern", *names)


TIED = StructureView(session=trained(Session(lesson="tied-weights")), selection=Selection())
_net = TIED.session.net
TIED_REF = _net.ties[0][0]
FREE = [("W", int(i), int(j)) for i, j in np.argwhere(_net.C)] + [("b", k) for k in range(_net.N)]
FREE = [r for r in FREE if all(r not in g for g in _net.ties)]
ABSENT = [("W", int(i), int(j)) for i, j in np.argwhere(_net.C == 0)]
bad_tie = st.one_of(
    st.sampled_from([None, 5, "W20", b"W", [], [FREE[0]], [FREE[0], FREE[0]], [TIED_REF, FREE[1]], [ABSENT[0], FREE[2]],
                     [("h0", 0), ("h0", 1)], [FREE[0], ()], [FREE[0], "W"], [FREE[0], ("W", [1], 0)]]),
    st.tuples(st.sampled_from(FREE), F.refs.filter(lambda r: not F.valid_ref(r, _net.N))).map(list))
STRUCTURE = {  # method: (arguments with one bad, the refusal's prefix, what it must name)
    "add_unit": (st.tuples(st.sampled_from([None, "", "   ", 5, ["hidden"], b"hidden", 1.5])), "Could not add a unit", "group"),
    "remove_unit": (st.tuples(F.index_junk(_net.N)), "Could not remove the unit", "unit"),
    "toggle_connection": (st.one_of(st.tuples(F.index_junk(_net.N), st.integers(0, _net.N - 1)),
                                    st.tuples(st.integers(0, _net.N - 1), F.index_junk(_net.N))),
                          "Could not change the connection", "-unit"),
    "tie": (st.tuples(bad_tie), "Could not tie those parameters", "tie", "parameter", "reference", "indices", "absent"),
    "untie": (st.tuples(F.index_junk(len(_net.ties))), "Could not untie", "tie group"),
}


@fuzz(400)
@given(method=st.sampled_from(sorted(STRUCTURE)), data=st.data(), via_view=st.booleans())
def test_structure_edits(method, data, via_view):
    """Adding/removing units and connections, tying and untying with bad indices, names or references
    (from Python, or chosen in the structure editor) is refused naming what was wrong; nothing changes."""
    view, s = TIED, TIED.session
    args = data.draw(STRUCTURE[method][0])
    before = F.snapshot(s)
    if via_view and method in ("remove_unit", "toggle_connection"):
        if method == "remove_unit":
            view.unit.value = args[0]
            view.remove()
        else:
            view.target_unit.value, view.source_unit.value = args
            view.toggle()
        assert view.feedback.visible and view.feedback.object == md(s.message)  # shown as literal text
    else:
        assert not getattr(s, method)(*args)
    F.assert_refused(s, before, *STRUCTURE[method][1:])


def test_structure_limits():
    """The last unit cannot be removed, the editor stops at MAX_EDIT_UNITS units, and a net without
    ties has nothing to untie: each refused with a message, nothing changed."""
    s = Session(lesson="learned-initial-state")
    while s.net.N > 1:
        assert s.remove_unit(0)
    for action, prefix, name in ((lambda: s.remove_unit(0), "Could not remove the unit", "last one"),
                                 (lambda: s.untie(0), "Could not untie", "no tied parameters")):
        before = F.snapshot(s)
        assert not action()
        F.assert_refused(s, before, prefix, name)
    while s.net.N < MAX_EDIT_UNITS:
        assert s.add_unit("hidden")
    before = F.snapshot(s)
    assert not s.add_unit("hidden")
    F.assert_refused(s, before, "Could not add a unit", str(MAX_EDIT_UNITS))


SESSIONS = {lesson: trained(Session(lesson=lesson)) for lesson in LESSONS}


@fuzz(300)
@given(lesson=st.sampled_from(sorted(LESSONS)), name=st.sampled_from(sorted(F.SETTING_JUNK)), data=st.data())
def test_settings(lesson, name, data):
    """A setting out of its bounds or of the wrong type raises a ValueError naming it; one the model
    forbids for this net (a T the task cannot use, tanh with cross-entropy) is put back with a
    message. Either way nothing changes; an allowed one is applied."""
    s = SESSIONS[lesson]
    allowed = {"steps": st.integers(1, 60), "activation": st.sampled_from(Session.param.activation.objects),
               "loss": st.sampled_from(Session.param.loss.objects), "learn_h0": st.booleans()}
    before, old = F.snapshot(s), getattr(s, name)
    if name in allowed and data.draw(st.booleans()):
        value = data.draw(allowed[name])
        setattr(s, name, value)
        if getattr(s, name) == old and value != old:
            F.assert_refused(s, before, "That setting does not fit this network", "")
        else:
            assert getattr(s, name) == value and s.sequences.T == s.steps
        return
    with pytest.raises(ValueError) as info:
        setattr(s, name, data.draw(st.sampled_from(F.SETTING_JUNK[name])))
    F.assert_clear(info.value, name)
    F.assert_unchanged(before, s)


@fuzz(150)
@given(text=st.one_of(st.text(max_size=60), st.sampled_from(["", "a", "x" * 41, "ab\n" * 5, "HELLO", "héllo", "1 2"])))
def test_robot_sentences(text):
    """The robot writer's sentence box: text that breaks its rules is refused saying which; nothing changes."""
    s = SESSIONS["robot-writer"]
    before = F.snapshot(s)
    try:
        check_sentences(text)
    except ValueError as exc:
        assert not s.use_sentences(text)
        F.assert_refused(s, before, "Could not use those sentences", str(exc))
    else:
        assert s.use_sentences(text) and s.lesson == "robot-writer"


# -- 2. uploaded documents ---------------------------------------------------------------------------
UPLOAD = ShareView(session=trained(Session(lesson="input-modes")))


@fuzz(1200)
@given(case=FD.bad_document())
def test_uploaded_documents(case):
    """Every lesson's saved state, broken at a random place (a value of the wrong type, NaN, a huge
    number, a wrong shape, an unknown or missing key, values that do not fit together, truncated,
    not UTF-8, nested 100,000 deep, beyond MAX_BYTES), uploaded: refused naming the place, and the
    session, which shows another lesson, keeps everything."""
    kind, lesson, data, where = case
    view, s = UPLOAD, UPLOAD.session
    before = F.snapshot(s)
    view.upload.value = None  # the same bytes twice must load twice
    view.upload.filename = name = f"{lesson}-{kind}.json"
    view.upload.value = data
    F.assert_refused(s, before, f"Could not load {name}", *FD.ROOTS)
    place = s.message.split(": ", 2)[1]
    assert place.split(" ")[0].split(".")[0].split("[")[0] in FD.ROOTS, s.message[:200]
    assert where is None or place in where, (where, s.message[:200])
    assert "share-error" in view.feedback.object


# -- 3. URL parameters ---------------------------------------------------------------------------------
LINKS = {lesson: (link_of(SESSIONS[lesson]), SESSIONS[lesson].net.copy()) for lesson in LESSONS}
LINKED = trained(Session(lesson="attractors"))


@fuzz(500)
@given(case=F.bad_link(LINKS))
def test_links(case):
    """A link with one bad parameter, opened as LinkSync opens it: refused naming the parameter (or
    the place its weights broke); the page keeps its state."""
    key, query = case
    s = LINKED
    before = F.snapshot(s)
    assert not s.attempt(lambda: D.apply_document(s, link_document(query)), "Could not open the link")
    F.assert_refused(s, before, "Could not open the link", "")
    place = s.message.split(": ", 2)[1]
    assert place == key or (key, place) == ("n", "training.updates") or (key == "w" and place.startswith("network")), \
        s.message[:200]


@fuzz(400)
@given(text=st.one_of(st.text(max_size=80), st.binary(max_size=120).map(lambda b: base64.urlsafe_b64encode(b).decode()),
                      st.sampled_from([None, 5, b"AAAA", ["AAAA"], "A" * 4001])), size=st.integers(1, 3000))
def test_weight_encodings(text, size):
    """decode_params on junk: a ValueError that starts with 'w:', or exactly ``size`` float64 numbers."""
    try:
        flat = decode_params(text, size)
    except ValueError as exc:
        F.assert_clear(exc, "w: ")
        assert str(exc).startswith("w: ")
    else:
        assert flat.shape == (size,) and flat.dtype == np.float64
