"""The frame scheduler sees a process whose event loop never rests, though the machine gives it
little CPU (issue 21's load test: ~0.5 core by CPU time, a loop busy 91 % of the wall time and
clicks waiting 1.1 s), and big nets' work yields the CPU to the event loops."""
import asyncio
import os
import threading
import time

import pytest

from simulator.serving.scheduler import FrameScheduler, loop_idle


class P:  # a stand-in Player (the scheduler holds weak references)
    pass


def run_windows(sch, players, cpu_per_s, idle_per_s, seconds=8):
    cpu, idle, now = 0.0, 0.0, 100.0
    for _ in range(seconds):
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu, idle=idle)
        now, cpu, idle = now + 1.0, cpu + cpu_per_s, idle + idle_per_s
    return sch.period_ms(40)


def test_a_loop_busy_in_wall_time_stretches_frames_though_its_cpu_time_is_low():
    players = [P(), P()]
    assert run_windows(FrameScheduler(share=0.6), players, cpu_per_s=0.3, idle_per_s=0.1) > 40
    # the same CPU time with a loop idle most of the time: no stretch
    assert run_windows(FrameScheduler(share=0.6), players, cpu_per_s=0.3, idle_per_s=0.8) == 40
    # a worker thread's CPU time still counts while the loop rests (offload.py)
    assert run_windows(FrameScheduler(share=0.6), players, cpu_per_s=1.0, idle_per_s=0.8) > 40


def test_unmeasured_idle_time_leaves_the_cpu_measure():
    players = [P(), P()]
    sch = FrameScheduler(share=0.6)
    cpu, now = 0.0, 100.0
    for _ in range(8):
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu, idle=None)
        now, cpu = now + 1.0, cpu + 0.3
    assert sch.period_ms(40) == 40 and sch.busy == pytest.approx(0.3)


def test_the_loop_meter_counts_waits_not_work():
    """Idle is time spent waiting for events: an awaited sleep adds to it, a callback that holds
    the loop (here by blocking) adds nothing."""
    assert loop_idle() is None  # no running loop

    async def main():
        start = loop_idle()
        await asyncio.sleep(0.2)
        waited = loop_idle()
        time.sleep(0.2)  # holds the loop: no wait in between
        held = loop_idle()
        return start, waited, held

    start, waited, held = asyncio.run(main())
    assert start is not None
    assert waited - start >= 0.15
    assert held == waited


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are Linux's")
def test_big_nets_work_runs_at_a_lower_priority_than_the_loop():
    from simulator.serving.offload import WORKER_NICE, _worker

    def mine():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    loop_thread = mine()
    assert _worker().submit(mine).result() == min(19, loop_thread + WORKER_NICE)
    assert mine() == loop_thread  # the caller's own priority is untouched


def test_a_closed_loop_is_not_kept_alive_by_its_meter():
    import gc
    import weakref

    async def measure():
        loop_idle()
        return weakref.ref(asyncio.get_running_loop())

    ref = asyncio.run(measure())
    gc.collect()
    assert ref() is None
