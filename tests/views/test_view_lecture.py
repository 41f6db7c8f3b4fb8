"""LectureMode without a browser: hidden controls are switched off, large type marks the root,
and the cards step through the lesson's points doing their actions."""
import panel as pn
import pytest

from simulator.lessons.registry import LESSONS, REGISTRY
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lecture import LectureMode, lesson_cards


@pytest.fixture
def lecture():
    s, sel = Session(), Selection()
    lm = LectureMode(session=s, selection=sel, player=Player(session=s, selection=sel))
    lm.__panel__()
    targets = {"settings": pn.Column("settings"), "detail-tabs": pn.Tabs(("a", "x")), "sidebar": pn.Column()}
    lm.attach(pn.Column(css_classes=["bptt-app"]), targets)
    return lm


def test_hidden_controls_are_invisible(lecture):
    """Names in ``hidden`` switch their components off; the others stay visible; removing a name shows it."""
    lecture.hidden = ["settings", "detail-tabs"]
    t = lecture.targets
    assert (t["settings"].visible, t["detail-tabs"].visible, t["sidebar"].visible) == (False, False, True)
    assert lecture.hide.value == ["settings", "detail-tabs"]
    lecture.hide.value = ["sidebar"]  # the MultiChoice writes ``hidden``
    assert lecture.hidden == ["sidebar"]
    assert (t["settings"].visible, t["detail-tabs"].visible, t["sidebar"].visible) == (True, True, False)


def test_unknown_names_from_a_link_are_ignored(lecture):
    """A stale link naming a control that no longer exists hides only the known ones."""
    lecture.hidden = ["settings", "no-such-control"]
    assert lecture.targets["settings"].visible is False and lecture.hide.value == ["settings"]


def test_large_type_toggles_the_root_class(lecture):
    """Large type adds the 'large-type' class to the app's root and removing it takes it away again."""
    lecture.large_type = True
    assert lecture.root.css_classes == ["bptt-app", "large-type"]
    lecture.large_type = False
    assert lecture.root.css_classes == ["bptt-app"]


def test_cards_step_through_the_points(lecture):
    """Next and Previous walk the lesson's points in order and stop at both ends."""
    points = LESSONS["binary-addition"]["points"]
    assert points[0] in lecture.text.object and f"Point 1 of {len(points)}" in lecture.text.object
    for k in range(1, len(points) + 2):
        lecture.player.stop()
        lecture.forward()
    assert lecture.card == len(points) - 1 and points[-1] in lecture.text.object
    assert lecture.next.disabled and not lecture.prev.disabled
    for _ in range(len(points) + 1):
        lecture.previous()
        lecture.player.stop()  # card 2 starts the slow-motion pass: no timer left behind
    assert lecture.card == 0 and lecture.prev.disabled


def test_card_actions_set_the_app_state(lecture):
    """Card actions select a weight, train, switch a setting; going back never trains."""
    s, sel = lecture.session, lecture.selection
    lecture.apply("select-weight:h1,a")
    assert sel.weight == (s.unit_names.index("h1"), s.unit_names.index("a"))
    lecture.apply("train:7")
    assert s.updates == 7
    lecture.apply("train:7", train=False)
    assert s.updates == 7
    lecture.apply("learn-h0:on")
    assert s.learn_h0 is True


def test_a_new_lesson_starts_at_its_first_card(lecture):
    """Choosing another lesson shows its first point."""
    lecture.card = 2
    lecture.session.lesson = "attractors"
    assert lecture.card == 0 and LESSONS["attractors"]["points"][0] in lecture.text.object


def test_every_lesson_has_well_formed_cards():
    """Each lesson has one card per point, and every action names a known kind and real units."""
    for name, spec in LESSONS.items():
        cards = lesson_cards(name, spec["points"])
        assert [c["text"] for c in cards] == spec["points"]
        assert len(REGISTRY[name].cards) <= len(spec["points"])
        units = [u for members in spec["groups"].values() for u in members]
        for c in cards:
            kind, _, arg = (c["action"] or "").partition(":")
            assert kind in ("", "forward-pass", "backward-pass", "show-all", "train", "read-out", "select-weight",
                            "learn-h0", "activation")
            if kind == "select-weight":
                assert all(u in units for u in arg.split(","))
