"""Save / load in the browser: upload a document, get refused on a bad one, download the state and
the view options, and open them in a fresh page."""
import json

import numpy as np
import pytest
from playwright.sync_api import expect

from simulator import document as D
from simulator.state.session import Session

from .bokeh_helpers import column
from .conftest import shot
from .test_link_ui import LIT, WHERE

pytestmark = pytest.mark.ui


def test_load_refuse_and_save(page, tmp_path):
    """Loading a trained document shows its update count and loss; a truncated file is refused with a
    visible message and changes nothing; Save downloads exactly the loaded weights."""
    trained = Session()
    trained.step(25)
    good, cut = tmp_path / "trained.json", tmp_path / "cut.json"
    D.save(good, trained)
    cut.write_text(good.read_text()[:2000])
    status = page.locator(".status-line .status")
    upload = page.locator(".share-load input[type=file]")

    upload.set_input_files(str(good))
    expect(status).to_contain_text(f"update 25 · loss {trained.loss_value:.6g}")
    expect(page.locator(".share-message")).to_contain_text("Loaded trained.json")

    upload.set_input_files(str(cut))
    expect(page.locator(".share-message")).to_contain_text("not valid JSON")
    expect(page.locator(".message").first).to_contain_text("Could not load cut.json")
    expect(status).to_contain_text(f"update 25 · loss {trained.loss_value:.6g}")
    shot(page, "share-refused")

    with page.expect_download() as info:
        page.locator(".share-save button").click()
    download = info.value
    assert download.suggested_filename == "binary-addition-update25.json"
    doc = D.parse(open(download.path(), "rb").read())
    assert np.array_equal(np.array(doc["network"]["W"]), trained.net.W) and doc["training"]["updates"] == 25
    assert json.loads(good.read_text())["data"] == doc["data"]
    assert page.js_errors == []


def test_saved_view_opens_in_a_fresh_page(page, browser, app_url, tmp_path):
    """Time step 3, a clicked weight, large type and the Weight matrices tab are saved in the
    document; loading it in a fresh page shows that time step, weight, type size and tab."""
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('unrolled_edges')?.data.i.length > 0")
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    x, y, i, j = page.evaluate(WHERE, ["network_figure", "network_edges", 4])
    page.mouse.click(x, y)
    page.wait_for_function(f"() => ({LIT})(['unrolled_edges', 'sel']).length > 0")
    page.locator(".lecture-settings").get_by_text("Lecture mode").click()
    page.locator(".large-type-toggle input").check()
    page.locator(".bk-tab").filter(has_text="Weight matrices").click()
    expect(page.locator(".large-type")).to_have_count(1)
    with page.expect_download() as info:
        page.locator(".share-save button").click()
    path = tmp_path / "view.json"
    info.value.save_as(path)
    view = D.parse(path.read_bytes())["view"]
    assert (view["time"], view["weight"], view["large_type"], view["tab"]) == (3, [i, j], True, "Weight matrices")

    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    try:
        fresh = context.new_page()
        fresh.goto(app_url)
        fresh.wait_for_selector(".status-line .status", timeout=30_000)
        expect(fresh.locator(".large-type")).to_have_count(0)
        fresh.locator(".share-load input[type=file]").set_input_files(str(path))
        expect(fresh.locator(".share-message")).to_contain_text("Loaded view.json")
        expect(fresh.locator(".large-type")).to_have_count(1)
        expect(fresh.locator(".time-slider")).to_contain_text("3")
        expect(fresh.locator(".bk-tab.bk-active")).to_have_text("Weight matrices")
        T = max(column(fresh, "unrolled_edges", "t"))
        fresh.wait_for_function(f"() => ({LIT})(['unrolled_edges', 'sel']).length == {T}")
        assert fresh.evaluate(LIT, ["unrolled_edges", "sel"]) == [[i, j]] * T
        shot(fresh, "share-view-loaded")
    finally:
        context.close()
    assert page.js_errors == []
