"""Training methods in Chromium (issue 16): switch to Adam and a batch size mid-run, train, save,
load and continue; the numbers equal a Session that did the same without the browser."""
import json

import pytest
from playwright.sync_api import expect

from simulator.state.session import Session

pytestmark = pytest.mark.ui


def steps(page, status, n, start):
    for k in range(start + 1, start + n + 1):
        page.locator(".step-btn button").click()
        expect(status).to_contain_text(f"update {k} ·")


def test_adam_and_batch_size_mid_run_then_save_load_continue(page, tmp_path):
    """Momentum for 2 updates, then Adam with batches of 16 for 3; the saved document holds the
    rule and its state; after loading it, 2 more updates give the loss a Session reaches (==)."""
    status = page.locator(".status-line .status")
    steps(page, status, 2, 0)
    page.locator(".training-card").get_by_text("Training method").click()
    page.locator(".optimizer-select select").select_option("adam")
    size = page.locator(".batch-size-input input")
    size.fill("16")
    size.press("Enter")
    steps(page, status, 3, 2)
    with page.expect_download() as info:
        page.locator(".share-save button").click()
    saved = tmp_path / "run.json"
    saved.write_bytes(open(info.value.path(), "rb").read())
    tr = json.loads(saved.read_text())["training"]
    assert (tr["optimizer"], tr["batch_size"], tr["optimizer_state"]["k"]) == ("adam", 16, 3)

    page.locator(".reset-btn button").click()
    expect(status).to_contain_text("update 0 ·")
    page.locator(".share-load input[type=file]").set_input_files(str(saved))
    expect(page.locator(".share-message")).to_contain_text("Loaded run.json")
    steps(page, status, 2, 5)

    s = Session()
    for _ in range(2):
        s.step(1)
    s.param.update(optimizer="adam", batch_size=16)
    for _ in range(5):
        s.step(1)
    expect(status).to_contain_text(f"update 7 · loss {s.loss_value:.6g}")
    assert page.js_errors == []
