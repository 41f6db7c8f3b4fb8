"""Browser fixtures: Debian's Chromium driven by Playwright against the app served in-process.

Playwright's own browser download cannot work on these machines, so the browser is launched
from /usr/bin/chromium. Screenshots go to artifacts/ for people to look at.
"""
import os
import pathlib
import time
import uuid

import panel as pn
import pytest

CHROMIUM = os.environ.get("BPTT_SIM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session", autouse=True)
def patient_expect():
    """Playwright's expect() waits 5 s by default; a 2-core CI machine running the suite can take
    longer to answer a click. A wait is not a claim about speed (benchmarks/ measure that), so
    every expect waits up to 20 s for what must happen."""
    from playwright.sync_api import expect
    expect.set_options(timeout=20_000)


# The browser and the server live as long as tests/ui (package scope), not the whole run: a
# served session still playing after its test keeps patching Bokeh's process-wide curdoc from
# the server thread, and an app built by a later non-browser test would read that page's URL.
@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


#: Each detail tab's content, by a class on its first view: a tab opened for the first time is
#: built and sent by the server then, so a test waits for it before reading the tab.
TAB_CONTENT = {"Gradients over time": ".gradient-bars-view", "Weight matrices": ".matrices-view",
               "Inputs & targets": ".grid-editor", "Unit arithmetic & edit": ".inspector",
               "Error by step & case": ".error-split-view", "Lesson read-out": ".lesson-panel",
               "Gradient check & stack": ".byhand-view"}


def until(condition, timeout=30.0, message="timed out"):
    """Poll ``condition`` until it holds (it names something that must happen), at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.02)


@pytest.fixture(scope="package")
def served():
    """The Player of every session the UI server has built, oldest first: what a test may read
    of the server's side (the page's own session is the last one built)."""
    return []


@pytest.fixture(scope="package")
def app_url(served):
    """One in-process server for the whole UI run; every page is its own session."""
    from panel.io.state import state

    from simulator.app import create_app
    from simulator.serving.player import Player
    from simulator.serving.server import prepare
    from simulator.state.selection import Selection
    from simulator.state.session import Session

    def build():
        # What create_app builds by default, with the Player kept for the tests.
        session, selection = Session(), Selection()
        served.append(Player(session=session, selection=selection))
        return create_app(session=session, selection=selection, player=served[-1])
    prepare()
    sid = uuid.uuid4().hex
    thread = pn.serve(build, port=0, threaded=True, show=False, server_id=sid, title="bptt-sim")
    until(lambda: sid in state._servers, message="the UI test server did not start within 30 s")
    port = state._servers[sid][0].port
    yield f"http://localhost:{port}/"
    try:
        thread.stop()
    except RuntimeError:  # "Thread already stopping": Panel's own shutdown got there first
        pass


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(app_url)
    pg.wait_for_selector(".status-line .status", timeout=30_000)
    pg.js_errors = errors
    yield pg
    context.close()


def shot(page, name):
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
