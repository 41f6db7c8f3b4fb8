"""The served app in headless Chromium: status line, Step, Play/Pause and the keyboard."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import shot

pytestmark = pytest.mark.ui

STATUS = re.compile(r"update (\d+) · loss ([0-9.e+-]+)")


def status(page):
    m = STATUS.search(page.locator(".status-line .status").inner_text())
    assert m, "the status line must read 'update <n> · loss <value>'"
    return int(m.group(1)), float(m.group(2))


def test_page_loads_with_status_and_lesson(page):
    """A new session shows update 0, the default lesson's name and no browser errors."""
    assert status(page)[0] == 0
    expect(page.locator(".lesson-text")).to_contain_text("Binary addition")
    shot(page, "01-loaded")
    assert page.js_errors == []


def test_step_changes_update_count_and_loss(page):
    """Clicking Step runs exactly one update and shows the new loss."""
    n0, loss0 = status(page)
    page.locator(".step-btn button").click()
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    n1, loss1 = status(page)
    assert (n1, loss1 != loss0) == (1, True)


def test_play_lowers_the_loss_and_pause_stops(page):
    """Play trains from a periodic callback until the loss falls; Pause stops the updates."""
    _, loss0 = status(page)
    page.locator(".play-btn button").click()
    at_least_300 = re.compile(r"update ([3-9]\d\d|\d{4,}) ")
    expect(page.locator(".status-line .status")).to_contain_text(at_least_300, timeout=60_000)
    page.locator(".play-btn button").click()
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    n_paused, loss_paused = status(page)
    assert loss_paused < loss0
    # A round trip to the server after the pause (move the time cursor) proves no update
    # was still on its way; then the count must not have moved.
    page.keyboard.press("ArrowUp")
    expect(page.locator(".time-slider")).to_contain_text("1")
    assert status(page)[0] == n_paused
    shot(page, "02-after-play")


def test_keyboard_enter_steps_and_space_plays(page):
    """Enter runs one update; Space starts training and Space again pauses it."""
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    page.keyboard.press(" ")
    expect(page.locator(".play-btn button")).to_contain_text("Pause")
    expect(page.locator(".status-line .status")).to_contain_text(re.compile(r"update ([2-9]|\d\d+) "))
    page.keyboard.press(" ")
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    assert status(page)[0] > 1
