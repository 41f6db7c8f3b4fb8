"""Player: the session's only timer. It trains (Play) or animates a pass in slow motion.

TensorFlow Playground's Player in Panel form: one periodic callback per browser session,
started and stopped by ``playing``/``animating``. A training tick runs as many updates as
fit in a small time budget (so small nets learn quickly and big ones keep the page live),
then the session recomputes what is shown once: one redraw per tick, never a blocking loop.
"""
import inspect

import panel as pn
import param
from panel.io.callbacks import PeriodicCallback
from panel.io.state import set_curdoc

from simulator.serving.offload import heavy_session, off_loop, served_doc
from simulator.serving.pacer import FramePacer
from simulator.serving.scheduler import SCHEDULER
from simulator.state.selection import Selection
from simulator.state.session import Session


def watched():
    """False when this callback's served session has no open websocket. Bokeh keeps a session
    whose tab closed for a minute (simulator/serving/server.py) and runs its callbacks all the while, so
    its training would take a share of the core from the students still there."""
    context = getattr(pn.state.curdoc, "session_context", None)
    session = getattr(context, "_session", None)  # Bokeh's ServerSession; None outside a server
    return session is None or session.connection_count > 0


class Player(param.Parameterized):
    """Play/Pause training and the slow-motion pass, driven by one periodic callback."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    playing = param.Boolean(default=False, doc="Training runs while this is on.")
    animating = param.Boolean(default=False, doc="The forward/backward pass plays in slow motion.")
    period = param.Integer(default=40, bounds=(20, 2000), doc="Milliseconds between training frames.")
    animation_period = param.Integer(default=450, bounds=(50, 5000), doc="Milliseconds between pass ticks.")
    budget = param.Number(default=0.015, bounds=(0.001, 0.5),
                          doc="Seconds of server time a training frame may spend on updates.")
    max_updates = param.Integer(default=50, bounds=(1, 10_000), doc="Most updates per frame.")
    catch_up = param.Boolean(default=True, doc="Make up frames the page made us skip in updates (beyond "
                             "max_updates); off for speeds that promise a number of updates a frame.")
    updates_per_frame = param.Integer(default=1, doc="How many updates the last frame ran (measured).")
    pacer = param.ClassSelector(class_=FramePacer, default=None,
                                doc="The page's frame acknowledgements (simulator/serving/pacer.py); None: unpaced.")
    fair = param.Boolean(default=True, doc="Share the server's core with the other sessions that train: "
                         "longer frames under load, each with more updates (simulator/serving/scheduler.py).")

    def __init__(self, **params):
        super().__init__(**params)
        self._callback = None
        self._cost = None  # measured seconds per update, smoothed
        self._waited = 0  # ticks skipped since the last frame (pacer.py)
        self._busy = False  # a step is computing in the worker thread (offload.py)
        self._retrying = False  # a tick waits for the loop's next turn (_retry_next_turn)

    def _run(self, on, period, fn):
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        if on:
            # background: Panel would otherwise count every tick as a busy event of the whole
            # process (pn.state.busy, for a busy indicator this app does not show): two updates of
            # a process-wide list and their watchers per tick, ~4 ms a tick in a profile. No log line per
            # tick either. The session's document removes the callback when the session ends.
            self._callback = PeriodicCallback(callback=fn, period=period, background=True, log=False)
            self._callback.start()

    @param.depends("playing", watch=True)
    def _on_playing(self):
        if self.playing:
            self.animating = False
            self.selection.tick = -1
        if not self.playing:
            SCHEDULER.leave(self)
        self._run(self.playing, self.period, self.tick)

    @param.depends("period", "animation_period", watch=True)
    def _on_period(self):
        # A new speed applies from the next frame or tick, not after the old timer's.
        if self.playing:
            self._run(True, self.period, self.tick)
        elif self.animating:
            self._run(True, self.animation_period, self.advance)

    @param.depends("animating", watch=True)
    def _on_animating(self):
        if self.animating:
            self.playing = False
            if self.selection.tick < 0:
                self.selection.tick = 0
        self._run(self.animating, self.animation_period, self.advance)

    def tick(self):
        """One training frame: as many updates as fit the budget, then one redraw."""
        if not watched() or self._busy or self._retrying:
            return  # the tab is closed (or not connected yet): no one to draw for; or still computing
        if self.pacer is not None and self.pacer.behind():
            self._waited += 1
            return  # the page is still drawing earlier frames: a new one would only queue
        if self.fair and not SCHEDULER.may_frame():
            return self._retry_next_turn()  # another session's frame ran in this turn of the loop
        # Frames the page made us skip are made up in updates (up to 4 frames' worth of budget), so
        # a slow page sees fewer redraws but the net learns at about the same pace.
        k, self._waited = (1 + min(self._waited, 3) if self.catch_up else 1), 0
        n = 1 if self._cost is None else max(1, min(k * self.max_updates, int(k * self.budget / self._cost)))
        if self.fair and self._callback is not None:
            n = max(n, min(self.max_updates, SCHEDULER.min_updates(self._callback.period)))
        return self._step(n, self._framed)

    def _retry_next_turn(self):
        """tick() again in the event loop's next turn, after it has read the sockets (a click
        waits for one frame, not for every session's): a next-tick callback of this session's
        document, which takes its lock as the timer's tick does. The periodic ticks meanwhile
        return at once (``_retrying``)."""
        doc = served_doc()
        if doc is None or self._retrying:
            return None
        self._retrying = True

        async def again():
            self._retrying = False
            if self.playing:
                with set_curdoc(doc):
                    result = self.tick()
                if inspect.isawaitable(result):
                    await result
        doc.add_next_tick_callback(again)
        return None

    def _framed(self, ok, n):
        cost = self.session.update_seconds
        self._cost = cost if self._cost is None else 0.7 * self._cost + 0.3 * cost
        self.updates_per_frame = n
        if self.pacer is not None:
            self.pacer.frame_sent()
        if not ok:
            self.playing = False  # divergence: the session says what happened
        elif self.fair:
            self._share()

    def step_once(self):
        """One weight update (the Step button, Enter): like Session.step, but for a big net on a
        server the update runs off the event loop; returns the coroutine to await then."""
        return None if self._busy else self._step(1, lambda ok, n: ok)

    def _step(self, n, after):
        """Session.step(n), off the loop for a big net when served (offload.py); then ``after(ok, n)``."""
        session, heavy = self.session, heavy_session(self.session)

        def work():
            computed = session.compute_step(n)
            if heavy and computed is not None:
                computed["grads"].dW_by_step  # noqa: B018 - the views' G_t, computed here too (cached)
            return computed

        def then(computed):
            self._busy = False
            if isinstance(computed, Exception):
                raise computed
            # One hold for the whole frame: every view's changes (and the pacer's count) leave
            # as one PATCH-DOC message, not one per view; a frame changes no structure.
            with pn.io.hold():
                return after(session.publish_step(computed), n)

        self._busy = True
        return off_loop(work, then, heavy)

    def _share(self):
        """Tell the scheduler a frame ran; follow its period when it differs by more than a
        quarter (each change restarts the timer, so small wobbles are ignored)."""
        SCHEDULER.frame_done(self)
        cb = self._callback
        if cb is not None:
            target = SCHEDULER.period_ms(self.period)
            if abs(target - cb.period) > 0.25 * cb.period:
                cb.period = target

    def advance(self, delta=1):
        """Move the pass animation one tick (the last tick stops the animation)."""
        T = self.session.sequences.T
        last = 2 * T + 1
        tick = self.selection.tick
        tick = (0 if delta > 0 else last) if tick < 0 else tick + delta
        if tick > last or tick < 0:
            self.animating = False
            tick = max(0, min(last, tick))
        self.selection.tick = tick
        if tick == last and delta > 0:
            self.animating = False

    def stop(self):
        self.playing = False
        self.animating = False
