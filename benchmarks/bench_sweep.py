"""Seeds per second of `bptt-sim sweep binary-addition` at 5,000 updates on 1 and 2 workers (issue 14).

    PYTHONPATH=. python benchmarks/bench_sweep.py [seeds]
"""
import sys
import time

from simulator import sweep as S


def main(seeds=4):
    for workers in (1, 2):
        t0 = time.perf_counter()
        runs = S.sweep("binary-addition", list(range(seeds)), {}, 5000, workers=workers, progress=False)
        dt = time.perf_counter() - t0
        print(f"{workers} worker(s): {seeds} seeds in {dt:.1f} s = {seeds / dt:.3f} seeds/s "
              f"(solved {sum(r['solved'] for r in runs)}/{seeds}; includes cluster start-up)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
