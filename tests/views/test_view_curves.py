"""The loss curve and the error split without a browser: streaming, resets, ranges, bars."""
import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnsStreamedEvent, ModelChangedEvent
from bokeh.models import ColumnDataSource, LinearScale, LogScale

import frames
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.curves import ErrorSplitView, LossCurveView
from simulator.views.plotting import ThinnedCurve


@pytest.fixture
def attached():
    """A LossCurveView in a Bokeh document, with the list of document events it produces."""
    s, sel = Session(), Selection()
    view = LossCurveView(session=s, selection=sel)
    doc = Document()
    doc.add_root(view.__panel__().get_root(doc))
    events = []
    doc.on_change(events.append)
    return view, events


def streamed(events):
    return [e for e in events if isinstance(e, ColumnsStreamedEvent) and e.model.name == "loss_src"]


def test_the_curve_streams_only_new_points(attached):
    """Each training frame streams just its new (update, E) points, equal to session.history."""
    view, events = attached
    s = view.session
    s.step(5)
    s.step(3)
    s.step(1)
    assert list(view.source.data["update"]) == [u for u, _ in s.history] == list(range(1, 10))
    np.testing.assert_allclose(view.source.data["loss"], [e for _, e in s.history])
    assert [len(e.data["update"]) for e in streamed(events)] == [3, 1]  # the first frame replaced []
    assert list(view.now.data["loss"]) == [pytest.approx(s.loss_value)]


def test_a_reset_replaces_the_curve(attached):
    """After a reset the old run is gone: the source is replaced, and the new run streams again."""
    view, events = attached
    s = view.session
    s.step(4)
    s.reset()
    assert list(view.source.data["update"]) == []
    s.step(2)
    s.step(2)
    assert list(view.source.data["update"]) == [1, 2, 3, 4]
    np.testing.assert_allclose(view.source.data["loss"], [e for _, e in s.history])
    assert "after 4 updates" in view.figure.title.text


def test_the_axes_change_rarely_while_training(attached):
    """Over 60 one-update frames the x axis doubles twice (20 -> 40 -> 80) and the y axis stays put mostly."""
    view, events = attached
    s = view.session
    for _ in range(60):
        s.step(1)
    assert (view.x_range.start, view.x_range.end) == (0, 80)
    x_changes = [e for e in events if isinstance(e, ModelChangedEvent) and e.model is view.x_range]
    y_changes = [e for e in events if isinstance(e, ModelChangedEvent) and e.model is view.y_range]
    assert len(x_changes) <= 4 and len(y_changes) <= 6  # start and end are one event each
    losses = [e for _, e in s.history] + [s.loss_value]
    assert view.y_range.start <= min(losses) and max(losses) <= view.y_range.end


def test_linear_and_log_scale(attached):
    """Switching the scale swaps the y scale; the linear axis starts at 0 and holds every point."""
    view, _ = attached
    s = view.session
    s.step(6)
    assert isinstance(view.figure.y_scale, LogScale)
    view.log_scale = False
    assert isinstance(view.figure.y_scale, LinearScale)
    assert view.y_range.start == 0 and view.y_range.end >= max(e for _, e in s.history)
    view.log_scale = True
    assert isinstance(view.figure.y_scale, LogScale)
    assert 0 < view.y_range.start <= min(e for _, e in s.history)


def test_error_split_by_step_and_by_case():
    """The bars are E's parts by time step and by case; they add up to E; the selected case is highlighted."""
    s, sel = Session(), Selection()
    view = ErrorSplitView(session=s, selection=sel)
    view.__panel__()
    s.step(3)
    sel.case = 5
    g = s.gradients
    np.testing.assert_allclose(view.step_source.data["value"], g.loss_by_step)
    np.testing.assert_allclose(view.case_source.data["value"], g.loss_by_case)
    assert sum(view.step_source.data["value"]) == pytest.approx(g.loss)
    assert sum(view.case_source.data["value"]) == pytest.approx(g.loss)
    colours = view.case_source.data["colour"]
    assert colours[5] != colours[4] and len(set(colours)) == 2
    assert view.case_source.data["case"][5] == str(s.task_info[5])
    assert view.case_ranges[1].end >= max(g.loss_by_case)


def test_curves_change_each_property_once_per_training_frame():
    """A training frame redraws each view once: no Bokeh property changes twice in one frame
    (the frame's cost is measured in benchmarks/bench_views.py)."""
    for cls in (LossCurveView, ErrorSplitView):
        frames.assert_frames_change_each_property_once(cls, frames.training_frame)


def test_a_frames_new_points_leave_as_binary_columns(attached):
    """The curves stream their new points as float64 arrays, which Bokeh sends as one binary
    buffer per column; lists were encoded number by number (~600 numbers a frame at 150 updates)."""
    view, events = attached
    s = view.session
    s.step(3)
    s.step(150)
    [loss] = streamed(events)
    norm = [e for e in events if isinstance(e, ColumnsStreamedEvent) and e.model.name == "norm_src"]
    assert norm, "the norm curve streamed too"
    for event in [loss, *norm]:
        for name, column in event.data.items():
            assert isinstance(column, np.ndarray) and column.dtype == np.float64, (event.model.name, name, type(column))
            assert len(column) == 150
    assert list(view.source.data["update"]) == [u for u, _ in s.history] == list(range(1, 154))


def test_a_long_run_is_thinned_to_every_stride_th_point():
    """A line keeps at most ``most`` points of its record: every stride-th entry from the first,
    the stride doubling (and the line drawn whole again) only when it would hold more."""
    source = ColumnDataSource(data=dict(update=[], loss=[]))
    doc = Document()
    doc.add_root(source)
    events = []
    doc.on_change(events.append)
    line = ThinnedCurve(source, ("update", "loss"), most=100)
    record, lengths = [], []
    for frame in range(150):
        start = len(record)
        record += [(u, 1.0 / u) for u in range(start + 1, start + 1 + 7 + frame % 5)]
        line.show(record, start)
        lengths.append(len(source.data["update"]))
        assert list(source.data["update"]) == [u for u, _ in record[::line.stride]]
    assert len(record) > 1000 and line.stride == 16 and max(lengths) <= 100
    drawn_whole = [e for e in events if not isinstance(e, ColumnsStreamedEvent)]
    assert len(drawn_whole) == 5, "drawn whole once per doubling (1 -> 16), streamed otherwise"
    np.testing.assert_array_equal(source.data["loss"], [e for _, e in record[::16]])


def test_the_loss_and_norm_curves_of_a_long_run_are_thinned(attached):
    view, _ = attached
    s = view.session
    view.line.most = view.norms.line.most = 40
    for _ in range(25):
        s.step(7)
    assert len(s.history) == 175
    assert view.line.stride == view.norms.line.stride == 8
    assert list(view.source.data["update"]) == [u for u, _ in s.history[::8]]
    assert list(view.norms.source.data["norm"]) == [n for _, n, _ in s.grad_norms[::8]]
    assert view.now.data["update"] == [175], "the last point is the marker's"
