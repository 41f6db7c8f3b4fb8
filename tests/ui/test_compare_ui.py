"""Compare mode in headless Chromium (issue 19): a lesson's lecture card opens the comparison it
makes, Play grows both runs' loss curves in the page, Pause stops them in lockstep, and
the page's URL reopens them as they were."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import shot, until

pytestmark = pytest.mark.ui

LENGTHS = """() => [0, 1].map((k) => Bokeh.documents[0].get_model_by_name('compare_loss_' + k).data.update.length)"""


def updates(page):
    """Each run's update count, read from its own status line."""
    texts = [page.locator(f".compare-run-{k} .status").inner_text() for k in (0, 1)]
    return [int(re.search(r"update (\d+)", t).group(1)) for t in texts]


def test_a_lecture_card_opens_a_comparison_that_plays_in_lockstep(browser, app_url):
    """Card 3 of the learned-initial-state lesson links to "fixed 0.5 vs learned"; Play grows both
    curves; after Pause both runs show the same update count."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url + "?lesson=learned-initial-state")
    page.wait_for_selector(".status-line .status", timeout=30_000)
    expect(page.locator(".lesson-loading-note")).to_be_hidden()  # the link opens after "Loading"
    card = page.locator(".lecture-card")
    expect(card).to_contain_text("Point 1 of 4")
    for point in (2, 3):
        page.locator(".card-next button").click()
        expect(card).to_contain_text(f"Point {point} of 4")
    link = page.locator("a.card-compare")
    expect(link).to_contain_text("Compare side by side: fixed 0.5 vs learned")
    link.click()
    page.wait_for_url(re.compile(r"compare=learn_h0"))
    expect(page.locator(".compare-differ")).to_contain_text("learn_h0")
    expect(page.locator(".compare-run-1 .compare-settings")).to_contain_text("learn_h0 = true")
    play = page.locator(".compare-play button")
    play.click()
    expect(play).to_contain_text("Pause")
    page.wait_for_function(f"() => ({LENGTHS})().every((n) => n >= 20)")
    play.click()
    expect(play).to_contain_text("Play")
    # A frame already sent may still land: wait until both status lines agree, then they must.
    until(lambda: (lambda u: u[0] >= 20 and u[0] == u[1])(updates(page)), message="the runs' counts never agreed")
    first = updates(page)
    assert first[0] == first[1] >= 20
    lengths = page.evaluate(LENGTHS)
    assert lengths[0] == lengths[1] == first[0]
    shot(page, "compare-fixed-vs-learned")
    # The URL follows the runs: reloading it replays them from the start to the same update and loss.
    page.wait_for_function(f"() => /[?&]n={first[0]}(&|$)/.test(location.search) && /compare=/.test(location.search)")
    statuses = [page.locator(f".compare-run-{k} .status").inner_text() for k in (0, 1)]
    page.goto(page.url)
    for k in (0, 1):
        expect(page.locator(f".compare-run-{k} .status")).to_have_text(statuses[k])
    assert errors == []
    context.close()
