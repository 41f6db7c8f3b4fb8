"""The unrolled picture without a browser: its Bokeh sources against the model's own numbers.
(The hover link between the two pictures is tested in Chromium in tests/ui/test_link_ui.py.)"""
import numpy as np
import pytest
from bokeh.document import Document

from frames import assert_frames_change_each_property_once, pass_tick, training_frame
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import style
from simulator.views.unrolled import X_PAD, UnrolledView


@pytest.fixture
def view():
    """An UnrolledView of the default lesson, attached to a Bokeh document like a served page."""
    v = UnrolledView(session=Session(), selection=Selection())
    doc = Document()
    doc.add_root(v.__panel__().get_root(doc))
    return v


def copies(v, i, j):
    d = v.edges.data
    return [k for k in range(len(d["i"])) if (d["i"][k], d["j"][k]) == (i, j)]


def test_columns_of_units_joined_by_t_copies_of_each_weight(view):
    """T+1 columns of N cells; each connection appears T times, from column t-1 to column t."""
    net, T = view.session.net, view.session.sequences.T
    c, e = view.cells.data, view.edges.data
    assert len(c["x"]) == (T + 1) * net.N
    assert len(e["i"]) == T * int(net.C.sum())
    y_of = {int(i): y for i, y, t in zip(c["i"], c["y"], c["t"]) if t == 0}
    for k in range(len(e["i"])):
        t = e["t"][k]
        assert list(e["xs"][k]) == [t - 1, t]
        assert list(e["ys"][k]) == [y_of[e["j"][k]], y_of[e["i"][k]]]
    assert sorted(copies(view, 2, 0)) == copies(view, 2, 0) and [e["t"][k] for k in copies(view, 2, 0)] == list(range(1, T + 1))
    assert view.figure.xaxis.ticker.ticks == list(range(T + 1))


def test_the_copies_of_one_weight_look_alike(view):
    """All T copies of W[i, j] share its value, colour and width, and the width grows with |W|."""
    s = view.session
    s.set_parameter(("W", 3, 4), "2.5")
    d = view.edges.data
    for i, j in zip(*np.nonzero(s.net.C)):
        ks = copies(view, i, j)
        assert {d["w"][k] for k in ks} == {s.net.W[i, j]}
        assert len({d["colour"][k] for k in ks}) == 1 and len({d["width"][k] for k in ks}) == 1
    k = copies(view, 3, 4)[0]
    assert d["width"][k] == max(d["width"]) and d["colour"][k] == style.POSITIVE
    assert d["copy"][k] == f"copy 1 of {s.sequences.T} (t = 0 → 1)"


def test_cells_show_the_stack_of_the_selected_case(view):
    """Cells carry s_t of the selected case; clamped cells show their input, target cells a ring."""
    s, sel = view.session, view.selection
    s.step(3)
    sel.case = 5
    c, seq, g = view.cells.data, s.sequences, s.gradients
    np.testing.assert_array_equal(c["s"], g.states[5].ravel())
    K, M = seq.K[5].ravel() > 0, seq.M[5].ravel() > 0
    assert [txt != "" for txt in c["text"]] == list(K)
    assert [txt for txt, k in zip(c["text"], K) if k] == [style.fmt(x, 2) for x in seq.X[5].ravel()[K]]
    assert list(np.asarray(c["ring_alpha"]) > 0) == list(M)
    assert (c["target"][~M] == gl.NO_VALUE).all() and np.array_equal(np.asarray(c["target"])[M], seq.Y[5].ravel()[M])
    assert "case 5" in view.figure.title.text


def test_time_cursor_band_follows_selection_time(view):
    """The shaded band sits on column selection.time."""
    view.selection.time = 7
    assert view.time_band.left < 7 < view.time_band.right and view.time_band.right - view.time_band.left < 1


def test_forward_pass_builds_the_stack_left_to_right(view):
    """During the forward pass columns after the current one are empty and their edges faded."""
    view.selection.tick = 3
    c, e = view.cells.data, view.edges.data
    t_c, t_e = np.asarray(c["t"]), np.asarray(e["t"])
    assert all(f == "#ffffff" for f in np.asarray(c["fill"])[t_c > 3])
    assert not np.any(np.asarray(c["ring_alpha"])[t_c > 3]) and not any(np.asarray(c["text"])[t_c > 3])
    alpha = np.asarray(e["alpha"])
    assert alpha[t_e > 3].max() < alpha[t_e <= 3].min()
    assert view.pass_band.visible and view.pass_band.left < 3 < view.pass_band.right


def test_backward_pass_shows_d_t_and_each_copys_gradient(view):
    """Mid-backward, columns t >= start show d_t and their incoming copies G_t = dW_by_step[t-1]."""
    s, sel = view.session, view.selection
    s.step(20)
    T, start = s.sequences.T, 6
    sel.tick = 2 * T + 1 - start
    g, e, c = s.gradients, view.edges.data, view.cells.data
    i, j, t = (np.asarray(e[k]) for k in "ijt")
    np.testing.assert_array_equal(e["G"], g.dW_by_step[t - 1, i, j])
    np.testing.assert_allclose(e["share"], g.dz[0, t, i] * g.states[0, t - 1, j])
    late = t >= start
    order = np.argsort(np.abs(np.asarray(e["G"])[late]))
    assert np.all(np.diff(np.asarray(e["width"])[late][order]) >= 0)
    assert np.asarray(e["alpha0"])[~late].max() < np.asarray(e["alpha0"])[late].min()
    t_c = np.asarray(c["t"])
    colours = style.signed_colour(g.dz[0].ravel(), gl.grad_scale(g.dz[0]))
    assert [f for f, tc in zip(c["fill"], t_c) if tc >= start] == [f for f, tc in zip(colours, t_c) if tc >= start]
    assert "Backward" in view.figure.title.text


def test_selected_weight_lights_all_its_copies(view):
    """selection.weight = (i, j) lights exactly its T copies (what the browser link also does)."""
    view.selection.weight = (3, 4)
    lit = list(np.flatnonzero(view.edges.data["sel"]))
    assert lit == copies(view, 3, 4) and len(lit) == view.session.sequences.T


def test_clicks_set_the_selection(view):
    """Clicking an edge selects its weight; clicking a cell selects (t, unit)."""
    sel = view.selection
    k = copies(view, 2, 1)[4]
    view.edges.selected.indices = [k]
    assert sel.weight == (2, 1)
    view.cells.selected.indices = [3 * view.session.net.N + 4]
    assert sel.unit == (3, 4)


def test_changing_T_rebuilds_the_columns(view):
    """With T = 5 steps there are 6 columns and 5 copies of each weight."""
    s = view.session
    s.steps = 5
    assert len(view.cells.data["x"]) == 6 * s.net.N and len(view.edges.data["i"]) == 5 * int(s.net.C.sum())
    assert view.figure.x_range.end == pytest.approx(5 + X_PAD)  # room for the last column's rings


def test_both_pictures_link_through_named_edge_sources(view):
    """The hover callback names both edge sources, and this one is one of them."""
    hover = [t for t in view.figure.tools if getattr(t, "callback", None) is not None]
    assert view.edges.name in gl.EDGE_NAMES
    assert hover and hover[0].callback.args["names"] == list(gl.EDGE_NAMES)


def test_circles_fit_the_frame_width_the_browser_reports(view):
    """A narrower frame gets smaller circles so that all T + 1 columns fit, and numbers only where they fit."""
    T = view.session.sequences.T
    for frame_w in (330, 560, 900):
        view.figure.set_from_json("inner_width", frame_w)  # as when the browser reports its layout
        size = view.cells.data["size"][0]
        assert size * (T + 1) <= frame_w and np.all(view.cells.data["ring_size"] == size + 14)
        assert all(len(t) * 9 <= size + 4 for t in view.cells.data["text"])
    assert view.cells.data["size"][0] > 25 and any(view.cells.data["text"]), "room for the input bits at 900px"


def test_a_training_frame_and_a_pass_tick_change_each_property_once():
    """A training frame or a pass tick redraws the picture once: no Bokeh property changes twice
    in one frame (the frame's cost is measured in benchmarks/bench_views.py)."""
    assert_frames_change_each_property_once(UnrolledView, training_frame, pass_tick)
