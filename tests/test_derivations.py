"""Derived values are declared, not copied by hand in watchers (issue 12).

A display that only shows something computed from the state (a status line, a label, a
disabled state) is a ``@param.depends`` method (or ``pn.bind``) given to the widget as its
value, so Panel keeps it in step; ``.watch`` stays for effects (training, pacing, views that
patch their Bokeh sources, moving the time cursor with the pass animation).
"""
from pathlib import Path

import pytest

from simulator.app import SimulatorApp
from simulator.lessons.registry import DEFAULT_LESSON, LESSONS

ROOT = Path(__file__).resolve().parents[1]
# What declaring the derivations brought the count of .watch( calls in simulator/ down to (59
# before; 54 with the Speed selector, an effect on the Player); a new display copied by a
# watcher shows up here. The status line stays a watcher on purpose: it changes on every
# training frame, where a reference costs ~0.3 ms more.
MAX_WATCH_CALLS = 54

# (app attribute holding the view or None for the app, declared method, its dependencies as
#  (owner attribute or "" for the view itself, parameter), path to the widget parameter it feeds)
DECLARED = [
    ("status", "message_md", {("session", "message")}, "_message.object"),
    ("status", "message_styles", {("session", "message")}, "_message.styles"),
    ("status", "message_alert", {("session", "message_kind")}, "_message.alert_type"),
    ("training", "play_label", {("player", "playing")}, "play.label"),
    ("passes", "phase_html", {("selection", "tick"), ("session", "sequences")}, "phase.object"),
    ("structure", "ties_markdown", {("session", "net"), ("session", "unit_names")}, "ties_text.object"),
    ("lecture", "card_html", {("", "card"), ("", "outcome"), ("", "done"), ("session", "lesson")}, "text.object"),
    ("lecture", "at_last_card", {("", "card"), ("session", "lesson")}, "next.disabled"),
    ("lesson_panel", "explain_md", {("session", "lesson")}, "explain.object"),
    ("lesson_panel", "measure_label", {("session", "lesson")}, "measure.label"),
    (None, "lesson_markdown", {("session", "lesson")}, "lesson_text.object"),
]


def _get(obj, path):
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


@pytest.fixture(scope="module")
def app():
    return SimulatorApp()


def test_watch_calls_stay_few():
    """simulator/ holds no more .watch( calls than after the derivations were declared."""
    count = sum(p.read_text(encoding="utf-8").count(".watch(") for p in (ROOT / "simulator").rglob("*.py"))
    assert count <= MAX_WATCH_CALLS, f"{count} .watch( calls: declare derived displays with @param.depends"


@pytest.mark.parametrize("view, method, deps, shown", DECLARED, ids=[d[1] for d in DECLARED])
def test_displays_are_declared_from_the_state(app, view, method, deps, shown):
    """Each derived display is a method declaring what it reads, and the widget shows its value."""
    owner = app if view is None else getattr(app, view)
    names = {"": owner, "session": app.session, "selection": app.selection, "player": app.player}
    found = {(next(k for k, v in names.items() if v is d.inst), d.name)
             for d in owner.param.method_dependencies(method)}
    assert found == deps
    assert _get(owner, shown) == getattr(owner, method)()


def test_declared_displays_follow_the_state(app):
    """After training, a message, a tick, a card and a lesson change, every display shows its method's value."""
    s, other = app.session, next(name for name in LESSONS if name != DEFAULT_LESSON)
    s.step(2)
    s.param.update(message="a **message**", message_kind="error")
    app.selection.tick = 1
    app.lecture.card = 1
    app.player.playing = True
    app.player.playing = False
    for view, method, _, shown in DECLARED:
        owner = app if view is None else getattr(app, view)
        assert _get(owner, shown) == getattr(owner, method)(), method
    assert app.status._status.object == app.status.status_html() and "update 2" in app.status._status.object and app.status._message.alert_type == "danger"
    s.lesson = other
    assert LESSONS[other]["title"] in app.lesson_text.object and app.lecture.card == 0
    for view, method, _, shown in DECLARED:
        owner = app if view is None else getattr(app, view)
        assert _get(owner, shown) == getattr(owner, method)(), method


def test_bound_labels_follow_their_widgets(app):
    """Labels declared with pn.bind from another widget follow it (Add <group> unit, the brush help)."""
    st, grid = app.structure, app.grid
    for group in st.group.options:
        st.group.value = group
        assert st.add_button.label == f"Add {group} unit"
    grid.brush.value = "Clamp"
    assert "Click a cell to clamp it" in grid.help.object
    app.inspector.kind.value = "b"
    assert not app.inspector.from_unit.visible
    app.inspector.kind.value = "W"
    assert app.inspector.from_unit.visible
