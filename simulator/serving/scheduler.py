"""Fair training under load: spread one server process's CPU over every session that trains.

A Panel server runs all its sessions' callbacks on one event loop, so one process has about
one core for everything: training frames, their redraws (serialising the changed models and
sending them), page loads and clicks. One frame of the default lesson costs ~20 ms of that
core (benchmarks/load_test.py), so 60 students pressing Play at the default 25 frames/s
would ask for 30 cores: frames would queue, every session would stall and a click would wait
seconds behind them.

The scheduler keeps the process's event loop busy at most ``share`` of the time: once a
``window`` it measures how busy the process was (redraws, page loads and clicks included) and
stretches every playing session's period when the process is busier than that, and shrinks
the stretch back towards each Player's own period when it is not. This feedback needs no
model of what a frame costs, so a burst of page loads (a class arriving) also slows training
for a moment instead of the page loads. Fewer, longer-spaced frames then carry more weight
updates each (``min_rate`` updates per second), so every session keeps learning at a
visible pace and the rest of the core stays free for clicks.

One instance per process (``SCHEDULER``) is right here, unlike user state: it is server
infrastructure, it holds no student's data, and it refers to Players only weakly, so a closed
session is never kept alive by it. A Player that has not ticked for a while (a closed tab) is
not counted.

Busy is the larger of two measures. CPU time the process used, per second: a worker thread
computing a big net's step (offload.py) counts, though the loop is free meanwhile. And the share
of wall time the event loop was not idle (``LoopMeter``): when the machine's cores are shared
with other programs (a browser, other server processes, a virtual machine's steal time) a
process gets less CPU than it asks for, its CPU time stays low while its loop never rests, and
clicks queue behind frames. Measured with the load test (3 sessions and one at the caps, two
server processes, Chromium on the same 2 cores): each process used ~0.5 core by CPU time, under
the 0.6 share, while its loop was busy 91 % of the time and a click waited 1.1 s (median).

One frame a turn (``may_frame``). Stretching the periods bounds how busy the loop is over a
second, not how long it is busy at once: an asyncio loop runs every callback that is due before
it reads its sockets again, and under load many sessions' frames fall due together. The load test
at K = 30 saw turns of the loop running up to 15 frames back to back (~450 ms) while a click's
message waited in the socket, once for each of the turns its handling takes. So a Player whose
frame falls in a turn that already ran one retries in the next turn (Player.tick), after the
loop has read the sockets: a click waits for one frame, not for all that were due.
"""
import asyncio
import math
import time
import weakref


class LoopMeter:
    """Wall seconds an asyncio event loop has spent idle, waiting for its next event.

    The loop waits in its selector's ``select``; wrapping that one method of this loop's
    selector times every wait, and counts the loop's turns (it selects once a turn). A loop without a selector (not the asyncio selector loop, which
    Tornado and Panel run on Linux and macOS) is not measured: ``idle()`` stays None."""

    def __init__(self, loop):
        # No reference to the loop: _METERS keeps a meter as long as its loop lives, not longer.
        self._idle = 0.0
        self.turns = 0  # selects so far: the loop looks for I/O once per turn
        selector = getattr(loop, "_selector", None)
        self.measured = selector is not None and hasattr(selector, "select")
        if self.measured:
            select = selector.select

            def timed_select(timeout=None):
                self.turns += 1
                t0 = time.perf_counter()
                try:
                    return select(timeout)
                finally:
                    self._idle += time.perf_counter() - t0
            selector.select = timed_select

    def idle(self):
        """Seconds idle so far (None when this loop cannot be measured)."""
        return self._idle if self.measured else None


def _meter():
    """The running event loop's meter, made on first use; None outside a running loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    meter = _METERS.get(loop)
    if meter is None:
        meter = _METERS[loop] = LoopMeter(loop)
    return meter


def loop_idle():
    """Idle seconds of the running event loop so far, measuring it from the first call; None
    outside a running loop (tests, notebooks) or for a loop that cannot be measured."""
    meter = _meter()
    return None if meter is None else meter.idle()


def loop_turn():
    """How many times the running event loop has looked for I/O (None: no loop, or not measured)."""
    meter = _meter()
    return meter.turns if meter is not None and meter.measured else None


#: One meter per event loop (a server process has one); weak, so a closed loop goes.
_METERS = weakref.WeakKeyDictionary()


class FrameScheduler:
    """Shared by the Players of one process: the period and updates per frame under load."""

    def __init__(self, share=0.6, min_rate=8.0, max_period_ms=5000, window=1.0):
        self.share = share                  # fraction of one core the process should stay under
        self.min_rate = min_rate            # weight updates per second each session should get
        self.max_period_ms = max_period_ms  # a session redraws at least this often
        self.window = window                # seconds between CPU measurements
        self.stretch = 1.0                  # every Player's period is multiplied by this
        self.busy = None                    # the larger of CPU and loop-busy share, last window
        self._last_tick = weakref.WeakKeyDictionary()  # Player -> time of its last frame
        self._t0 = self._cpu0 = self._idle0 = None
        self._turn = None                   # the loop turn of the last frame (may_frame)
        self._build_turn = None             # the loop turn of the last session built or sent (build_turn)

    def active(self, now=None):
        """How many sessions' work the Players that ran a frame recently make (closed or paused
        sessions drop out): one each, and k for a Compare page's Player of k runs (its ``runs``)."""
        now = time.monotonic() if now is None else now
        recent = max(5.0, 3 * self.max_period_ms / 1000)
        return sum(getattr(p, "runs", 1) for p, t in list(self._last_tick.items()) if now - t < recent)

    def frame_done(self, player, now=None, cpu=None, idle=None):
        """Record one training frame of ``player``; once a window, adjust the stretch.
        ``cpu``: the process's CPU seconds (read now when not given); ``idle``: its event loop's
        idle seconds (read now when ``now`` is not given either; None: not measured)."""
        if now is None:
            now, idle = time.monotonic(), loop_idle()
        cpu = time.process_time() if cpu is None else cpu
        self._last_tick[player] = now
        if self._t0 is None or now - self._t0 > 10 * self.window:  # first frame, or after a pause
            self._t0, self._cpu0, self._idle0 = now, cpu, idle
        elif now - self._t0 >= self.window:
            wall = now - self._t0
            busy = (cpu - self._cpu0) / wall
            if idle is not None and self._idle0 is not None:
                busy = max(busy, 1.0 - (idle - self._idle0) / wall)
            self.adjust(busy, now)
            self._t0, self._cpu0, self._idle0 = now, cpu, idle

    def adjust(self, busy, now=None):
        """Busier than ``share``: stretch in proportion (at most x2 a window). Under three
        quarters of it: shrink in proportion too (at most /2 a window), back to each Player's own
        period. Shrinking by a fifth a window, as before, took ~20 s to undo the stretch a class
        arriving makes (page loads keep the loop busy for a minute at K = 60): sessions then drew
        one frame in two seconds while the loop idled half the time."""
        self.busy = busy
        if self.active(now) <= 1:
            # One student alone shares the core with nobody: full frame rate (the 20
            # redraws/s). Stretching is for sessions competing with each other.
            self.stretch = 1.0
            return
        if busy > self.share:
            self.stretch *= min(2.0, busy / self.share)
        elif busy < 0.75 * self.share:
            self.stretch *= max(0.5, busy / (0.75 * self.share))
        self.stretch = max(1.0, min(self.stretch, self.max_period_ms / 20))

    def may_frame(self):
        """True unless a frame already ran in this turn of the event loop; then the caller retries
        in the next turn (the module docstring says why). Outside a measured loop (no server)
        every frame may run."""
        turn = loop_turn()
        if turn is None:
            return True
        if turn == self._turn:
            return False
        self._turn = turn
        return True

    async def build_turn(self):
        """Wait for a turn of the event loop in which no other session has been built or sent
        whole. Bokeh builds a session when its page is fetched and serialises its document when
        its websocket asks for it, each on the loop without yielding (~1 s and ~0.5 s here); when
        a class arrives, requests read in one turn ran back to back and held the loop for 2-20 s
        (the load test at K = 60), every click waiting meanwhile. One a turn lets the loop read
        its sockets in between (serving/server.py patches Bokeh to await this)."""
        while True:
            turn = loop_turn()
            if turn is None or turn != self._build_turn:
                self._build_turn = turn
                return
            await asyncio.sleep(0)  # the next turn

    def leave(self, player):
        """``player`` paused: it no longer counts as active."""
        self._last_tick.pop(player, None)

    def period_ms(self, base_ms):
        """The period a Player should use: its own, stretched while the process is busy."""
        return int(min(self.max_period_ms, max(base_ms, base_ms * self.stretch)))

    def min_updates(self, period_ms):
        """Weight updates a frame needs so the session still learns ``min_rate`` per second."""
        return max(1, math.ceil(self.min_rate * period_ms / 1000))


#: The process's scheduler (see the module docstring for why one per process is right).
SCHEDULER = FrameScheduler()


def build_in_turn(doc, build):
    """Run ``build()`` (a large piece of a session's page, made after the page has drawn) as a
    next-tick callback of ``doc`` (under its lock, as its current document) in a turn of the
    event loop that built nothing else (FrameScheduler.build_turn). A class whose pages drew
    together filled their detail tabs back to back: at K = 60 (benchmarks/load_test.py) the first
    Step click after the class arrived waited 7-10 s behind them, in every run."""
    from panel.io.state import set_curdoc

    async def in_turn():
        await SCHEDULER.build_turn()
        with set_curdoc(doc):
            build()
    doc.add_next_tick_callback(in_turn)
