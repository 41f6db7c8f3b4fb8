"""Save / load in the browser: upload a document, get refused on a bad one, download the state."""
import json

import numpy as np
import pytest
from playwright.sync_api import expect

from simulator import document as D
from simulator.session import Session

from .conftest import shot

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
