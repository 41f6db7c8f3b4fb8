"""What a view adds to a training frame on the server, measured without a browser.

Shared by the per-frame cost tests of the view modules, so that their printed numbers are
measured the same way and can be compared.
"""
import time

import numpy as np
from bokeh.document import Document

from simulator.state.selection import Selection
from simulator.state.session import Session


def frame_cost(make_view, frames=40):
    """Median ms a training frame costs with the view attached to a Bokeh document, minus the
    median for a session without views (the Session's own step).

    ``make_view(session=..., selection=...)`` builds the view: a view class, or a function that
    also prepares the view. Attached to a document, as when served, Panel's Bokeh models exist
    and each update pays for their change events.
    """
    def run(session):
        session.step(2)  # not timed: the first frames do one-off work (first draw, first stream)
        times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            session.step(1)
            times.append(time.perf_counter() - t0)
        return 1000 * float(np.median(times))
    bare = run(Session())
    session = Session()
    view = make_view(session=session, selection=Selection())
    doc = Document()
    doc.add_root(view.__panel__().get_root(doc))
    return run(session) - bare
