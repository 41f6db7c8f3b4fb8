"""Gradients summed over time (lecture 7b): one weight's per-step parts and their sum, the size
of the error derivatives at each step, and the equivalence with the unrolled feedforward net.

"After the backward pass we add together the derivatives at all the different times for each
weight": GradientBarsView draws G_1[i, j] .. G_T[i, j] and dW[i, j] = their sum.
ErrorByStepView draws |d_t| and |g_t| on a log axis, where vanishing and exploding
derivatives (lecture 7d) show as straight slopes. EquivalenceView puts BPTT's dW next to
the tied-gradient sum of the explicitly unrolled net (engine.UnrolledNet).
"""
import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, PrintfTickFormatter, Range1d, Span
from bokeh.plotting import figure

from engine import UnrolledNet, constrain
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
#: Rows of the BPTT-vs-unrolled table drawn at once. A net at the caps has N^2 + 2N = 5,328
#: parameters: rendering them all as Markdown took ~2 s of the shared event loop at every
#: refresh (issue 21). Every lesson's table fits (the robot writer has 280 rows: 7 pages);
#: the rest is a page away, and a selected weight's page is shown.
PAGE_ROWS = 48
SCROLL_BOX = ('<div class="scroll-box" tabindex="0" role="region" aria-label="BPTT against the unrolled net, per parameter" '
              'style="max-height: 32em; overflow-y: auto">')


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


class EquivalenceView(pn.viewable.Viewer):
    """BPTT's dW next to the tied-gradient sum of the unrolled feedforward net, with the
    largest difference: the lecture's claim checked on the current numbers."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    min_interval = param.Number(default=0.5, bounds=(0, None),
                                doc="Seconds between recomputations while training runs. The unrolled "
                                    "net costs about 1 ms at T = 10 and 6 ms at T = 60 (32 cases), "
                                    "more than a whole training step, so not every frame.")
    active = param.Boolean(default=True, doc="Compute only while shown (set False when hidden in a tab).")
    page = param.Integer(default=0, bounds=(0, None), doc=f"Which {PAGE_ROWS} rows of the table are shown.")

    def __init__(self, **params):
        super().__init__(**params)
        # A Markdown table, not a Bokeh DataTable: in this Bokeh (3.9) a DataTable kept showing old
        # values after its source changed (seen in Chromium), and this one changes twice a second at most.
        self.table = pn.pane.Markdown("", css_classes=["equivalence-table"], sizing_mode="stretch_width")
        self.previous = pn.widgets.Button(label="◀ previous rows", css_classes=["equivalence-previous"], width=140)
        self.next = pn.widgets.Button(label="next rows ▶", css_classes=["equivalence-next"], width=140)
        self.pages = pn.pane.HTML("", css_classes=["equivalence-pages"], margin=(8, 10))
        self.pager = pn.Row(self.previous, self.pages, self.next, visible=False, css_classes=["equivalence-pager"])
        self.previous.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(1))
        self.rows = dict(param=[], bptt=[], unrolled=[], diff=[], weight=[])  # what the table shows
        self._labels_key = self._labels_rows = None
        self.summary = pn.pane.Markdown("", css_classes=["equivalence-summary"], sizing_mode="stretch_width")
        self.max_difference = None  # the last computed largest |difference| (None before, or if not finite)
        self._stale = True
        self._throttle = Throttle(self._when_shown, self.min_interval)
        self.session.param.watch(self._on_gradients, ["gradients"])
        self.selection.param.watch(self._on_weight, ["weight"])
        self.param.watch(self._on_active, ["active"])
        if self.active:
            self._throttle.run()

    def _on_gradients(self, *_):
        self._stale = True
        if self.active:
            self._throttle.interval = self.min_interval
            self._throttle()

    def _when_shown(self):
        if self._stale and self.active:
            self.refresh()

    def _on_active(self, event):
        if event.new and self._stale:
            self.refresh()

    def refresh(self):
        """Unroll the current net on the current batch and compare with session.gradients."""
        s = self.session
        net, g = s.net, s.gradients
        with np.errstate(all="ignore"):
            loss, dW, db, dh0 = UnrolledNet(net, s.sequences, truncate=g.truncate).tied_gradients()  # like with like
        i, j = np.nonzero(net.C)
        h = np.flatnonzero(net.learn_h0)
        ours = np.concatenate([g.dW[i, j], g.db if net.bias else [], g.dh0[h]])
        twin = np.concatenate([dW[i, j], db if net.bias else [], dh0[h]])
        diff = np.abs(ours - twin)
        finite = bool(np.all(np.isfinite(twin))) and np.isfinite(loss)
        self.max_difference = float(diff.max()) if finite and len(ours) else None
        # Numbers stay numbers: only the shown page is formatted (_draw_table).
        self.rows = dict(self._labels(net, s.unit_names, i, j, h), bptt=ours, unrolled=twin, diff=diff)
        with pn.io.hold():
            self.summary.object = self._explain(loss, g.loss, len(ours), s.updates)
            self._draw_table()
        self._stale = False

    def _labels(self, net, names, i, j, h):
        """The rows' parameter names and weights, built again only when they change."""
        key = (net.C.tobytes(), tuple(names), net.bias, h.tobytes())
        if key != self._labels_key:
            param_ = [f"W[{weight_name(names, a, b)}]" for a, b in zip(i, j)]
            param_ += [f"b[{names[a]}]" for a in range(net.N)] if net.bias else []
            param_ += [f"h0[{names[a]}]" for a in h]
            weight = [(int(a), int(b)) for a, b in zip(i, j)] + [None] * (len(param_) - len(i))
            self._labels_key, self._labels_rows = key, dict(param=param_, weight=weight)
        return self._labels_rows

    def _explain(self, loss, bptt_loss, count, updates):
        head = ("The recurrent net is a layered net with one copy of W per time step, all copies tied; "
                "tied weights get the sum of their copies' gradients, and that sum is BPTT's dW.")
        if self.max_difference is None:
            return (head + f"  \n**The unrolled net's numbers are not finite here** (E = {loss}); "
                    f"BPTT gives E = {fmt(bptt_loss, 6)}. (update {updates})")
        return (head + f"  \nLargest |BPTT − unrolled| over these {count} gradients: "
                f"**{self.max_difference:.1e}** (E: {fmt(bptt_loss, 8)} and {fmt(loss, 8)}; update {updates}).")

    def _shown_weight(self):
        w = self.selection.weight
        return first_connection(self.session.net.C) if w is None else (int(w[0]), int(w[1]))

    def _on_weight(self, *_):
        """Show the page holding the selected weight's row, in bold."""
        w = self._shown_weight()
        if w in self.rows["weight"]:
            self.page = self.rows["weight"].index(w) // PAGE_ROWS
        self._draw_table()

    def _turn(self, delta):
        self.page = max(0, min(self._page_count() - 1, self.page + delta))
        self._draw_table()

    def _page_count(self):
        return max(1, -(-len(self.rows["param"]) // PAGE_ROWS))

    def _draw_table(self):
        """The shown page of the table (at most PAGE_ROWS rows), the selected weight's row in bold."""
        w = self._shown_weight()
        r, n = self.rows, len(self.rows["param"])
        self.page = min(self.page, self._page_count() - 1)
        first = self.page * PAGE_ROWS
        lines = ["| parameter | BPTT: Σ_t G_t | unrolled net: Σ_t dE/dW^(t) | abs. difference |",
                 "|:--|--:|--:|--:|"]
        for k in range(first, min(n, first + PAGE_ROWS)):
            cells = [md(r["param"][k]), f"{r['bptt'][k]:.8g}", f"{r['unrolled'][k]:.8g}", f"{r['diff'][k]:.1e}"]
            if r["weight"][k] == w:
                cells = [f"**{c}**" for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        self.pager.visible = n > PAGE_ROWS
        self.pages.object = f"rows {first + 1}–{min(n, first + PAGE_ROWS)} of {n}"
        # A scroll box a keyboard can reach (axe: scrollable-region-focusable), the table inside it
        # still Markdown (a blank line ends CommonMark's HTML block).
        self.table.object = "\n".join([SCROLL_BOX, ""] + lines + ["", "</div>"])

    def __panel__(self):
        return pn.Column(self.summary, self.pager, self.table,
                         sizing_mode="stretch_width", css_classes=["equivalence-view"])
