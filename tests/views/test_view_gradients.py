"""Gradient views without a browser: per-step bars, error size per step, the unrolled-net equivalence."""
import numpy as np
import pytest

from engine import UnrolledNet
from frames import assert_frames_change_each_property_once, training_frame
from markup_text import shown_html
from simulator.lessons.registry import LESSONS
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.equivalence import EquivalenceView
from simulator.views.gradients import ErrorByStepView, GradientBarsView
from simulator.views.throttle import Throttle


@pytest.fixture
def state():
    return Session(), Selection()


def test_bars_are_the_steps_contributions_and_their_sum(state):
    """The bars of the default weight (the first connection, h1←a) are G_1..G_T and dW."""
    s, sel = state
    view = GradientBarsView(session=s, selection=sel)
    view.__panel__()
    for _ in range(2):
        g, T = s.gradients, s.sequences.T
        data = view.source.data
        assert data["x"] == [str(t) for t in range(1, T + 1)] + ["sum = dW"]
        np.testing.assert_allclose(data["value"][:T], g.dW_by_step[:, 2, 0], rtol=0, atol=1e-15)
        assert data["value"][T] == pytest.approx(g.dW[2, 0], abs=1e-15)
        assert data["value"][T] == pytest.approx(sum(data["value"][:T]), abs=1e-12)
        assert data["text"][T] == f"{g.dW[2, 0]:.4g}"
        assert "h1←a" in view.figure.title.text
        s.step(5)


def test_bars_follow_the_selected_weight_and_time(state):
    """Selecting W[h3←h2] shows its numbers; the selected time step's bar gets a heavy outline."""
    s, sel = state
    view = GradientBarsView(session=s, selection=sel)
    sel.weight, sel.time = (4, 3), 3
    data = view.source.data
    np.testing.assert_allclose(data["value"][:-1], s.gradients.dW_by_step[:, 4, 3], atol=1e-15)
    assert "h3←h2" in view.figure.title.text
    assert data["line_width"][2] == 3 and data["line_width"][0] < 3
    assert view.y_range.start <= min(data["value"]) and max(data["value"]) <= view.y_range.end


def test_bars_of_a_tied_weight_show_the_applied_group_sum(state):
    """A tied weight gets an extra bar: the sum of its tie group's dW, the gradient applied."""
    s, sel = state
    view = GradientBarsView(session=s, selection=sel)
    assert s.tie([("W", 2, 0), ("W", 3, 1)])
    data, dW = view.source.data, s.gradients.dW
    assert data["x"][-1] == "tied: group sum"
    assert data["value"][-1] == pytest.approx(dW[2, 0] + dW[3, 1], abs=1e-15)
    assert data["value"][-2] == pytest.approx(dW[2, 0], abs=1e-15)
    assert "W[h2←b]" in view.note.object


def test_bars_of_an_absent_connection_give_a_message(state):
    """W[a←a] does not exist: no bars, and a message that says so."""
    s, sel = state
    view = GradientBarsView(session=s, selection=sel)
    sel.weight = (0, 0)
    assert view.source.data["value"] == []
    assert "does not exist" in view.note.object


def test_bars_not_yet_computed_in_the_pass_animation_are_faint(state):
    """In the backward pass at tick T+3, steps T..T-2 are computed, the rest and the sum are not yet."""
    s, sel = state
    view = GradientBarsView(session=s, selection=sel)
    T = s.sequences.T
    sel.tick = T + 3  # backward pass, columns t >= T - 2 done
    alpha = view.source.data["alpha"]
    assert all(a > 0.5 for a in alpha[T - 3:T]) and all(a < 0.5 for a in alpha[:T - 3])
    assert alpha[T] < 0.5  # not summed yet
    sel.tick = 2 * T + 1
    assert all(a > 0.5 for a in view.source.data["alpha"])


def test_error_by_step_is_the_norm_of_d_and_g_per_step(state):
    """The points are |d_t| and |g_t| over cases and units, on a log range that contains them."""
    s, sel = state
    view = ErrorByStepView(session=s, selection=sel)
    view.__panel__()
    s.step(3)
    dz, ds = s.gradients.dz, s.gradients.ds
    d, g = view.source.data["d"], view.source.data["g"]
    assert np.isnan(d[0])
    for t in range(1, s.sequences.T + 1):
        assert d[t] == pytest.approx(np.sqrt((dz[:, t, :] ** 2).sum()), rel=1e-12)
        assert g[t] == pytest.approx(np.sqrt((ds[:, t, :] ** 2).sum()), rel=1e-12)
    finite = np.concatenate([d[1:], g])
    finite = finite[np.isfinite(finite)]
    assert view.y_range.start <= finite.min() and finite.max() <= view.y_range.end
    sel.time = 4
    assert view.cursor.location == 4


def test_error_by_step_leaves_zeros_out_of_the_log_axis(state):
    """With the output cut off from the hidden units, no error reaches d_1: it is omitted and named."""
    s, sel = state
    view = ErrorByStepView(session=s, selection=sel)
    for j in (2, 3, 4):
        assert s.set_parameter(("W", 5, j), "0")
    assert np.all(s.gradients.dz[:, 1, :] == 0)
    assert np.isnan(view.source.data["d"][1])
    assert "t = 1" in view.note.object and "not drawn" in view.note.object


def test_equivalence_matches_the_unrolled_net(state):
    """With squared error, BPTT's dW and the unrolled net's tied sum agree to rounding, row by row."""
    s, sel = state
    s.loss = "squared"
    view = EquivalenceView(session=s, selection=sel)
    view.__panel__()
    s.step(4)
    assert view.max_difference is not None and view.max_difference < 1e-12
    rows = view.rows
    k = rows["param"].index("W[h2←h3]")
    assert float(rows["bptt"][k]) == pytest.approx(s.gradients.dW[3, 4], rel=1e-7)
    _, dW, _, _ = UnrolledNet(s.net, s.sequences).tied_gradients()
    assert float(rows["unrolled"][k]) == pytest.approx(dW[3, 4], rel=1e-7)
    assert len(rows["param"]) == int(s.net.C.sum()) + s.net.N  # the weights and the biases
    assert "update 4" in view.summary.object
    sel.weight = (3, 4)
    table = shown_html(view.table)
    assert "<td><strong>W[h2←h3]</strong></td>" in table.replace(' style="text-align:left"', "")
    assert "<td>W[h1←a]</td>" in table.replace(' style="text-align:left"', "")


@pytest.mark.parametrize("back", [1, 2, -1, 0, 3])
def test_equivalence_of_truncated_gradients_is_zero(state, back):
    """Gradients of BPTT(h) are compared with the twin truncated the same way: the difference is ~0
    for h = 1, 2, T-1, T, T+3."""
    from engine import bptt
    s, sel = state
    s.loss = "squared"
    view = EquivalenceView(session=s, selection=sel)
    view.__panel__()
    T = s.sequences.T
    h = back if back > 0 and back < 3 else T + back
    s.gradients = bptt(s.net, s.sequences, truncate=h)
    view.refresh()
    assert view.max_difference is not None and view.max_difference < 1e-12
    full = UnrolledNet(s.net, s.sequences).tied_gradients()[1]
    i, j = np.nonzero(s.net.C)
    assert (h >= T) == np.allclose(view.rows["unrolled"][:len(i)], full[i, j], rtol=0, atol=1e-12)


def test_equivalence_reports_non_finite_twin_numbers_plainly(state):
    """On the default lesson either the numbers agree, or the summary says they are not finite."""
    s, sel = state
    view = EquivalenceView(session=s, selection=sel)
    with np.errstate(all="ignore"):
        twin_loss = UnrolledNet(s.net, s.sequences).tied_gradients()[0]
    if np.isfinite(twin_loss):
        assert view.max_difference < 1e-12
    else:  # engine.UnrolledNet's cross-entropy gives 0 * inf = nan for untargeted clamped 0/1 states
        assert view.max_difference is None and "not finite" in view.summary.object


class ServedDoc:
    """Stands in for a served Bokeh document as far as Throttle sees one: it records timers."""

    def __init__(self):
        self.timers = []

    def add_timeout_callback(self, fn, ms):
        self.timers.append((fn, ms))
        return fn


def test_throttle_runs_at_once_then_once_per_interval_ending_on_the_latest(monkeypatch):
    """A quiet spell's first call runs now; calls inside the interval arm one timer, which runs once."""
    doc = ServedDoc()
    monkeypatch.setattr(Throttle, "_served_doc", staticmethod(lambda: doc))
    calls = []
    throttle = Throttle(lambda: calls.append(len(calls)), interval=60)
    throttle()
    assert calls == [0] and not doc.timers
    throttle(), throttle(), throttle()
    assert calls == [0] and len(doc.timers) == 1 and 0 < doc.timers[0][1] <= 60_000 and throttle.pending
    doc.timers[0][0]()
    assert calls == [0, 1] and not throttle.pending
    doc.timers[0][0]()  # a timer with nothing new to show draws nothing
    assert calls == [0, 1]


def test_equivalence_is_recomputed_at_most_every_min_interval(state, monkeypatch):
    """While training runs the twin waits for a timer; the timer brings the numbers up to date."""
    s, sel = state
    s.loss = "squared"
    doc = ServedDoc()
    monkeypatch.setattr(Throttle, "_served_doc", staticmethod(lambda: doc))
    view = EquivalenceView(session=s, selection=sel, min_interval=60)
    s.step(1)  # computed just now at construction: this one waits
    assert doc.timers and view._stale and "update 0" in view.summary.object
    doc.timers[0][0]()
    assert not view._stale and "update 1" in view.summary.object
    view.active = False
    s.step(1)
    assert "update 1" in view.summary.object
    view.active = True
    assert "update 2" in view.summary.object


def test_gradient_views_change_each_property_once_per_training_frame():
    """A training frame redraws each view once: no Bokeh property changes twice in one frame
    (the frame's cost is measured in benchmarks/bench_views.py)."""
    for cls in (GradientBarsView, ErrorByStepView, EquivalenceView):
        assert_frames_change_each_property_once(cls, training_frame)


@pytest.mark.parametrize("lesson", list(LESSONS))
@pytest.mark.parametrize("frame_w", [300, 371, 600])
def test_axis_labels_of_the_last_step_and_the_sums_are_apart(lesson, frame_w):
    """At any frame width the browser reports, the last step's label and each sum's (0.6 em a
    character of the axis font) are at least 4 px apart, and the last label stays in the frame
    and its border (issue 20, item 3: "15" and "sum = dW" overlapped at 1280 x 720)."""
    s, sel = Session(lesson=lesson), Selection()
    tied = [tuple(r[1:]) for g in s.net.ties for r in g if r[0] == "W"]
    sel.weight = tied[0] if tied else None  # a tied weight adds "tied: group sum"
    view = GradientBarsView(session=s, selection=sel)
    view._on_resize("inner_width", None, frame_w)
    factors = list(view.figure.x_range.factors)
    pitch = frame_w / (len(factors) + 1)
    px = float(view.figure.xaxis[0].major_label_text_font_size[:-2])
    shown = [(k, f) for k, f in enumerate(factors) if f.strip()]
    assert [f for _, f in shown] == list(view.source.data["x"])
    for (a, fa), (b, fb) in zip(shown[s.sequences.T - 1:], shown[s.sequences.T:]):
        assert (b - a) * pitch - 0.3 * px * (len(fa) + len(fb)) >= 4, (fa, fb)
    k, last = shown[-1]
    assert (len(factors) - k) * pitch + 5 >= 0.3 * px * len(last)


@pytest.mark.parametrize("heavy", [False, True])
def test_a_big_nets_equivalence_waits_for_a_callback_of_its_own(state, monkeypatch, heavy):
    """Served, a big net's unrolled sum (the largest piece of its redraw) is not computed inside
    the Step or Load that changed the gradients, even after a quiet spell: a 1 ms timer runs it,
    so other sessions' messages get the loop in between. A small net's runs at once, as before."""
    from simulator.views import equivalence
    s, sel = state
    doc = ServedDoc()
    monkeypatch.setattr(Throttle, "_served_doc", staticmethod(lambda: doc))
    monkeypatch.setattr(equivalence, "heavy_session", lambda session: heavy)
    view = EquivalenceView(session=s, selection=sel, min_interval=0)
    s.step(1)
    if not heavy:
        assert not doc.timers and "update 1" in view.summary.object
        return
    assert [ms for _, ms in doc.timers] == [1] and view._stale and "update 0" in view.summary.object
    doc.timers[0][0]()
    assert not view._stale and "update 1" in view.summary.object
    fresh = Throttle(lambda: None, 0.5, alone=lambda: True)  # never run yet (a hidden tab's view)
    fresh()
    assert doc.timers[-1][1] == 1
