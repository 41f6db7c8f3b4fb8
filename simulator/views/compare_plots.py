"""Compare mode's two shared pictures (issue 19): the runs' loss curves overlaid in one plot, and
the selected weight's G_t bars of every run side by side on one scale.

One colour per run (Okabe-Ito, told apart in every common colour vision), the same in the run's
column (simulator/views/compare.py). Like the single run's curve (views/curves.py) the curves only
stream their new points and their axes change rarely (BROWSER.md: automatic ranges make the page
send a patch back for every streamed point).
"""
import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem, Range1d
from bokeh.plotting import figure

from simulator.state.compare import Comparison
from simulator.state.selection import Selection
from simulator.views.curves import x_end
from simulator.views.plotting import ThinnedCurve, first_connection, log_range, padded_range, readable, weight_name
from simulator.views.save_tool import add_save_tool

#: One colour per run (Okabe-Ito: blue, vermillion, bluish green, reddish purple).
RUN_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
DASHES = ("solid", "dashed", "dotted", "dashdot")  # apart in black and white too


class CompareCurves(pn.viewable.Viewer):
    """E after each update of every run, one line per run, the legend naming what differs."""

    comparison = param.ClassSelector(class_=Comparison)

    def __init__(self, **params):
        super().__init__(**params)
        self.x_range, self.y_range = Range1d(0, x_end(0)), Range1d(0.1, 10)
        self.figure = fig = figure(x_range=self.x_range, y_range=self.y_range, y_axis_type="log", height=300,
                                   sizing_mode="stretch_width", tools="", name="compare_loss_figure")
        fig.xaxis.axis_label, fig.yaxis.axis_label = "weight update", "error E"
        self.sources, lines = [], []
        for k in range(len(RUN_COLOURS)):  # every run a cap allows; the unused ones stay empty and unlisted
            src = ColumnDataSource(name=f"compare_loss_{k}", data=dict(update=[], loss=[]))
            self.sources.append(src)
            lines.append(fig.line("update", "loss", source=src, line_width=2.5, color=RUN_COLOURS[k],
                                  line_dash=DASHES[k]))
        self.lines = lines
        self.thinned = [ThinnedCurve(src, ("update", "loss")) for src in self.sources]  # a long run stays light
        self.legend = Legend(items=[], location="top_right", name="compare_legend")
        fig.add_layout(self.legend)
        fig.add_tools(HoverTool(renderers=lines, tooltips=[("update", "@update"), ("E", "@loss{%0.6g}")],
                                formatters={"@loss": "printf"}))
        add_save_tool(readable(fig), "compare-loss-curves")
        self._sent, self._lo, self._hi = [], np.inf, -np.inf
        self._restart()

    @param.depends("comparison.runs", watch=True)
    def _restart(self):
        c = self.comparison
        self._sent, self._lo, self._hi = [0] * len(c.runs), np.inf, -np.inf
        for src in self.sources:
            src.data = dict(update=[], loss=[])
        self.legend.items = [LegendItem(label=c.label(k), renderers=[self.lines[k]]) for k in range(len(c.runs))]
        self.figure.title.text = "Error E of each run (one colour per run)"
        self._draw()

    @param.depends("comparison.updates", watch=True)
    def _draw(self):
        c, last = self.comparison, 0
        with pn.io.hold():
            for k, run in enumerate(c.runs):
                new = run.history[self._sent[k]:]
                if new:
                    self.thinned[k].show(run.history, self._sent[k])
                    self._sent[k] = len(run.history)
                finite = [e for _, e in new if np.isfinite(e) and e > 0] + \
                    ([run.loss_value] if np.isfinite(run.loss_value) and run.loss_value > 0 else [])
                if finite:
                    self._lo, self._hi = min(self._lo, *finite), max(self._hi, *finite)
                last = max(last, run.updates)
            if self._lo <= self._hi:
                log_range(self.y_range, self.figure.yaxis[0], [self._lo, self._hi])
            end = x_end(last)
            if self.x_range.end != end:
                self.x_range.end = end

    def __panel__(self):
        return pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")


class CompareBars(pn.viewable.Viewer):
    """G_t = dE/dW at step t of the selected weight, for t = 1..T, every run's bars side by side."""

    comparison = param.ClassSelector(class_=Comparison)
    selection = param.ClassSelector(class_=Selection, doc="Shared by every run: its weight is selected in all.")

    def __init__(self, **params):
        super().__init__(**params)
        self.y_range = Range1d(-1, 1)
        self.figure = fig = figure(height=260, sizing_mode="stretch_width", tools="", y_range=self.y_range,
                                   name="compare_bars_figure")
        fig.xaxis.axis_label, fig.yaxis.axis_label = "time step t", "G_t"
        self.sources = []
        for k, colour in enumerate(RUN_COLOURS):
            src = ColumnDataSource(name=f"compare_bars_{k}", data=dict(x=[], t=[], G=[]))
            self.sources.append(src)
            fig.vbar(x="x", top="G", width=0.8 / len(RUN_COLOURS), source=src, color=colour,
                     hatch_pattern=(None, "/", ".", "x")[k], hatch_color="white", hatch_alpha=0.6)
        fig.add_tools(HoverTool(tooltips=[("t", "@t"), ("G_t", "@G{%0.4g}")], formatters={"@G": "printf"}))
        add_save_tool(readable(fig), "compare-gradient-bars")
        self._draw()

    def weight(self):
        """The selected connection, or the net's first one (every run has the same network)."""
        net = self.comparison.runs[0].net
        w = self.selection.weight
        return w if w is not None and 0 <= w[0] < net.N and 0 <= w[1] < net.N and net.C[w] else first_connection(net.C)

    @param.depends("comparison.updates", "comparison.runs", "selection.weight", watch=True)
    def _draw(self):
        c, w = self.comparison, self.weight()
        k_runs, values = len(c.runs), [0.0]
        with pn.io.hold():
            for k, src in enumerate(self.sources):
                if k >= k_runs or w is None:
                    src.data = dict(x=[], t=[], G=[])
                    continue
                G = c.runs[k].gradients.dW_by_step[:, w[0], w[1]]  # (T,): G_1..G_T of this weight
                t = np.arange(1, len(G) + 1)
                src.data = dict(x=t + (k - (k_runs - 1) / 2) * 0.8 / k_runs, t=t, G=G)
                values += [float(v) for v in G if np.isfinite(v)]
            padded_range(self.y_range, min(values), max(values))
            name = "no connection" if w is None else weight_name(c.runs[0].unit_names, *w)
            self.figure.title.text = f"G_t of the weight {name}, every run on one scale"

    def __panel__(self):
        return pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
