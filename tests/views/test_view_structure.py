"""StructureView without a browser: its buttons add and remove units, toggle connections and tie
weights through the Session, and its choosers follow the network."""
import pytest

from markup_text import shown
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.structure import StructureView


@pytest.fixture
def view():
    v = StructureView(session=Session(), selection=Selection())
    v.__panel__()
    return v


def test_add_hidden_unit_button(view):
    """'Add hidden unit' grows the net by one hidden unit and clears the index-based selections."""
    view.selection.param.update(unit=(2, 3), weight=(2, 0))
    view.add_button.clicks += 1
    assert view.session.net.N == 7 and view.session.unit_names[5] == "h4"
    assert view.selection.unit is None and view.selection.weight is None
    assert "h4" in view.unit.options


def test_remove_the_selected_unit(view):
    """Selecting a unit picks it in 'Remove unit'; the button removes it."""
    view.selection.unit = (4, 3)
    assert view.unit.value == 3
    view.remove_button.clicks += 1
    assert view.session.unit_names == ["a", "b", "h1", "h3", "sum"]


def test_remove_last_unit_shows_the_reason(view):
    """The last unit cannot be removed; the view shows why."""
    for _ in range(5):
        view.unit.value = 0
        view.remove()
    assert view.session.net.N == 1
    view.remove()
    assert view.session.net.N == 1 and view.feedback.visible and "at least one unit" in view.feedback.object


def test_toggle_the_selected_connection(view):
    """Selecting W[h1←a] offers to remove it; toggling removes it and then offers to add it."""
    view.selection.weight = (2, 0)
    assert view.toggle_button.label == "Remove connection W[h1←a]"
    view.toggle_button.clicks += 1
    net = view.session.net
    assert net.C[2, 0] == 0 and net.W[2, 0] == 0
    assert view.toggle_button.label == "Add connection W[h1←a]"
    assert "W[h1←a]" not in view.tie_choice.options


def test_tie_and_untie(view):
    """Tying two chosen weights makes them equal and lists the group; Untie removes it."""
    W = view.session.net.W
    mean = (W[2, 0] + W[3, 1]) / 2
    view.tie_choice.value = [view.tie_choice.options["W[h1←a]"], view.tie_choice.options["W[h2←b]"]]
    view.tie_button.clicks += 1
    net = view.session.net
    assert net.ties == ((("W", 2, 0), ("W", 3, 1)),) and net.W[2, 0] == net.W[3, 1] == pytest.approx(mean)
    assert "W[h1←a] = W[h2←b]" in shown(view.ties_text)
    assert "W[h1←a]" not in view.tie_choice.options  # a parameter is tied once
    view.untie_button.clicks += 1
    assert view.session.net.ties == () and "No tied parameters" in shown(view.ties_text)


def test_tie_needs_two(view):
    """Tying a single weight is refused with the reason."""
    view.tie_choice.value = [view.tie_choice.options["W[h1←a]"]]
    view.tie()
    assert view.feedback.visible and "at least two" in view.feedback.object


def test_untie_without_ties(view):
    """Untie with no tie groups says there is nothing to untie."""
    view.untie()
    assert view.feedback.visible and "no tied parameters" in view.feedback.object
