"""By hand: BPTT's derivatives checked against finite differences, and the whole stack as a table.

Two tools for a student who wants to believe the numbers: "Check gradients" perturbs every
free parameter by ±eps (engine.GradientCheck) and puts the numeric derivatives next to BPTT's,
and the stack table lists s, the target, g = dE/ds and d = dE/dz for every unit and time of
the selected case, downloadable as CSV for a spreadsheet.
"""
import io
import time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, DataTable, NumberFormatter, ScientificFormatter, TableColumn

from engine import GradientCheck

from simulator.document.export import STACK_COLUMNS, stack_csv, stack_rows  # noqa: F401 (the table shows them)
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.style import soon
from simulator.views.throttle import Throttle

# Finite differences cost 2 forward passes per free parameter, run on the server while the
# student waits: a few thousand parameters take a few seconds; more would freeze the page.
MAX_CHECK_PARAMETERS = 5000
TOP_ROWS = 8


def parameter_labels(net, unit_names):
    """A readable label per entry of the flat [W, b, h0] vector, None where the entry is fixed at 0."""
    N = net.N
    labels = [f"w {unit_names[i]}←{unit_names[j]}" if net.C[i, j] else None for i in range(N) for j in range(N)]
    labels += [f"b {n}" if net.bias else None for n in unit_names]
    labels += [f"h0 {n}" for n in unit_names]
    return labels


class ByHandView(pn.viewable.Viewer):
    """Gradient check (BPTT vs finite differences) and the stack table of the selected case with CSV."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    result = param.Parameter(default=None, doc="The last GradientCheck on the current net, or None.")

    def __init__(self, **params):
        super().__init__(**params)
        self.check = pn.widgets.Button(label="Check gradients", color="primary", css_classes=["gradcheck-btn"],
                                       description="Finite differences of E for every weight, bias and initial "
                                                   "state, next to BPTT's derivatives")
        self.check.on_click(lambda _: soon(self.run_check))
        self.summary = pn.pane.HTML("<span>Press <b>Check gradients</b> to compare BPTT with finite differences "
                                    "(E(θ+ε) − E(θ−ε)) / 2ε.</span>", css_classes=["gradcheck-summary"],
                                    sizing_mode="stretch_width")
        self.check_source = ColumnDataSource(self._empty_check(), name="gradcheck_rows")
        num = NumberFormatter(format="0.000000000")
        sci = ScientificFormatter(precision=2, power_limit_low=-3)
        self.check_table = DataTable(source=self.check_source, name="gradcheck_table", height=240, index_position=None,
                                     reorderable=False,  # needs jquery-ui, which the page does not load
                                     sizing_mode="stretch_width", columns=[
                                         TableColumn(field="parameter", title="parameter"),
                                         TableColumn(field="bptt", title="BPTT", formatter=num),
                                         TableColumn(field="numeric", title="finite differences", formatter=num),
                                         TableColumn(field="abs_diff", title="|difference|", formatter=sci),
                                         TableColumn(field="rel_diff", title="relative", formatter=sci)])
        self.stack_source = ColumnDataSource(stack_rows(self.session, self.selection.case), name="byhand_stack")
        self.stack_table = DataTable(source=self.stack_source, name="byhand_stack_table", height=360,
                                     index_position=None, reorderable=False, sizing_mode="stretch_width",
                                     columns=[TableColumn(field="t", title="t"), TableColumn(field="unit", title="unit")]
                                     + [TableColumn(field=c, title=c, formatter=num) for c in STACK_COLUMNS[2:]])
        self.stack_title = pn.pane.HTML("", css_classes=["byhand-stack-title"], sizing_mode="stretch_width")
        self.download = pn.widgets.FileDownload(callback=self._csv_file, filename="stack.csv", label="Download CSV",
                                                embed=False, css_classes=["stack-csv"],
                                                width=160)
        self._layout = None
        self.redraw = Throttle(self._on_gradients, 0)
        self.session.param.watch(self.redraw, "gradients")
        self.selection.param.watch(self._on_case, "case")
        self._on_case()

    @staticmethod
    def _empty_check():
        return {"parameter": [], "bptt": [], "numeric": [], "abs_diff": [], "rel_diff": []}

    def run_check(self):
        """Run finite differences on the current net and batch (refused for big nets)."""
        s = self.session
        labels = parameter_labels(s.net, s.unit_names)
        free = [k for k, lab in enumerate(labels) if lab is not None]
        if len(free) > MAX_CHECK_PARAMETERS:
            self.result = None
            self.summary.object = (f"<span class='refused'>This net has {len(free)} free parameters: finite "
                                   f"differences would need {2 * len(free)} forward passes. The check runs for "
                                   f"nets of up to {MAX_CHECK_PARAMETERS} parameters.</span>")
            self.check_source.data = self._empty_check()
            return None
        t0 = time.perf_counter()
        gc = GradientCheck(s.net, s.sequences)
        seconds = time.perf_counter() - t0
        a = np.concatenate([x.ravel() for x in gc.bptt])[free]
        f = np.concatenate([x.ravel() for x in gc.numeric])[free]
        diff = np.abs(a - f)
        rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(f)), 1e-7)  # the same floor as GradientCheck
        top = np.argsort(-diff, kind="stable")[:TOP_ROWS]
        self.check_source.data = {"parameter": [labels[free[k]] for k in top], "bptt": a[top].tolist(),
                                  "numeric": f[top].tolist(), "abs_diff": diff[top].tolist(),
                                  "rel_diff": rel[top].tolist()}
        # One number for the whole vector too: tiny derivatives (|g| ~ 1e-7) make the largest
        # entry-wise ratio look worse than it is, because eps = 1e-6 leaves ~1e-9 of rounding.
        whole = float(np.linalg.norm(a - f) / max(np.linalg.norm(a) + np.linalg.norm(f), 1e-300))
        verdict = "agree" if whole < 1e-5 else "DISAGREE"
        self.summary.object = (
            f"<span>BPTT and finite differences <b>{verdict}</b> on update {s.updates}: largest relative "
            f"difference <b class='max-rel'>{gc.max_rel_diff:.2e}</b>, largest absolute difference "
            f"{gc.max_abs_diff:.2e}, |BPTT − numeric| / (|BPTT| + |numeric|) of the whole vector {whole:.1e}, over {len(free)} parameters ({2 * len(free)} forward passes, "
            f"{seconds:.2f} s). The rows below are the {len(top)} biggest |differences|.</span>")
        self.result = gc
        return gc

    def _on_gradients(self, *_):
        if self.result is not None:  # the numbers belong to a net that no longer exists
            self.result = None
            self.check_source.data = self._empty_check()
            self.summary.object = "<span>The net changed since the last check: press <b>Check gradients</b> again.</span>"
        self._on_case()

    def _on_case(self, *_):
        case = min(self.selection.case, self.session.sequences.B - 1)
        self.stack_source.data = stack_rows(self.session, case)
        self.download.filename = f"stack-case{case}-update{self.session.updates}.csv"
        self.stack_title.object = (f"<span>The whole stack of case {case}: net input z, state s, target, "
                                   f"g = dE/ds and d = dE/dz for every unit and time.</span>")

    def _csv_file(self):
        return io.StringIO(stack_csv(self.session, min(self.selection.case, self.session.sequences.B - 1)))

    def __panel__(self):
        # Built once: a second Bokeh pane around the same DataTable would put one model in the page twice.
        if self._layout is None:
            self._layout = self._build_layout()
        return self._layout

    def _build_layout(self):
        return pn.Column(
            self.check, self.summary,
            pn.pane.Bokeh(self.check_table, sizing_mode="stretch_width"),
            pn.Row(self.stack_title, self.download, sizing_mode="stretch_width"),
            pn.pane.Bokeh(self.stack_table, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", css_classes=["byhand-view"])
