"""GridEditorView without a browser: the cells show the session's clamps and targets, and clicks
and pattern buttons edit them through the Session."""
import numpy as np
import pytest
from bokeh.events import Tap

from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.grid import GridEditorView
from simulator.views.style import fmt


@pytest.fixture
def view():
    v = GridEditorView(session=Session(), selection=Selection())
    v.__panel__()
    return v


def cell(view, t, i):
    """The source row of cell (t, i)."""
    d = view.source.data
    k = next(n for n, (x, y) in enumerate(zip(d["x"], d["y"])) if (x, y) == (i, t))
    return {key: col[k] for key, col in d.items()}


def test_cells_show_the_selected_case(view):
    """Every cell's role and number are the selected case's K/X and M/Y."""
    seq = view.session.sequences
    for case in (0, 5):
        view.selection.case = case
        assert len(view.source.data["x"]) == (seq.T + 1) * seq.N
        for t in range(seq.T + 1):
            for i in range(seq.N):
                row = cell(view, t, i)
                if seq.K[case, t, i]:
                    assert row["role"] == "clamp" and row["text"] == fmt(seq.X[case, t, i], 3)
                elif seq.M[case, t, i]:
                    assert row["role"] == "target" and row["text"] == fmt(seq.Y[case, t, i], 3)
                else:
                    assert row["role"] == "none" and row["text"] == ""
        assert view.case.value == case


def test_hover_shows_the_activity(view):
    """The hover column 'state' is the unit's activity s in the selected case."""
    view.selection.case = 2
    assert cell(view, 7, 3)["state"] == fmt(view.session.gradients.states[2, 7, 3])


def test_case_widget_writes_selection(view):
    """Changing the case input selects that case for every picture."""
    view.case.value = 4
    assert view.selection.case == 4


def test_clamp_brush_paints_one_case(view):
    """A click with the clamp brush clamps that cell of the shown case to the typed value."""
    view.selection.case = 1
    view.brush.value, view.value.value = "Clamp", "0.25"
    view.paint(3, 2)
    seq = view.session.sequences
    assert seq.K[1, 3, 2] == 1 and seq.X[1, 3, 2] == 0.25 and seq.K[0, 3, 2] == 0
    row = cell(view, 3, 2)
    assert row["role"] == "clamp" and row["text"] == "0.25"


def test_target_brush_on_every_case(view):
    """With 'paint every case' the target goes into every case of the batch."""
    view.brush.value, view.value.value, view.all_cases.value = "Target", "1", True
    view.paint(10, 3)
    assert np.all(view.session.sequences.M[:, 10, 3] == 1)
    assert cell(view, 10, 3)["role"] == "target"


def test_tap_event_paints_the_cell_under_the_pointer(view):
    """A Bokeh Tap at data coordinates (x = unit, y = t) paints that cell."""
    view.brush.value = "Clear"
    view.figure._trigger_event(Tap(model=view.figure, x=0.2, y=4.1))
    assert view.session.sequences.K[0, 4, 0] == 0
    assert cell(view, 4, 0)["role"] == "none"


def test_inspect_brush_selects_the_unit(view):
    """With the inspect brush a click selects (t, i) and outlines that cell; nothing is edited."""
    seq = view.session.sequences
    view.paint(6, 4)
    assert view.selection.unit == (6, 4) and view.session.sequences is seq
    assert cell(view, 6, 4)["line_width"] > cell(view, 6, 3)["line_width"]


def test_bad_value_is_refused_and_shown(view):
    """A non-number keeps the data and says why once, next to the grid, in the help line's place
    (the status line stays quiet: the message showed twice, issue 20 item 6)."""
    seq = view.session.sequences
    view.brush.value, view.value.value = "Target", "abc"
    assert not view.paint(5, 3)
    assert view.session.sequences is seq and view.session.message == ""
    assert "not a number" in view.problem and "not a number" in view.help.object
    view.value.value = "1"
    assert view.paint(5, 3) and view.problem == "" and "Click a cell" in view.help.object


def test_pattern_buttons(view):
    """The 'target all units on the last k steps' button sets M[T-k+1:, :] = 1 in every case."""
    view.k.value = 3
    btn = next(b for b in view.pattern_buttons if "pattern-last-k-all" in b.css_classes)
    btn.clicks += 1
    M = view.session.sequences.M
    assert np.all(M[:, -3:, :] == 1) and not M[:, :-3, :].any()
    assert cell(view, 10, 2)["role"] == "target"


def test_subset_pattern_uses_the_chosen_units(view):
    """'Clamp chosen units at every step' clamps exactly the units chosen by name."""
    view.units.value = ["h1", "sum"]
    next(b for b in view.pattern_buttons if "pattern-every-step-subset" in b.css_classes).clicks += 1
    K = view.session.sequences.K
    assert np.all(K[:, :, [2, 5]] == 1) and not K[:, :, [0, 1, 3, 4]].any()


def test_subset_pattern_without_units_explains(view):
    """A subset pattern with no units chosen is refused with a message."""
    next(b for b in view.pattern_buttons if "pattern-initial-subset" in b.css_classes).clicks += 1
    assert "choose one or more units" in view.problem


def test_grid_follows_structure(view):
    """A new unit adds a column with its name."""
    view.session.add_unit()
    assert view.figure.xaxis[0].major_label_overrides[5] == "h4"
    assert view.x_range.end == pytest.approx(6.5)
    assert len(view.source.data["x"]) == 11 * 7


def test_grid_follows_steps(view):
    """A new T changes the number of rows, the y range and the height."""
    view.session.steps = 6
    assert max(view.source.data["y"]) == 6 and view.y_range.start == pytest.approx(6.5)
    assert view.k.end == 7
