"""Throttle: redraw a secondary view at most every so often while training streams frames,
and not at all while it is off screen.

Every Bokeh figure that changes costs the browser a canvas repaint; on a 2-core machine the
page drew fewer frames than the server sent when all five figures repainted on each one.
Views whose numbers only need to be readable (bars, norms, the unrolled twin) redraw a few
times a second instead; the first change after a quiet spell runs at once (a Step click
shows immediately) and the last change of a burst always lands, on a one-shot timer.
A view in a hidden tab (``shown = False``) skips its work until the tab is opened: with a class
on one server, that work is paid per session per frame.
"""
import math
import time

import panel as pn


class Throttle:
    """Call ``fn`` at most once per ``interval`` seconds, always ending on the latest state."""

    def __init__(self, fn, interval, alone=None):
        """``alone()``, when given and true, runs even a due ``fn`` in a loop callback of its own
        (1 ms on) instead of inside the change that called: a big net's slow redraw then waits for
        the other sessions' messages that came meanwhile rather than holding the loop with the rest."""
        self.fn, self.interval, self.alone = fn, interval, alone
        self.pending = False  # a change came that fn has not shown yet
        self._last, self._timer, self._shown = -math.inf, None, True

    @property
    def shown(self):
        """False while the view is off screen (a hidden tab): changes wait until it shows again."""
        return self._shown

    @shown.setter
    def shown(self, value):
        self._shown = bool(value)
        if self._shown and self.pending:
            self.run()

    def __call__(self, *_):
        self.pending = True
        if not self._shown:
            return
        wait = self._last + self.interval - time.monotonic()
        doc = self._served_doc()
        if doc is None or (wait <= 0 and not (self.alone and self.alone())):
            self.run()  # due now (and light), or not served (tests, notebooks: no timer would fire)
        elif self._timer is None:
            self._timer = doc.add_timeout_callback(self._fire, max(1, math.ceil(max(wait, 0) * 1000)))  # wait is -inf before the first run

    @staticmethod
    def _served_doc():
        doc = pn.state.curdoc
        return doc if doc is not None and doc.session_context is not None else None

    def _fire(self):
        self._timer = None
        if self.pending and self._shown:
            self.run()

    def run(self):
        """Call fn now (and count this as the latest call)."""
        self.pending, self._last = False, time.monotonic()
        self.fn()
