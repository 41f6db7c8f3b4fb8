"""The lesson panel's "10 seeds" in a served app (issue 14): on localhost a press runs ten seeds
beside the page and shows the fraction solved; a class server shows the button off and says why."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import shot, until
from .test_lessons_ui import open_readout

pytestmark = pytest.mark.ui


def served(**options):
    """The real app through serving.server.serve (which decides who may run seeds); its URL and stop."""
    from panel.io.state import state

    from simulator.app import create_app
    from simulator.serving.server import serve
    sid = uuid.uuid4().hex
    thread = serve(create_app, port=0, threaded=True, server_id=sid, **options)
    until(lambda: sid in state._servers, message="the server did not start within 30 s")
    return f"http://localhost:{state._servers[sid][0].port}/", thread


@pytest.fixture
def open_page(browser):
    stops = []

    def opening(**options):
        url, thread = served(**options)
        stops.append(thread)
        page = browser.new_context(viewport={"width": 1600, "height": 1100}).new_page()
        page.goto(url)
        page.wait_for_selector(".status-line .status", timeout=30_000)
        return page
    yield opening
    for thread in stops:
        try:
            thread.stop()
        except RuntimeError:  # Panel's own shutdown got there first
            pass


def test_ten_seeds_on_localhost_show_the_fraction_solved(open_page):
    page = open_page(address="localhost")
    open_readout(page, "Attractors")
    page.locator(".seeds-btn button").click()
    expect(page.locator(".seeds-cancel button")).to_be_enabled()
    expect(page.locator(".seeds-result")).to_contain_text(re.compile(r"\d+ of 10 done"))
    expect(page.locator(".seeds-fraction")).to_have_text(re.compile(r"^\d+/10 solved$"), timeout=300_000)
    expect(page.locator(".seeds-btn button")).to_be_enabled()
    shot(page, "ten-seeds")


def test_a_class_server_shows_it_off_and_how_to_allow_it(open_page):
    page = open_page(address="localhost", allow_seeds=False)  # what --address 0.0.0.0 decides, on loopback
    open_readout(page)
    expect(page.locator(".seeds-btn button")).to_be_disabled()
    expect(page.locator(".seeds-off")).to_contain_text("bptt-sim serve --allow-seeds")
