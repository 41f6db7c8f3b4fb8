"""The detail tabs build their views when first shown (a session's start pays only for what the
page shows), and a view built late draws exactly what a view built at the start draws once its
tab opens, whatever happened before (lesson changes, training, time and case chosen)."""
import re

import panel as pn
import pytest
from bokeh.core.json_encoder import serialize_json
from bokeh.document import Document

from simulator.app import BUILT_AT_START, TAB_VIEWS, SimulatorApp
from simulator.lessons.registry import LESSONS
from simulator.state.selection import DETAIL_TABS

IDS = re.compile(r'(?<=")p\d+(?=")|(?<="__ref:)p\d+(?=")|(?<=")[A-Z][A-Za-z]*\d{5}(?=")|(?<=\[)\d{10,}(?=,)')
VIEW_NAMES = [name for views in TAB_VIEWS for name, _ in views]


def tabs_of(root):
    found = [obj for obj in root.select(pn.Tabs) if "detail-tabs" in obj.css_classes]
    assert len(found) == 1
    return found[0]


def built(app):
    """Names of the tab views the app has built so far."""
    return sorted(app._tab_views)


def drawn(layout):
    """What the browser is sent for a layout: its Bokeh models as JSON, with what differs between
    two apps built alike numbered in order of appearance: model ids (also in Panel's "__ref:"
    tags), Panel's automatic names (Column00123) and Python object ids in Panel's link tags."""
    doc = Document()
    root = layout.get_root(doc)
    doc.add_root(root)
    text, seen = serialize_json(doc.to_json()), {}
    layout._cleanup(root)  # the figures may be drawn again, in another document
    doc.clear()
    return IDS.sub(lambda m: f"#{seen.setdefault(m.group(0), len(seen))}", text)


def test_every_tab_view_is_an_attribute_of_its_class():
    app = SimulatorApp()
    for views in TAB_VIEWS:
        for name, cls in views:
            assert type(getattr(app, name)) is cls, name
    assert len(TAB_VIEWS) == len(DETAIL_TABS)


def test_a_new_app_builds_only_the_views_that_keep_what_happened_before():
    app = SimulatorApp()
    assert built(app) == sorted(BUILT_AT_START)
    assert set(BUILT_AT_START) < set(VIEW_NAMES)
    tabs = tabs_of(app.__panel__())
    assert tabs.active == 0 and built(app) == sorted(BUILT_AT_START)
    assert [k for k in range(len(tabs)) if tabs[k].objects] == [0]


@pytest.mark.parametrize("index", range(1, len(DETAIL_TABS)))
def test_opening_a_tab_builds_and_lays_out_its_views(index):
    app = SimulatorApp()
    tabs = tabs_of(app.__panel__())
    tabs.active = index
    names = [name for name, _ in TAB_VIEWS[index]]
    assert built(app) == sorted({*BUILT_AT_START, *names})
    assert [k for k in range(len(tabs)) if tabs[k].objects] == [0, index]
    assert app.selection.tab == DETAIL_TABS[index]


def test_a_saved_view_opens_at_its_tab_and_builds_only_that():
    app = SimulatorApp()
    app.selection.tab = DETAIL_TABS[2]
    tabs = tabs_of(app.__panel__())
    assert tabs.active == 2 and built(app) == sorted({*BUILT_AT_START, "grid"})
    assert [k for k in range(len(tabs)) if tabs[k].objects] == [2]


def test_only_the_open_tabs_views_follow_training():
    app = SimulatorApp()
    tabs = tabs_of(app.__panel__())
    tabs.active = 1
    tabs.active = 2
    assert not app.matrices.redraw.shown and app.grid.redraw.shown and not app.equivalence.active
    tabs.active = 0
    assert not app.matrices.redraw.shown and not app.grid.redraw.shown and app.equivalence.active


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_a_view_built_late_draws_what_one_built_at_the_start_draws(lesson):
    """Two apps go through the same steps; one built every tab view at the start (as before
    they were built when shown), the other builds each when its tab first opens."""
    early, late = SimulatorApp(), SimulatorApp()
    for name in VIEW_NAMES:
        getattr(early, name)
    roots = [app.__panel__() for app in (early, late)]
    tabs = [tabs_of(root) for root in roots]
    assert built(early) == sorted(VIEW_NAMES)
    for app in (early, late):
        app.selection.case = 7  # past the last case of some lessons: the views clamp it
        app.session.lesson = lesson
    for index in [*range(1, len(DETAIL_TABS)), 0]:
        for app, t in zip((early, late), tabs):
            app.session.step(2)
            app.selection.time = min(index + 1, app.session.sequences.T)
            app.selection.case = min(index, app.session.sequences.B - 1)
            t.active = index
        assert drawn(tabs[0][index]) == drawn(tabs[1][index]), DETAIL_TABS[index]
    assert built(late) == sorted(VIEW_NAMES)
    assert early.session.updates == late.session.updates == 2 * len(DETAIL_TABS)
    assert {**early.selection.param.values(), "name": ""} == {**late.selection.param.values(), "name": ""}
    assert drawn(roots[0]) == drawn(roots[1])  # the whole page, the open tab with it
