"""Exports in the browser: the three sidebar downloads carry the loaded state; the pictures can be
saved as PNG and as SVG."""
import csv
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from playwright.sync_api import expect

from simulator import document as D
from simulator.document import export as export
from simulator.state.session import Session

from .bokeh_helpers import figure_button, hover_data

pytestmark = pytest.mark.ui


def _download(page, css):
    with page.expect_download() as info:
        page.locator(f"{css} button").click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_exports_and_save_tool(page, tmp_path):
    """After loading a trained document, the loss CSV, stack CSV and .npz equal that state's numbers,
    and the recurrent picture has a SaveTool whose button downloads a PNG and an SVG button whose
    download is an SVG document of the picture (its unit names are text in it)."""
    trained = Session()
    trained.step(9)
    good = tmp_path / "trained.json"
    D.save(good, trained)
    page.locator(".share-load input[type=file]").set_input_files(str(good))
    expect(page.locator(".share-message")).to_contain_text("Loaded trained.json")

    name, data = _download(page, ".export-loss")
    assert name == "binary-addition-update9-loss.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [(int(r["update"]), float(r["loss"])) for r in rows] == [(int(u), float(e)) for u, e in trained.history]

    name, data = _download(page, ".export-stack")
    assert name == "binary-addition-update9-stack.csv" and data.decode() == export.all_stacks_csv(trained)

    name, data = _download(page, ".export-params")
    z = np.load(io.BytesIO(data))
    assert name.endswith("-params.npz") and np.array_equal(z["W"], trained.net.W)
    assert np.array_equal(z["b"], trained.net.b) and np.array_equal(z["h0"], trained.net.h0)

    tools = page.evaluate("""() => Bokeh.documents[0].get_model_by_name('network_figure').toolbar.tools
                                     .map(t => [t.type, t.filename ?? t.icon])""")
    assert ["CustomAction", "save"] in tools  # a PNG button that adds the legend (test_legend_export_ui.py)
    hover_data(page, "network_figure", 0, 0)  # the toolbar hides until the pointer is over the figure
    with page.expect_download() as info:
        figure_button(page, "network_figure", ".bk-tool-icon-save").click()  # the hovered figure's
    png = info.value
    assert png.suggested_filename == "recurrent-network.png"
    assert open(png.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"

    with page.expect_download() as info:
        figure_button(page, "network_figure", '.bk-ClickButton[title^="Save this picture as SVG"]').click()
    svg = info.value
    data = open(svg.path(), "rb").read()
    assert svg.suggested_filename == "recurrent-network.svg" and data.startswith(b"<svg")
    root = ET.fromstring(data)  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and float(root.get("width")) > 300
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"a", "b", "h1", "sum"} <= texts
    assert page.js_errors == []
