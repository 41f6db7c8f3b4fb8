"""Pause means the next frame shows the last update (issue 20, item 9): after the click at most one
training frame reaches the page (the one already on its way), in the adder and in the robot
writer, whose frames the page draws slowly. Before, up to 8 frames were in flight: the page went
on counting ~150 updates (adder) and ~800 (robot writer) after the click."""
import pytest
from playwright.sync_api import expect

from .conftest import until

pytestmark = pytest.mark.ui

# Read the status shown at the moment of the click, then every status the page shows after it.
CLICK_AND_WATCH = """([host, button]) => {
  const root = host.shadowRoot || host;
  const read = () => { const s = root.querySelector('.status'); return s ? s.textContent : null; };
  window.__at = read();
  window.__after = [];
  new MutationObserver(() => {
    const t = read();
    if (t !== null && t !== (window.__after.length ? window.__after[window.__after.length - 1] : window.__at))
      window.__after.push(t);
  }).observe(root, {childList: true, subtree: true, characterData: true});
  button.click();
}"""


def updates(text):
    return int(text.split("update", 1)[1].split("·", 1)[0])


@pytest.mark.parametrize("lesson, trained", [("binary-addition", 600), ("robot-writer", 100)])
def test_pause_shows_at_most_one_more_frame(page, app_url, served, lesson, trained):
    page.goto(app_url + f"?lesson={lesson}")
    page.wait_for_selector(".status-line .status", timeout=30_000)
    expect(page.locator(".lesson-loading-note")).to_be_hidden()  # a link to another lesson opens after "Loading"
    player = served[-1]
    assert player.session.lesson == lesson
    status = page.locator(".status-line .status")
    page.locator(".play-btn button").click()
    expect(page.locator(".play-btn button")).to_contain_text("Pause")
    until(lambda: player.session.updates >= trained and player.pacer.shown > 2, message="training did not run")
    page.evaluate(CLICK_AND_WATCH, [page.locator(".status-line").element_handle(),
                                    page.locator(".play-btn button").element_handle()])
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    until(lambda: not player.playing and not player._busy, message="still training after Pause")
    expect(status).to_contain_text(f"update {player.session.updates} ")
    at, after = page.evaluate("() => [window.__at, window.__after]")
    shown = [updates(t) for t in after]
    assert len(shown) <= 1, f"{lesson}: {len(shown)} frames after the click (from update {updates(at)}): {shown}"
    last = shown[-1] if shown else updates(at)
    assert last - updates(at) <= player.updates_per_frame, (lesson, updates(at), last, player.updates_per_frame)


def test_slow_motion_pass_has_a_speed(page, served):
    """The slow-motion pass ticks at the speed chosen beside it, changed while it plays (it was
    fixed at 0.45 s a tick)."""
    player = served[-1]
    speed = page.locator(".pass-speed select")
    speed.select_option("1 s a tick")
    until(lambda: player.animation_period == 1000, message="the pass speed did not reach the Player")
    page.locator(".slow-btn button").click()
    until(lambda: player.animating and player._callback is not None and player._callback.period == 1000,
          message="the pass did not start at 1 s a tick")
    start = player.selection.tick
    until(lambda: player.selection.tick > start, message="the pass did not tick")
    speed.select_option("0.15 s a tick")
    until(lambda: player._callback is not None and player._callback.period == 150,
          message="a new speed did not apply while the pass played")
    expect(page.locator(".pass-speed select")).to_have_value("0.15 s a tick")
