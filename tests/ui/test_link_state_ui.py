"""Links: the address bar carries settings and weights; opening it in a fresh page shows the same state."""
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import shot

pytestmark = pytest.mark.ui


@pytest.fixture
def open_page(browser):
    """Pages opened straight at a link (the default ``page`` fixture would load the app once more)."""
    contexts = []

    def open_(url):
        context = browser.new_context(viewport={"width": 1600, "height": 1100})
        contexts.append(context)
        pg = context.new_page()
        pg.goto(url)
        pg.wait_for_selector(".status-line .status", timeout=30_000)
        return pg
    yield open_
    for context in contexts:
        context.close()


def test_url_reproduces_the_state_in_a_fresh_page(open_page, app_url):
    """A link with readable settings opens that lesson and seed; after a few updates the address bar
    holds the weights, and a fresh page opened from it shows the same update count and loss."""
    page = open_page(app_url + "?lesson=tied-weights&seed=7&lr=0.3")
    status = page.locator(".status-line .status")
    expect(page.locator(".lesson-text")).to_contain_text("ied")
    for k in range(1, 4):
        page.locator(".step-btn button").click()
        expect(status).to_contain_text(f"update {k} ")
    page.wait_for_function("() => new URLSearchParams(location.search).get('n') === '3'")
    text = status.inner_text()
    query = parse_qs(urlparse(page.url).query)
    assert query["lesson"] == ["tied-weights"] and query["seed"] == ["7"] and query["lr"] == ["0.3"]
    assert len(query["w"][0]) > 20

    fresh = open_page(page.url)
    expect(fresh.locator(".status-line .status")).to_have_text(text)
    expect(fresh.locator(".lesson-text")).to_contain_text("ied")
    shot(fresh, "link-fresh-page")


def test_bad_link_is_refused_and_says_why(open_page, app_url):
    """A link with a NaN learning rate opens the default state with a message naming the parameter."""
    page = open_page(app_url + "?lesson=binary-addition&lr=nan&seed=3")
    expect(page.locator(".message").first).to_contain_text(re.compile("Could not open the link: lr"))
    expect(page.locator(".status-line .status")).to_contain_text("update 0 ")
