"""Gradients summed over time (lecture 7b): one weight's per-step parts and their sum, the size
of the error derivatives at each step, and the equivalence with the unrolled feedforward net.

"After the backward pass we add together the derivatives at all the different times for each
weight": GradientBarsView draws G_1[i, j] .. G_T[i, j] and dW[i, j] = their sum.
ErrorByStepView draws |d_t| and |g_t| on a log axis, where vanishing and exploding
derivatives (lecture 7d) show as straight slopes. The equivalence with the
unrolled net is views/equivalence.py's.
"""
import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, PrintfTickFormatter, Range1d, Span
from bokeh.plotting import figure

from engine import constrain
from simulator.state.edits import ref_label
from simulator.state.selection import Selection, pass_frame
from simulator.state.session import Session

from simulator.views.bar_axis import font_px, spaced_factors
from simulator.views.plotting import first_connection, log_range, padded_range, readable, weight_name
from simulator.views.save_tool import add_save_tool
from simulator.views.style import HIGHLIGHT, NEGATIVE, POSITIVE, TIE_COLOURS, fmt
from simulator.views.text import md
from simulator.views.throttle import Throttle

REDRAW_INTERVAL = 0.1  # s: the bars and norms redraw at most 10 times a second while training
LABEL_PX = 11          # the bars' value labels (px)
LABEL_FRAME_W = 400    # frame width assumed until the browser reports the real one (px)


def fitting_labels(texts, T, frame_w, char_px=0.62 * LABEL_PX, factors=None):
    """The bars' labels where they fit: the T steps' labels only if each is narrower than a bar's
    pitch (labels that run together read as one number); the sums' after them always (the padding
    beside the last bar gives them room). ``factors``: how many the axis has, if not one per text."""
    pitch = frame_w / ((factors or len(texts)) + 1)  # the FactorRange's half-bar padding at both ends
    fits = all(len(t) * char_px + 4 <= pitch for t in texts[:T])
    return (list(texts[:T]) if fits else [""] * T) + list(texts[T:])
class GradientBarsView(pn.viewable.Viewer):
    """A bar per time step t of G_t[i, j] for the selected weight, then their sum dW[i, j]."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.source = ColumnDataSource(name="gradient_bars", data=self._rows([], [], []))
        self.y_range = Range1d(-1, 1)
        self._frame_w = LABEL_FRAME_W  # the frame's width (px), as the browser reports it
        # Half a bar's room beyond the first and the last bar: the sum's label is centred on it.
        self.figure = fig = figure(x_range=FactorRange(range_padding=0.5, range_padding_units="absolute"),
                                   y_range=self.y_range, height=260, sizing_mode="stretch_width", tools="",
                                   name="gradient_bars_figure")
        bars = fig.vbar(x="x", top="value", width=0.8, source=self.source, fill_color="colour",
                        fill_alpha="alpha", line_color="outline", line_width="line_width",
                        hatch_pattern="hatch", hatch_color="white", hatch_alpha=0.6)
        self.label_text = fig.text(x="x", y="value", text="text", source=self.source, text_align="center", text_color="#222",
                                   text_baseline="baseline", y_offset="offset", text_font_size=f"{LABEL_PX}px").glyph
        self.divider = Span(location=0, dimension="height", line_color="#888", line_dash="dashed")
        fig.add_layout(self.divider)
        fig.add_layout(Span(location=0, dimension="width", line_color="#444", line_width=1))
        fig.add_tools(HoverTool(renderers=[bars], tooltips=[("", "@what"), ("value", "@exact")]))
        fig.xaxis.axis_label = "time step t  (then the sum over all steps)"
        fig.yaxis.axis_label = "dE/dW[i, j]"
        fig.yaxis.formatter = PrintfTickFormatter(format="%.3g")  # not Bokeh's "3.000e-3"
        add_save_tool(readable(fig), "gradient-bars")
        for model, font in ((self.label_text, "text_font_size"), (fig.xaxis[0], "major_label_text_font_size")):
            model.on_change(font, lambda attr, old, new: self._update())  # large type (theme.py): what fits
        self.note = pn.pane.Markdown("", css_classes=["gradient-note"], sizing_mode="stretch_width")
        self.session.param.watch(Throttle(self._update, REDRAW_INTERVAL), ["gradients", "unit_names"])
        self.selection.param.watch(self._update, ["weight", "time", "tick"])
        fig.on_change("inner_width", self._on_resize)
        self._update()

    def _on_resize(self, attr, old, new):
        """The browser laid the figure out: label the bars that have room at this width."""
        if new and abs(new - self._frame_w) >= 2:
            self._frame_w = int(new)
            self._update()

    @staticmethod
    def _rows(x, value, what):
        n = len(x)
        return dict(x=list(x), value=list(value), what=list(what), exact=[f"{v:.10g}" for v in value],
                    text=[fmt(v) for v in value], colour=[POSITIVE if v >= 0 else NEGATIVE for v in value],
                    alpha=[0.85] * n, outline=["#333"] * n, line_width=[0.5] * n, hatch=[" "] * n,
                    baseline=["bottom" if v >= 0 else "top" for v in value],
                    offset=[-3 if v >= 0 else 3 for v in value])  # screen y points down: -3 is above

    def weight(self):
        """The weight shown: the selection's, else the first existing connection."""
        w = self.selection.weight
        return first_connection(self.session.net.C) if w is None else (int(w[0]), int(w[1]))

    def _update(self, *_):
        s, net, names = self.session, self.session.net, self.session.unit_names
        w = self.weight()
        if w is None or not (0 <= w[0] < net.N and 0 <= w[1] < net.N) or net.C[w] == 0:
            label = "this connection" if w is None or max(w) >= net.N else f"W[{md(weight_name(names, *w))}]"
            self.note.object = f"{label} does not exist, so it has no gradient. Select a connection."
            self.figure.title.text = "No connection selected"
            self.source.data = self._rows([], [], [])
            return
        i, j = w
        G = s.gradients.dW_by_step[:, i, j]  # (T,)
        T, name = len(G), weight_name(names, i, j)
        total = float(s.gradients.dW[i, j])
        x = [str(t) for t in range(1, T + 1)] + ["sum = dW"]
        value = [float(v) for v in G] + [total]
        what = [f"G_{t}[{name}] = dE/dW^({t}): step {t}'s part" for t in range(1, T + 1)]
        what.append(f"dW[{name}] = sum over t of G_t[{name}]")
        applied, group = self._tied(i, j)
        if group:
            x.append("tied: group sum")
            value.append(applied)
            what.append(f"applied to W[{name}] and its {len(group) - 1} tied copies: the sum of the group's dW")
        rows = self._rows(x, value, what)
        rows["colour"][T] = HIGHLIGHT
        if group:
            rows["colour"][T + 1] = TIE_COLOURS[self._tie_id(i, j) % len(TIE_COLOURS)]
            rows["hatch"][T + 1] = "/"  # the tie group's colour (as elsewhere), hatched apart from the sum
        self._animate(rows, T)
        size = self.figure.xaxis[0].major_label_text_font_size
        factors, divider = spaced_factors(x[:T], x[T:], self._frame_w, font_px(size if isinstance(size, str) else "12px"))
        rows["text"] = fitting_labels(rows["text"], T, self._frame_w, 0.62 * font_px(self.label_text.text_font_size), len(factors))
        with pn.io.hold():
            self.figure.x_range.factors = factors
            self.divider.location = divider  # between the last step's bar and the sum (categorical units)
            padded_range(self.y_range, min(value), max(value))
            self.figure.title.text = f"dE/dW[{name}]:\ncontributions per step and their sum"
            self.source.data = rows
            self.note.object = self._explain(i, j, group)  # no numbers: it changes only with the selection

    def _animate(self, rows, T):
        """During the pass animation, parts not yet computed are faint and unlabelled; the
        selected time step's bar gets a heavy outline."""
        phase, _, back_from = pass_frame(self.selection.tick, T)
        for k in range(T + 1):
            t = k + 1
            ready = phase in ("complete", "summed") or (phase == "backward" and k < T and t >= back_from)
            if not ready:
                rows["alpha"][k], rows["text"][k] = 0.12, ""
            if k < T and t == self.selection.time:
                rows["outline"][k], rows["line_width"][k] = "#000", 3

    def _tie_id(self, i, j):
        return int(self.session.net.tie_index[i * self.session.net.N + j])

    def _tied(self, i, j):
        """(applied gradient, the tie group's references) or (dW[i, j], ()) for an untied weight."""
        net, g = self.session.net, self.session.gradients
        gid = self._tie_id(i, j)
        if gid < 0:
            return float(g.dW[i, j]), ()
        flat = constrain(net, g.dW, g.db, g.dh0)  # the gradient training applies
        return float(flat[i * net.N + j]), net.ties[gid]

    def _explain(self, i, j, group):
        # Markdown re-renders on every change, so the numbers live on the bars and in the tooltips.
        names = [md(n) for n in self.session.unit_names]  # names may come from an uploaded file
        name = weight_name(names, i, j)
        text = (f"Each bar is G_t[{name}] = Σ over cases of d_t[{names[i]}] · s_(t-1)[{names[j]}], step t's "
                f"part; the orange bar, their sum, is **dW[{name}]**, the gradient BPTT gives W[{name}].")
        if group:
            others = [ref_label(r, names) for r in group if tuple(r) != ("W", i, j)]
            text += (f"  \nW[{name}] is tied to {', '.join(others)}: each of them gets the group's sum "
                     "(hatched bar), so they stay equal.")
        return text

    def __panel__(self):
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), self.note,
                         sizing_mode="stretch_width", css_classes=["gradient-bars-view"])


class ErrorByStepView(pn.viewable.Viewer):
    """The size of the error derivatives d_t = dE/dz_t and g_t = dE/ds_t at each time step."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.source = ColumnDataSource(name="error_by_step", data=dict(t=[], d=[], g=[], d_text=[], g_text=[]))
        self.x_range, self.y_range = Range1d(-0.5, 10.5), Range1d(1e-6, 1.0)
        self.figure = fig = figure(y_axis_type="log", x_range=self.x_range, y_range=self.y_range, height=260,
                                   sizing_mode="stretch_width", tools="", name="error_by_step_figure",
                                   title=ErrorByStepView._title(np.zeros(1), 0))
        fig.line("t", "g", source=self.source, color="#999", line_dash="dashed", line_width=2,
                 legend_label="|g_t| = |dE/ds_t|")
        fig.scatter("t", "g", source=self.source, color="#999", size=6, legend_label="|g_t| = |dE/ds_t|")
        fig.line("t", "d", source=self.source, color="#222", line_width=2.5, legend_label="|d_t| = |dE/dz_t|")
        dots = fig.scatter("t", "d", source=self.source, color="#222", size=8, legend_label="|d_t| = |dE/dz_t|")
        fig.add_tools(HoverTool(renderers=[dots], mode="vline",
                                tooltips=[("t", "@t"), ("|d_t|", "@d_text"), ("|g_t|", "@g_text")]))
        self.cursor = Span(location=0, dimension="height", line_color=HIGHLIGHT, line_width=2)
        fig.add_layout(self.cursor)
        legend = fig.legend[0]
        legend.orientation, legend.click_policy, legend.label_text_font_size = "horizontal", "hide", "12px"
        fig.add_layout(legend, "above")  # inside the frame it hides points wherever the curves run
        fig.xaxis.axis_label = "time step t"
        fig.yaxis.axis_label = "Euclidean norm (log scale)"
        add_save_tool(readable(fig), "error-by-step")
        self.note = pn.pane.Markdown("", css_classes=["error-steps-note"], sizing_mode="stretch_width")
        self.session.param.watch(Throttle(self._update, REDRAW_INTERVAL), ["gradients"])
        self.selection.param.watch(self._on_time, ["time"])
        self._update()
        self._on_time()

    @staticmethod
    def norms(gradients):
        """(|d_t| for t = 0..T with t = 0 undefined, |g_t| for t = 0..T): norms over cases and units."""
        dz, ds = gradients.dz, gradients.ds  # (B, T+1, N)
        d = np.sqrt(np.einsum("btn,btn->t", dz, dz))  # (T+1,)
        g = np.sqrt(np.einsum("btn,btn->t", ds, ds))  # (T+1,)
        d[0] = np.nan  # nothing computes z_0, so there is no d_0
        return d, g

    def _update(self, *_):
        d, g = self.norms(self.session.gradients)
        T = len(d) - 1
        # A log axis cannot show 0: leave those points out (NaN breaks the line there) and say so.
        zeros = [t for t in range(1, T + 1) if d[t] == 0]
        d_plot, g_plot = np.where(d > 0, d, np.nan), np.where(g > 0, g, np.nan)
        with pn.io.hold():
            if (self.x_range.start, self.x_range.end) != (-0.5, T + 0.5):
                self.x_range.update(start=-0.5, end=T + 0.5)
            shown = log_range(self.y_range, self.figure.yaxis[0], np.concatenate([d_plot, g_plot]))
            self.source.data = dict(t=list(range(T + 1)), d=d_plot, g=g_plot,
                                    d_text=["none (t = 0)"] + [f"{v:.6g}" for v in d[1:]],
                                    g_text=[f"{v:.6g}" for v in g])
            self.figure.title.text = self._title(d, T)
            self.note.object = self._explain(zeros, shown)

    @staticmethod
    def _title(d, T):
        """The numbers go in the Bokeh title (cheap to change every frame), not the Markdown note."""
        text = "Error derivatives per time step\n(all units and cases)"  # short lines: a title cannot wrap
        if T >= 2 and d[1] > 0 and d[T] > 0:
            ratio = d[1] / d[T]
            text += f"\n|d_1| / |d_T| = {ratio:.3g}, ×{ratio ** (1 / (T - 1)):.3g} per step"
        return text

    @staticmethod
    def _explain(zeros, shown):
        if not shown:
            return "All error derivatives are 0: no target gives an error to send back."
        text = ("d_t is what reaches the net inputs at step t on the way back; over many steps it "
                "tends to shrink (vanishing) or grow (exploding) by a similar factor per step.")
        if zeros:
            text += f"  \nSteps with d_t exactly 0 are not drawn (log axis): t = {', '.join(map(str, zeros))}."
        return text

    def _on_time(self, *_):
        self.cursor.location = self.selection.time

    def __panel__(self):
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), self.note,
                         sizing_mode="stretch_width", css_classes=["error-by-step-view"])
