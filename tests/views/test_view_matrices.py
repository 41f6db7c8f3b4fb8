"""MatricesView without a browser: Hinton diagrams of W, dW, G_t and of b, h0, db, dh0."""
import numpy as np
import pytest

from frames import assert_frames_change_each_property_once, pass_tick, training_frame
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.matrices import FILL, MatricesView
from simulator.views.style import NEGATIVE, POSITIVE


@pytest.fixture
def view():
    s, sel = Session(), Selection()
    v = MatricesView(session=s, selection=sel)
    v.__panel__()
    return v


def cell(data, names, i, j):
    """The row of a matrix source that shows W[i, j] (to unit i, from unit j)."""
    rows = [k for k, (x, y) in enumerate(zip(data["x"], data["y"])) if (x, y) == (names[j], names[i])]
    assert len(rows) == 1
    return rows[0]


def test_square_areas_and_colours_follow_the_weights(view):
    """A square's area is proportional to |W[i, j]| and its colour is the sign's, after training too."""
    s = view.session
    for _ in range(2):
        W, names, data = s.net.W, s.unit_names, view.sources["W"].data
        scale = np.abs(W).max()
        for i, j in np.argwhere(s.net.C != 0):
            k = cell(data, names, i, j)
            assert data["side"][k] == pytest.approx(FILL * np.sqrt(abs(W[i, j]) / scale))
            assert data["colour"][k] == (POSITIVE if W[i, j] >= 0 else NEGATIVE)
            assert float(data["exact"][k]) == pytest.approx(W[i, j], rel=1e-9)
        assert len(data["x"]) == int(s.net.C.sum())
        s.step(5)


def test_dW_and_G_t_share_one_scale_and_follow_the_time_step(view):
    """dW and G_t are drawn on one scale; G_t shows the selected step (t = 0 shows t = 1)."""
    s, sel = view.session, view.selection
    s.step(2)
    g, names = s.gradients, s.unit_names
    scale = max(np.abs(g.dW).max(), np.abs(g.dW_by_step).max())
    for t in (4, 0):
        sel.time = t
        shown = max(t, 1)
        data = view.sources["G"].data
        k = cell(data, names, 5, 3)
        assert float(data["exact"][k]) == pytest.approx(g.dW_by_step[shown - 1, 5, 3], rel=1e-9)
        assert data["side"][k] == pytest.approx(FILL * np.sqrt(abs(g.dW_by_step[shown - 1, 5, 3]) / scale))
        assert f"G_{shown}" in view.figures["G"].title.text
    k = cell(view.sources["dW"].data, names, 5, 3)
    assert view.sources["dW"].data["side"][k] == pytest.approx(FILL * np.sqrt(abs(g.dW[5, 3]) / scale))


def test_absent_connections_are_crosses_and_follow_structure_edits(view):
    """Every absent connection is a cross; adding the connection a→a turns its cross into a square."""
    s = view.session
    absent = view.absent.data
    assert len(absent["x"]) == int((s.net.C == 0).sum())
    assert ("a", "a") in zip(absent["x"], absent["y"])
    assert s.toggle_connection(0, 0)
    assert ("a", "a") not in zip(view.absent.data["x"], view.absent.data["y"])
    cell(view.sources["W"].data, s.unit_names, 0, 0)


def test_bias_and_initial_state_columns(view):
    """The column diagram holds b, h0, db and dh0 of every unit; fixed initial states are faint."""
    s = view.session
    s.step(3)
    data, names = view.column_source.data, s.unit_names
    for col, values in (("b", s.net.b), ("h0", s.net.h0), ("db", s.gradients.db), ("dh0", s.gradients.dh0)):
        for i, name in enumerate(names):
            k = [n for n, (x, y) in enumerate(zip(data["x"], data["y"])) if (x, y) == (col, name)][0]
            assert float(data["exact"][k]) == pytest.approx(values[i], rel=1e-9, abs=1e-300)
            if col in ("h0", "dh0"):
                assert (data["alpha"][k] < 0.5) == (not s.net.learn_h0[i])


def test_clicking_a_square_selects_its_weight(view):
    """A tap on the square of W[h2←h3] sets Selection.weight, and every diagram frames that cell."""
    s, sel = view.session, view.selection
    k = cell(view.sources["dW"].data, s.unit_names, 3, 4)
    view.sources["dW"].selected.indices = [k]
    assert sel.weight == (3, 4)
    assert dict(view.selected.data) == {"x": ["h3"], "y": ["h2"]}
    assert view.sources["dW"].selected.indices == []


def test_not_yet_computed_gradients_are_faint_in_the_pass_animation(view):
    """During the forward pass no gradient exists yet: dW and G_t squares are faint, W is not."""
    sel = view.selection
    sel.tick = 2
    assert max(view.sources["dW"].data["alpha"]) < 0.5 and max(view.sources["G"].data["alpha"]) < 0.5
    assert min(view.sources["W"].data["alpha"]) > 0.5
    sel.tick = -1
    assert min(view.sources["dW"].data["alpha"]) > 0.5


def test_matrices_change_each_property_once_per_frame():
    """A training frame or a pass tick redraws the diagrams once: no Bokeh property changes twice
    in one frame (the frame's cost is measured in benchmarks/bench_views.py)."""
    assert_frames_change_each_property_once(MatricesView, training_frame, pass_tick)
