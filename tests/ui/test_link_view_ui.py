"""A copied address shows what was on screen (issue 20, item 4): the time step, the selected weight,
the open tab and the loss curve come back in a fresh page, not only the weights and the loss."""
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .bokeh_helpers import column
from .conftest import shot, until

pytestmark = pytest.mark.ui


def test_copied_address_restores_time_weight_tab_and_curve(browser, app_url, served):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        page.goto(app_url + "?lesson=binary-addition&sel=2,1&t=2")
        status = page.locator(".status-line .status")
        expect(status).to_contain_text("update 0 ")
        for k in range(1, 4):
            page.locator(".step-btn button").click()
            expect(status).to_contain_text(f"update {k} ")
        page.locator(".bk-tab").filter(has_text="Weight matrices").click()
        page.locator(".app-title").click()  # focus off the controls: the arrow keys move the time cursor
        page.keyboard.press("ArrowUp")
        page.wait_for_function("() => { const q = new URLSearchParams(location.search);"
                               " return q.get('n') === '3' && q.get('t') === '3' && q.get('tab') === 'Weight matrices'; }")
        first = served[-1]
        assert (first.selection.time, first.selection.weight) == (3, (2, 1))
        curve = column(page, "loss_src", "update"), column(page, "loss_src", "loss")
        assert curve[0] == [1, 2, 3]
        text = status.inner_text()
        query = parse_qs(urlparse(page.url).query)
        assert query["sel"] == ["2,1"] and len(query["curve"][0]) > 10

        fresh = context.new_page()
        fresh.goto(page.url)
        expect(fresh.locator(".status-line .status")).to_have_text(text)
        opened = served[-1]
        assert opened is not first
        until(lambda: (opened.selection.time, opened.selection.weight, opened.selection.tab) ==
              (3, (2, 1), "Weight matrices"), message="the link's view did not reach the new page")
        expect(fresh.locator(".bk-tab.bk-active")).to_have_text("Weight matrices")
        expect(fresh.locator(".time-slider")).to_contain_text("3")
        assert (column(fresh, "loss_src", "update"), column(fresh, "loss_src", "loss")) == curve
        shot(fresh, "link-view-fresh-page")
    finally:
        context.close()
