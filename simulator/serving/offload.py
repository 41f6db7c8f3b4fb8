"""Work proportional to a big net, off the event loop: one student's upload or training frame at
the caps must not make everyone else wait (issue 21).

A Panel server runs every session's callbacks on one event loop. At the caps (72 units, T = 60,
250,000 cells) one weight update with its redraw gradient takes two BPTT passes of ~150 ms each
and parsing a 5 MB document ~0.5 s: on the loop, every other student's click waits that long.
``off_loop(work, then)`` runs ``work()`` in a worker thread and ``then(result)`` back on the loop.
The compiled BPTT kernel releases the GIL (engine/kernels.py), so it runs beside the loop on the
second core; pure-Python work (JSON) shares the GIL, which the loop gets back every 5 ms.

The worker thread runs at a lower CPU priority (nice 10) than the event loops. On a machine
whose cores are all busy (several server processes, other programs), a big net's steps then
take the CPU the interactive work leaves, instead of an equal share of it: measured with the
load test (one session at the caps in one of two server processes, Chromium on the same two
cores), the other process's clicks waited up to 1 s while the big net loaded and trained.

The session's document stays locked while its work runs (Bokeh holds a session's lock across
an awaited callback), so that session's own clicks wait for its own work and never see it half
done, while the other sessions go on. Outside a server (tests, notebooks, the CLI) both run at
once, in order, as before.
"""
import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor

#: Cells times units, B * (T+1) * N * N, from which a training step runs off the loop: ~2 ms of
#: BPTT. Every lesson stays below (the largest, vanishing-exploding, is 3e4) and keeps its
#: direct path; a net at the caps is 1.8e7.
HEAVY_WORK = 1_000_000
#: Bytes of an uploaded document from which it is parsed off the loop (~20 ms of JSON).
HEAVY_BYTES = 200_000
#: How much less CPU priority the worker thread has than the event loop (a nice increment).
WORKER_NICE = 10

_workers = []  # process-wide and write-once, like serving.server's: one worker thread
_lock = threading.Lock()


def _worker():
    """The process's one worker thread: big sessions queue for it instead of for the loop, and
    at most one GIL-holding job competes with the loop."""
    with _lock:
        if not _workers:
            _workers.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="bptt-sim-offload",
                                               initializer=lower_priority))
    return _workers[0]


def lower_priority():
    """Lower the calling thread's CPU priority by WORKER_NICE. On Linux a nice value belongs to
    one thread, so the event loop keeps its own; elsewhere (or if refused) nothing changes."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE))
    except OSError:
        pass


def heavy_session(session):
    """True when a training step of ``session`` is worth a worker thread (see HEAVY_WORK)."""
    B, T1, N = session.sequences.X.shape
    return B * T1 * N * N >= HEAVY_WORK


def served_doc():
    """The Bokeh document of the served session running this callback, or None (no server)."""
    import panel as pn
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context is not None else None


def off_loop(work, then, heavy=True):
    """``then(result)`` where ``result`` is ``work()`` or the exception it raised (returned, not
    raised: ``then`` decides what a failure shows). Served and ``heavy``: returns a coroutine
    that runs ``work`` in the worker thread and ``then`` on the loop; the caller must be a
    callback that awaits it (a periodic callback, a next-tick callback). Otherwise both run
    now and ``then``'s value is returned."""
    doc = served_doc() if heavy else None
    return then(_attempt(work)) if doc is None else _run(doc, work, then)


def off_loop_soon(work, then, heavy=True):
    """off_loop from a callback that cannot await (a param watcher): served and heavy, the work
    is scheduled as a next-tick callback of the session's document (which takes its lock)."""
    doc = served_doc() if heavy else None
    if doc is None:
        return then(_attempt(work))
    doc.add_next_tick_callback(lambda: _run(doc, work, then))
    return None


async def _run(doc, work, then):
    from panel.io.state import set_curdoc
    result = await asyncio.get_running_loop().run_in_executor(_worker(), _attempt, work)
    with set_curdoc(doc):
        return then(result)


def _attempt(work):
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - handed to then(), which shows it
        return exc
