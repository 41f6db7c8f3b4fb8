"""The page fits the screen (issue 17; issue 20 items 3, 5 and 7), measured from bounding boxes in
headless Chromium: at a projector's and a tablet's sizes the page is as wide as the window, every
picture lies inside it, and the two net pictures stand side by side; on a phone they stack at
the phone's width. Screenshots of each size go to artifacts/fit-*.png."""
import numpy as np
import pytest

from simulator.state.selection import TAB_TITLES

from .bokeh_helpers import click_data, column, settled
from .conftest import shot

pytestmark = pytest.mark.ui

# Every Bokeh figure drawn on the page (name and box, in page coordinates) and the page's width;
# null until the two net pictures exist. settled() waits until it stops changing.
BOXES = """() => {
  const figs = {}, seen = new Set();
  const walk = (v) => { if (!v || seen.has(v)) return; seen.add(v);
    if (v.model && v.model.name && v.canvas_view) { const b = v.el.getBoundingClientRect();
      if (b.width > 0) figs[v.model.name] = [b.left, b.top + scrollY, b.right, b.bottom + scrollY]; }
    for (const c of (v.child_views || [])) walk(c); };
  for (const r of Object.values(Bokeh.index)) walk(r);
  if (!figs.network_figure || !figs.unrolled_figure) return null;
  return {figs, page_width: document.documentElement.scrollWidth, viewport: [innerWidth, innerHeight]};
}"""

SIZES = [(1024, 768), (1280, 720), (1366, 768), (768, 1024)]


@pytest.fixture
def sized(browser, app_url):
    """open(width, height, query) -> a page of that size, loaded; the contexts close afterwards."""
    contexts = []

    def open_page(width, height, query=""):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(app_url + query)
        page.wait_for_selector(".status-line .status", timeout=30_000)
        page.js_errors = errors
        return page
    yield open_page
    for context in contexts:
        context.close()


def box(page, selector):
    """(left, top, right, bottom) of the first element matching ``selector`` (CSS pierces shadow roots)."""
    b = page.locator(selector).first.bounding_box()
    assert b is not None, f"{selector} is not laid out"
    return b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]


def overlap(a, b):
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def assert_fits(m, width):
    assert m["page_width"] <= width, f"the page scrolls sideways: {m['page_width']}px in a {width}px window"
    cut = {name: b for name, b in m["figs"].items() if b[0] < -0.5 or b[2] > width + 0.5}
    assert cut == {}, f"pictures cut at the edge of a {width}px window: {cut}"


@pytest.mark.parametrize("width,height", SIZES)
def test_page_fits_and_pictures_side_by_side(sized, width, height):
    """No sideways scrolling, no picture cut, the recurrent and unrolled nets side by side."""
    page = sized(width, height)
    m = settled(page, BOXES)
    shot(page, f"fit-{width}x{height}")
    assert_fits(m, width)
    net, unr = m["figs"]["network_figure"], m["figs"]["unrolled_figure"]
    assert net[2] <= unr[0] + 0.5 and abs(net[1] - unr[1]) < 2, f"not side by side: {net} {unr}"
    assert unr[2] - unr[0] >= 380, f"the unrolled picture is too narrow to read: {unr[2] - unr[0]:.0f}px"
    assert page.js_errors == []


def test_phone_stacks_pictures_at_its_width(sized):
    """At 390 px the unrolled net follows directly below the recurrent one, each scaled to the width."""
    page = sized(390, 844)
    m = settled(page, BOXES)
    shot(page, "fit-390x844")
    assert_fits(m, 390)
    net, unr = m["figs"]["network_figure"], m["figs"]["unrolled_figure"]
    assert unr[1] >= net[3] - 0.5, f"the unrolled picture must follow below the recurrent one: {net} {unr}"
    for name, b in (("recurrent", net), ("unrolled", unr)):
        assert b[2] - b[0] >= 0.9 * 390, f"the {name} picture is not scaled to the phone's width: {b}"
    assert page.js_errors == []


def test_large_type_fits_1280(sized):
    """?large=true at 1280x720: the status line and the Lesson menu inside the window, no sideways scroll."""
    page = sized(1280, 720, "?large=true")
    m = settled(page, BOXES)
    shot(page, "fit-1280x720-large")
    assert_fits(m, 1280)
    for what in (".status-line .status", ".lesson-select select"):
        left, top, right, bottom = box(page, what)
        assert left >= 0 and right <= 1280, f"{what} sticks out of the 1280px window: {(left, right)}"


@pytest.mark.parametrize("width", [1280, 1366])
def test_inspect_and_edit_tab_fits(sized, width):
    """Inspect & edit before a unit is clicked: the Set button and the value readout lie beside, not
    on, the structure editor, and no control of the tab is cut at the window's edge."""
    page = sized(width, 768)
    settled(page, BOXES)
    page.locator(".bk-tab").filter(has_text=TAB_TITLES[3]).click()
    page.locator(".structure-editor").first.wait_for()
    structure = box(page, ".structure-editor")
    shot(page, f"fit-inspect-{width}")
    for what in (".inspector button", ".param-current"):
        b = box(page, what) if what != ".inspector button" else box(page, ".inspector button >> text=Set")
        assert not overlap(b, structure), f"{what} {b} lies on the structure editor {structure}"
    for k in range(page.locator(".structure-editor button").count()):
        b = page.locator(".structure-editor button").nth(k).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width, f"a structure button is cut at {width}px: {b}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1600, 1000), (1280, 720)])
def test_clicked_weight_and_its_bars_on_one_screen(sized, width, height):
    """Click a weight's arrow in the recurrent picture: the arrow and the whole G_t bar chart fit
    in one window's height, so one scroll position shows both."""
    page = sized(width, height)
    # The tabs below the pictures arrive after them (a loaded server: seconds later).
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('gradient_bars_figure') !== null")
    settled(page, BOXES)
    labels, xs, ys = (column(page, "network_edges", k) for k in ("label", "xs", "ys"))
    k = len(labels) - 1  # another weight than the lesson's first card selects
    x, y = (xs[k][0] + xs[k][-1]) / 2, (ys[k][0] + ys[k][-1]) / 2
    title = "() => Bokeh.documents[0].get_model_by_name('gradient_bars_figure').title.text"
    before = page.evaluate(title)
    click_data(page, "network_figure", x, y)
    page.wait_for_function(f"(old) => ({title})() !== old", arg=before)  # the bars show the clicked weight
    m = settled(page, BOXES)
    point = page.evaluate("""([x, y]) => { let p = null; const seen = new Set();
      const walk = (v) => { if (!v || seen.has(v) || p) return; seen.add(v);
        if (v.model && v.model.name === 'network_figure') { const b = v.canvas_view.el.getBoundingClientRect();
          p = b.top + scrollY + v.frame.y_scale.compute(y); }
        for (const c of (v.child_views || [])) walk(c); };
      for (const r of Object.values(Bokeh.index)) walk(r); return p; }""", [x, y])
    bars = m["figs"]["gradient_bars_figure"]
    shot(page, f"fit-weight-bars-{width}x{height}")
    assert bars[3] - point <= height, (f"the clicked weight (y = {point:.0f}) and its bars (down to {bars[3]:.0f}) "
                                       f"need {bars[3] - point:.0f}px, more than the {height}px window")


def test_log_axis_ticks_never_pile_up():
    """A 260 px log chart has room for about six tick labels, however many decades the data span."""
    from simulator.views.plotting import log_ticks
    for start, end in ((1e-3, 1.0), (2e-3, 0.1), (1e-6, 1.0), (1e-20, 1e5), (0.5, 2.0)):
        ticks = log_ticks(start, end)
        assert 2 <= len(ticks) <= 6, f"{len(ticks)} ticks between {start} and {end}: {ticks}"


@pytest.mark.parametrize("lesson", ["vanishing-exploding", "binary-addition"])
def test_target_rings_of_the_last_column_inside_the_frame(lesson):
    """Every target ring of the unrolled picture, the last column's too, lies inside the frame at
    every width the picture takes (the browser reports its frame width; the circles follow)."""
    from simulator.state.selection import Selection
    from simulator.state.session import Session
    from simulator.views.unrolled import UnrolledView
    v = UnrolledView(session=Session(lesson=lesson), selection=Selection())
    for frame_w in (260, 420, 700):
        v.figure.set_from_json("inner_width", frame_w)
        x, c = v.figure.x_range, v.cells.data
        ppu = frame_w / (x.end - x.start)
        reach = (np.asarray(c["ring_size"]) + 3) / 2 / ppu  # the ring's radius and half its 3 px line
        right, left = np.asarray(c["x"]) + reach, np.asarray(c["x"]) - reach
        assert right.max() <= x.end and left.min() >= x.start, f"{lesson}: a ring is cut at {frame_w}px"


def test_bar_labels_do_not_run_together(sized):
    """After training, the G_t bars' value labels are each narrower than a bar's pitch (measured
    with the browser's own font metrics), or left to the tooltips."""
    page = sized(1280, 720)
    settled(page, BOXES)
    page.locator(".step-btn button").click()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('gradient_bars').data.text.length > 0")
    m = settled(page, """() => { const src = Bokeh.documents[0].get_model_by_name('gradient_bars');
      let w = null; const seen = new Set();
      const walk = (v) => { if (!v || seen.has(v) || w) return; seen.add(v);
        if (v.model && v.model.name === 'gradient_bars_figure' && v.frame) w = v.frame.bbox.width;
        for (const c of (v.child_views || [])) walk(c); };
      for (const r of Object.values(Bokeh.index)) walk(r);
      const ctx = document.createElement('canvas').getContext('2d'); ctx.font = '11px helvetica';
      return {frame: w, n: src.data.x.length, widths: Array.from(src.data.text).map((t) => ctx.measureText(t).width)}; }""")
    pitch = m["frame"] / (m["n"] + 1)  # the bars and half a bar's padding at both ends
    wide = [w for w in m["widths"][:-1] if w > pitch - 2]
    assert wide == [], f"bar labels wider than the {pitch:.0f}px between bars run together: {wide}"
