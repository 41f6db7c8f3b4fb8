"""Pause is obeyed at once even where the page draws slower than the server computes (the robot
writer's big unrolled net): frames wait for the page (simulator/serving/pacer.py) instead of queueing in
it, so neither the picture nor a click lags behind."""
import pytest
from playwright.sync_api import expect

from .conftest import shot

pytestmark = pytest.mark.ui


def status(page):
    return page.locator(".status-line .status").first.inner_text()


def updates(text):
    return int(text.split("update", 1)[1].split("·", 1)[0])


def test_pause_stops_the_robot_writer_at_once(page, app_url):
    page.goto(app_url + "?lesson=robot-writer")
    page.wait_for_selector(".status-line .status", timeout=30_000)
    for round_ in range(3):
        before = updates(status(page))
        page.locator("button", has_text="Play").first.click()
        expect(page.locator(".status-line .status").first).not_to_have_text(status(page), timeout=10_000)
        page.wait_for_timeout(2000)  # let frames pile up, as they did before pacing
        page.locator("button", has_text="Pause").first.click()
        # The page shows the Play label once the server has paused: within 2 s, not behind a queue.
        expect(page.locator("button", has_text="Play").first).to_be_visible(timeout=2000)
        paused = status(page)
        page.wait_for_timeout(1000)
        assert status(page) == paused, f"round {round_}: still training after Pause: {paused} -> {status(page)}"
        assert updates(paused) > before, "Play trained"
    shot(page, "robot-writer-paused")
    assert page.js_errors == []
