"""Crowded nets and failing redraws in the whole app, without a browser (issue 21, item 3).

A column of 29 inputs used to crash the recurrent picture (an arrow trimmed to one point has no
direction), after which the state had changed but the pictures and the message had not. Here
the nets grow to the editor's cap in every group with every tab drawing, a document with 32
inputs loads, and an edit or a load whose redraw fails leaves the app as it was and says so.
"""
import json

import numpy as np
import pytest

from simulator import document
from simulator.app import SimulatorApp
from simulator.state import edits as E
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl


def whole_app():
    app = SimulatorApp()
    app.__panel__()
    app.recurrent.grouping.show_all = True  # unit by unit: a large net otherwise draws one node per group
    for view in (app.matrices, app.grid, app.inspector, app.error_split, app.byhand):
        view.redraw.shown = True  # every tab draws, as if each were open
    app.equivalence.active = True
    return app


def assert_drawn(app):
    """The pictures show the session's net: one circle per unit, one arrow per connection."""
    net = app.session.net
    assert len(app.recurrent.units.data["x"]) == net.N
    assert len(app.recurrent.edges.data["i"]) == min(int(net.C.sum()), gl.MAX_ARROWS)  # the largest beyond
    assert len(app.grid.source.data["x"]) == net.N * (app.session.sequences.T + 1)
    assert list(app.matrices.x_range.factors) == list(app.session.unit_names)


def test_arrows_between_overlapping_circles_keep_a_direction():
    """Units closer together than their circles are wide still get arrows of two or more points."""
    pos = np.c_[np.zeros(5), np.arange(5) * 0.1]
    out = np.tile([-1.0, 0.0], (5, 1))
    i, j = np.array([0, 1, 2, 3, 4, 4]), np.array([1, 2, 3, 4, 0, 4])
    xs, ys, hx, hy, ha, mid = gl.recurrent_paths(pos, out, i, j, np.full(5, 0.3))
    assert all(len(x) >= 2 for x in xs) and len(ha) == len(i)
    assert np.all(np.isfinite(hx)) and np.all(np.isfinite(hy)) and np.all(np.isfinite(ha))


# Inputs and outputs stand in columns, where the circles crowd; hidden units stand on a ring that
# grows with them (and, all connected, cost ~0.5 s a redraw near the cap), so they stop at 32.
@pytest.mark.parametrize("group,upto", [("inputs", E.MAX_EDIT_UNITS), ("outputs", E.MAX_EDIT_UNITS), ("hidden", 32)])
def test_adding_units_up_to_the_cap_keeps_every_picture_drawn(group, upto):
    """"Add unit" up to the editor's cap: each one is drawn in every view and named in the message."""
    app = whole_app()
    s = app.session
    while s.net.N < upto:
        assert s.add_unit(group), s.message
        assert s.message.startswith("Added unit") and s.message_kind == "info"
        assert_drawn(app)
    if upto == E.MAX_EDIT_UNITS:
        assert not s.add_unit(group) and "stops at" in s.message


def test_a_document_with_32_inputs_loads_and_is_drawn():
    """A saved net with 32 inputs loads through the app's Load and every picture shows it."""
    other = Session()
    while other.unit_groups.count("inputs") < 32:
        assert other.add_unit("inputs"), other.message
    app = whole_app()
    app.share.upload.param.update(filename="wide.json", value=json.dumps(document.to_document(other)).encode())
    assert app.session.unit_groups.count("inputs") == 32, app.session.message
    assert_drawn(app)


def test_an_edit_whose_picture_fails_leaves_the_app_as_it_was(monkeypatch):
    """If the recurrent picture cannot draw an edit's result, the session, every picture and the
    status line stay on the old net and the message says the edit was not made."""
    app = whole_app()
    s = app.session
    names, N = list(s.unit_names), s.net.N
    real = gl.recurrent_paths

    def fails_for_more_units(pos, *args, **kw):
        if len(pos) > N:
            raise IndexError("index -2 is out of bounds for axis 0 with size 1")
        return real(pos, *args, **kw)

    monkeypatch.setattr(gl, "recurrent_paths", fails_for_more_units)
    app.structure.add()
    assert s.net.N == N and s.unit_names == names
    assert_drawn(app)
    assert s.message == "Could not add a unit: it failed inside the simulator (IndexError); nothing was changed"
    assert app.structure.feedback.visible and app.status._message.styles.get("visibility") != "hidden"
    monkeypatch.setattr(gl, "recurrent_paths", real)
    app.structure.add()
    assert s.net.N == N + 1 and s.message.startswith("Added unit")
    assert_drawn(app)


@pytest.mark.parametrize("fails_on", ["net", "view"])
def test_a_load_whose_picture_fails_leaves_the_app_as_it_was(monkeypatch, fails_on):
    """A document the pictures cannot draw (its net, or the time step its view section selects):
    the lesson, the net, what is looked at and the pictures stay as they were, and the Load says why."""
    other = Session(lesson="attractors", seed=3)
    doc = document.to_document(other, document.view_of(other, Selection(time=2, case=1, tab="By hand")))
    app = whole_app()
    s, sel = app.session, app.selection
    lesson, names, looked = s.lesson, list(s.unit_names), sel.param.values()
    if fails_on == "net":
        monkeypatch.setattr(gl, "recurrent_paths", lambda *a, **k: (_ for _ in ()).throw(IndexError("no room")))
    else:
        real = gl.current_frame
        monkeypatch.setattr(gl, "current_frame", lambda session, selection: real(session, selection)
                            if selection.time != 2 else (_ for _ in ()).throw(IndexError("no room")))
    app.share.upload.param.update(filename="other.json", value=json.dumps(doc).encode())
    assert s.lesson == lesson and s.unit_names == names and sel.param.values() == looked
    assert s.message.startswith("Could not load other.json: it failed inside the simulator")
    assert "share-error" in app.share.feedback.object
    assert_drawn(app)
