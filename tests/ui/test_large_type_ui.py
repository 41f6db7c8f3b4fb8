"""Lecture mode's large type in headless Chromium at a projector's 1024x768 (and 1280x720), in each theme: the
text inside the pictures grows (and shrinks back live), nothing lies on anything else, no title
is cut, the page does not scroll sideways, and axe finds no serious or critical violation
(issues 17 and 20, item 3). Geometry from bounding boxes and the canvas' own text measure."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from simulator.views import graph_layout as gl
from simulator.views.theme import font_factor

from .bokeh_helpers import MODEL, settled
from .conftest import shot
from .fit_helpers import CUT_TITLES, OUTSIDE, OVERLAPS

pytestmark = pytest.mark.ui

SIZE = {"width": 1024, "height": 768}
#: Each theme at 1024x768, and the projector's (largest) type at 1280x720 too, where two detail views
#: side by side cut their titles.
CASES = [("light", SIZE), ("dark", SIZE), ("projector", SIZE), ("projector", {"width": 1280, "height": 720})]
#: Titles cut, controls overlapping, the page's width and the pictures outside it, measured together
#: so that settled() waits for all of them to stop moving (the server re-lays the pictures out for
#: the widths the browser reports, with the grown fonts).
GEOMETRY = f"""() => {{
  if (!window.Bokeh || !Bokeh.documents.length) return null;
  return {{cut: ({CUT_TITLES})(), overlaps: ({OVERLAPS})(), ...({OUTSIDE})()}};
}}"""


def title_font(page):
    return page.evaluate(f"() => ({MODEL})('network_figure').title.text_font_size")


def wait_font(page, size):
    """Wait until the recurrent picture's title is drawn at ``size`` (the server paints the
    pictures once the page has loaded, and again when large type changes)."""
    try:
        page.wait_for_function(f"() => ({MODEL})('network_figure').title.text_font_size === {size!r}", timeout=20_000)
    except Exception:
        pytest.fail(f"the recurrent picture's title is {title_font(page)!r}, not {size!r}")


def open_large(browser, app_url, theme, size=SIZE):
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(app_url + f"?large=true&theme={theme}")
    page.wait_for_selector(".status-line .status", timeout=30_000)
    return context, page


@pytest.mark.parametrize(("theme", "size"), CASES, ids=[f"{t}-{s['width']}" for t, s in CASES])
def test_large_type_fits_and_passes_axe(browser, app_url, theme, size):
    """?large=true at 1024x768 (1280x720): the pictures' fonts grow, no title is cut, no control lies on
    another (Undo lay under the lecture card's Previous, the rate slider over the main column),
    nothing leaves the page; with the lecture settings open, axe finds nothing serious."""
    context, page = open_large(browser, app_url, theme, size)
    try:
        wait_font(page, f"{float(gl.FONT[:-2]) * font_factor(theme, True):.3g}pt")
        m = settled(page, GEOMETRY, timeout=30_000)
        assert m["page_width"] <= size["width"], f"the page scrolls sideways: {m['page_width']} px"
        assert m["shown"] > 0 and m["outside"] == [], f"pictures leave the page: {m['outside']}"
        assert m["cut"] == [], f"titles cut ([figure, line, needed px, room px]): {m['cut']}"
        assert m["overlaps"] == [], f"controls lying on each other: {m['overlaps']}"
        shot(page, f"large-type-{size['width']}-{theme}")
        page.locator(".lecture-settings").get_by_text("Lecture mode").click()
        page.locator(".large-type-toggle input").wait_for(state="visible")
        settled(page, "() => document.querySelectorAll('.bk-Figure, .bk-panel-models-layout-Column').length")
        found = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
        grave = {v["id"]: [n["target"] for n in v["nodes"]] for v in found if v["impact"] in ("serious", "critical")}
        assert grave == {}
    finally:
        context.close()


def test_large_type_follows_the_checkbox_live(browser, app_url):
    """Unticking Large type gives the pictures the views' own sizes back (title, unit labels on the
    unrolled axis, value labels, a detail tab's chart); ticking it again grows them again."""
    context, page = open_large(browser, app_url, "light")
    # The last: a detail tab's chart, built as the page opens (null until then).
    read = f"""() => {{ const m = ({MODEL}), net = m('network_figure'), unr = m('unrolled_figure');
      const value = net.renderers.map((r) => r.glyph).find((g) => g.type === 'Text' && g.text.field === 'value');
      const axis = unr.left.find((a) => a.major_label_text_font_size !== undefined);
      return [net.title.text_font_size, axis.major_label_text_font_size, value.text_font_size.value,
              m('gradient_bars_figure')?.title.text_font_size ?? null]; }}"""
    k = font_factor("light", True)
    own = [gl.FONT, gl.FONT, gl.SMALL_FONT, "14px"]  # as the views wrote them (plotting.readable's title)
    grown = [f"{float(f[:-2]) * k:.3g}{f[-2:]}" for f in own]

    def fonts_become(expected):
        """Wait for the sizes (the pictures and the detail tab are painted in separate callbacks)."""
        try:
            page.wait_for_function(f"(want) => JSON.stringify(({read})()) === JSON.stringify(want)", arg=expected,
                                   timeout=20_000)
        except Exception:
            pytest.fail(f"the fonts are {page.evaluate(read)}, not {expected}")
    try:
        fonts_become(grown)
        assert [float(a[:-2]) > float(b[:-2]) for a, b in zip(grown, own)] == [True] * 4
        page.locator(".lecture-settings").get_by_text("Lecture mode").click()
        page.locator(".large-type-toggle input").uncheck()
        fonts_become(own)
        page.locator(".large-type-toggle input").check()
        fonts_become(grown)
    finally:
        context.close()
