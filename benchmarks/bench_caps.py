"""What the biggest allowed document costs a class server (issue 21): one session loads a
document at the caps (72 units, all connected, T = 60, B*(T+1)*N near 250,000) while others play.

    python benchmarks/bench_caps.py [--repeats 10]

In process, no browser: every app is the real SimulatorApp with its Bokeh models built, so a
Load and a Step include the views' redraws (not the websocket's serialisation and sending). A
Panel server runs all sessions' callbacks on one event loop, so another student's Step waits at
most for the one callback running ahead of it: their latency is bounded by their own Step plus
the longest single callback of the big session (its Load, or one of its Steps). Printed, never
asserted. Bounded: a few apps, ~1 minute.
"""
import argparse
import statistics
import sys
import time

import numpy as np
from bokeh.document import Document

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
from simulator import document as D  # noqa: E402
from simulator.app import SimulatorApp  # noqa: E402
from simulator.state import caps  # noqa: E402
from simulator.state.session import Session  # noqa: E402


def cap_document(cells=None, N=caps.MAX_UNITS):
    """The tied-weights lesson grown to N fully connected units (2 inputs, 1 output), T =
    MAX_STEPS and as many cases as B*(T+1)*N <= ``cells`` (default: the cap) allows."""
    T = caps.MAX_STEPS
    B = max(1, min(caps.MAX_CASES, (cells or caps.MAX_CELLS) // ((T + 1) * N)))
    doc = D.to_document(Session(lesson="tied-weights"))
    rng = np.random.default_rng(0)
    X = np.zeros((B, T + 1, N))
    K = np.zeros_like(X)
    K[:, :, :2] = 1
    X[:, :, :2] = rng.integers(0, 2, size=(B, T + 1, 2))
    M = np.zeros_like(X)
    M[:, 1:, -1] = 1
    Y = M * rng.integers(0, 2, size=X.shape)
    doc["units"] = {"names": [f"u{k}" for k in range(N)], "groups": ["inputs"] * 2 + ["hidden"] * (N - 3) + ["outputs"]}
    doc["network"].update(activation=["logistic"] * N, connections=np.ones((N, N), int).tolist(),
                          W=rng.uniform(-0.1, 0.1, (N, N)).tolist(), b=[0.0] * N, h0=[0.5] * N,
                          learn_h0=[False] * N, ties=[])
    doc["data"] = {"X": X.tolist(), "K": K.astype(int).tolist(), "Y": Y.tolist(), "M": M.astype(int).tolist()}
    doc["training"].update(steps=T, updates=0, history=[], velocity=[0.0] * (N * N + 2 * N))
    return D.dumps(doc).encode()


class Callbacks:
    """What a served document does with the views' timers (Throttle's): keeps them, so each runs
    as a loop callback of its own, timed apart from the change that armed it."""

    def __init__(self):
        self.timers = []

    def add_timeout_callback(self, fn, ms):
        self.timers.append(fn)
        return fn

    def run_timed(self):
        out = []
        while self.timers:
            t0 = time.perf_counter()
            self.timers.pop(0)()
            out.append(1000 * (time.perf_counter() - t0))
        return out


def built_app():
    app = SimulatorApp()
    app.__panel__().get_root(Document())  # every Bokeh model, as a page would get them
    return app


def timed(action, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        action()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def p95(xs):
    return float(np.percentile(xs, 95))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--cells", type=int, default=None, help="B*(T+1)*N of the big document (default: the cap)")
    args = ap.parse_args()
    data = cap_document(args.cells)
    print(f"cap document: {len(data) / 1e6:.2f} MB (limit {caps.MAX_BYTES / 1e6:g} MB)")
    other, big = built_app(), built_app()
    other.session.step(1)  # warm
    small = timed(lambda: other.session.step(1), args.repeats)
    print(f"other session Step (default lesson, with redraw): median {statistics.median(small):.1f} ms, "
          f"p95 {p95(small):.1f} ms")
    split = hasattr(big.session, "compute_step")  # a checkout that steps big nets off the loop
    loop = Callbacks()
    from simulator.views.throttle import Throttle
    Throttle._served_doc = staticmethod(lambda: loop)  # as served: timers are callbacks of their own
    t0 = time.perf_counter()
    if split:  # as served: read (parse, check, build) in the worker, install and redraw on the loop
        from simulator.serving.offload import HEAVY_BYTES
        assert len(data) >= HEAVY_BYTES
        read_back = (lambda d: (d, D.build(d)))(D.parse(data))
        read = 1000 * (time.perf_counter() - t0)
        t0 = time.perf_counter()
        D.apply_document(big.session, read_back[0], validated=True, built=read_back[1], selection=big.selection)
        big.share._say("Loaded", "ok")
        load = 1000 * (time.perf_counter() - t0)
        load_later = loop.run_timed()
    else:
        big.share.upload.param.update(filename="cap.json", value=data)
        read, load, load_later = 0.0, 1000 * (time.perf_counter() - t0), loop.run_timed()
    assert big.session.net.N == caps.MAX_UNITS, big.session.message
    B, T1, N = big.session.sequences.X.shape
    print(f"big session Load of the cap document: {read:.0f} ms in the worker (parse, check, build), "
          f"{load:.0f} ms on the event loop (install, redraw)"
          + (f", then callbacks of {', '.join(f'{t:.0f}' for t in load_later)} ms" if load_later else ""))
    s = big.session
    if split:
        works = []
        worker = timed(lambda: works.append(s.compute_step(1)) or works[-1]["grads"].dW_by_step, args.repeats)
        big_step, step_later = timed(lambda: s.publish_step(works.pop(0)), args.repeats), []
        for _ in range(args.repeats):  # each Step's own callbacks (a quiet spell between Steps)
            s.publish_step(s.compute_step(1))
            step_later += loop.run_timed()
    else:
        worker, big_step, step_later = [0.0], timed(lambda: s.step(1), args.repeats), []
    print(f"big session Step (N={N}, T={T1 - 1}, B={B}, B*(T+1)*N={B * T1 * N}): "
          f"{statistics.median(worker):.0f} ms in the worker (updates, gradients); on the event loop "
          f"(redraw{'' if split else ' and the updates'}) median {statistics.median(big_step):.0f} ms, "
          f"max {max(big_step):.0f} ms"
          + (f", then a callback of median {statistics.median(step_later):.0f} ms, max {max(step_later):.0f} ms"
             if step_later else ""))
    piece = max(big_step + step_later)  # the longest single callback while it plays
    worst = p95(small) + max(load, *load_later, piece)
    after = p95(small) + piece
    print(f"others' p95 Step latency, bound: {worst:.0f} ms while the big session loads, "
          f"{after:.0f} ms while it plays (target < 300 ms)")


if __name__ == "__main__":
    main()
