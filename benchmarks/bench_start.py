"""How long a student waits for the first picture: `bptt-sim serve` started as a user starts it,
then the page opened in Debian's Chromium (issue 13: with a warm cache, < 3 s to first paint).

    python benchmarks/bench_start.py [--runs 3] [--lesson binary-addition] [--no-cold]

Each run starts the installed command (`bptt-sim serve --port 0`, or `python -m simulator`
when the command is not on PATH) as a fresh process, reads the URL it prints, opens it in a
new headless page and waits until the lesson's status line is visible. Printed per run:

    url     process start -> URL printed (the server listens; kernels warmed)
    paint   URL printed -> status line visible (one browser session: create_app + bundle + draw)
    total   process start -> status line visible (what a student who opens the URL at once waits)
    again   a second page on the same server -> status line visible (a session on a warm server)

The first run uses an empty Numba cache (cold: the kernels compile), the others the cache that
run filled (warm). Not a test: numbers depend on the machine and its load (printed with them).
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
URL = re.compile(r"serving on (http://\S+)")


def command(lesson):
    exe = shutil.which("bptt-sim")
    base = [exe] if exe else [sys.executable, "-m", "simulator"]
    return base + ["serve", "--port", "0"] + ([lesson] if lesson else [])


def start(cmd, cache_dir):
    """(process, seconds to the printed URL, url)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        hit = URL.search(line)
        if hit:
            return proc, time.perf_counter() - t0, hit.group(1)
    proc.wait()
    raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode} before printing its URL")


def paint(browser, url, timeout_ms=120_000):
    """Seconds from opening ``url`` in a new page to the status line being visible."""
    page = browser.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(STATUS, state="visible", timeout=timeout_ms)
        return time.perf_counter() - t0
    finally:
        page.close()


def one_run(browser, cmd, cache_dir):
    proc, t_url, url = start(cmd, cache_dir)
    try:
        t_paint = paint(browser, url)
        t_again = paint(browser, url)
        return t_url, t_paint, t_url + t_paint, t_again
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="warm-cache runs (default 3)")
    p.add_argument("--lesson", default=None, help="lesson to serve (default: the app's default)")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-cache run (reuse --cache-dir)")
    p.add_argument("--cache-dir", default=None, help="Numba cache folder (default: a new temporary one)")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright
    cmd = command(args.lesson)
    cache_dir = args.cache_dir or tempfile.mkdtemp(prefix="bench-start-numba-")
    print(f"command: {' '.join(cmd)}; Numba cache: {cache_dir}; {os.cpu_count()} cores, "
          f"load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'run':>8} | {'url':>7} {'paint':>7} {'total':>7} | {'again':>7}")
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            kinds = ([] if args.no_cold else ["cold"]) + ["warm"] * args.runs
            for kind in kinds:
                r = one_run(browser, cmd, cache_dir)
                rows.append((kind, r))
                print(f"{kind:>8} | " + " ".join(f"{x:6.2f}s" for x in r[:3]) + f" | {r[3]:6.2f}s", flush=True)
        finally:
            browser.close()
    warm = [r for kind, r in rows if kind == "warm"]
    if warm:
        med = [statistics.median(col) for col in zip(*warm)]
        print(f"{'median':>8} | " + " ".join(f"{x:6.2f}s" for x in med[:3]) + f" | {med[3]:6.2f}s  (warm runs)")
        print(f"warm first paint (total) < 3 s (issue 13): {'yes' if med[2] < 3.0 else 'NO'}")
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.cache_dir is None:
        shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
