"""The recurrent picture without a browser: its Bokeh sources against the model's own numbers."""
import numpy as np
import pytest
from bokeh.document import Document

from frames import assert_frames_change_each_property_once, pass_tick, training_frame
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import style
from simulator.lessons.registry import LESSONS
from simulator.views.network import BORDER, MAX_W, MIN_W, RecurrentView


@pytest.fixture
def view():
    """A RecurrentView of the default lesson, attached to a Bokeh document like a served page."""
    v = RecurrentView(session=Session(), selection=Selection())
    doc = Document()
    doc.add_root(v.__panel__().get_root(doc))
    return v


def edge_row(v, i, j):
    d = v.edges.data
    rows = [k for k in range(len(d["i"])) if (d["i"][k], d["j"][k]) == (i, j)]
    assert len(rows) == 1, f"W[{i},{j}] must be drawn exactly once"
    return rows[0]


def tick_for_backward(t, T):
    """The pass tick whose backward frame works on column t (selection.pass_frame)."""
    return 2 * T + 1 - t


def test_one_arrow_per_connection_coloured_by_sign(view):
    """Every existing connection, and only those, is an arrow whose colour is the sign of its weight."""
    net = view.session.net
    d = view.edges.data
    assert sorted(zip(d["i"], d["j"])) == sorted(zip(*np.nonzero(net.C)))
    for k, (i, j) in enumerate(zip(d["i"], d["j"])):
        assert d["w"][k] == net.W[i, j]
        assert d["colour"][k] == (style.POSITIVE if net.W[i, j] >= 0 else style.NEGATIVE)


def test_arrow_width_grows_with_the_size_of_the_weight(view):
    """Typing a big weight makes that arrow the thickest; a negative one turns it the negative colour."""
    s = view.session
    assert s.set_parameter(("W", 2, 0), "-3.5")
    k = edge_row(view, 2, 0)
    widths = np.asarray(view.edges.data["width"])
    assert widths[k] == widths.max() and view.edges.data["colour"][k] == style.NEGATIVE
    order = np.argsort(np.abs(view.edges.data["w"]))
    assert np.all(np.diff(widths[order]) >= 0), "width must be monotonic in |W[i, j]|"


def test_units_show_the_state_of_the_selected_case_and_time(view):
    """The circles carry s_t, z_t, g_t and d_t of the selected case at selection.time, filled by activity."""
    s, sel = view.session, view.selection
    s.step(5)
    sel.param.update(case=3, time=4)
    g, seq, u = s.gradients, s.sequences, view.units.data
    np.testing.assert_array_equal(u["s"], g.states[3, 4])
    np.testing.assert_array_equal(u["z"], g.net_inputs[3, 4])
    np.testing.assert_array_equal(u["d"], g.dz[3, 4])
    assert list(u["fill"]) == list(gl.activity_fill(g.states[3, 4], s.net.activation))
    clamped, target = seq.K[3, 4] > 0, seq.M[3, 4] > 0
    assert [c == style.CLAMP for c in u["line"]] == list(clamped)
    assert list(np.asarray(u["ring_alpha"]) > 0) == list(target)
    np.testing.assert_array_equal(np.asarray(u["target"])[target], seq.Y[3, 4][target])
    assert all(v.startswith("in ") for v, c in zip(u["value"], clamped) if c)
    assert "t = 4" in view.figure.title.text


def test_selected_weight_is_lit_and_the_others_fade(view):
    """selection.weight lights exactly that arrow (sel/hl) and fades the others for the browser."""
    view.selection.weight = (4, 2)
    k = edge_row(view, 4, 2)
    d = view.edges.data
    assert list(np.flatnonzero(d["sel"])) == [k] and list(np.flatnonzero(d["hl"])) == [k]
    alpha, alpha0 = np.asarray(d["alpha"]), np.asarray(d["alpha0"])
    assert alpha[k] == alpha0[k] and np.all(np.delete(alpha, k) < np.delete(alpha0, k))
    view.selection.weight = None
    assert not np.any(view.edges.data["sel"]) and np.array_equal(view.edges.data["alpha"], view.edges.data["alpha0"])


def test_backward_frame_shows_d_t_and_this_steps_gradient(view):
    """Mid-backward the circles show d_t and the arrows G_t = dW_by_step[t-1], scaled by |G_t|."""
    s, sel = view.session, view.selection
    s.step(20)
    T, t = s.sequences.T, 6
    sel.tick = tick_for_backward(t, T)
    g, d = s.gradients, view.edges.data
    G = np.array([g.dW_by_step[t - 1, i, j] for i, j in zip(d["i"], d["j"])])
    np.testing.assert_array_equal(d["G"], G)
    order = np.argsort(np.abs(G))
    assert np.all(np.diff(np.asarray(d["width"])[order]) >= 0)
    np.testing.assert_array_equal(view.units.data["d"], g.dz[0, t])
    assert view.units.data["fill"][5] == style.signed_colour(g.dz[0, t], gl.grad_scale(g.dz[0]))[5]
    assert "Backward" in view.figure.title.text and f"t = {t}" in view.figure.title.text


def test_summed_frame_draws_dW(view):
    """After the backward pass the arrows show dW = sum_t G_t: thickest where |dW| is largest."""
    s, sel = view.session, view.selection
    s.step(10)
    sel.tick = 2 * s.sequences.T + 1
    d, dW = view.edges.data, s.gradients.dW
    k = int(np.argmax([abs(dW[i, j]) for i, j in zip(d["i"], d["j"])]))
    assert d["width"][k] == max(d["width"]) and "dW" in view.figure.title.text
    np.testing.assert_allclose(s.gradients.dW_by_step.sum(axis=0), dW, atol=1e-12)


def test_forward_frame_shows_the_column_being_built(view):
    """During the forward pass the picture shows the state at the column the stack has reached."""
    view.selection.param.update(time=9, tick=3)
    np.testing.assert_array_equal(view.units.data["s"], view.session.gradients.states[0, 3])
    assert "Forward" in view.figure.title.text


def test_clicks_set_the_selection(view):
    """Clicking an arrow selects its weight (again: deselects); clicking a circle selects (t, unit)."""
    sel = view.selection
    k = edge_row(view, 3, 1)
    view.edges.selected.indices = [k]
    assert sel.weight == (3, 1) and view.edges.selected.indices == []
    view.edges.selected.indices = [k]
    assert sel.weight is None
    sel.time = 7
    view.units.selected.indices = [2]
    assert sel.unit == (7, 2)
    assert view.units.data["line"][2] == style.HIGHLIGHT


def test_tied_weights_share_a_colour(view):
    """Tied weights are drawn in their tie group's colour, and the legend explains it."""
    s = view.session
    if not hasattr(s, "tie"):
        pytest.skip("Session.tie is not available")
    before = view.legend.object
    assert s.tie([("W", 2, 3), ("W", 3, 2)]), s.message
    d = view.edges.data
    assert d["colour"][edge_row(view, 2, 3)] == d["colour"][edge_row(view, 3, 2)] == style.TIE_COLOURS[0]
    assert "tied weights" not in before, "the tie entry is shown only when something is tied"
    assert d["tie"][edge_row(view, 2, 3)] == "group 1" and "tied weights share a colour" in view.legend.object


def test_structure_change_rebuilds_the_arrows(view):
    """Removing a connection removes its arrow (geometry is rebuilt only when the structure changes)."""
    s = view.session
    if not hasattr(s, "toggle_connection"):
        pytest.skip("Session.toggle_connection is not available")
    n = len(view.edges.data["i"])
    assert s.toggle_connection(5, 2), s.message
    assert len(view.edges.data["i"]) == n - 1 and (5, 2) not in set(zip(view.edges.data["i"], view.edges.data["j"]))


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_every_lesson_fits_inside_the_frame_at_every_width(lesson):
    """For each lesson and each width the figure can take, circles, rings, numbers and arrows lie inside the frame."""
    v = RecurrentView(session=Session(lesson=lesson), selection=Selection())
    for frame_w in (MIN_W - 2 * BORDER, MAX_W - 2 * BORDER, 520):
        v.figure.set_from_json("inner_width", frame_w)  # as when the browser reports its layout
        x, y, fig = v.figure.x_range, v.figure.y_range, v.figure
        ppu = frame_w / (x.end - x.start)
        assert ppu == pytest.approx(fig.frame_height / (y.end - y.start)), "equal scales on both axes"
        u = v.units.data
        r = np.maximum(u["size"], np.where(u["ring_alpha"] > 0, u["ring_size"], 0)) / 2 / ppu
        lines = np.array([len(t.splitlines()) for t in u["value"]])
        bottom = np.minimum(u["y"] - r, u["vy"] - lines * 18 / ppu)  # 12pt text lines below the circle
        assert np.all(u["x"] - r >= x.start) and np.all(u["x"] + r <= x.end), f"{lesson} at {frame_w}px"
        assert np.all(u["y"] + r <= y.end) and np.all(bottom >= y.start), f"{lesson} at {frame_w}px"
        px, py = np.concatenate(v.edges.data["xs"]), np.concatenate(v.edges.data["ys"])
        assert np.all((px >= x.start) & (px <= x.end) & (py >= y.start) & (py <= y.end)), f"{lesson} arrows"


def test_legend_is_html_that_wraps(view):
    """The legend is one wrapping HTML row (a Bokeh legend widened the figure past its frame)."""
    assert not view.figure.legend and 'class="net-legend-row"' in view.legend.object
    assert style.POSITIVE in view.legend.object and style.NEGATIVE in view.legend.object


def test_a_training_frame_and_a_pass_tick_change_each_property_once():
    """A training frame or a pass tick redraws the picture once: no Bokeh property changes twice
    in one frame (the frame's cost is measured in benchmarks/bench_views.py)."""
    assert_frames_change_each_property_once(RecurrentView, training_frame, pass_tick)
