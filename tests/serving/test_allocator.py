"""The allocator a served process runs with (simulator/serving/allocator.py): ``bptt-sim serve``
starts itself again with Python's objects in the C heap, and a collection of closed sessions
hands the heap's free pages back to the system."""
import subprocess
import sys

import pytest

from simulator.serving import allocator, gc_pauses
from simulator.serving.gc_pauses import CollectorPolicy

GLIBC = allocator.on_glibc()


@pytest.mark.parametrize("args, environ, glibc, expected", [
    (["serve", "--port", "0"], {}, True, True),
    (["serve"], {"PYTHONMALLOC": "pymalloc"}, True, False),  # the user's choice stands
    (["serve"], {}, False, False),                           # no malloc_trim to give pages back
    (["train", "binary-addition", "--updates", "5"], {}, True, False),
    ([], {}, True, False),
    (["--version"], {}, True, False),
])
def test_only_serve_on_glibc_without_a_chosen_allocator_starts_again(args, environ, glibc, expected):
    assert allocator.relaunch_needed(args, environ, glibc) is expected


# A child with the system allocator builds ~200 MB of small objects (each in the C heap, below
# glibc's mmap threshold), keeps one late allocation alive above them so the heap's top cannot
# shrink by itself, frees the rest, and reports its RSS before and after give_back.
CHILD = """
import os, sys
from simulator.serving.allocator import give_back
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
blocks = [bytes(2000) + bytes([i % 256]) for i in range(100_000)]
survivor = bytes(3000)
del blocks
before = rss()
returned = give_back()
print(before, rss(), returned)
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_give_back_returns_freed_heap_pages_to_the_system():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "PYTHONMALLOC": "malloc"})
    assert out.returncode == 0, out.stderr[-2000:]
    before, after, returned = out.stdout.split()
    assert returned == "True"
    assert float(before) - float(after) > 100, (before, after)  # of the ~200 MB freed


def test_a_collection_of_closed_sessions_gives_pages_back(monkeypatch):
    calls = []
    monkeypatch.setattr(gc_pauses, "give_back", lambda: calls.append(1))
    policy = CollectorPolicy()
    try:
        policy.session_built()
        policy.collect()
    finally:
        import gc
        gc.unfreeze()
    assert calls == [1]
