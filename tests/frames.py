"""What a view does on a training frame, counted without a browser (no clock: speed is measured
in benchmarks/bench_views.py, never asserted in a test).

A view that redraws twice per frame, or sets a property and then sets it back, makes the
browser repaint for nothing; counting the Bokeh document's change events per frame catches it
on any machine, however loaded.
"""
from collections import Counter

from bokeh.document import Document

from simulator.state.selection import Selection
from simulator.state.session import Session


def attached(make_view):
    """(view, document events list): the view in a Bokeh document, as when served."""
    view = make_view(session=Session(), selection=Selection())
    doc, events = Document(), []
    doc.add_root(view.__panel__().get_root(doc))
    doc.on_change(events.append)
    return view, events


def changes_per_frame(view, events, frame, frames=4):
    """The most times one property of one Bokeh model changed within one call of ``frame(k)``,
    and the number of events of the last frame (0: the frame changed nothing)."""
    frame(-1)  # not counted: the first frames do one-off work (first draw, first stream)
    most, last = 0, 0
    for k in range(frames):
        events.clear()
        frame(k)
        count = Counter((type(e).__name__, e.model.id, getattr(e, "attr", None)) for e in events)
        most, last = max(most, max(count.values(), default=0)), len(events)
    return most, last


def training_frame(view):
    return lambda _k: view.session.step(1)


def pass_tick(view):
    """Ticks 0, 1, ...: the forward pass, then the backward pass, one frame each."""
    T = view.session.sequences.T
    return lambda k: setattr(view.selection, "tick", (k + 1) % (2 * T + 2))


def assert_frames_change_each_property_once(cls, *frames):
    """Each kind of frame (``training_frame``, ``pass_tick``) changes something in a ``cls`` view,
    and no Bokeh property twice."""
    view, events = attached(cls)
    for frame in frames:
        most, last = changes_per_frame(view, events, frame(view))
        assert most == 1 and last > 0, f"{cls.__name__}, {frame.__name__}: {most} changes of one property, {last} events"
