"""Proof for issue 20: every lesson's page at 1600x1000 and 1280x720, saved to artifacts/ to be
looked at; each page opens without a script error and without scrolling sideways."""
import pytest
from playwright.sync_api import expect

from simulator.lessons.registry import LESSONS

from .conftest import shot

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_every_lesson_screenshot(browser, app_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        for lesson in LESSONS:
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(app_url + f"?lesson={lesson}")
            page.wait_for_selector(".status-line .status", timeout=60_000)
            expect(page.locator(".lesson-loading-note")).to_be_hidden()  # the link's lesson drawn
            page.wait_for_function("() => document.fonts.status === 'loaded'")
            shot(page, f"lesson-{lesson}-{size[0]}x{size[1]}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            page.close()
            assert errors == [], (lesson, errors)
            assert width <= size[0], f"{lesson} at {size}: the page is {width} px wide"
    finally:
        context.close()
