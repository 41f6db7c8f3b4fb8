"""The gradient-norm plot under the loss curve without a browser (issue 16): it streams
Session.grad_norms, marks the clipped updates and the divergences, and shares the curve's x axis."""
import numpy as np
from bokeh.document import Document
from bokeh.document.events import ColumnsStreamedEvent

from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.curves import LossCurveView


def attached(lesson=None):
    s = Session() if lesson is None else Session(lesson=lesson)
    view = LossCurveView(session=s, selection=Selection())
    doc = Document()
    doc.add_root(view.__panel__().get_root(doc))
    events = []
    doc.on_change(events.append)
    return view, events


def test_the_norm_plot_streams_each_updates_norm_under_the_loss_curve():
    view, events = attached()
    s, norms = view.session, view.norms
    s.step(4)
    s.step(2)
    assert norms.figure.x_range is view.figure.x_range
    assert list(norms.source.data["update"]) == [1, 2, 3, 4, 5, 6]
    assert list(norms.source.data["norm"]) == [n for _, n, _ in s.grad_norms]
    sent = [len(e.data["update"]) for e in events if isinstance(e, ColumnsStreamedEvent) and e.model.name == "norm_src"]
    assert sent == [2]  # the first frame replaced the empty source, the second streamed its 2
    lo, hi = min(n for _, n, _ in s.grad_norms), max(n for _, n, _ in s.grad_norms)
    assert norms.y_range.start <= lo and hi <= norms.y_range.end
    assert "at update 6" in norms.figure.title.text


def test_clipped_updates_and_the_clip_level_are_marked():
    view, _ = attached()
    s, norms = view.session, view.norms
    s.step(3)
    assert not norms.clip_level.visible and list(norms.clipped.data["update"]) == []
    s.clip = float(np.median([n for _, n, _ in s.grad_norms]))
    s.step(10)
    assert norms.clip_level.visible and norms.clip_level.location == s.clip
    assert list(norms.clipped.data["update"]) == [u for u, _, c in s.grad_norms if c] != []
    assert f"{sum(c for _, _, c in s.grad_norms)} clipped" in norms.figure.title.text


def test_a_divergence_is_a_vertical_mark_and_undo_or_reset_clears_the_plot():
    view, _ = attached("vanishing-exploding")
    s, norms = view.session, view.norms
    s.learning_rate, s.clip = 100.0, 1.0
    while s.step(1):
        pass
    assert list(norms.stops.data["update"]) == [s.updates]
    assert "stopped 1×" in norms.figure.title.text
    s.undo()
    assert list(norms.stops.data["update"]) == []
    assert list(norms.source.data["update"]) == list(range(1, s.updates + 1))
    s.reset()
    assert list(norms.source.data["update"]) == [] and list(norms.clipped.data["update"]) == []
