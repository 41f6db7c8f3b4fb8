"""Training runs over seeds: the work of ``bptt-sim sweep`` and of the lesson panel's "10 seeds".

One run (``run_one``) is exactly what ``bptt-sim train`` does for a seed and settings: the lesson
(or a document's lesson, settings and own data) from new random weights and cases drawn from the
seed, trained for a number of updates, the lesson's success criterion (lesson.py's ``solved``)
checked on the way. simulator/sweep.py hands runs to Dask; ``SeedPool`` runs them in a few
local processes beside a served app, whose one event loop must never wait for them.
"""
import contextvars
import multiprocessing
import multiprocessing.connection
import os
import statistics
import threading

import numpy as np

# Whether a session being built may use this machine's cores for runs: set by serving.server.serve
# around each call of the app factory (localhost: yes; a class address: only if the lecturer allows
# it), so the value belongs to the session being built, not to the process (``seeds_allowed``).
SEEDS_ALLOWED = contextvars.ContextVar("bptt_sim_seeds_allowed", default=None)
LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")


def seeds_policy(address, allow=None):
    """serve()'s decision: runs on the server's cores for ``address``, unless ``allow`` says."""
    return (str(address) in LOCAL_ADDRESSES) if allow is None else bool(allow)


def seeds_allowed(served):
    """Whether this session may run seeds: as serve() decided; without serve(), yes when nothing
    serves the page (a notebook, a test) and no under another server, whose address is unknown."""
    decided = SEEDS_ALLOWED.get()
    return (not served) if decided is None else decided


def apply_settings(session, settings):
    """Set each training setting as the app's controls do; ValueError if the Session refuses one."""
    for name, value in settings.items():
        old = getattr(session, name)
        try:
            setattr(session, name, value)
        except ValueError as exc:
            raise ValueError(f"{name}={value!r}: {exc}") from None
        if getattr(session, name) != value and old != value:  # the Session put it back: say why
            raise ValueError(f"{name}={value!r}: {session.message}")
    return session


def open_run(source, seed, settings):
    """The Session a run starts from: ``source`` (a lesson's name, or a checked document as a dict:
    its lesson, settings and own data) with new weights and cases from ``seed``, then ``settings``."""
    from simulator.document import session_from_document
    from simulator.lessons.registry import LESSONS
    from simulator.state.session import Session
    if isinstance(source, str):
        if source not in LESSONS:
            raise ValueError(f"unknown lesson {source!r}; expected one of {', '.join(LESSONS)}")
        session = Session(lesson=source)
    else:
        session = session_from_document(source, validated=True)
    if session.seed != seed:
        session.seed = seed  # new random weights and cases from this seed
    elif not isinstance(source, str):
        session.reset()  # a document at this very seed: its weights were trained, start again
    return apply_settings(session, settings)


def is_solved(session):
    """The lesson's success criterion on the session's net (False when its loss is not finite)."""
    from simulator.lessons.registry import solved
    s = session
    if s.task_info is None or not np.isfinite(s.loss_value):
        return False
    return solved(s.lesson, s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)


def run_one(source, seed, settings, updates, every=None, points=200):
    """One run: train exactly as ``bptt-sim train`` does, checking the criterion every ``every``
    updates. Returns a dict: seed, settings, solved (at the end), updates_to_solve (the first
    check where it held, or None), loss, updates, diverged and ``curve`` (<= points losses)."""
    session = open_run(source, seed, settings)
    every = every or max(1, updates // 100)
    first = 0 if is_solved(session) else None
    ok, done = True, 0
    while done < updates and ok:
        n = min(every, updates - done)
        ok = session.step(n)
        done += n
        if first is None and ok and is_solved(session):
            first = session.updates
    losses = [loss for _, loss in session.history]
    pick = np.unique(np.linspace(0, len(losses) - 1, min(points, len(losses))).astype(int)) if losses else []
    end = is_solved(session) and ok
    return {"seed": seed, "settings": dict(settings), "solved": bool(end),
            "updates_to_solve": first if end else None, "loss": float(session.loss_value),
            "updates": int(session.updates), "diverged": not ok,
            "curve": [[int(session.history[k][0]), float(losses[k])] for k in pick]}


def summary(runs):
    """One row per settings combination: runs, solved, median updates to solve, loss quartiles."""
    rows = {}
    for r in runs:
        rows.setdefault(tuple(sorted(r["settings"].items())), []).append(r)
    out = []
    for key, group in rows.items():
        reached = [r["updates_to_solve"] for r in group if r["solved"]]
        losses = [r["loss"] for r in group if np.isfinite(r["loss"])]
        q = [float(v) for v in np.quantile(losses, [0.25, 0.5, 0.75])] if losses else [None] * 3
        out.append({"settings": dict(key), "runs": len(group), "solved": len(reached),
                    "median_updates_to_solve": statistics.median(reached) if reached else None,
                    "loss_quartiles": q})
    return out


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _seed_worker(conn, source):
    """A spawned process's loop: run each (seed, updates) it is sent, send the run back; None ends it."""
    while (job := conn.recv()) is not None:
        try:
            run = run_one(source, job[0], {}, job[1])
        except Exception as exc:  # said, not raised: the pool reports it and stops the others
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            return
        conn.send(("run", run))


class SeedPool:
    """``run_one`` for each seed in ``processes`` local processes (default: the cores but one, the
    served page's), driven by a thread of its own so the caller never waits.

    ``on_run(run)`` is called from that thread as each run finishes (in no set order), then
    ``on_done(error)`` once: None when every run came back, "cancelled" after ``cancel()``, or the
    reason a run failed. Processes are spawned, not forked (the server has threads), and are
    killed as soon as the runs are done or cancelled: nothing outlives the pool.

    Not multiprocessing.Pool: its terminate() can hang for good when its task thread is blocked
    writing queued jobs into a full pipe (seen as a 1-in-15 hang of cancel). Here each process
    has its own pipe and is sent one seed (a small int) at a time, so the driver never blocks on a
    write, and stopping is a kill and a join.
    """

    def __init__(self, source, seeds, updates, on_run, on_done, processes=None):
        self.source, self.seeds, self.updates = source, [int(s) for s in seeds], int(updates)
        self.on_run, self.on_done = on_run, on_done
        self.processes = max(1, min(len(self.seeds), processes or cores() - 1))
        self.cancelled = threading.Event()
        self.thread = threading.Thread(target=self._drive, name="bptt-sim-seeds", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def cancel(self):
        """Stop: the runs still going are killed within a fraction of a second."""
        self.cancelled.set()

    def _drive(self):
        ctx, todo, workers, error = multiprocessing.get_context("spawn"), list(self.seeds), {}, None
        try:
            for _ in range(self.processes):
                here, there = ctx.Pipe()
                proc = ctx.Process(target=_seed_worker, args=(there, self.source), daemon=True)
                proc.start()
                there.close()
                workers[here] = proc
                here.send((todo.pop(0), self.updates))
            while workers and error is None and not self.cancelled.is_set():
                for conn in multiprocessing.connection.wait(list(workers), timeout=0.2):
                    error = self._take(conn, workers, todo)
                    if error is not None or self.cancelled.is_set():
                        break
        except Exception as exc:  # the processes could not be started or spoken to
            error = f"a run failed ({type(exc).__name__}: {exc})"
        finally:
            for conn, proc in workers.items():
                proc.kill()
                proc.join()
                conn.close()
        self.on_done("cancelled" if self.cancelled.is_set() else error)

    def _take(self, conn, workers, todo):
        """Read one message from a process: hand on its run and send it the next seed (or let it
        go); the reason to stop when it failed or died."""
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):  # the process is gone (killed, out of memory): its pipe closed or reset
            workers[conn].join(1)
            return f"a run failed (its process ended with exit code {workers[conn].exitcode})"
        if kind == "error":
            return f"a run failed ({value})"
        self.on_run(value)
        if todo:
            conn.send((todo.pop(0), self.updates))
        else:
            conn.send(None)
            workers.pop(conn).join()
            conn.close()
        return None
