"""Themes in the browser: ?theme= and the page's chooser, every part following (pictures, status
line, widgets), the status line's text contrast, and how dark a dark page really is."""
import base64

import pytest
from playwright.sync_api import expect

from simulator.views.theme import PALETTES

from .bokeh_helpers import MODEL
from .conftest import shot

pytestmark = pytest.mark.ui

# WCAG contrast of an element's text against the first opaque background behind it, walking
# out of shadow roots through their hosts (Panel puts every component in its own).
CONTRAST = """(sel) => {
  const find = (root) => { const el = root.querySelector(sel); if (el) return el;
    for (const h of root.querySelectorAll('*')) if (h.shadowRoot) { const f = find(h.shadowRoot); if (f) return f; }
    return null; };
  const el = find(document);
  const rgb = (s) => s.match(/[0-9.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((a, c, k) => a + c * [0.2126, 0.7152, 0.0722][k], 0);
  let node = el, bg = null;
  while (node && !bg) {
    if (node.nodeType === 1) { const c = rgb(getComputedStyle(node).backgroundColor); if (c.length < 4 || c[3] > 0.99) bg = c.slice(0, 3); }
    node = node.parentNode || (node.host ?? null);
    if (node && node.nodeType === 11) node = node.host;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color), [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

# Mean relative luminance (0 black .. 1 white) of a PNG, decoded by the page's own canvas.
MEAN_LUMINANCE = """async (png) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + png; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data; let sum = 0;
  for (let k = 0; k < d.length; k += 4) sum += (0.2126 * d[k] + 0.7152 * d[k + 1] + 0.0722 * d[k + 2]) / 255;
  return sum / (d.length / 4);
}"""


def open_page(browser, url, theme=None):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(url + (f"?theme={theme}" if theme else ""))
    pg.wait_for_selector(".status-line .status", timeout=30_000)
    expect(pg.locator("html")).to_have_class(f"theme-{theme or 'light'}")
    return context, pg


def painted(page, name, path, value):
    """Wait until the browser's model ``name`` has ``value`` at ``path`` (e.g. 'background_fill_color');
    the server paints the pictures once the page has loaded. Fails naming the value it has."""
    read = f"() => ({MODEL})('{name}').{path}"
    try:
        page.wait_for_function(f"() => ({read})() === {value!r}", timeout=20_000)
    except Exception:
        pytest.fail(f"{name}.{path} is {page.evaluate(read)!r}, not {value!r}")


def mean_luminance(page, name):
    png = page.screenshot(full_page=False)
    shot(page, name)
    return page.evaluate(MEAN_LUMINANCE, base64.b64encode(png).decode())


@pytest.mark.parametrize("theme", ["light", "dark", "projector"])
def test_a_theme_from_the_url_reaches_pictures_and_status_line(browser, app_url, theme):
    """?theme=...: the pictures take the palette's background and the status line reads at >= 4.5:1."""
    context, pg = open_page(browser, app_url, theme)
    try:
        for name in ("network_figure", "unrolled_figure", "loss_figure"):
            painted(pg, name, "background_fill_color", PALETTES[theme]["background"])
        # The loss curve's line was written "#222" by its view: the repaint gives it the theme's ink.
        painted(pg, "loss_figure", "renderers[0].glyph.line_color.value", PALETTES[theme]["ink"])
        assert pg.evaluate(CONTRAST, ".status") >= 4.5
        expect(pg.locator(".theme-select select")).to_have_value(theme.capitalize())
    finally:
        context.close()


def test_the_dark_page_is_much_darker_than_the_light_one(browser, app_url):
    """Mean luminance of the whole screen: dark well below half of light (Panel's own dark theme
    left every picture white)."""
    means = {}
    for theme in ("light", "dark"):
        context, pg = open_page(browser, app_url, theme)
        try:
            painted(pg, "network_figure", "background_fill_color", PALETTES[theme]["background"])
            means[theme] = mean_luminance(pg, f"theme-{theme}")
        finally:
            context.close()
    assert means["dark"] < 0.4 * means["light"], means


def test_choosing_a_theme_in_the_page_repaints_it_and_keeps_it_in_the_url(browser, app_url):
    """The chooser switches the whole page live (no reload) and writes ?theme= for a shared link."""
    context, pg = open_page(browser, app_url)
    try:
        pg.locator(".theme-select select").select_option("Dark")
        expect(pg.locator("html")).to_have_class("theme-dark")
        painted(pg, "network_figure", "background_fill_color", PALETTES["dark"]["background"])
        pg.wait_for_function("() => location.search.includes('theme=dark')", timeout=20_000)
        assert pg.evaluate(CONTRAST, ".status") >= 4.5
        pg.locator(".theme-select select").select_option("Projector")
        expect(pg.locator("html")).to_have_class("theme-projector")
        assert pg.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
        shot(pg, "theme-projector")
    finally:
        context.close()


def test_an_unknown_theme_in_the_url_is_refused_by_name(browser, app_url):
    """?theme=neon: the message under the status line says what was wrong and what is expected; the page stays light."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(app_url + "?theme=neon")
        expect(pg.locator(".message").first).to_contain_text("theme: expected one of light, dark, projector; got 'neon'")
        expect(pg.locator("html")).to_have_class("theme-light")
    finally:
        context.close()
