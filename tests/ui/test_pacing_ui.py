"""Pause is obeyed at once even where the page draws slower than the server computes (the robot
writer's big unrolled net): frames wait for the page (simulator/serving/pacer.py) instead of queueing in
it, so neither the picture nor a click lags behind."""
import pytest
from playwright.sync_api import expect

from .conftest import shot, until

pytestmark = pytest.mark.ui


def status(page):
    return page.locator(".status-line .status").first.inner_text()


def updates(text):
    return int(text.split("update", 1)[1].split("·", 1)[0])


def test_pause_stops_the_robot_writer_at_once(page, app_url, served):
    page.goto(app_url + "?lesson=robot-writer")
    page.wait_for_selector(".status-line .status", timeout=30_000)
    expect(page.locator(".lesson-loading-note")).to_be_hidden()  # a link to another lesson opens after "Loading"
    player = served[-1]  # this page's session, on the server
    assert player.session.lesson == "robot-writer"
    # ahead: frames not yet applied by the page as each is sent, once the page has answered (before
    # that the pacer cannot tell a page from a client that never answers, and holds nothing back)
    pacer, ahead = player.pacer, []
    pacer.param.watch(lambda e: pacer.shown and ahead.append(e.new - pacer.shown), "sent")
    for round_ in range(3):
        before = updates(status(page))
        page.locator("button", has_text="Play").first.click()
        expect(page.locator(".status-line .status").first).not_to_have_text(status(page))
        # More frames sent than the pacer lets run ahead: before pacing, they piled up in the page.
        sent = pacer.sent
        until(lambda: pacer.sent >= sent + 2 * pacer.ahead and ahead, message=f"round {round_}: training frames stopped")
        assert ahead and max(ahead) <= pacer.ahead, f"round {round_}: {max(ahead or [0])} frames queued in the page"
        page.locator("button", has_text="Pause").first.click()
        # "At once" is counted in frames, not seconds (a loaded CI machine is slow either way): the
        # Play label comes back, and no frame the pacer did not allow was queued ahead of it.
        expect(page.locator("button", has_text="Play").first).to_be_visible(timeout=30_000)
        assert max(ahead) <= pacer.ahead, f"round {round_}: {max(ahead)} frames queued before the Pause"
        # The server's timer is stopped, and the page already shows its last update: no frame is
        # left to arrive.
        assert not player.playing and player._callback is None, f"round {round_}: still training after Pause"
        assert updates(status(page)) == player.session.updates, f"round {round_}: the page lags the server"
        assert player.session.updates > before, "Play trained"
    shot(page, "robot-writer-paused")
    assert page.js_errors == []
