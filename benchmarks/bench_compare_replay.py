"""How long a Compare link's replay holds the server's event loop (issue 19): the longest time
between two turns of a loop that replays ``n`` updates of a comparison, the old way (the whole
replay in the page's build, one callback) against the sliced one (views/compare.py replay_async,
then the page's build).

    python benchmarks/bench_compare_replay.py [--lesson binary-addition] [--runs 4] [--n 5000]

A task beside the replay wakes every turn of the loop and records the gap since its last turn:
that gap is what every other session's frame waited. Numbers depend on the machine and its
load: printed, never asserted.
"""
import argparse
import asyncio
import time

from simulator.state import compare as C
from simulator.views import compare as V

RATES = (0.5, 0.3, 0.2, 0.1)


async def longest_gap(work):
    """(seconds work() took, longest gap between two turns of the loop meanwhile)."""
    gaps, done = [0.0], []

    async def watch():
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(watch())
    await asyncio.sleep(0)
    began = time.perf_counter()
    await work()
    took = time.perf_counter() - began
    done.append(True)
    await task
    return took, max(gaps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", default="binary-addition")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--n", type=int, default=V.MAX_REPLAY)
    args = parser.parse_args()
    text = "learning_rate:" + ",".join(str(r) for r in RATES[:args.runs])

    def fresh():
        return C.Comparison.of_lesson(args.lesson, text)

    async def whole():  # before: the replay and the page's build in one callback
        V.CompareView(comparison=V.replay(fresh(), {"n": str(args.n)})).__panel__()

    async def sliced():  # after: the replay in slices, then the page's build
        c = await V.replay_async(fresh(), args.n)
        V.CompareView(comparison=c).__panel__()

    fresh().step(2)  # compile and warm up outside the measure
    for name, work in (("whole (before)", whole), ("sliced (after)", sliced)):
        took, gap = asyncio.run(longest_gap(work))
        print(f"{name:15s} {args.runs} runs of {args.lesson}, n={args.n}: {took:.2f} s in all, "
              f"longest single callback {gap * 1000:.0f} ms")


if __name__ == "__main__":
    main()
