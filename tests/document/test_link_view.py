"""Links carry what is looked at (issue 20, item 4): the time step, case, selected weight and unit,
the open tab and the loss curve come back from state -> query -> state, as Save / Load does."""
import pytest

from simulator import document as D
from simulator.state import caps
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.link import CURVE_POINTS, decode_curve, encode_curve, link_document, link_of


def _opened(query):
    t, sel = Session(), Selection()
    D.apply_document(t, link_document(query), selection=sel)
    return t, sel


def test_link_restores_time_weight_unit_tab_and_curve():
    """A trained session's link opens at the same time step, case, weight, unit, tab and curve."""
    s = Session(lesson="tied-weights")
    s.step(7)
    T = s.sequences.T
    sel = Selection(time=T, case=1, weight=(2, 1), unit=(T - 1, 0), tab="Weight matrices")
    t, seen = _opened(link_of(s, sel))
    assert (seen.time, seen.case, seen.weight, seen.unit, seen.tab) == (T, 1, (2, 1), (T - 1, 0), "Weight matrices")
    assert t.history == s.history and t.updates == 7 and t.loss_value == s.loss_value


def test_long_curve_is_thinned_with_its_last_point_and_fits_the_link():
    """A long run's curve keeps CURVE_POINTS points, evenly spread with the first and last, exact."""
    s = Session()
    s.step(500)
    query = link_of(s, Selection())
    assert len("&".join(f"{k}={v}" for k, v in query.items())) <= caps.MAX_LINK_CHARS
    curve = decode_curve(query["curve"])
    assert len(curve) == CURVE_POINTS and curve[0] == list(s.history[0]) and curve[-1] == list(s.history[-1])
    assert all(tuple(p) in set(s.history) for p in curve)
    t, _ = _opened(query)
    assert t.history == [tuple(p) for p in curve]


def test_curve_fits_the_room_left():
    """With little room the curve keeps fewer points, still with the last one."""
    history = [(k, 1.0 / k) for k in range(1, 1001)]
    text = encode_curve(history, 300)
    assert 0 < len(text) <= 300 and decode_curve(text)[-1] == [1000, 1e-3]
    assert encode_curve([], 300) == ""


@pytest.mark.parametrize("query, message", [
    ({"t": "x"}, "t: expected an integer"),
    ({"t": "99"}, "view.time: expected a time step in 0..10"),
    ({"sel": "1"}, "sel: expected the selected weight"),
    ({"sel": ["1", "2"]}, "sel: expected"),
    ({"sel": "0,0"}, "view.weight: expected an existing connection"),
    ({"unit": "1,99"}, r"view.unit\[1\]"),
    ({"tab": "Nope"}, "tab: expected one of"),
    ({"tab": {"a": 1}}, "tab: expected one of"),
    ({"curve": "not-base64!"}, "curve: not an encoding"),
    ({"curve": encode_curve([(5, 1.0)], 100)}, "training.history"),
])
def test_bad_view_keys_refused(query, message):
    """Each bad view key is refused with a message naming it (the page then keeps its state)."""
    with pytest.raises(ValueError, match=message):
        link_document(query)
