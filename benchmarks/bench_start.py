"""How long a student waits for the first picture: `bptt-sim serve` started as a user starts it,
then the page opened in Debian's Chromium (issue 13: with a warm cache, < 3 s to first paint).

    python benchmarks/bench_start.py [--runs 3] [--lesson binary-addition] [--no-cold] [--before DIR]

Each run starts the installed command (`bptt-sim serve --port 0`, or `python -m simulator`
when the command is not on PATH) as a fresh process, reads the URL it prints, opens it in a
new headless page and waits until the lesson's status line is visible. Printed per run:

    url     process start -> URL printed (the server listens; kernels warmed)
    paint   URL printed -> status line visible (one browser session: create_app + bundle + draw)
    total   process start -> status line visible (what a student who opens the URL at once waits)
    tabs    URL printed -> the open detail tab's first figure drawn too (the app fills the tabs,
            below the pictures, once the page has drawn: this is when the whole first page is there)
    again   a second page on the same server -> status line visible (a session on a warm server)
    html    of `paint`, the part until the page's HTML arrived (the server built the session)

The first run uses an empty Numba cache (cold: the kernels compile), the others the cache that
run filled (warm). ``--before DIR`` (another checkout, e.g. ``git worktree add /tmp/base main``)
times that tree too, run for run in turn with this one (PYTHONPATH=DIR), so a change is compared
with its base on the same machine under the same load. Not a test: numbers depend on the machine and its load (printed with them).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "ui"))
from conftest import ARGS, CHROMIUM  # noqa: E402  (the tests' browser settings)

STATUS = ".status-line .status"
# True once the figure named `name` is laid out with a plotting area (its view has a frame).
DRAWN = """(name) => { const seen = new Set();
  const find = (v) => { if (!v || seen.has(v)) return false; seen.add(v);
    if (v.model && v.model.name === name && v.frame && v.frame.bbox.width > 0) return true;
    return (v.child_views || []).some(find); };
  return typeof Bokeh !== "undefined" && Object.values(Bokeh.index).some(find); }"""
FIRST_TAB_FIGURE = "gradient_bars_figure"
URL = re.compile(r"serving on (http://\S+)")


def command(lesson):
    exe = shutil.which("bptt-sim")
    base = [exe] if exe else [sys.executable, "-m", "simulator"]
    return base + ["serve", "--port", "0"] + ([lesson] if lesson else [])


def start(cmd, cache_dir, tree=None):
    """(process, seconds to the printed URL, url); ``tree``: the checkout to run (PYTHONPATH)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONUNBUFFERED="1")
    if tree:
        env["PYTHONPATH"] = tree
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        hit = URL.search(line)
        if hit:
            return proc, time.perf_counter() - t0, hit.group(1)
    proc.wait()
    raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode} before printing its URL")


def paint(browser, url, timeout_ms=120_000):
    """Seconds from opening ``url`` in a new page (a new context: nothing cached) to the status
    line being visible, to the first detail tab's figure drawn, and to the HTML's arrival."""
    page = browser.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(STATUS, state="visible", timeout=timeout_ms)
        t_paint = time.perf_counter() - t0
        page.wait_for_function(DRAWN, arg=FIRST_TAB_FIGURE, polling=20, timeout=timeout_ms)
        t_tabs = time.perf_counter() - t0
        html = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart / 1000")
        return t_paint, t_tabs, html
    finally:
        page.close()


def one_run(browser, cmd, cache_dir, tree=None):
    proc, t_url, url = start(cmd, cache_dir, tree)
    try:
        t_paint, t_tabs, html = paint(browser, url)
        t_again = paint(browser, url)[0]
        return t_url, t_paint, t_url + t_paint, t_tabs, t_again, html
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def row(r):
    url, paint_, total, tabs, again, html = r
    return f"{url:6.2f}s {paint_:6.2f}s {total:6.2f}s {tabs:6.2f}s | {again:6.2f}s | {html:6.2f}s"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="warm-cache runs (default 3)")
    p.add_argument("--lesson", default=None, help="lesson to serve (default: the app's default)")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-cache run (reuse --cache-dir)")
    p.add_argument("--cache-dir", default=None, help="Numba cache folder (default: a new temporary one)")
    p.add_argument("--before", metavar="DIR", default=None, help="another checkout to time in turn with this one")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright
    cmd = command(args.lesson)
    cache_dir = args.cache_dir or tempfile.mkdtemp(prefix="bench-start-numba-")
    trees = [("this", os.environ.get("PYTHONPATH"))] + ([("before", args.before)] if args.before else [])
    print(f"command: {' '.join(cmd)}; Numba cache: {cache_dir}; {os.cpu_count()} cores, "
          f"load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("trees: " + "; ".join(f"{name} = {tree or 'as installed'}" for name, tree in trees))
    print(f"{'run':>13} | {'url':>7} {'paint':>7} {'total':>7} {'tabs':>7} | {'again':>7} | {'html':>7}")
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for kind in ([] if args.no_cold else ["cold"]) + ["warm"] * args.runs:
                for name, tree in trees:
                    r = one_run(browser, cmd, cache_dir, tree)
                    rows.append((kind, name, r))
                    print(f"{kind + ' ' + name:>13} | {row(r)}", flush=True)
        finally:
            browser.close()
    for name, _ in trees:
        warm = [r for kind, n, r in rows if kind == "warm" and n == name]
        if warm:
            cols = list(zip(*warm))
            print(f"{'median ' + name:>13} | {row([statistics.median(c) for c in cols])}  ({len(warm)} warm runs)")
            print(f"{'min ' + name:>13} | {row([min(c) for c in cols])}")
            print(f"{'max ' + name:>13} | {row([max(c) for c in cols])}")
            med = statistics.median(cols[1])
            print(f"{name}: warm first paint (URL -> status line, median) < 3 s (issue 13): "
                  f"{'yes' if med < 3.0 else 'NO'}")
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.cache_dir is None:
        shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
