"""Accessibility in the browser: axe-core (the engine of the browsers' own audits, bundled by
axe-playwright-python) finds no violation of impact "serious" or "critical" on the default page,
on each detail tab, on each lesson, in each theme and in lecture mode's large type."""
import re

import pytest
from playwright.sync_api import expect
from axe_playwright_python.sync_playwright import Axe

from simulator.lessons.registry import LESSONS
from simulator.state.selection import TAB_TITLES

from .bokeh_helpers import column, settled, settled_point
from .conftest import TAB_CONTENT, shot, until

pytestmark = pytest.mark.ui

GRAVE = ("serious", "critical")
#: Every rule axe has (its default set); only the impact filter below is ours.
RULES = {"resultTypes": ["violations"]}


def grave(page):
    """{rule id: [the first few offending elements' selectors]} for serious and critical violations."""
    found = Axe().run(page, options=RULES).response["violations"]
    return {v["id"]: [n["target"] for n in v["nodes"]] for v in found if v["impact"] in GRAVE}


def drawn(page):
    """Wait until the page's pictures have stopped laying out (axe reads what is drawn)."""
    settled(page, "() => document.querySelectorAll('.bk-Figure, .bk-panel-models-layout-Column').length")


def test_default_page_has_no_serious_violation(page):
    """The page as a student opens it: every control named, every text readable."""
    drawn(page)
    assert grave(page) == {}


@pytest.mark.parametrize("tab", TAB_TITLES[1:])
def test_each_detail_tab_has_no_serious_violation(page, tab):
    """Each detail tab opened in turn (the first is open on the default page)."""
    page.locator(".bk-tab").filter(has_text=tab).click()
    # The tab is built and sent when first opened: axe must not read it half-arrived (on a busy CI
    # machine it once found the Inputs & targets tab's buttons before they were named).
    expect(page.locator(TAB_CONTENT[tab]).first).to_be_visible()
    drawn(page)
    shot(page, "a11y-" + tab.lower().replace(" & ", "-").replace(" ", "-"))
    assert grave(page) == {}


@pytest.mark.parametrize("theme", ["dark", "projector"])
def test_each_theme_has_no_serious_violation(browser, app_url, theme):
    """The dark and projector themes keep text contrast and names (axe's color-contrast included),
    the message box too (a lesson's link says what it loaded)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    pg.goto(app_url + f"?theme={theme}&lesson={next(iter(LESSONS))}")
    pg.wait_for_selector(f"html.theme-{theme}", state="attached", timeout=30_000)
    expect(pg.locator(".status-box .message")).to_contain_text("Loaded")
    drawn(pg)
    try:
        assert grave(pg) == {}
    finally:
        context.close()


def test_each_lesson_has_no_serious_violation(browser, app_url):
    """Every lesson's page as its link opens it (one page at a time: the robot writer's is heavy)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    found = {}
    try:
        for lesson in LESSONS:
            pg = context.new_page()
            pg.goto(app_url + f"?lesson={lesson}")
            pg.wait_for_selector(".status-line .status", timeout=60_000)
            pg.locator(".lesson-loading-note").wait_for(state="hidden")  # the link's lesson drawn
            drawn(pg)
            found[lesson] = grave(pg)
            pg.close()
    finally:
        context.close()
    assert found == {lesson: {} for lesson in LESSONS}


# [role, aria-label] of every drawn Bokeh figure's drawing (its canvas), through the shadow roots.
FIGURES = """() => { const out = [];
  const walk = (root) => root.querySelectorAll('*').forEach((e) => {
    if (e.classList.contains('bk-Canvas')) out.push([e.getAttribute('role'), e.getAttribute('aria-label')]);
    if (e.shadowRoot) walk(e.shadowRoot); });
  walk(document); return out; }"""


def test_every_picture_is_an_image_named_by_its_titles(page):
    """A canvas says nothing to a screen reader: each picture's drawing is role img (not the figure:
    its toolbar buttons stay buttons), named by its titles (with the time step they show) and
    pointing to the tables that hold its numbers."""
    drawn(page)
    until(lambda: all(role == "img" for role, _ in page.evaluate(FIGURES)), message="a figure without role img")
    labels = [label for _, label in page.evaluate(FIGURES)]
    assert len(labels) >= 5
    assert all(label.startswith("Picture: ") and "Gradient check & stack" in label for label in labels)
    assert any("Time step t = 0" in label for label in labels), labels
    assert any("Unrolled in time" in label for label in labels), labels


# The text of the hover tooltip on show (Bokeh puts it in <body>, its content in a shadow root).
TOOLTIP = """() => [...document.querySelectorAll('.bk-Tooltip')]
  .filter((t) => getComputedStyle(t).display !== 'none' && t.shadowRoot)
  .map((t) => t.shadowRoot.querySelector('.bk-tooltip-content')?.innerText || '').join('|')"""


def test_a_tap_selects_a_unit_and_shows_its_numbers(browser, app_url, served):
    """On a touch screen a tap does what a click and a hover do: it selects the unit and shows
    the tooltip with its numbers (a tap has no pointer move, which is all a hover follows)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    pg = context.new_page()
    try:
        pg.goto(app_url)
        pg.wait_for_selector(".theme-ready", state="attached", timeout=30_000)
        sel = served[-1].selection
        ts, ys, units = (column(pg, "unrolled_units", k) for k in ("t", "y", "i"))
        k = ts.index(3)
        x, y = settled_point(pg, "unrolled_figure", 3, ys[k])
        assert pg.evaluate(TOOLTIP) == ""
        pg.touchscreen.tap(x, y)
        until(lambda: sel.unit == (3, units[k]), message="the tap did not select the unit")
        tip = pg.wait_for_function(TOOLTIP, polling=100, timeout=20_000).json_value()
        name = column(pg, "unrolled_units", "name")[k]
        assert re.search(rf"unit:\s*{re.escape(name)}\s", tip) and re.search(r"time step t:\s*3\s", tip) \
            and "state s" in tip, f"the tooltip shows {tip!r}, not the numbers of unit {name} at t = 3"
        shot(pg, "a11y-touch-tap")
    finally:
        context.close()
