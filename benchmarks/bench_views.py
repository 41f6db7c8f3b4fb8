"""What each view adds to a training frame on the server, here and in a peer checkout.

A view is attached to a Bokeh document, as when served (Panel's Bokeh models exist and every
update pays for their change events); a frame is one ``session.step(1)``, whose redraws run
inside it. The cost of a view is the median CPU time of a frame with it attached minus the
median for a session without views (the Session's own step, shown as "bare step"). "tick"
rows time one change of the pass animation's tick instead. "whole app" is every view of
SimulatorApp at once, with the tabs that are not open skipping their work as when served.

    python benchmarks/bench_views.py                          # this checkout only
    python benchmarks/bench_views.py --peer /work/wt/base     # side by side with another checkout
    python benchmarks/bench_views.py --frames 20 --rounds 1   # quick
    python benchmarks/bench_views.py --only StatusView,app --peer /work/main

Each side runs in its own process (the peer's with PYTHONPATH=PEER, so it imports the peer's
simulator), alternating for --rounds rounds; the table gives the median over the rounds and
the ratio this / peer (above 1: this checkout is slower). A view the peer lacks shows "-".
Not a test: CPU times depend on the machine and its load, so they are printed, never asserted.
"""
import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (row, module, class): views built from (session, selection), in the order the page shows them.
VIEWS = [
    ("StatusView", "simulator.views.controls", "StatusView"),
    ("RecurrentView", "simulator.views.network", "RecurrentView"),
    ("UnrolledView", "simulator.views.unrolled", "UnrolledView"),
    ("LossCurveView", "simulator.views.curves", "LossCurveView"),
    ("GradientBarsView", "simulator.views.gradients", "GradientBarsView"),
    ("ErrorByStepView", "simulator.views.gradients", "ErrorByStepView"),
    ("EquivalenceView", "simulator.views.equivalence", "EquivalenceView"),
    ("MatricesView", "simulator.views.matrices", "MatricesView"),
    ("GridEditorView", "simulator.views.grid", "GridEditorView"),
    ("InspectorView", "simulator.views.inspector", "InspectorView"),
    ("StructureView", "simulator.views.structure", "StructureView"),
    ("ErrorSplitView", "simulator.views.curves", "ErrorSplitView"),
    ("ByHandView", "simulator.views.byhand", "ByHandView"),
]
TICKS = ["RecurrentView", "UnrolledView", "MatricesView"]  # the views that draw the pass animation


def median_ms(call, frames):
    times = []
    for _ in range(frames):
        t0 = time.process_time()
        call()
        times.append(time.process_time() - t0)
    return 1000 * statistics.median(times)


def attach(root_of):
    from bokeh.document import Document
    doc = Document()
    doc.add_root(root_of.__panel__().get_root(doc))


def build(cls, session, selection):
    view = cls(session=session, **({"selection": selection} if "selection" in cls.param else {}))
    if cls.__name__ == "EquivalenceView" and hasattr(view, "_throttle"):
        # Served, frames inside min_interval (0.5 s) only arm a timer; without a server the
        # throttle would refresh on every frame. Its refresh is timed on a row of its own.
        view._throttle = lambda *_: None
    attach(view)
    return view


def measure(frames, only=None):
    """{row: ms} for this process's simulator (run with the checkout's PYTHONPATH); ``only``:
    the views to measure (default: all, and the whole app)."""
    from simulator.state.selection import Selection
    from simulator.state.session import Session

    def step_cost(session):
        session.step(2)  # not timed: the first frames do one-off work (first draw, first stream)
        return median_ms(lambda: session.step(1), frames)

    out = {"bare step": step_cost(Session())}
    for row, module, name in VIEWS:
        cls = getattr(importlib.import_module(module), name, None)
        if cls is None or (only and row not in only):
            continue
        session, selection = Session(), Selection()
        view = build(cls, session, selection)
        out[row] = step_cost(session) - out["bare step"]
        if row in TICKS:
            T, k = session.sequences.T, iter(range(10 ** 6))
            out[f"{row} tick"] = median_ms(lambda: setattr(selection, "tick", next(k) % (2 * T + 2)), frames)
        if row == "EquivalenceView":  # a refresh after a step: new numbers, so the table is redrawn
            def stepped_refresh():
                session.step(1)
                view.refresh()
            out["EquivalenceView.refresh"] = median_ms(stepped_refresh, frames) - out["bare step"] - out[row]
    if only and "app" not in only:
        return out
    from simulator.app import SimulatorApp
    app = SimulatorApp()
    attach(app)
    out["whole app"] = step_cost(app.session) - out["bare step"]
    return out


def run_side(path, frames, only):
    env = dict(os.environ, PYTHONPATH=path)
    cmd = [sys.executable, os.path.abspath(__file__), "--json", "--frames", str(frames)]
    cmd += ["--only", ",".join(only)] if only else []
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=path, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{path}: the measuring process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def git_head(path):
    done = subprocess.run(["git", "-C", path, "log", "-1", "--format=%h %cd", "--date=format:%H:%M"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", path, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return (done.stdout.strip() or "?") + (" + uncommitted changes" if dirty else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", help="another checkout to measure side by side (e.g. an older main)")
    ap.add_argument("--frames", type=int, default=40, help="timed frames per view and round")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides")
    ap.add_argument("--only", help="comma-separated views to measure, 'app' for the whole app (default: all)")
    ap.add_argument("--json", action="store_true", help="measure in this process and print JSON (used per side)")
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    if args.json:
        print(json.dumps(measure(args.frames, only)))
        return
    sides = {"this": ROOT} | ({"peer": os.path.abspath(args.peer)} if args.peer else {})
    runs = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side, path in sides.items():
            runs[side].append(run_side(path, args.frames, only))
    rows = list(dict.fromkeys(r for side in runs.values() for run in side for r in run))
    med = {side: {r: statistics.median(run[r] for run in rs) for r in rows if all(r in run for run in rs)}
           for side, rs in runs.items()}
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.rounds} rounds x "
          f"{args.frames} frames; CPU ms per training frame (median), view cost = frame - bare step")
    for side, path in sides.items():
        print(f"{side}: {path} ({git_head(path)})")
    head = f"{'view':<26}{'this ms':>10}" + (f"{'peer ms':>10}{'this/peer':>11}" if args.peer else "")
    print(head)
    print("-" * len(head))
    for r in rows:
        mine, peer = med["this"].get(r), med.get("peer", {}).get(r)
        line = f"{r:<26}" + (f"{mine:>10.2f}" if mine is not None else f"{'-':>10}")
        if args.peer:
            line += f"{peer:>10.2f}" if peer is not None else f"{'-':>10}"
            # a ratio of two near-zero costs says nothing: only for costs above 0.1 ms
            ok = mine is not None and peer is not None and peer > 0.1 and mine > 0.1
            line += f"{mine / peer:>11.2f}" if ok else f"{'-':>11}"
        print(line)


if __name__ == "__main__":
    main()
