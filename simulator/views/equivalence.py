"""BPTT's dW next to the tied-gradient sum of the explicitly unrolled feedforward net
(engine.UnrolledNet), with the largest difference: lecture 7b's claim that a recurrent net is a
layered net with tied weights, checked on the current numbers.

On a big net the unrolled pass is the largest piece of a frame's redraw (~50 ms at the caps,
~130 ms of a Load's), so a heavy session's refresh runs in a loop callback of its own
(Throttle's ``alone``) and, served, its unrolled pass in the worker thread
(serving/offload.py): other students' clicks get the loop meanwhile.
"""
import numpy as np
import panel as pn
import param

from engine import UnrolledNet
from simulator.serving.assets import stylesheet
from simulator.serving.offload import heavy_session, off_loop_soon
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.plotting import first_connection, weight_name
from simulator.views.style import fmt
from simulator.views.text import TextHTML, esc
from simulator.views.throttle import Throttle

#: Rows of the BPTT-vs-unrolled table drawn at once. A net at the caps has N^2 + 2N = 5,328
#: parameters: rendering them all as Markdown took ~2 s of the shared event loop at every
#: refresh (issue 21). Every lesson's table fits (the robot writer has 280 rows: 7 pages);
#: the rest is a page away, and a selected weight's page is shown.
PAGE_ROWS = 48
ALIGN = ("left", "right", "right", "right")
HEADER = "<tr>" + "".join(f'<th style="text-align:{a}">{c}</th>' for a, c in zip(ALIGN, (
    "parameter", "BPTT: Σ_t G_t", "unrolled net: Σ_t dE/dW^(t)", "abs. difference"))) + "</tr>"
SCROLL_BOX = ('<div class="scroll-box" tabindex="0" role="region" aria-label="BPTT against the unrolled net, per parameter" '
              'style="max-height: 32em; overflow-y: auto">')


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
        # An HTML table, not a Bokeh DataTable: in this Bokeh (3.9) a DataTable kept showing old
        # values after its source changed (seen in Chromium). Written as HTML, not Markdown: parsing
        # the Markdown of the default lesson's 24 rows took ~5 ms of each refresh on the event loop.
        self.table = TextHTML("", css_classes=["equivalence-table"], sizing_mode="stretch_width",
                              stylesheets=[stylesheet()])
        self.previous = pn.widgets.Button(label="◀ previous rows", css_classes=["equivalence-previous"], width=140)
        self.next = pn.widgets.Button(label="next rows ▶", css_classes=["equivalence-next"], width=140)
        self.pages = pn.pane.HTML("", css_classes=["equivalence-pages"], margin=(8, 10))
        self.pager = pn.Row(self.previous, self.pages, self.next, visible=False, css_classes=["equivalence-pager"])
        self.previous.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(1))
        self.rows = dict(param=[], bptt=[], unrolled=[], diff=[], weight=[])  # what the table shows
        self._labels_key = self._labels_rows = None
        self.summary = TextHTML("", css_classes=["equivalence-summary"], sizing_mode="stretch_width")
        self.max_difference = None  # the last computed largest |difference| (None before, or if not finite)
        self._stale = True
        self._queued = False  # a served big net's pass waits for the worker (refresh)
        self._throttle = Throttle(self._when_shown, self.min_interval, alone=lambda: heavy_session(self.session))
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
        """Unroll the current net on the current batch and compare with session.gradients. Served,
        a big net's unrolled pass (~50 ms at the caps) runs in the worker thread, this session's
        document locked meanwhile (serving/offload.py); the table is drawn back on the loop."""
        if self._queued:
            return  # the queued pass reads the state when it runs: it will show this change too
        s = self.session
        self._queued = True
        off_loop_soon(self._unroll, self._show, heavy=heavy_session(s))

    def _unroll(self):
        s = self.session
        net, g = s.net, s.gradients
        with np.errstate(all="ignore"):
            twin = UnrolledNet(net, s.sequences, truncate=g.truncate).tied_gradients()  # like with like
        return s, net, g, twin

    def _show(self, result):
        self._queued = False
        if isinstance(result, Exception):
            raise result
        s, net, g, (loss, dW, db, dh0) = result
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
        head = ("<p>The recurrent net is a layered net with one copy of W per time step, all copies tied; "
                "tied weights get the sum of their copies' gradients, and that sum is BPTT's dW.<br>")
        if self.max_difference is None:
            return (head + f"<strong>The unrolled net's numbers are not finite here</strong> (E = {loss}); "
                    f"BPTT gives E = {fmt(bptt_loss, 6)}. (update {updates})</p>")
        return (head + f"Largest |BPTT − unrolled| over these {count} gradients: "
                f"<strong>{self.max_difference:.1e}</strong> (E: {fmt(bptt_loss, 8)} and {fmt(loss, 8)}; "
                f"update {updates}).</p>")

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
        rows = [HEADER]
        for k in range(first, min(n, first + PAGE_ROWS)):
            cells = [esc(r["param"][k]), f"{r['bptt'][k]:.8g}", f"{r['unrolled'][k]:.8g}", f"{r['diff'][k]:.1e}"]
            if r["weight"][k] == w:
                cells = [f"<strong>{c}</strong>" for c in cells]
            rows.append("<tr>" + "".join(f'<td style="text-align:{a}">{c}</td>' for a, c in zip(ALIGN, cells)) + "</tr>")
        self.pager.visible = n > PAGE_ROWS
        self.pages.object = f"rows {first + 1}–{min(n, first + PAGE_ROWS)} of {n}"
        # A scroll box a keyboard can reach (axe: scrollable-region-focusable), one row a line.
        self.table.object = "\n".join([SCROLL_BOX, '<table class="bptt-vs-unrolled">'] + rows + ["</table></div>"])

    def __panel__(self):
        return pn.Column(self.summary, self.pager, self.table,
                         sizing_mode="stretch_width", css_classes=["equivalence-view"])
