"""Load and links say "Loading" as the Lesson menu does (issue 20, item 1): a document loaded with
the Load button, or a link that opens another lesson, first covers the old pictures, status and
card with "Loading “…”…", and the new net appears only as the cover goes. Counts and states per
animation frame; no sleeps."""
import pytest
from playwright.sync_api import expect

from simulator import document as D
from simulator.state.session import Session

from .test_large_net_ui import RECORD, ROBOT

pytestmark = pytest.mark.ui

# RECORD from the first frame in which the page has its pictures (an init script: before the app).
RECORD_FROM_START = "(() => { const start = () => { const doc = window.Bokeh && Bokeh.documents[0];" \
                    " if (doc && doc.get_model_by_name('network_units')) (%s)(); else requestAnimationFrame(start); };" \
                    " start(); })();" % RECORD
ROBOT_LOSS = "23.22"  # the robot writer's untrained loss, as its status line shows it


def test_loading_a_file_covers_the_old_lesson_until_the_new_one_is_drawn(page, tmp_path):
    """The adder's page loads a saved robot writer: a frame says "Loading “robot.json”…" with the
    pictures covered, and no uncovered frame shows the new net beside the adder's status."""
    path = tmp_path / "robot.json"
    D.save(path, Session(lesson="robot-writer"))
    page.evaluate(RECORD)
    page.locator(".share-load input[type=file]").set_input_files(str(path))
    expect(page.locator(".share-message")).to_contain_text("Loaded robot.json")
    page.wait_for_function(f"() => window.__frames.some((f) => f[0] === 3 && f[2].includes('{ROBOT_LOSS}') && !f[4])")
    frames = page.evaluate("() => window.__frames")
    assert any(f[4] and "Loading “robot.json”" in f[5] for f in frames)
    assert [f for f in frames if f[0] != 6 and ROBOT_LOSS not in f[2] and not f[4]] == []
    assert page.js_errors == []


def test_a_link_to_another_lesson_says_loading_until_it_is_drawn(browser, app_url):
    """A fresh page opened at ?lesson=robot-writer: its first frames say "Loading “A robot writing a
    sentence”…" over the pictures, no uncovered frame shows another lesson's net, and the address
    bar still holds the link once the robot writer is drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(RECORD_FROM_START)
        page.goto(app_url + "?lesson=robot-writer")
        page.wait_for_function(f"() => (window.__frames || []).some((f) => f[0] === 3 && f[2].includes('{ROBOT_LOSS}') && !f[4])")
        # Frames before the page has drawn its status show nothing yet.
        frames = [f for f in page.evaluate("() => window.__frames") if f[2]]
        assert frames[0][4] and f"Loading “{ROBOT}”" in frames[0][5]
        assert [f for f in frames if f[0] != 3 and not f[4]] == []
        page.wait_for_function("() => new URLSearchParams(location.search).get('lesson') === 'robot-writer'")
        assert errors == []
    finally:
        context.close()
