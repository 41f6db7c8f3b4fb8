"""Large nets drawn grouped (views/grouping.py): which nets are grouped, and what a group shows."""
import numpy as np

from simulator.lessons.registry import LESSONS
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import grouping as gp
from simulator.views.network import RecurrentView
from simulator.views.unrolled import UnrolledView


def test_only_the_robot_writer_is_drawn_grouped():
    """Of the lessons, only the robot writer (24 units, 256 connections) is large; the others draw unit by unit."""
    large = {name for name in LESSONS if gp.is_large(Session(lesson=name).net, Session(lesson=name).unit_groups)}
    assert large == {"robot-writer"}
    s = Session()
    view = RecurrentView(session=s, selection=Selection())
    assert len(view.units.data["name"]) == s.net.N and not view.show_all_box.visible


def test_a_group_shows_its_units_mean_and_a_block_its_weights_rms():
    """Group states are their units' means; an arrow's value is its block's rms signed by the block's sum."""
    s = Session(lesson="robot-writer")
    s.step(3)
    m = gp.grouped_model(s)
    names, members = gp.group_members(s.unit_groups)
    assert m.unit_names == names == ["inputs", "hidden", "outputs"]
    hid, inp = members[1], members[0]
    block = s.net.W[np.ix_(hid, inp)]
    assert abs(m.net.W[1, 0] - np.sign(block.sum()) * np.sqrt(np.mean(block ** 2))) < 1e-12
    assert abs(m.gradients.states[0, 4, 1] - s.gradients.states[0, 4, hid].mean()) < 1e-12
    assert m.net.C.tolist() == [[0, 0, 0], [1, 1, 0], [1, 1, 0]]
    assert gp.group_pair(m, (int(hid[2]), int(inp[5]))) == (1, 0)


def test_both_pictures_draw_groups_and_every_unit_on_request():
    """The robot writer: 3 nodes and 4 arrows, 3 rows spelling the sentence; show_all gives 24 and 256."""
    s, sel, grouping = Session(lesson="robot-writer"), Selection(), gp.UnitGrouping()
    rec = RecurrentView(session=s, selection=sel, grouping=grouping)
    unr = UnrolledView(session=s, selection=sel, grouping=grouping)
    assert len(rec.units.data["name"]) == 3 and len(rec.edges.data["i"]) == 4 and rec.show_all_box.visible
    assert "".join(unr.cells.data["text"][3 * t] for t in range(s.sequences.T + 1)) == "hello\u2423world"
    grouping.show_all = True
    assert len(rec.units.data["name"]) == 24 and len(rec.edges.data["i"]) == 256
    assert len(unr.cells.data["name"]) == 24 * (s.sequences.T + 1)


def test_a_click_on_a_group_opens_it_and_collapse_closes_it():
    """Clicking the hidden group's node draws its 8 units in both pictures (the other groups stay one
    node each); an opened unit is then a unit (a click selects it, an arrow between two is its
    weight); "Group the units again" closes it. A click on a group's cell in the unrolled picture opens it too."""
    s, sel, grouping = Session(lesson="robot-writer"), Selection(), gp.UnitGrouping()
    rec = RecurrentView(session=s, selection=sel, grouping=grouping)
    unr = UnrolledView(session=s, selection=sel, grouping=grouping)
    hidden = [n for n, g in zip(s.unit_names, s.unit_groups) if g == "hidden"]
    rec._on_unit_tap("indices", [], [list(rec.units.data["name"]).index("hidden")])
    assert list(rec.units.data["name"]) == ["inputs", *hidden, "outputs"] and sel.unit is None
    assert len(unr.cells.data["name"]) == (len(hidden) + 2) * (s.sequences.T + 1)
    assert rec.collapse_button.visible
    k = list(rec.units.data["name"]).index(hidden[2])
    rec._on_unit_tap("indices", [], [k])
    assert sel.unit == (0, list(s.unit_names).index(hidden[2]))
    e = rec.edges.data
    m = next(m for m, (i, j) in enumerate(zip(e["i"], e["j"])) if {i, j} <= set(range(1, 1 + len(hidden))))
    rec._on_edge_tap("indices", [], [m])
    i, j = (list(s.unit_names).index(rec.units.data["name"][e[key][m]]) for key in ("i", "j"))
    assert sel.weight == (i, j) and s.net.C[i, j] != 0
    grouping.collapse(grouping)
    assert list(rec.units.data["name"]) == ["inputs", "hidden", "outputs"] and not rec.collapse_button.visible
    inputs = [c for c, (t, n) in enumerate(zip(unr.cells.data["t"], unr.cells.data["name"])) if n == "inputs" and t == 2]
    unr._on_cell_tap("indices", [], inputs)
    assert grouping.expanded == ["inputs"] and sel.time == 2 and len(rec.units.data["name"]) == 2 + 8


def _same(a, b):
    """Two grouped models hold equal numbers, names and shapes everywhere."""
    for part in ("net", "sequences", "gradients"):
        for name, x in vars(getattr(a, part)).items():
            y = getattr(getattr(b, part), name)
            assert np.array_equal(np.asarray(x), np.asarray(y)), f"{part}.{name}"
    for name in ("unit_names", "unit_groups", "group_of", "words", "targets", "node_group", "is_group"):
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name))), name
    assert all(np.array_equal(x, y) for x, y in zip(a.members, b.members)) and len(a.members) == len(b.members)


def test_the_grouped_models_cached_parts_follow_the_weights_the_cases_and_the_groups():
    """grouped_model with a cache (what UnitGrouping keeps) equals one made from scratch after a
    step (new weights), new cases (a reset) and a group opened."""
    s, cache = Session(lesson="robot-writer"), {}
    first = gp.grouped_model(s, cache=cache)
    s.step(2)
    again = gp.grouped_model(s, cache=cache)
    assert cache["seq"] is s.sequences and not np.array_equal(first.net.W, again.net.W)
    _same(again, gp.grouped_model(s))
    s.seed += 1  # new cases and weights
    _same(gp.grouped_model(s, cache=cache), gp.grouped_model(s))
    assert cache["seq"] is s.sequences
    _same(gp.grouped_model(s, ("hidden",), cache=cache), gp.grouped_model(s, ("hidden",)))
    assert len(gp.grouped_model(s, ("hidden",), cache=cache).unit_names) == len(gp.grouped_model(s, ("hidden",)).unit_names) > 3
