"""A big net's training step runs in the worker thread when served (issue 21): the Player hands
back a coroutine, nothing is shown until it has run, and a step computed for a net that has
since been replaced is dropped. Lessons keep the direct path."""
import asyncio
import threading

import numpy as np
from bokeh.document import Document

from simulator.serving import offload
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session


def test_every_lesson_steps_on_the_loop_and_a_big_net_off_it():
    from simulator.lessons.registry import LESSONS
    assert not any(offload.heavy_session(Session(lesson=k)) for k in LESSONS)
    assert offload.heavy_session(big_session())


def big_session():
    """The default lesson's net on a long batch: B * (T+1) * N * N beyond HEAVY_WORK."""
    s = Session()
    B, T1, N = s.sequences.X.shape
    assert B * T1 * N * N < offload.HEAVY_WORK
    reps = offload.HEAVY_WORK // (B * T1 * N * N) + 1
    seq = s.sequences
    from engine import Sequences
    s._install(s.net.replace(), Sequences(*(np.concatenate([a] * reps) for a in (seq.X, seq.K, seq.Y, seq.M))))
    assert offload.heavy_session(s)
    return s


def test_served_a_big_step_runs_in_the_worker_and_shows_once_done(monkeypatch):
    s = big_session()
    player = Player(session=s, selection=Selection())
    monkeypatch.setattr(offload, "served_doc", Document)  # as if served: a document of its own
    threads = []
    compute = s.compute_step
    monkeypatch.setattr(s, "compute_step", lambda n: threads.append(threading.current_thread()) or compute(n))
    pending = player.step_once()
    assert asyncio.iscoroutine(pending) and s.updates == 0 and player.step_once() is None  # one at a time
    assert asyncio.run(pending) is True
    assert s.updates == 1 and threads and threads[0] is not threading.main_thread()
    assert s.gradients.dW_by_step.shape[0] == s.sequences.T


def test_not_served_the_player_steps_at_once():
    s = big_session()
    player = Player(session=s, selection=Selection())
    assert player.step_once() is True and s.updates == 1


def test_a_step_computed_for_a_replaced_net_is_dropped():
    s = Session()
    work = s.compute_step(1)
    s.reset()
    before = s.gradients
    assert s.publish_step(work) is False and s.updates == 0 and s.gradients is before


def test_served_a_big_nets_unrolled_pass_runs_in_the_worker(monkeypatch):
    """The BPTT-vs-unrolled table's unrolled pass (~50 ms at the caps) leaves the loop like a step:
    queued once however often it is asked for, computed in the worker thread, drawn once done."""
    from simulator.views import equivalence
    s = big_session()
    queued = []

    class Doc(Document):
        def add_next_tick_callback(self, fn):
            queued.append(fn)

    monkeypatch.setattr(offload, "served_doc", Doc)
    threads = []
    unroll = equivalence.EquivalenceView._unroll
    monkeypatch.setattr(equivalence.EquivalenceView, "_unroll",
                        lambda self: threads.append(threading.current_thread()) or unroll(self))
    view = equivalence.EquivalenceView(session=s, selection=Selection())
    assert len(queued) == 1 and view.summary.object == "" and view._stale
    view.refresh()
    s.step(1)  # changes while the pass waits: the queued pass will read them
    assert len(queued) == 1 and not threads
    asyncio.run(queued[0]())
    assert threads and threads[0] is not threading.main_thread()
    assert not view._stale and "update 1" in view.summary.object and view.max_difference < 1e-9
