"""Engine vs PyTorch eager autograd: median time per gradient evaluation (issue 2).

One gradient evaluation = loss + dW, db, dh0 for a batch, through ``engine.bptt`` on one
side and through the natural eager PyTorch program on the other (loop over t, torch.where
for the clamped inputs, ``loss.backward()`` on leaf tensors W, b, h0). Both run in this
process in interleaved rounds (engine, torch, engine, torch, ...); the table shows medians
over the rounds and the ratio torch / engine next to the issue's target ratio. Each side's CPU
time (process time, median per evaluation) is measured too: on a machine shared with other work
the wall-clock ratio swings with the load, the CPU-time ratio much less ("cpu ratio" column).

The model in every case (docs/model.md): N logistic units, all-to-all (self-loops
included), biases on, fixed h0 = 0.5, squared loss; the first max(1, N/4) units are
clamped to random inputs at every step (row 0 included), the last max(1, N/4) units have
random targets at every step t = 1..T. Before timing, each case checks once that torch's
loss, dW, db and dh0 agree with the engine (max relative difference printed).

    python benchmarks/bench_engine.py               # all threads
    python benchmarks/bench_engine.py --threads 1   # one thread for BLAS, Numba and torch
    python benchmarks/bench_engine.py --quick       # fewer rounds, for a smoke run
    python benchmarks/bench_engine.py --threads 1 --floor   # + the BLAS products alone (N=256 case)

This is a script, not a test: timings depend on the machine.
"""
import argparse
import os
import subprocess
import sys
import time

CASES = [  # (N, T, B, target ratio torch/engine from issue 2, the last from issue 16)
    (8, 16, 1, 40.0),
    (8, 16, 64, 15.0),
    (6, 10, 256, 5.0),
    (64, 50, 32, 4.0),
    (256, 100, 32, 3.0),  # issue 16 (issue 2 asked 1.5x)
]
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
BLAS_TUNING_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=None,
                   help="threads for torch, BLAS and Numba (default: all the library defaults)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds per case (default 21, --quick 5)")
    p.add_argument("--quick", action="store_true", help="fewer rounds and shorter rounds")
    p.add_argument("--no-import-time", action="store_true", help="skip the fresh-subprocess import timing")
    p.add_argument("--floor", action="store_true",
                   help="also time the largest case's matrix products alone (what no kernel can go below)")
    return p.parse_args()


ARGS = parse_args()
if ARGS.threads is not None:
    # Before numpy/numba/torch are imported: the BLAS libraries read these at load time.
    for var in THREAD_VARS:
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
import numba  # noqa: E402
import torch  # noqa: E402

import engine  # noqa: E402
from engine import Network, Sequences, bptt  # noqa: E402

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None

torch.set_default_dtype(torch.float64)
if ARGS.threads is not None:
    torch.set_num_threads(ARGS.threads)
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(ARGS.threads)


# -- the problem --------------------------------------------------------------------------
def make_problem(N, T, B, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.uniform(-1.0, 1.0, size=(N, N)) / np.sqrt(N)  # (N, N)
    b = rng.uniform(-0.5, 0.5, size=N)
    h0 = np.full(N, 0.5)
    k = max(1, N // 4)
    X = np.zeros((B, T + 1, N))
    K = np.zeros((B, T + 1, N))
    X[:, :, :k] = rng.uniform(0.0, 1.0, size=(B, T + 1, k))
    K[:, :, :k] = 1.0  # inputs: the first k units, clamped at every step
    Y = np.zeros((B, T + 1, N))
    M = np.zeros((B, T + 1, N))
    Y[:, 1:, N - k:] = rng.uniform(0.0, 1.0, size=(B, T, k))
    M[:, 1:, N - k:] = 1.0  # outputs: the last k units, a target at every step t >= 1
    net = Network(W=W, b=b, h0=h0, activation="logistic", loss="squared")
    seq = Sequences(inputs=X, clamp=K, targets=Y, target_mask=M)
    return net, seq, (W, b, h0, X, K, Y, M)


class TorchPeer:
    """The same model written the natural eager way, with autograd doing the backward pass."""

    def __init__(self, W, b, h0, X, K, Y, M):
        t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
        self.W = t(W.copy()).requires_grad_(True)
        self.b = t(b.copy()).requires_grad_(True)
        self.h0 = t(h0.copy()).requires_grad_(True)
        # Time-major, like the stack: X[t] is the (B, N) slice at step t.
        self.X, self.Y = t(X.transpose(1, 0, 2)), t(Y.transpose(1, 0, 2))
        self.K, self.M = t(K.transpose(1, 0, 2)) != 0, t(M.transpose(1, 0, 2))
        self.T, self.B = X.shape[1] - 1, X.shape[0]

    def grad(self):
        W, b, h0, X, K, Y, M = self.W, self.b, self.h0, self.X, self.K, self.Y, self.M
        W.grad = b.grad = h0.grad = None
        s = torch.where(K[0], X[0], h0.expand_as(X[0]))  # (B, N)
        loss = 0.5 * (M[0] * (s - Y[0]) ** 2).sum()
        for t in range(1, self.T + 1):
            a = torch.sigmoid(s @ W.T + b)
            s = torch.where(K[t], X[t], a)
            loss = loss + 0.5 * (M[t] * (s - Y[t]) ** 2).sum()
        loss = loss / self.B
        loss.backward()
        return loss.item(), W.grad, b.grad, h0.grad


def rel_diff(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def check(net, seq, peer):
    g = bptt(net, seq)
    loss, dW, db, dh0 = peer.grad()
    return max(rel_diff(loss, g.loss), rel_diff(dW.numpy(), g.dW), rel_diff(db.numpy(), g.db),
               rel_diff(dh0.numpy(), g.dh0))


def timed(fn, reps):
    """(wall seconds, CPU seconds) per call, averaged over ``reps`` calls."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps, (time.process_time() - c0) / reps


def bench_case(N, T, B, rounds, round_time):
    net, seq, arrays = make_problem(N, T, B)
    peer = TorchPeer(*arrays)
    run_engine = lambda: bptt(net, seq)
    run_torch = peer.grad
    diff = check(net, seq, peer)
    for fn in (run_engine, run_torch):  # warm both (first calls allocate, load caches)
        timed(fn, 3)
    # Repetitions per round so that one round of each side lasts about round_time seconds.
    reps = [max(1, int(round_time / max(timed(fn, 3)[0], 1e-7))) for fn in (run_engine, run_torch)]
    te, tt, ce, ct = [], [], [], []
    for _ in range(rounds):
        for fn, r, wall, cpu in ((run_engine, reps[0], te, ce), (run_torch, reps[1], tt, ct)):
            w, c = timed(fn, r)
            wall.append(w)
            cpu.append(c)
    spread = max(float(np.subtract(*np.percentile(x, [75, 25])) / np.median(x)) for x in (te, tt))
    return float(np.median(te)), float(np.median(tt)), diff, spread, float(np.median(ce)), float(np.median(ct))


def import_time(repeats):
    """Seconds for `import engine` + the first gradient call in a fresh interpreter (warm cache)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np\n"
        "import engine\n"
        "net = engine.Network(np.zeros((8, 8)), activation='logistic')\n"
        "seq = engine.Sequences(targets=np.full((1, 17, 8), 0.5), target_mask=np.ones((1, 17, 8)))\n"
        "engine.bptt(net, seq)\n"
        "t1 = time.perf_counter()\n"
        "seq = engine.Sequences(targets=np.full((64, 17, 8), 0.5), target_mask=np.ones((64, 17, 8)))\n"
        "engine.bptt(net, seq)\n"
        "print(t1 - t0, time.perf_counter() - t0)\n"
    )
    cmd = [sys.executable, "-c", code]
    subprocess.run(cmd, check=True, capture_output=True)  # fill Numba's cache if it is cold
    first, both, wall = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
        wall.append(time.perf_counter() - t0)
        first.append(float(out[0]))
        both.append(float(out[1]))
    return float(np.median(first)), float(np.median(both)), float(np.median(wall))


@numba.njit(cache=False)
def _step_products(S, WT, Z):
    """Z[t] = S[t-1] @ WT for t = 1..T: the recurrence's T small products (one BLAS call each)."""
    for t in range(1, S.shape[0]):
        np.dot(S[t - 1], WT, Z[t])


@numba.njit(cache=False)
def _sum_product(Dc, S, out):
    np.dot(Dc.T, S, out)


def product_floor(N, T, B, repeats=15):
    """CPU ms of the BLAS products alone for the benchmark's model (N/4 inputs clamped throughout):
    the ones the kernels do today, and those left if the input units' z, a and g (shown, not needed
    for the gradient) were not computed: z and W^T d of the free units only."""
    rng = np.random.default_rng(0)
    F = N - max(1, N // 4)  # units that take error
    S, W = rng.random((T + 1, B, N)), rng.random((N, N))
    Sf, Dc, out = np.ascontiguousarray(S[:, :, :F]), rng.random((T * B, F)), np.empty((F, N))
    Z, Zf = np.empty((T + 1, B, N)), np.empty((T + 1, B, F))
    runs = {"forward z_t = W s_(t-1), all units": (_step_products, (S, np.ascontiguousarray(W.T), Z)),
            "forward, free units only": (_step_products, (S, np.ascontiguousarray(W[:F].T), Zf)),
            "backward W^T d_t, d of free units": (_step_products, (Sf, np.ascontiguousarray(W[:F]), Z)),
            "backward, to free units only": (_step_products, (Sf, np.ascontiguousarray(W[:F, :F]), Zf)),
            "dW = sum_t d_t s_(t-1)^T, one product": (_sum_product, (Dc, S[:T].reshape(T * B, N), out))}
    times = {}
    for name, (fn, args) in runs.items():
        fn(*args)
        best = []
        for _ in range(repeats):
            c0 = time.process_time()
            fn(*args)
            best.append(time.process_time() - c0)
        times[name] = min(best) * 1e3
    return times


def print_floor(N, T, B):
    t = product_floor(N, T, B)
    names = list(t)
    for name in names:
        print(f"  {name:<42} {t[name]:7.2f} ms CPU (best of 15)")
    today = t[names[0]] + t[names[2]] + t[names[4]]
    least = t[names[1]] + t[names[3]] + t[names[4]]
    print(f"  products the kernels do: {today:.2f} ms; without the display-only ones (input units' z, a, g): "
          f"{least:.2f} ms")


def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:8.1f} us"
    if s < 1.0:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.3f} s "


def main():
    rounds = ARGS.rounds or (5 if ARGS.quick else 21)
    round_time = 0.02 if ARGS.quick else 0.1
    print("bptt-sim engine vs PyTorch eager autograd, float64, one gradient evaluation "
          "(loss + dW, db, dh0)")
    print(f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), python "
          f"{sys.version.split()[0]}, numpy {np.__version__}, numba {numba.__version__}, torch "
          f"{torch.__version__}")
    print(f"threads: {'library defaults' if ARGS.threads is None else ARGS.threads} "
          f"(torch {torch.get_num_threads()}, numba {numba.get_num_threads()}, threadpoolctl "
          f"{'yes' if threadpoolctl else 'no: env vars ' + '/'.join(THREAD_VARS)})")
    tuning = {v: os.environ[v] for v in BLAS_TUNING_VARS if v in os.environ}
    print(f"BLAS tuning env: {tuning or 'none set'}")
    print(f"rounds: {rounds} interleaved (engine, torch, ...), ~{round_time * 1e3:.0f} ms per side per round; "
          "times are medians; IQR: the larger interquartile range of the two, relative to its median")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    head = (f"{'N':>4} {'T':>4} {'B':>4} | {'engine':>11} {'torch':>11} | {'ratio':>7} {'target':>7} {'met':>4} | "
            f"{'IQR':>5} | {'cpu ratio':>9} | max rel diff")
    print(head)
    print("-" * len(head))
    all_met = True
    for N, T, B, target in CASES:
        te, tt, diff, spread, ce, ct = bench_case(N, T, B, rounds, round_time)
        cpu_ratio = ct / ce
        ratio = tt / te
        met = ratio >= target and diff < 1e-10
        all_met &= met
        print(f"{N:>4} {T:>4} {B:>4} | {fmt_time(te)} {fmt_time(tt)} | {ratio:6.1f}x {target:6.1f}x "
              f"{'yes' if met else 'NO':>4} | {spread:4.0%} | {cpu_ratio:8.1f}x | {diff:.1e}", flush=True)
    if ARGS.floor:
        print()
        print(f"BLAS products alone, N={N}, T={T}, B={B} (compare with the engine's and torch's CPU time):")
        print_floor(N, T, B)
        print(f"  whole gradient, CPU: engine {ce * 1e3:.2f} ms, torch {ct * 1e3:.2f} ms "
              f"(torch / {target:g} = {ct / target * 1e3:.2f} ms)")
    if not ARGS.no_import_time:
        first, both, wall = import_time(3 if ARGS.quick else 5)
        print()
        print(f"fresh process, warm cache: import engine + first gradient (8,16,1) {first:.3f} s "
              f"(target < 1 s: {'yes' if first < 1.0 else 'NO'}); + first batched gradient (8,16,64) "
              f"{both:.3f} s; whole subprocess incl. interpreter {wall:.3f} s")
    print()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("all targets met" if all_met else "SOME TARGETS NOT MET")


if __name__ == "__main__":
    main()
