"""A net of the user's own data survives a reload and Reset, in Chromium (issue 15): a CSV file
uploaded through the page puts the net and its cases into the address bar (``own=``); reloading
that address shows the same net, weights and cases; Reset then draws the seed's weights again and
keeps the cases."""
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv_file

from .conftest import shot, until

pytestmark = pytest.mark.ui

ECHO = Path(__file__).resolve().parents[2] / "docs" / "echo.csv"
STATUS = ".status-line .status"


def test_reload_keeps_an_uploaded_net_and_reset_keeps_its_cases(page, served):
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    page.locator(".data-load input[type=file]").set_input_files(str(ECHO))
    expect(page.locator(".data-message")).to_contain_text("Loaded echo.csv")
    first = served[-1].session
    for k in range(1, 4):
        page.locator(".step-btn button").click()
        expect(page.locator(STATUS)).to_contain_text(f"update {k} ")
    page.wait_for_function("() => new URLSearchParams(location.search).get('n') === '3' && "
                           "(new URLSearchParams(location.search).get('own') || '').length > 100")
    query = parse_qs(urlparse(page.url).query)
    assert len(page.url) < 6100 and query["w"][0]
    expect(page.locator(".data-link-note")).to_be_hidden()

    page.reload()
    page.wait_for_selector(STATUS, timeout=30_000)
    until(lambda: served[-1].session is not first, message="the reload did not start a new session")
    again = served[-1].session
    expect(page.locator(STATUS)).to_contain_text("update 3 ")
    assert again.cases is not None and again.cases["labels"] == first.cases["labels"]
    assert list(again.unit_names) == list(first.unit_names)
    assert np.array_equal(again.net.params(), first.net.params())
    assert all(np.array_equal(getattr(again.sequences, k), getattr(first.sequences, k)) for k in "XKYM")
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    expect(page.locator(".data-summary")).to_contain_text("32 training and 8 test cases")

    page.locator(".reset-btn button").click()
    expect(page.locator(STATUS)).to_contain_text("update 0 ")
    made = CS.new_session(read_csv_file(ECHO), hidden=4, seed=again.seed)
    until(lambda: again.updates == 0 and again.cases is not None, message="Reset did not keep the cases")
    assert np.array_equal(again.net.params(), made.net.params())
    assert again.cases["labels"] == first.cases["labels"]
    expect(page.locator(".data-summary")).to_contain_text("32 training and 8 test cases")
    page.wait_for_function("() => new URLSearchParams(location.search).get('n') === '0' && "
                           "(new URLSearchParams(location.search).get('own') || '').length > 100")
    shot(page, "data15-reload-reset")
    assert page.js_errors == []
