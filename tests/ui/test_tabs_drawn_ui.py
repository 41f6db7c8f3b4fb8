"""Every detail tab draws its pictures: each Bokeh figure shown on the page has a plotting area
of real size once its tab is open (a figure laid out at 0 x 0 shows only stray tick labels)."""
import pytest
from playwright.sync_api import expect

from simulator.state.selection import TAB_TITLES

from .bokeh_helpers import settled
from .conftest import TAB_CONTENT, shot

pytestmark = pytest.mark.ui

TABS = TAB_TITLES
NO_FIGURE = ("Unit arithmetic & edit", "Gradient check & stack")
# The server sends a tab's figures once it opens (the first tab's once the page has drawn), which
# may take over a second on a busy machine: the figures are measured once they have arrived
# (TAB_CONTENT), not after the first half second of stillness.

# Every plot view whose element takes room on the page, with its model's name and the size of
# its frame (the area inside the axes); settled() waits until it stops changing.
FRAMES = """() => {
  const out = [], seen = new Set();
  const walk = (v) => { if (!v || seen.has(v)) return; seen.add(v);
    if (v.frame && v.frame.bbox && v.model && v.model.type !== undefined) {
      const box = v.el.getBoundingClientRect();
      if (box.width > 0 && box.height > 0)
        out.push([v.model.name || v.model.id, Math.round(v.frame.bbox.width), Math.round(v.frame.bbox.height)]);
    }
    for (const c of (v.child_views || [])) walk(c); };
  for (const v of Object.values(Bokeh.index)) walk(v);
  out.sort();
  return out;
}"""


def settled_frames(page):
    return settled(page, FRAMES)


def arrived(page, tab, before):
    """Wait until the tab's content is on the page, with a figure not in ``before`` if it has any."""
    expect(page.locator(TAB_CONTENT[tab])).to_be_visible()
    if tab not in NO_FIGURE:
        page.wait_for_function("(before) => (%s)().some((f) => !before.includes(f[0]))" % FRAMES,
                               arg=sorted(before), timeout=20_000)


def test_every_tab_draws_its_figures(page):
    arrived(page, TABS[0], ["network_figure", "unrolled_figure", "loss_figure"])
    before = {name for name, _, _ in settled_frames(page)}
    for tab in TABS:
        page.locator(".bk-tab").filter(has_text=tab).click()
        arrived(page, tab, before if tab != TABS[0] else [])
        frames = settled_frames(page)
        new = [f for f in frames if f[0] not in before or tab == TABS[0]]
        empty = [name for name, w, h in frames if w < 20 or h < 20]
        assert empty == [], f"{tab!r}: figures laid out without room to draw: {empty} (all: {frames})"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1600, f"{tab!r} makes the page scroll sideways: {width}px wide in a 1600px window"
        shot(page, "tab-" + tab.lower().replace(" & ", "-").replace(" ", "-"))
        assert new or tab in NO_FIGURE, f"{tab!r} shows no figure: {frames}"
    assert page.js_errors == []
