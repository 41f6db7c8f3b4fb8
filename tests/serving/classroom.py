"""A class on several server processes, for the tests of serving/processes.py and the nginx
recipe (docs/nginx-bptt-sim.conf): ``bptt-sim serve`` as a subprocess, and Chromium pages that
train, Step and share a link."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ui.conftest import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
STATUS = ".status-line .status"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Serve:
    """``python -m simulator serve ARGS`` logging to files (an undrained pipe can wedge a server)."""

    def __init__(self, folder, *args):
        folder.mkdir(parents=True, exist_ok=True)
        self.out, self.err = folder / "out.txt", folder / "err.txt"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", "0", *args],
                                         stdout=out, stderr=err, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        deadline = time.monotonic() + 240  # Numba may compile cold on a fresh checkout
        while not (m := re.search(r"serving on (http://\S+)", self.out.read_text())):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("serve did not start:\n" + self.err.read_text()[-3000:])
            time.sleep(0.1)
        self.url = m.group(1).replace("localhost", "127.0.0.1")  # no name lookup; never IPv6 (BROWSER.md)

    def stop(self):
        """Ctrl+C; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def port_of(url):
    return urlsplit(url).port


def open_page(browser, url, agent="bptt-sim test"):
    """A page in its own browser context (its own cookies: another student), with the URLs of
    the websockets it opened."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, user_agent=agent)
    page = context.new_page()
    page.sockets = []
    page.on("websocket", lambda ws: page.sockets.append(ws.url))
    page.goto(url)
    page.wait_for_selector(STATUS, timeout=60_000)
    expect(page.locator(STATUS)).to_contain_text("update ")
    return page


def updates(page):
    return int(re.search(r"update (\d+)", page.locator(STATUS).inner_text()).group(1))


def train_and_step(page):
    """Play until the net has trained a few updates, pause, then Step once: exactly one more."""
    play = page.locator(".play-btn button")
    play.click()
    expect(page.locator(STATUS)).to_contain_text(re.compile(r"update ([5-9]|\d\d+) "), timeout=60_000)
    play.click()
    settled = -1
    while settled != updates(page):  # the last frame may still be on its way after the pause
        settled = updates(page)
        page.wait_for_timeout(500)
    page.locator(".step-btn button").click()
    expect(page.locator(STATUS)).to_contain_text(f"update {settled + 1} ")
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('n') === '{settled + 1}'")
    return page.locator(STATUS).inner_text()


def close(page):
    page.context.close()


def wait_gone(pids, timeout=30):
    import psutil
    deadline = time.monotonic() + timeout
    while any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids):
        assert time.monotonic() < deadline, f"server processes still running: {pids}"
        time.sleep(0.1)

