"""Hinton diagrams of W, dW and one step's part G_t, and of b, h0, db, dh0 (lecture 7b).

A square's area is proportional to |value| and its colour gives the sign (style.py), so the
reader sees at a glance that dW is the sum of the G_t: same scale for dW and every G_t.
Rows are the receiving unit ("to", i) and columns the sending unit ("from", j), as in
W[i, j]; an absent connection is a faint cross.
"""
import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, TapTool
from bokeh.plotting import figure

from simulator.state.selection import Selection, pass_frame
from simulator.state.session import Session

from simulator.views.plotting import first_connection, readable, weight_name
from simulator.views.save_tool import add_save_tool
from simulator.views import graph_layout as gl
from simulator.views.style import HIGHLIGHT, NEGATIVE, NEGATIVE_HATCH, NEUTRAL, POSITIVE
from simulator.views.throttle import Throttle

FILL = 0.92  # a square at the scale's full value fills this much of its cell
MATRICES = ("W", "dW", "G")
COLUMNS = ("b", "h0", "db", "dh0")


def sides(values, scale):
    """Side lengths (in cells) whose areas are proportional to |values| / scale."""
    v = np.abs(np.asarray(values, dtype=float))
    return FILL * np.sqrt(np.clip(v / scale, 0, 1)) if scale > 0 else np.zeros_like(v)


def cell_size(N):
    """Pixels per cell: big for a few units, never so small that a square cannot be hovered."""
    return int(max(16, min(46, 300 // max(N, 1))))


class MatricesView(pn.viewable.Viewer):
    """W, dW and G_t (t = selection.time) as Hinton diagrams, plus b, h0, db, dh0 as columns."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.x_range, self.y_range = FactorRange(), FactorRange()
        self.sources = {k: ColumnDataSource(name=f"matrix_{k}", data=self._empty()) for k in MATRICES}
        self.absent = ColumnDataSource(name="matrix_absent", data=dict(x=[], y=[]))
        self.selected = ColumnDataSource(name="matrix_selected", data=dict(x=[], y=[]))
        self.figures = {k: self._diagram(self.sources[k], self.x_range, self.y_range, f"matrix_{k}_figure")
                        for k in MATRICES}
        for key, fig in self.figures.items():
            fig.scatter("x", "y", source=self.absent, marker="x", size=7, color=NEUTRAL, alpha=0.7)
            # the selected weight: its whole cell framed, visible even when its value is tiny
            fig.rect("x", "y", width=0.97, height=0.97, source=self.selected, fill_color=None,
                     line_color=HIGHLIGHT, line_width=2.5)
            fig.xaxis.axis_label, fig.yaxis.axis_label = "from unit j", "to unit i"
            fig.add_tools(TapTool(renderers=[fig.renderers[0]]))
            self.sources[key].selected.on_change("indices", self._on_tap)
        self._cells_shown = []  # (i, j) of each row of the matrix sources
        self._shown = None  # (cells, t of G, names) last drawn: when equal only values are sent
        self.column_source = ColumnDataSource(name="matrix_columns", data=self._empty())
        self.column_range = FactorRange(*COLUMNS)
        self.column_figure = self._diagram(self.column_source, self.column_range, self.y_range,
                                           "matrix_columns_figure")
        self.column_figure.title.text = "biases and initial states"
        self._structure = None
        self.redraw = Throttle(self._update, 0)
        self.session.param.watch(self.redraw, ["gradients", "unit_names"])
        self.selection.param.watch(self._update, ["weight", "time", "tick"])
        self._update()

    @staticmethod
    def _empty():
        return dict(x=[], y=[], side=[], colour=[], alpha=[], label=[], exact=[])

    @staticmethod
    def _diagram(source, x_range, y_range, name):
        fig = figure(x_range=x_range, y_range=y_range, tools="", name=name, match_aspect=True)
        squares = fig.rect(x="x", y="y", width="side", height="side", source=source, fill_color="colour",
                           fill_alpha="alpha", line_color=None, hatch_color="white", hatch_alpha=0.7,
                           hatch_pattern=gl.by_sign(NEGATIVE_HATCH, " "))
        squares.selection_glyph = squares.nonselection_glyph = None  # a click selects a weight, not a look
        fig.add_tools(HoverTool(renderers=[squares], tooltips=[("", "@label"), ("value", "@exact")]))
        fig.background_fill_color = "#f3f3f3"
        fig.grid.grid_line_color = "white"
        fig.xaxis.major_label_orientation = 0
        return add_save_tool(readable(fig), name)

    def _layout_for(self, names, C):
        """Axes, figure sizes and absent-connection crosses: only when the net's shape changes."""
        key = (tuple(names), C.tobytes())
        if key == self._structure:
            return
        self._structure = None  # set once laid out: a layout that failed is redone next time
        N, cell = len(names), cell_size(len(names))
        self.x_range.factors = list(names)
        self.y_range.factors = list(reversed(names))  # unit 0 at the top, as a matrix is printed
        for fig in self.figures.values():
            fig.width, fig.height = 90 + cell * N, 90 + cell * N
        self.column_figure.width, self.column_figure.height = 90 + cell * len(COLUMNS), 90 + cell * N
        gone = np.argwhere(C == 0)
        self.absent.data = dict(x=[names[j] for _, j in gone], y=[names[i] for i, _ in gone])
        self._structure = key

    def shown_step(self):
        """The t of the G_t shown: the selected time step, moved into 1..T (t = 0 has no G)."""
        return int(min(max(self.selection.time, 1), self.session.sequences.T))

    def _update(self, *_):
        s, names = self.session, self.session.unit_names
        net, g = s.net, s.gradients
        C = np.asarray(net.C)
        T, t = s.sequences.T, self.shown_step()
        G = g.dW_by_step  # (T, N, N)
        grad_scale = float(max(np.abs(g.dW).max(), np.abs(G).max()))
        w_scale = float(np.abs(net.W).max())
        phase, _, back_from = pass_frame(self.selection.tick, T)
        sum_ready = phase in ("complete", "summed")
        step_ready = sum_ready or (phase == "backward" and t >= back_from)
        w = self.selection.weight
        sel = first_connection(C) if w is None else (int(w[0]), int(w[1]))
        cells = np.argwhere(C != 0)  # (K, 2) rows of (i, j)
        with pn.io.hold():
            self._layout_for(names, C)
            shape = ([(int(i), int(j)) for i, j in cells], t, tuple(names))
            same = shape == self._shown
            self._shown, self._cells_shown = shape, shape[0]
            for key, M, scale, what, ready in (("W", net.W, w_scale, "W", True),
                                               ("dW", g.dW, grad_scale, "dW", sum_ready),
                                               ("G", G[t - 1], grad_scale, f"G_{t}", step_ready)):
                data = self._cells(cells, M, scale, what, names, ready, labels=not same)
                if same:  # only the columns that change while training: less to validate and send
                    self.sources[key].data.update(data)
                else:
                    self.sources[key].data = data
            shown = sel is not None and 0 <= min(sel) and max(sel) < net.N and C[sel] != 0
            frame = dict(x=[names[sel[1]]], y=[names[sel[0]]]) if shown else dict(x=[], y=[])
            if dict(self.selected.data) != frame:
                self.selected.data = frame
            self.column_source.data = self._columns(net, g, names)
            self.figures["W"].title.text = f"W   (full square: |w| = {w_scale:.3g})"
            self.figures["dW"].title.text = f"dW = Σ_t G_t   (full square: {grad_scale:.3g})"
            note = "" if self.selection.time >= 1 else "  (t = 0 has none)"
            self.figures["G"].title.text = f"G_{t}: step {t}'s part of dW{note}"

    @staticmethod
    def _cells(cells, M, scale, what, names, ready, labels=True):
        vals = M[cells[:, 0], cells[:, 1]] if len(cells) else np.zeros(0)  # (K,)
        data = dict(side=sides(vals, scale), colour=np.where(vals >= 0, POSITIVE, NEGATIVE),
                    alpha=np.full(len(vals), 0.9 if ready else 0.15), exact=[f"{v:.10g}" for v in vals])
        if labels:
            data.update(x=[names[j] for _, j in cells], y=[names[i] for i, _ in cells],
                        label=[f"{what}[{weight_name(names, i, j)}]" for i, j in cells])
        return data

    @staticmethod
    def _columns(net, g, names):
        """b and h0 share one scale (parameters), db and dh0 another (gradients)."""
        N = net.N
        p_scale = float(max(np.abs(net.b).max(), np.abs(net.h0).max()))
        g_scale = float(max(np.abs(g.db).max(), np.abs(g.dh0).max()))
        learned = np.asarray(net.learn_h0)
        out = MatricesView._empty()
        for col, vals, scale in (("b", net.b, p_scale), ("h0", net.h0, p_scale),
                                 ("db", g.db, g_scale), ("dh0", g.dh0, g_scale)):
            out["x"] += [col] * N
            out["y"] += list(names)
            out["side"] += list(sides(vals, scale))
            out["colour"] += [POSITIVE if v >= 0 else NEGATIVE for v in vals]
            faint = (~learned) if col in ("h0", "dh0") else np.full(N, col == "b" and not net.bias)
            out["alpha"] += [0.3 if f else 0.9 for f in faint]
            why = {"h0": " (fixed, not learned)", "dh0": " (h0 fixed: not applied)", "b": " (biases off)"}
            out["label"] += [f"{col}[{names[i]}]" + (why.get(col, "") if faint[i] else "") for i in range(N)]
            out["exact"] += [f"{v:.10g}" for v in vals]
        return out

    def _on_tap(self, attr, old, new):
        """A click on a square selects that weight for every view (Selection.weight)."""
        if not new:
            return
        k = new[0]
        for source in self.sources.values():
            source.selected.indices = []  # so the next click on the same square fires again
        if 0 <= k < len(self._cells_shown):
            self.selection.weight = self._cells_shown[k]

    def __panel__(self):
        panes = [pn.pane.Bokeh(self.figures[k]) for k in MATRICES] + [pn.pane.Bokeh(self.column_figure)]
        # Two rows of two, not a pn.FlexBox: inside the app's tabs a FlexBox left these figures laid
        # out at 0 x 0 (only stray tick labels showed), and a wrapping Row keeps its one-line width,
        # so the page would scroll sideways (tests/ui/test_tabs_drawn_ui.py checks both).
        return pn.Column(pn.Row(*panes[:2]), pn.Row(*panes[2:]), sizing_mode="stretch_width",
                         css_classes=["matrices-view"])
