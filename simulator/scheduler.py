"""Fair training under load: spread one server process's CPU over every session that trains.

A Panel server runs all its sessions' callbacks on one event loop, so one process has about
one core for everything: training frames, their redraws (serialising the changed models and
sending them), page loads and clicks. One frame of the default lesson costs ~20 ms of that
core (benchmarks/load_test.py), so 60 students pressing Play at the default 25 frames/s
would ask for 30 cores: frames would queue, every session would stall and a click would wait
seconds behind them.

The scheduler keeps the frames of all playing sessions within ``share`` of the core: it
measures the process's CPU time per frame (everything the server did, divided by the frames
it ran: redraws and page traffic included), and each Player asks it for a period of
``sessions x cost / share``, never shorter than the Player's own. Fewer, longer-spaced frames
then carry more weight updates each (``min_rate`` updates per second), so every session keeps
learning at a visible pace and the rest of the core stays free for clicks.

One instance per process (``SCHEDULER``) is right here, unlike user state: it is server
infrastructure, it holds no student's data, and it refers to Players only weakly, so a closed
session is never kept alive by it. A Player that has not ticked for a while (a closed tab) is
not counted.
"""
import math
import time
import weakref


class FrameScheduler:
    """Shared by the Players of one process: the period and updates per frame under load."""

    def __init__(self, share=0.6, min_rate=8.0, max_period_ms=5000, window=1.0):
        self.share = share                  # fraction of one core all training frames may use
        self.min_rate = min_rate            # weight updates per second each session should get
        self.max_period_ms = max_period_ms  # a session redraws at least this often
        self.window = window                # seconds between CPU measurements
        self.cost = None                    # CPU seconds per frame, smoothed (None: not measured yet)
        self._last_tick = weakref.WeakKeyDictionary()  # Player -> time of its last frame
        self._frames = 0
        self._t0 = self._cpu0 = None

    def active(self, now=None):
        """How many Players ran a frame recently (closed or paused sessions drop out)."""
        now = time.monotonic() if now is None else now
        recent = max(5.0, 3 * self.max_period_ms / 1000)
        return sum(1 for t in list(self._last_tick.values()) if now - t < recent)

    def frame_done(self, player, now=None):
        """Record one training frame of ``player``; update the cost per frame once a window."""
        now = time.monotonic() if now is None else now
        self._last_tick[player] = now
        self._frames += 1
        cpu = time.process_time()
        if self._t0 is None:
            self._t0, self._cpu0, self._frames = now, cpu, 0
        elif now - self._t0 >= self.window and self._frames:
            cost = (cpu - self._cpu0) / self._frames
            self.cost = cost if self.cost is None else 0.5 * self.cost + 0.5 * cost
            self._t0, self._cpu0, self._frames = now, cpu, 0

    def leave(self, player):
        """``player`` paused: it no longer shares the core."""
        self._last_tick.pop(player, None)

    def period_ms(self, base_ms, now=None):
        """The period a Player should use: its own, or longer when the core is shared."""
        if self.cost is None:
            return base_ms
        need = 1000 * self.active(now) * self.cost / self.share
        return int(min(self.max_period_ms, max(base_ms, need)))

    def min_updates(self, period_ms):
        """Weight updates a frame needs so the session still learns ``min_rate`` per second."""
        return max(1, math.ceil(self.min_rate * period_ms / 1000))


#: The process's scheduler (see the module docstring for why one per process is right).
SCHEDULER = FrameScheduler()
