"""Keep Python's cyclic garbage collector from freezing the whole class for a second and more.

One session's simulator is about 1,000 Bokeh models, ~50,000 objects the collector tracks.
With 60 sessions open, a full (generation 2) collection walks 3.2 million objects and holds
the event loop for 1.7 s (measured on the 2-core build machine), and while sessions are being
built Python starts one every few sessions: every session's frames and every click wait
behind it. That was the load test's p95 click latency at K = 60 (1.6 s). Those objects live
as long as their session, so collecting them over and over finds nothing.

So whenever a session is built, everything alive by then (the sessions built before it) is
moved out of the collector's sight (``gc.freeze``; reference counting still frees whatever is
dropped, and the young generations are swept first so no fresh garbage is frozen with them).
Closed sessions' cyclic garbage then stays frozen, so once a quarter of the frozen sessions
have closed (as Python itself waits for a quarter of new survivors before a full collection),
a few seconds after the last close of a burst, everything is thawed, collected once and
frozen again: memory returns after sessions close, and the pauses are few and amortised
instead of one every few seconds while the class trains.

One instance per process (``PAUSES``), like the scheduler: server infrastructure, no
student's data.
"""
import gc
import time

from simulator.serving.allocator import give_back


class CollectorPolicy:
    """Freeze built sessions' objects; collect once enough of them have closed."""

    def __init__(self, delay=5.0, fraction=0.25):
        self.delay = delay          # seconds after the last close of a burst
        self.fraction = fraction    # of the frozen sessions that must have closed
        self.frozen_sessions = 0    # sessions alive at the last freeze, roughly
        self.closed = 0             # sessions closed since the last collection
        self.collections = []       # (seconds it took, objects freed) of each collection
        self._handle = None

    def session_built(self, count=True):
        """Sweep young garbage, then freeze everything alive (call as a session is built)."""
        gc.collect(1)
        gc.freeze()
        self.frozen_sessions += int(count)

    def session_closed(self, *_):
        """A session was destroyed; collect when enough have, ``delay`` s after the last."""
        self.closed += 1
        if self.closed < max(1, self.fraction * self.frozen_sessions):
            return
        from tornado.ioloop import IOLoop
        loop = IOLoop.current()
        if self._handle is not None:
            loop.remove_timeout(self._handle)
        self._handle = loop.call_later(self.delay, self.collect)

    def collect(self):
        """Thaw, collect every generation, freeze what is still alive (returns objects freed)."""
        self._handle = None
        t0 = time.perf_counter()
        gc.unfreeze()
        freed = gc.collect()
        gc.freeze()
        give_back()  # the freed sessions' pages, back to the system (allocator.py)
        self.frozen_sessions = max(0, self.frozen_sessions - self.closed)
        self.closed = 0
        self.collections.append((time.perf_counter() - t0, freed))
        return freed


#: The process's policy (see the module docstring for why one per process is right).
PAUSES = CollectorPolicy()


def follow_session():
    """Call while building a served session: freeze the sessions built before it (this one's
    models are made after the builder returns, so the next tick freezes them too), and count
    it when it is destroyed."""
    import panel as pn
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return  # a notebook or a test's Document: no server loop to pause
    PAUSES.session_built()
    doc.add_next_tick_callback(lambda: PAUSES.session_built(count=False))
    pn.state.on_session_destroyed(PAUSES.session_closed)
