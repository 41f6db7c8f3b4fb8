"""How the served app feels in a real browser: redraws per second while training, and the time
from a Step click to the updated status line (issue 3: >= 20 redraws/s, < 150 ms per Step).

    python benchmarks/bench_ui.py [--seconds 5] [--clicks 20] [--lesson binary-addition]

It serves the app in-process (as `bptt-sim serve` does, with its allocator: on glibc it starts
itself again with PYTHONMALLOC=malloc, serving/allocator.py), opens one page in Debian's Chromium,
and measures inside the page: a MutationObserver timestamps every change of the status line
(one change = one frame the browser drew with new numbers), and what the page spends per frame
while it plays: the time inside Bokeh's plot paints and the long tasks. Not a test: numbers depend on
the machine and its load, so they are printed, never asserted.
"""
import argparse
import os
import platform
import statistics
import sys
import time
import uuid

import panel as pn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "ui"))
from conftest import ARGS, CHROMIUM  # noqa: E402  (the tests' browser settings)

# Find the status element through the shadow roots and record a timestamp on each change.
OBSERVE = """() => {
  const deep = (root) => { const hit = root.querySelector('.status'); if (hit) return hit;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const f = deep(el.shadowRoot); if (f) return f; }
    return null; };
  // The HTML pane replaces its content on every update, so watch the shadow root it lives in.
  const root = deep(document).getRootNode();
  window.__text = () => root.querySelector('.status').textContent;
  window.__root = root;
  window.__changes = [];
  let last = window.__text();
  new MutationObserver(() => { const now = window.__text();
      if (now !== last) { last = now; window.__changes.push([performance.now(), now]); } })
    .observe(root, {subtree: true, childList: true, characterData: true});
  return last;
}"""

# Installed before the page opens (add_init_script): the time from a timed Step click to the first
# websocket message after it, i.e. the server's answer as the page's script receives it, before the
# page draws it. Under load it tells the server's share of a slow click from the browser's.
ANSWER_HOOK = """(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => {
        if (window.__clickAt != null && window.__answer == null) window.__answer = performance.now() - window.__clickAt;
      });
    }
  };
})()"""
ANSWER = "() => { const a = window.__answer; window.__clickAt = window.__answer = null; return a == null ? -1 : a; }"

CLICK_STEP = """() => new Promise((resolve) => {
  const deep = (root) => { const hit = root.querySelector('.step-btn'); if (hit) return hit.shadowRoot.querySelector('button');
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const f = deep(el.shadowRoot); if (f) return f; }
    return null; };
  const before = window.__text();
  const t0 = performance.now();
  window.__clickAt = t0;
  window.__answer = null;
  const obs = new MutationObserver(() => { if (window.__text() !== before) {
      obs.disconnect(); resolve(performance.now() - t0); } });
  obs.observe(window.__root, {subtree: true, childList: true, characterData: true});
  deep(document).click();
  setTimeout(() => { obs.disconnect(); resolve(-1); }, 10000);
})"""


# The page's own cost while it plays: every Bokeh plot's paint (time and count) and the long tasks
# (script, style and layout over 50 ms) the browser reports.
PAGE_COST = """() => {
  const PlotView = Bokeh.Models.get("Plot").prototype.default_view;
  const paint = PlotView.prototype.paint;
  const cost = window.__cost = { paint_ms: 0, paints: 0, long_ms: 0 };
  PlotView.prototype.paint = function (...args) {
    const t0 = performance.now();
    try { return paint.apply(this, args); } finally { cost.paint_ms += performance.now() - t0; cost.paints += 1; }
  };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) cost.long_ms += e.duration; })
    .observe({ entryTypes: ["longtask"] });
}"""

TICKS = []  # (start, seconds, of which updates) of every training frame the server ran
SKIPPED = []  # ticks that ran no frame (the page had not applied the last one yet)


def serve(lesson):
    from panel.io.state import state

    from simulator.serving.player import Player
    from simulator.state.session import Session
    tick, compute = Player.tick, Session.compute_step
    updates = []

    def timed_compute(self, n=1):
        t0 = time.perf_counter()
        try:
            return compute(self, n)
        finally:
            updates.append(time.perf_counter() - t0)

    def timed(self):  # server-side frame cost, to tell server time from browser time
        updates.clear()
        t0 = time.perf_counter()
        tick(self)
        # A tick that computed nothing waited for the page (pacer.py): not a frame.
        (TICKS.append((t0, time.perf_counter() - t0, sum(updates))) if updates else SKIPPED.append(t0))
    Player.tick, Session.compute_step = timed, timed_compute

    from simulator.app import create_app
    from simulator.serving.server import prepare
    prepare()
    sid = uuid.uuid4().hex
    pn.serve(lambda: create_app(lesson=lesson), port=0, threaded=True, show=False, server_id=sid)
    t0 = time.monotonic()
    while sid not in state._servers and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    return f"http://localhost:{state._servers[sid][0].port}/"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="how long to train while counting redraws")
    ap.add_argument("--clicks", type=int, default=20, help="how many Step clicks to time")
    ap.add_argument("--lesson", default=None, help="lesson short name (default: the default lesson)")
    args = ap.parse_args()
    from simulator.serving.allocator import restart_with_system_malloc
    restart_with_system_malloc()  # measure with the allocator `bptt-sim serve` runs with (PYTHONMALLOC=malloc)
    from playwright.sync_api import sync_playwright
    url = serve(args.lesson)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        page.add_init_script(ANSWER_HOOK)
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".status-line .status", timeout=60_000)
        load = time.perf_counter() - t0
        page.evaluate(OBSERVE)
        steps, answers = [], []
        for _ in range(args.clicks):
            steps.append(page.evaluate(CLICK_STEP))
            answers.append(page.evaluate(ANSWER))
            page.wait_for_timeout(100)
        page.evaluate("() => { window.__changes = []; }")
        page.locator(".play-btn button").click()
        page.wait_for_timeout(1000)  # let the frame size settle before counting
        page.evaluate("() => { window.__changes = []; }")
        page.evaluate(PAGE_COST)
        TICKS.clear()
        SKIPPED.clear()
        page.wait_for_timeout(int(args.seconds * 1000))
        changes, cost = page.evaluate("() => [window.__changes, window.__cost]")
        ticks, skipped = list(TICKS), len(SKIPPED)
        page.locator(".play-btn button").click()
        browser.close()
    first, last = changes[0][1], changes[-1][1]
    span = (changes[-1][0] - changes[0][0]) / 1000 if len(changes) > 1 else float("nan")
    rate = (len(changes) - 1) / span if len(changes) > 1 else 0.0
    ok = [s for s in steps if s >= 0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"panel {pn.__version__}; PYTHONMALLOC={os.environ.get('PYTHONMALLOC', '(unset)')}; page load {load:.2f} s")
    print(f"{'measure':<34}{'value':>12}{'target':>12}")
    print(f"{'redraws per second (Play)':<34}{rate:>12.1f}{'>= 20':>12}")
    if len(ticks) > 1:
        print(f"{'  server frames per second':<34}{(len(ticks) - 1) / (ticks[-1][0] - ticks[0][0]):>12.1f}")
        print(f"{'  server ms per frame, median':<34}{1000 * statistics.median(t[1] for t in ticks):>12.1f}")
        print(f"{'    updates (the frame budget)':<34}{1000 * statistics.median(t[2] for t in ticks):>12.1f}")
        print(f"{'    drawing and sending':<34}{1000 * statistics.median(t[1] - t[2] for t in ticks):>12.1f}{'<= 3':>12}")
        print(f"{'  ticks waiting for the page':<34}{skipped:>12d}")
    frames = max(1, len(changes))
    print(f"{'  page: painting ms per frame':<34}{cost['paint_ms'] / frames:>12.1f}")
    print(f"{'  page: plots painted per frame':<34}{cost['paints'] / frames:>12.1f}")
    print(f"{'  page: long tasks ms per frame':<34}{cost['long_ms'] / frames:>12.1f}")
    print(f"{'Step click -> status, median ms':<34}{statistics.median(ok):>12.1f}{'< 150':>12}")
    heard = [a for a in answers if a >= 0]
    answer = statistics.median(heard) if heard else float("nan")
    print(f"{'  click -> answer received, median':<34}{answer:>12.1f}")
    print(f"{'Step click -> status, max ms':<34}{max(ok):>12.1f}{'':>12}")
    print(f"{'Step clicks timed out (10 s)':<34}{len(steps) - len(ok):>12d}{'0':>12}")
    print(f"status while playing: '{first}' ... '{last}'")
    sys.stdout.flush()
    os._exit(0)  # the server's thread is not a daemon: without this the script never returns


if __name__ == "__main__":
    main()
