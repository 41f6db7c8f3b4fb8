"""Runs over seeds (issue 14): one run is train's training whatever it starts from; the local pool
beside a served app gives the same runs, stops at once when cancelled; who may run seeds."""
import multiprocessing
import threading

import pytest

from simulator import document
from simulator.serving import runs as R
from simulator.serving import server
from simulator.state.session import Session


def test_a_document_of_the_lesson_runs_as_the_lesson():
    """A run from a session's document (what the app sends) equals the run from the lesson's name."""
    s = Session(lesson="temporal-xor")
    s.learning_rate = 0.3
    s.step(7)  # trained weights in the document: a run starts again from the seed's
    doc = document.to_document(s)
    for seed in (s.seed, s.seed + 1):
        mine, lessons = R.run_one(doc, seed, {}, 25), R.run_one("temporal-xor", seed, {"learning_rate": 0.3}, 25)
        assert mine == {**lessons, "settings": {}}


def pooled(source, seeds, updates, processes=1):
    got, ended = [], []
    done = threading.Event()
    R.SeedPool(source, seeds, updates, on_run=got.append, on_done=lambda e: (ended.append(e), done.set()),
               processes=processes).start()
    assert done.wait(300), "the pool did not finish"
    return got, ended[0]


def test_the_pool_gives_the_same_runs_and_leaves_no_process():
    got, ended = pooled("temporal-xor", [4, 5, 6], 20, processes=2)
    assert ended is None
    assert sorted(got, key=lambda r: r["seed"]) == [R.run_one("temporal-xor", s, {}, 20) for s in (4, 5, 6)]
    assert multiprocessing.active_children() == []


def test_a_cancelled_pool_stops_and_kills_its_processes():
    first, done, ended = threading.Event(), threading.Event(), []
    pool = R.SeedPool("binary-addition", range(50), 5000, on_run=lambda r: first.set(),
                      on_done=lambda e: (ended.append(e), done.set()), processes=1)
    pool.start()
    assert pool.thread.is_alive()
    pool.cancel()
    assert done.wait(120), "cancel did not stop the pool"
    assert ended == ["cancelled"] and not first.is_set()
    assert multiprocessing.active_children() == []


def test_cancel_at_once_never_hangs():
    """multiprocessing.Pool's terminate could hang for good (its task thread blocked writing the
    queued jobs, a document each, into a pipe no one read any more): about 1 cancel in 15 right
    after start, as the "10 seeds" view's test found. Cancelled at once, again and again, the pool
    must end every time."""
    source = document.to_document(Session(lesson="binary-addition"))
    for attempt in range(30):
        done, ended = threading.Event(), []
        R.SeedPool(source, range(10), 5000, on_run=lambda r: None,
                   on_done=lambda e: (ended.append(e), done.set()), processes=1).start().cancel()
        assert done.wait(60), f"cancel did not stop the pool (attempt {attempt + 1})"
        assert ended == ["cancelled"] and multiprocessing.active_children() == []


def test_a_process_that_dies_is_reported():
    """A run whose process is killed (out of memory, say) ends the batch with a reason, not a hang."""
    done, ended = threading.Event(), []
    pool = R.SeedPool("binary-addition", range(4), 5000, on_run=lambda r: None,
                      on_done=lambda e: (ended.append(e), done.set()), processes=1)
    pool.start()
    for _ in range(1200):  # its process is up within a minute at most
        if multiprocessing.active_children():
            break
        threading.Event().wait(0.05)
    assert multiprocessing.active_children(), "the pool started no process"
    multiprocessing.active_children()[0].kill()
    assert done.wait(60), "the pool did not notice"
    assert "a run failed" in ended[0] and "exit code -9" in ended[0]


def test_a_failing_run_is_reported():
    got, ended = pooled("no-such-lesson", [0], 5)
    assert got == [] and "a run failed" in ended and "unknown lesson" in ended


@pytest.mark.parametrize("address, allow, expected", [("localhost", None, True), ("127.0.0.1", None, True),
                                                      ("0.0.0.0", None, False), ("192.168.1.20", None, False),
                                                      ("0.0.0.0", True, True), ("localhost", False, False)])
def test_who_may_run_seeds(address, allow, expected):
    assert R.seeds_policy(address, allow) is expected


def test_serve_decides_for_the_sessions_it_builds():
    """serve()'s factory builds each session under its decision; outside it, a page with no server may."""
    seen = []
    build = server._deciding_seeds(lambda: seen.append(R.seeds_allowed(served=True)), False)
    build()
    server._deciding_seeds(lambda: seen.append(R.seeds_allowed(served=True)), True)()
    assert seen == [False, True]
    assert R.seeds_allowed(served=False) is True and R.seeds_allowed(served=True) is False


def test_the_cli_passes_allow_seeds(monkeypatch):
    from simulator.cli import main
    calls = []
    monkeypatch.setattr(server, "serve", lambda factory, **kw: calls.append(kw["allow_seeds"]))
    assert main(["serve", "--allow-seeds"]) == 0 and main(["serve"]) == 0
    assert calls == [True, None]
