"""The error while training: the loss curve streamed point by point with the gradient norm of
each update under it (lecture 7d: exploding and vanishing gradients, and the clip that tames
them), and the current error split by time step and by training case (lecture 7b: the error is
a sum over both).

Kept cheap because it updates up to 20 times a second: the curve's source only streams the
new points, and its axes are explicit ranges changed a few times per run (BROWSER.md: an
automatic range makes the browser send a patch back for every streamed point).
"""
import numpy as np
import panel as pn
import param
from bokeh.models import (BasicTicker, BasicTickFormatter, ColumnDataSource, FixedTicker, HoverTool, Legend,
                          LegendItem, LinearScale, LogScale, Range1d, Span)
from bokeh.plotting import figure

from engine import bptt

from simulator.state.selection import Selection
from simulator.state.session import Session

from simulator.views.plotting import ThinnedCurve, columns, log_range, log_ticks, padded_range, readable
from simulator.views.save_tool import add_save_tool
from simulator.views.style import HIGHLIGHT, fmt
from simulator.views.throttle import Throttle

BAR = "#8a8a8a"  # bars of an unsigned quantity (E is never negative): no sign colour
TEST = "#2c6fbb"  # the test cases' error: a second curve, dashed (readable in black and white too)
CLIPPED = "#b35900"  # updates the clip scaled: triangles, and the clip level as a dotted line
DIVERGED = "#c0392b"  # where training stopped because numbers blew up: a dashed vertical line

FIRST_X_END = 20  # the curve's x axis starts at 0..20 updates and doubles when the run passes its end


def x_end(last_update):
    """The x axis end for a run that has reached ``last_update``: 20, 40, 80, ... (few changes)."""
    end = FIRST_X_END
    while end < last_update:
        end *= 2
    return end


class LossCurveView(pn.viewable.Viewer):
    """E after each update since the last reset, streamed while training runs; with test cases of
    the user's (docs/data.md), their E beside it, sampled at every frame, never trained on."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    log_scale = param.Boolean(default=True, label="Log scale",
                              doc="Show E on a logarithmic axis (the late part of training is visible).")

    def __init__(self, **params):
        super().__init__(**params)
        self.source = ColumnDataSource(name="loss_src", data=dict(update=[], loss=[]))
        self.line = ThinnedCurve(self.source, ("update", "loss"))
        self.now = ColumnDataSource(name="loss_now", data=dict(update=[0], loss=[1.0]))
        self.x_range, self.y_range = Range1d(0, FIRST_X_END), Range1d(0.1, 10)
        self.figure = fig = figure(x_range=self.x_range, y_range=self.y_range, height=280,
                                   sizing_mode="stretch_width", tools="", name="loss_figure")
        curve = fig.line("update", "loss", source=self.source, line_width=2.5, color="#222")
        fig.scatter("update", "loss", source=self.now, size=10, color=HIGHLIGHT, line_color="#222")
        self.test_source = ColumnDataSource(name="loss_test_src", data=dict(update=[], loss=[]))
        test = fig.line("update", "loss", source=self.test_source, line_width=2.5, color=TEST,
                        line_dash="dashed")
        fig.add_layout(Legend(items=[LegendItem(label="training cases", renderers=[curve]),
                                     LegendItem(label="test cases (never trained on)", renderers=[test])],
                              location="top_right", visible=False, name="loss_legend"))
        self._test = None  # (the test cases' Sequences, the last update drawn): a new test set restarts the curve
        fig.add_tools(HoverTool(renderers=[curve], mode="vline", tooltips=[("update", "@update"), ("E", "@loss{%0.6g}")],
                                formatters={"@loss": "printf"}))
        fig.xaxis.axis_label, fig.yaxis.axis_label = "weight update", "error E"
        add_save_tool(readable(fig), "loss-curve")
        self.log_toggle = pn.widgets.Checkbox.from_param(self.param.log_scale, css_classes=["loss-log-toggle"])
        self._sent, self._last, self._lo, self._hi = 0, None, np.inf, -np.inf
        self.norms = NormCurve(self.x_range)  # on the loss curve's x axis: update k of both lines up
        # gradients too: an edit or an undo changes E without adding to the history
        self.session.param.watch(self._on_history, ["history", "gradients", "cases", "grad_norms", "divergences",
                                                    "clip"])
        self.param.watch(self._on_log, ["log_scale"])
        self._on_log()
        self._on_history()

    def _on_history(self, *_):
        history = self.session.history
        restart = len(history) < self._sent or (self._sent and history[self._sent - 1][0] != self._last)
        if restart:
            self._sent, self._lo, self._hi = 0, np.inf, -np.inf
        new = history[self._sent:]
        n, E = self.session.updates, self.session.loss_value
        with pn.io.hold():
            if new or restart:
                # a reset draws anew, not appending to the old run
                self.line.show(history, 0 if restart else self._sent)
                self._sent, self._last = len(history), (history[-1][0] if history else None)
                self._extend(columns(new, "update", "loss")["loss"])
            self._extend([E])
            self.now.data = dict(update=[n], loss=[E])
            tested = self._test_point(n, restart)
            self._fit(n)
            self.norms.update(self.session)
            self.figure.title.text = f"Error E during training:\n{fmt(E)} after {n} updates" + (
                f"\non the test cases: {fmt(tested)}" if tested is not None else "")

    def _test_point(self, n, restart):
        """E of the test cases now (None without test cases), added to their curve."""
        test = (self.session.cases or {}).get("test")
        self.figure.legend.visible = test is not None
        if test is None:
            if self._test is not None:
                self.test_source.data, self._test = dict(update=[], loss=[]), None
            return None
        E = float(bptt(self.session.net, test, check=False).loss)
        self._extend([E])
        if restart or self._test is None or self._test[0] is not test or n < self._test[1]:
            self.test_source.data = dict(update=[n], loss=[E])
        elif n > self._test[1]:
            self.test_source.stream(dict(update=[n], loss=[E]))
        else:  # an edit or a load at the same update: the last point moves
            self.test_source.patch({"loss": [(len(self.test_source.data["loss"]) - 1, E)]})
        self._test = (test, n)
        return E

    def _extend(self, losses):
        finite = [e for e in losses if np.isfinite(e)]
        if finite:
            self._lo, self._hi = min(self._lo, min(finite)), max(self._hi, max(finite))

    def _fit(self, last_update, force=False):
        """Move the axes only when the data leave them (a few times per run)."""
        end = x_end(last_update)
        if self.x_range.end != end:
            self.x_range.update(start=0, end=end)
        if not np.isfinite(self._lo):
            return
        if self.log_scale:
            log_range(self.y_range, self.figure.yaxis[0], [self._lo, self._hi])
            return
        want = (0.0, self._hi * 1.05 if self._hi > 0 else 1.0)
        leaves, loose = self._hi > self.y_range.end, want[1] < self.y_range.end / 3
        if force or leaves or loose or self.y_range.start != 0.0:
            self.y_range.update(start=want[0], end=want[1])

    def _on_log(self, *_):
        fig, axis = self.figure, self.figure.yaxis[0]
        with pn.io.hold():
            if self.log_scale:
                # a plain decade until the data are fitted (log_range keeps bounds and ticks together)
                fig.y_scale, axis.formatter = LogScale(), BasicTickFormatter()
                self.y_range.update(start=0.1, end=10.0)
                axis.ticker = FixedTicker(ticks=log_ticks(0.1, 10.0))
            else:
                fig.y_scale, axis.ticker, axis.formatter = LinearScale(), BasicTicker(), BasicTickFormatter()
            fig.yaxis.axis_label = "error E (log scale)" if self.log_scale else "error E"
            self._fit(self.session.updates, force=True)

    def __panel__(self):
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), self.log_toggle,
                         pn.pane.Bokeh(self.norms.figure, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width", css_classes=["loss-curve-view"])


class NormCurve:
    """|g| of every update (Session.grad_norms: the gradient the rule was given, before the clip)
    on a log axis under the loss curve, sharing its x axis: the updates the clip scaled marked by
    triangles, the clip level dotted, and each update where training stopped because numbers blew
    up (Session.divergences) a dashed vertical line. Streamed like the loss curve."""

    def __init__(self, x_range):
        self.source = ColumnDataSource(name="norm_src", data=dict(update=[], norm=[]))
        self.line = ThinnedCurve(self.source, ("update", "norm"))
        self.clipped = ColumnDataSource(name="norm_clipped_src", data=dict(update=[], norm=[]))
        self.stops = ColumnDataSource(name="norm_diverged_src", data=dict(update=[]))
        self.y_range = Range1d(0.1, 10.0)
        self.figure = fig = figure(x_range=x_range, y_range=self.y_range, y_scale=LogScale(), height=190,
                                   sizing_mode="stretch_width", tools="", name="norm_figure")
        line = fig.line("update", "norm", source=self.source, line_width=2, color="#222")
        fig.scatter("update", "norm", source=self.clipped, marker="triangle", size=9, color=CLIPPED)
        fig.vspan(x="update", source=self.stops, line_color=DIVERGED, line_width=2, line_dash="dashed")
        self.clip_level = Span(dimension="width", location=1.0, visible=False, line_color=CLIPPED,
                               line_dash="dotted", line_width=2, name="norm_clip_level")
        fig.add_layout(self.clip_level)
        fig.add_tools(HoverTool(renderers=[line], mode="vline", tooltips=[("update", "@update"),
                                                                          ("|g|", "@norm{%0.6g}")],
                                formatters={"@norm": "printf"}))
        axis = fig.yaxis[0]
        axis.ticker, axis.formatter = FixedTicker(ticks=log_ticks(0.1, 10.0)), BasicTickFormatter()
        fig.xaxis.axis_label, fig.yaxis.axis_label = "weight update", "|g| (log scale)"
        add_save_tool(readable(fig), "gradient-norm")
        self._sent, self._last, self._lo, self._hi, self._clips = 0, None, np.inf, -np.inf, 0

    def update(self, session):
        """Stream the new norms, redraw the marks when they change, fit the y axis."""
        norms, clip = session.grad_norms, session.clip
        restart = len(norms) < self._sent or (self._sent and norms[self._sent - 1] != self._last)
        if restart:
            self._sent, self._lo, self._hi, self._clips = 0, np.inf, -np.inf, 0  # a reset, an undo or a load
        new = norms[self._sent:]
        if new or restart:
            data = columns(new, "update", "norm", "clipped")
            clipped = data.pop("clipped") != 0
            marks = {k: v[clipped] for k, v in data.items()}
            self.line.show(norms, self._sent)
            if self._sent == 0:
                self.clipped.data = marks
            elif len(marks["update"]):
                self.clipped.stream(marks)
            self._clips += len(marks["update"])  # counted as they arrive: a long run is not summed per frame
            shown = [n for n in data["norm"] if n > 0]
            if shown:
                self._lo, self._hi = min(self._lo, min(shown)), max(self._hi, max(shown))
            self._sent, self._last = len(norms), (norms[-1] if norms else None)
        if list(self.stops.data["update"]) != list(session.divergences):
            self.stops.data = dict(update=list(session.divergences))
        self.clip_level.update(location=clip or 1.0, visible=bool(clip))
        log_range(self.y_range, self.figure.yaxis[0], [v for v in (self._lo, self._hi, clip) if 0 < v < np.inf])
        self.figure.title.text = self.title(session)

    def title(self, session):
        norms = session.grad_norms
        if not norms:
            return "Gradient norm |g|\nper update (none yet)"
        # Short lines (a title cannot wrap): the sidebar's figure may be ~210 px wide in large type.
        clipped = f"\n{self._clips} clipped" if self._clips else ""
        stops = f"\nstopped {len(session.divergences)}× (blew up)" if session.divergences else ""
        return f"Gradient norm |g|:\n{fmt(norms[-1][1])} at update {norms[-1][0]}{clipped}{stops}"


class ErrorSplitView(pn.viewable.Viewer):
    """The current E split by time step (targets at step t) and by training case."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.step_source = ColumnDataSource(name="loss_by_step", data=dict(x=[], value=[], text=[], colour=[]))
        self.case_source = ColumnDataSource(name="loss_by_case", data=dict(x=[], value=[], text=[], colour=[],
                                                                           case=[]))
        self.step_figure, self.step_ranges = self._bars(self.step_source, "time step t", "loss_by_step_figure",
                                                        [("t", "@x"), ("E part", "@text")])
        self.case_figure, self.case_ranges = self._bars(self.case_source, "training case", "loss_by_case_figure",
                                                        [("case", "@x: @case"), ("E part", "@text")])
        self.redraw = Throttle(self._update, 0)
        self.session.param.watch(self.redraw, ["gradients"])
        self.selection.param.watch(self._update, ["case", "time"])
        self._update()

    @staticmethod
    def _bars(source, xlabel, name, tooltips):
        x_range, y_range = Range1d(-0.5, 10.5), Range1d(0, 1)
        fig = figure(x_range=x_range, y_range=y_range, height=220, sizing_mode="stretch_width", tools="",
                     name=name)
        fig.vbar(x="x", top="value", width=0.8, source=source, fill_color="colour", line_color=None)
        fig.add_tools(HoverTool(tooltips=tooltips))
        fig.xaxis.axis_label, fig.yaxis.axis_label = xlabel, "share of E"
        return add_save_tool(readable(fig), name), (x_range, y_range)

    def _update(self, *_):
        s, g = self.session, self.session.gradients
        by_step, by_case = np.asarray(g.loss_by_step), np.asarray(g.loss_by_case)  # (T+1,), (B,)
        info = getattr(s, "task_info", None)
        labels = ([str(v) for v in info] if info is not None and len(info) == len(by_case)
                  else [""] * len(by_case))
        t, c = self.selection.time, self.selection.case
        with pn.io.hold():
            self._fill(self.step_source, self.step_ranges, by_step, t)
            self._fill(self.case_source, self.case_ranges, by_case, c, case=labels)
            self.step_figure.title.text = f"E by time step (the bars add up to E = {fmt(g.loss)})"
            self.case_figure.title.text = f"E by training case (case {c} highlighted)"

    @staticmethod
    def _fill(source, ranges, values, selected, **extra):
        x_range, y_range = ranges
        n = len(values)
        if (x_range.start, x_range.end) != (-0.5, n - 0.5):
            x_range.update(start=-0.5, end=n - 0.5)
        padded_range(y_range, 0.0, float(np.nanmax(values)) if n else 1.0, pad=0.08)
        source.data = dict(x=list(range(n)), value=values, text=[f"{v:.6g}" for v in values],
                           colour=[HIGHLIGHT if k == selected else BAR for k in range(n)], **extra)

    def __panel__(self):
        return pn.Row(pn.pane.Bokeh(self.step_figure, sizing_mode="stretch_width"),
                      pn.pane.Bokeh(self.case_figure, sizing_mode="stretch_width"),
                      sizing_mode="stretch_width", css_classes=["error-split-view"])
