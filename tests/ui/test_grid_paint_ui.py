"""Painting the inputs & targets grid (issue 20): a bad value is said once, in the help line's
place, and the grid does not move (item 6: an Alert above it pushed it ~80 px, so the next click
landed on another cell); a drag paints the run of cells it passes over (item 13)."""
import numpy as np
import pytest
from playwright.sync_api import expect

from .bokeh_helpers import click_data, settled_point
from .conftest import shot, until

pytestmark = pytest.mark.ui


# Top of the grid's canvas in the page (not the viewport: a click may scroll), without scrolling.
GRID_TOP = """() => {
  const fig = Bokeh.documents[0].get_model_by_name('grid_figure');
  const find = (v) => { if (v.model === fig) return v;
    for (const c of (v.child_views || [])) { const r = find(c); if (r) return r; } return null; };
  for (const root of Object.values(Bokeh.index)) { const view = find(root);
    if (view) return view.canvas_view.el.getBoundingClientRect().top + window.scrollY; }
  return null;
}"""


def _open_grid(page):
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    page.locator(".grid-brush button", has_text="Clamp").click()


def test_bad_value_said_once_and_grid_holds_still(page, served):
    s = served[-1].session
    _open_grid(page)
    page.locator(".grid-value input").fill("abc")
    click_data(page, "grid_figure", 2, 3)
    top = page.evaluate(GRID_TOP)
    expect(page.locator(".grid-message")).to_contain_text("'abc' is not a number")
    assert top is not None and page.evaluate(GRID_TOP) == top, "the message moved the grid"
    # once: the status line's message stays empty (hidden)
    assert s.message == "" and page.locator(".message").first.inner_text().strip() == ""
    page.locator(".grid-value input").fill("0.5")
    page.locator(".grid-value input").press("Enter")
    click_data(page, "grid_figure", 2, 3)  # the same spot is still cell (t = 3, unit 2)
    until(lambda: s.sequences.K[0, 3, 2] == 1 and s.sequences.X[0, 3, 2] == 0.5,
          message=f"the cell was not clamped: {s.message!r} {s.sequences.K[0, :, 2]} {s.sequences.X[0, :, 2]}")
    expect(page.locator(".grid-message")).to_have_count(0)


def test_drag_paints_a_run_of_cells(page, served):
    s = served[-1].session
    _open_grid(page)
    page.locator(".grid-value input").fill("1")
    assert not s.sequences.K[0, :, 3].any()  # h2 is free at every step of case 0
    x0, y0 = settled_point(page, "grid_figure", 3, 1)
    x1, y1 = settled_point(page, "grid_figure", 3, 6)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()
    until(lambda: s.sequences.K[0, 6, 3] == 1, message="the drag did not reach t = 6")
    K = s.sequences.K[0, :, 3]
    assert np.flatnonzero(K).tolist() == [1, 2, 3, 4, 5, 6], K
    assert np.all(s.sequences.X[0, 1:7, 3] == 1.0)
    shot(page, "grid-drag-painted")


def test_quick_clicks_paint_every_cell(page, served):
    """Two clicks within 300 ms are a double tap to Bokeh (never a tap), wherever they land: a
    student painting cell after cell quickly still paints each one."""
    s = served[-1].session
    _open_grid(page)
    assert not s.sequences.K[0, :, 3].any()
    a, b = settled_point(page, "grid_figure", 3, 1), settled_point(page, "grid_figure", 3, 2)
    page.mouse.click(*a)
    page.mouse.click(*b)  # Playwright's next click comes well within 300 ms
    until(lambda: s.sequences.K[0, 2, 3] == 1, message=f"the second click was lost: {s.sequences.K[0, :, 3]}")
    assert np.flatnonzero(s.sequences.K[0, :, 3]).tolist() == [1, 2]


def test_a_click_right_after_choosing_the_brush_paints_with_it(page, served):
    """Clamp, then at once a cell: the cell is clamped, not inspected (Panel applies the brush
    50 ms after it arrives, Bokeh the click at once; the grid waits for the brush)."""
    s = served[-1].session
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    x, y = settled_point(page, "grid_figure", 2, 3)
    assert not s.sequences.K[0, 3, 2]
    page.locator(".grid-brush button", has_text="Clamp").click()
    page.mouse.click(x, y)
    until(lambda: s.sequences.K[0, 3, 2] == 1,
          message=f"the click did not clamp h1 at t = 3 (brush {s.message!r})")
    assert s.sequences.X[0, 3, 2] == 1.0
