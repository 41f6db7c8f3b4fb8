"""Every detail tab draws its pictures: each Bokeh figure shown on the page has a plotting area
of real size once its tab is open (a figure laid out at 0 x 0 shows only stray tick labels)."""
import pytest

from simulator.state.selection import TAB_TITLES

from .bokeh_helpers import settled
from .conftest import shot

pytestmark = pytest.mark.ui

TABS = TAB_TITLES

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


def test_every_tab_draws_its_figures(page):
    before = {name for name, _, _ in settled_frames(page)}
    for tab in TABS:
        page.locator(".bk-tab").filter(has_text=tab).click()
        frames = settled_frames(page)
        new = [f for f in frames if f[0] not in before or tab == TABS[0]]
        empty = [name for name, w, h in frames if w < 20 or h < 20]
        assert empty == [], f"{tab!r}: figures laid out without room to draw: {empty} (all: {frames})"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1600, f"{tab!r} makes the page scroll sideways: {width}px wide in a 1600px window"
        shot(page, "tab-" + tab.lower().replace(" & ", "-").replace(" ", "-"))
        assert new or tab in ("Unit arithmetic & edit", "Gradient check & stack"), f"{tab!r} shows no figure: {frames}"
    assert page.js_errors == []
