"""Two students on one server: training in one browser session never shows up in another."""
import pytest
from playwright.sync_api import expect

from .test_app_ui import status

pytestmark = pytest.mark.ui


def test_two_pages_do_not_share_training(page, browser, app_url):
    """Step three times in page 1: page 1 reads update 3, a second page on the same server still
    reads update 0, and stepping page 2 once makes it update 1, not 4."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        other.goto(app_url)
        other.wait_for_selector(".status-line .status", timeout=30_000)
        step = page.locator(".step-btn button")
        for n in (1, 2, 3):
            step.click()
            expect(page.locator(".status-line .status")).to_contain_text(f"update {n} ")
        assert status(other)[0] == 0
        other.locator(".step-btn button").click()
        expect(other.locator(".status-line .status")).to_contain_text("update 1 ")
        assert status(page)[0] == 3
    finally:
        context.close()
