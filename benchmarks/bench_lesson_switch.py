"""The robot writer in a real browser (issue 20, item 16): page height and the time from picking it
in the lesson menu to the whole new lesson drawn (both pictures, status, no "Loading" cover).

    python benchmarks/bench_lesson_switch.py [--runs 3] [--shots DIR]

Serves the app in-process, opens Debian's Chromium at 1600 x 1000 and 1280 x 720 and prints
document.body.scrollHeight; then, from the adder, picks the robot writer and timestamps (each
animation frame, in the page) when each part shows the new lesson. Numbers depend on the
machine and its load: printed, never asserted.
"""
import argparse
import os
import sys
import time
import uuid

import panel as pn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "ui"))
from conftest import ARGS, CHROMIUM  # noqa: E402  (the tests' browser settings)

# Each animation frame after the click at t0: when the recurrent picture, the unrolled picture and
# the status line first show the robot writer, and ("all") when they do with no cover left.
SWITCH = """async (t0) => {
  const doc = Bokeh.documents[0];
  const src = doc.get_model_by_name('network_units');
  const first = JSON.stringify(Array.from(src.data.name));
  const ufirst = JSON.stringify(Array.from(doc.get_model_by_name('unrolled_units').data.name));
  const status = () => { const deep = (root) => { const hit = root.querySelector('.status'); if (hit) return hit.textContent;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const f = deep(el.shadowRoot); if (f) return f; } return null; };
      return deep(document) || ''; };
  const marks = {};
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const loading = () => { const deep = (root) => { if (root.querySelector('.pn-loading')) return true;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot && deep(el.shadowRoot)) return true; return false; };
      return deep(document); };
  while (performance.now() - t0 < 30000) {
    const s = doc.get_model_by_name('network_units');
    const now = performance.now() - t0;
    if (marks.net == null && JSON.stringify(Array.from(s.data.name)) !== first) marks.net = now;
    const unrolled = JSON.stringify(Array.from(doc.get_model_by_name('unrolled_units').data.name));
    if (marks.unrolled == null && unrolled !== ufirst) marks.unrolled = now;
    if (marks.status == null && status().includes('23.2215')) marks.status = now;
    if (marks.net != null && marks.unrolled != null && marks.status != null && !loading()) {
      await frame(); await frame(); marks.all = performance.now() - t0; return marks;
    }
    await frame();
  }
  return -1;
}"""


def serve():
    from panel.io.state import state
    from simulator.app import create_app
    from simulator.serving.server import prepare
    prepare()
    sid = uuid.uuid4().hex
    pn.serve(lambda: create_app(), port=0, threaded=True, show=False, server_id=sid)
    while sid not in state._servers:
        time.sleep(0.05)
    return f"http://localhost:{state._servers[sid][0].port}/"


def main(runs, shots):
    from playwright.sync_api import sync_playwright
    url = serve()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for w, h in ((1600, 1000), (1280, 720)):
            pg = b.new_page(viewport={"width": w, "height": h})
            pg.goto(url + "?lesson=robot-writer")
            pg.wait_for_selector(".status-line .status", timeout=60000)
            pg.wait_for_timeout(4000)  # the pictures settle at the page's width
            print(f"{w} x {h}: document.body.scrollHeight = {pg.evaluate('document.body.scrollHeight')} px")
            if shots:
                pg.screenshot(path=os.path.join(shots, f"robot-writer-{w}x{h}.png"))
            pg.close()
        times = []
        for k in range(runs):
            pg = b.new_page(viewport={"width": 1600, "height": 1000})
            pg.goto(url)
            pg.wait_for_selector(".status-line .status", timeout=60000)
            pg.wait_for_timeout(3000)  # the adder drawn and idle before the click
            t0 = pg.evaluate("performance.now()")
            pg.locator(".lesson-select select").select_option(label="A robot writing a sentence")
            times.append(pg.evaluate(SWITCH, t0))
            pg.close()
        for k, t in enumerate(times):
            print(f"switch {k + 1}: ms after the click until it shows the new lesson: " +
                  ", ".join(f"{part} {ms:.0f}" for part, ms in t.items()) if t != -1 else "timed out")
        print(f"load average {os.getloadavg()[0]:.1f}")
        b.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="lesson switches to time (a fresh page each)")
    ap.add_argument("--shots", default=None, help="directory for screenshots of the robot writer")
    args = ap.parse_args()
    main(args.runs, args.shots)
    os._exit(0)  # the in-process server thread
