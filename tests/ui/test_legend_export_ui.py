"""The net pictures' saved PNG and SVG carry the legend the page shows beside them (issue 20,
item 17): the legend is HTML on the page, and a plain SaveTool left it out."""
import base64
import struct
import xml.etree.ElementTree as ET

import pytest

from .bokeh_helpers import figure_button, hover_data

pytestmark = pytest.mark.ui

SVG = "{http://www.w3.org/2000/svg}"

# The labels of the HTML legend under the pictures, as the page shows them.
LEGEND_LABELS = """() => { const out = [];
  const walk = (root) => { for (const el of root.querySelectorAll('*')) {
      if (el.classList && el.classList.contains('net-legend-entry')) out.push(el.textContent.trim());
      if (el.shadowRoot) walk(el.shadowRoot); } };
  walk(document); return out; }"""

# The size (device pixels) of the named figure's canvas on the page.
FIGURE_PX = """(name) => { const fig = Bokeh.documents[0].get_model_by_name(name);
  const view = fig.document.views_manager.find_one(fig);
  return [Math.round(view.bbox.width * devicePixelRatio), Math.round(view.bbox.height * devicePixelRatio)]; }"""

# How many pixels of rows [top, bottom) of a PNG (base64) are not the background (white).
INKED = """async ([data, top]) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, top, img.width, img.height - top).data;
  let n = 0;
  for (let k = 0; k < px.length; k += 4) if (px[k] < 200 || px[k + 1] < 200 || px[k + 2] < 200) n++;
  return n; }"""


def _save(page, icon):
    hover_data(page, "network_figure", 0, 0)  # the toolbar shows while the pointer is over the figure
    with page.expect_download() as info:
        figure_button(page, "network_figure", icon).click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_the_saved_svg_shows_the_legend(page):
    """The SVG holds every label of the page's legend as text, below the picture."""
    labels = page.evaluate(LEGEND_LABELS)
    assert len(labels) >= 6 and "positive (W, G or d)" in labels

    name, data = _save(page, '.bk-ClickButton[title^="Save this picture as SVG"]')
    assert name == "recurrent-network.svg"
    root = ET.fromstring(data)
    height = float(root.get("height"))
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "net-legend"]
    assert len(legend) == 1
    texts = [t.text for t in legend[0].iter(f"{SVG}text")]
    assert texts == labels
    shift = float(legend[0].get("transform").split("(")[1].split(",")[1].rstrip(")"))
    assert 0 < shift < height  # below the picture, inside the saved image
    assert {"a", "b", "h1", "sum"} <= {t.text for t in root.iter(f"{SVG}text")}  # the picture is still there
    assert page.js_errors == []


def test_the_saved_png_has_the_legend_below_the_picture(page):
    """The PNG is the figure's width and taller than the figure by a band that is not blank."""
    width, fig_height = page.evaluate(FIGURE_PX, "network_figure")
    name, data = _save(page, ".bk-tool-icon-save")
    assert name == "recurrent-network.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    png_w, png_h = struct.unpack(">II", data[16:24])  # IHDR
    assert png_w == width and png_h >= fig_height + 30
    band = page.evaluate(INKED, [base64.b64encode(data).decode(), fig_height])
    assert band > 300  # swatches and label text drawn in the legend band
    assert page.js_errors == []
