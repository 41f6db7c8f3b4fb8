"""Every state the structure editor reaches saves and loads back identically, in every lesson."""
import json

import numpy as np
import pytest

from simulator import document as D
from simulator.state.edits import new_unit_name
from simulator.lessons.registry import LESSONS
from simulator.state.session import Session


def _first(C, present):
    i, j = np.argwhere(C if present else C == 0)[0]
    return int(i), int(j)


def _add_connection(s):
    if s.net.C.all():  # a fully connected lesson (attractors): add back one just removed
        assert s.toggle_connection(*_first(s.net.C, present=True)), s.message
    return s.toggle_connection(*_first(s.net.C, present=False))


def _untied_weights(s, k):
    tied = {r for g in s.net.ties for r in g}
    return [r for r in (("W", int(i), int(j)) for i, j in np.argwhere(s.net.C)) if r not in tied][:k]


def _tie_and_untie(s):
    return s.tie(_untied_weights(s, 2)) and s.untie(len(s.net.ties) - 1)


def _tie_h0(s):
    s.learn_h0 = True
    return s.learn_h0 and s.tie([("h0", 0), ("h0", s.net.N - 1)])


# The structure editor's actions (simulator/views/structure.py calls these Session methods). Its
# group chooser always offers "hidden", also in lessons without such a group (attractors).
EDITS = {
    "add hidden unit": lambda s: s.add_unit("hidden"),
    "add a unit to every group": lambda s: all(s.add_unit(g) for g in dict.fromkeys(s.unit_groups)),
    "add a unit in a new group": lambda s: s.add_unit("context"),
    "remove the first unit": lambda s: s.remove_unit(0),
    "remove the last unit": lambda s: s.remove_unit(s.net.N - 1),
    "add a connection": _add_connection,
    "remove a connection": lambda s: s.toggle_connection(*_first(s.net.C, present=True)),
    "tie two weights": lambda s: s.tie(_untied_weights(s, 2)),
    "tie and untie": _tie_and_untie,
    "tie two initial states": _tie_h0,
}
EDITS["all of them"] = lambda s, each=tuple(EDITS.values()): all(edit(s) for edit in each)


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("lesson", list(LESSONS))
def test_edited_net_round_trips(lesson, edit):
    """After the edit (and training on the edited net), save -> JSON -> load gives the same
    document, and both sessions then train on to the same document."""
    s = Session(lesson=lesson)
    s.step(2)
    assert EDITS[edit](s), s.message
    s.step(2)
    doc = D.to_document(s)
    t = D.session_from_document(json.loads(D.dumps(doc)))
    assert D.to_document(t) == doc
    s.step(3)
    t.step(3)
    assert D.to_document(t) == D.to_document(s)


def test_a_new_unit_name_stays_within_the_length_limit():
    """A unit added after a member whose name has the most letters allowed gets a name that a
    document accepts (at most 40 characters), and a fresh one."""
    names = ["x" * 39 + "1", "x" * 40]
    name = new_unit_name(names, ["hidden", "hidden"], "hidden")
    assert len(name) <= 40 and name not in names
