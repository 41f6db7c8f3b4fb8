"""The grid editor: which unit is an input, and which has a target, at each time step.

Lecture 7b has no layers: "a unit is an input only because it is clamped, an output only
because it has a target". This view draws the (T+1) x N grid of one training case (rows
t = 0..T, columns the units) with every clamped cell in green and every target in purple,
their values written in, and lets the user paint cells with a brush (a click or a drag) or apply one of the
lecture's patterns to every case. All edits go through Session methods (set_cell,
apply_pattern); the view only draws the data and writes ``selection.case``/``selection.unit``.
"""
import numpy as np
import panel as pn
import param
from bokeh.events import DoubleTap, Pan, PanStart, Tap
from bokeh.models import ColumnDataSource, FixedTicker, HoverTool, Range1d
from bokeh.plotting import figure

from simulator.state.edits import number
from simulator.state.selection import Selection
from simulator.state.session import Session

from simulator.views.save_tool import add_save_tool
from simulator.views.style import CLAMP, HIGHLIGHT, TARGET, after_widgets, fmt, soon, tint
from simulator.views.text import choice_options, esc, md
from simulator.views.throttle import Throttle

ROW_PX = 26  # height of one time step in the grid
HELP_PX = 44  # the help line's room, kept whether it shows help or a refusal: the grid never moves
CLAMP_FILL, TARGET_FILL = tint(CLAMP, 0.25), tint(TARGET, 0.22)
CLAMP_TEXT, TARGET_TEXT = "#17693a", "#5b2a73"  # darker than the fills, readable on a projector
BRUSHES = {"Inspect": "inspect", "Clear": "none", "Clamp": "clamp", "Target": "target"}

# The lecture's words (7b, "Providing input" and "Teaching signals") for each pattern button.
PATTERNS = [
    ("clamp", "initial-all", "Clamp initial states of all units",
     "Specify the initial states of all the units (row t = 0 of every unit is clamped)."),
    ("clamp", "initial-subset", "Clamp initial states of chosen units",
     "Specify the initial states of a subset of the units (row t = 0 of the chosen units)."),
    ("clamp", "every-step-subset", "Clamp chosen units at every step",
     "Specify the states of the same subset of the units at every time step. "
     "This is the natural way to model most sequential data."),
    ("target", "final-all", "Target final states of all units",
     "Specify desired final activities of all the units (row t = T)."),
    ("target", "last-k-all", "Target all units on the last k steps",
     "Specify desired activities of all units for the last few steps. Good for learning "
     "attractors; it is easy to add in extra error derivatives as we backpropagate."),
    ("target", "subset-every-step", "Target chosen units at every step",
     "Specify the desired activity of a subset of the units. The other units are input or hidden units."),
]

BRUSH_HELP = {
    "inspect": "Click a cell to inspect that unit at that time step (nothing changes).",
    "none": "Click a cell to make the unit free there: neither clamped nor taught (a hidden unit at that step).",
    "clamp": "Click a cell to clamp it: the unit's state at that step is set to the value (it is an input there).",
    "target": "Click a cell to give it a target: the unit's activity at that step should be the value "
              "(it is an output there).",
}


class GridEditorView(pn.viewable.Viewer):
    """Edit the clamp and target grid of the selected training case; apply the lecture's patterns."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    problem = param.String(default="", precedence=-1, doc="Why the last paint was refused ('' if it was not).")

    def __init__(self, **params):
        super().__init__(**params)
        self._drag = None  # the last cell a drag painted
        self._pointer = []  # pointer events waiting for widget changes sent before them, in order
        self.source = ColumnDataSource(name="grid_cells", data=self._cells())
        self.x_range, self.y_range = Range1d(-0.5, 0.5), Range1d(0.5, -0.5)  # t = 0 at the top
        fig = figure(x_range=self.x_range, y_range=self.y_range, tools="", name="grid_figure",
                     sizing_mode="stretch_width", height=200, min_width=260, x_axis_location="above")
        fig.rect(x="x", y="y", width=0.94, height=0.9, source=self.source, fill_color="fill",
                 line_color="line", line_width="line_width", name="grid_rects")
        fig.text(x="x", y="y", text="text", source=self.source, text_color="text_color",
                 text_align="center", text_baseline="middle", text_font_size="13px", text_font_style="bold")
        fig.add_tools(HoverTool(tooltips=[("", "@what"), ("activity s", "@state")]))
        # Bokeh calls a second tap within 300 ms (anywhere) a DoubleTap, never a Tap: painting
        # cells quickly, or a double-click, must paint too (a paint is the same when repeated).
        for kind, handler in ((Tap, self._on_tap), (DoubleTap, self._on_tap),
                              (PanStart, self._on_drag_start), (Pan, self._on_drag)):
            fig.on_event(kind, lambda event, handler=handler: self._queue(handler, event))
        fig.xaxis.axis_label = "unit"
        fig.yaxis.axis_label = "time step t"
        fig.xgrid.visible = fig.ygrid.visible = False
        for axis in (*fig.xaxis, *fig.yaxis):
            axis.axis_label_text_font_size = "13px"
            axis.major_label_text_font_size = "13px"
            axis.axis_label_text_font_style = "normal"
        fig.outline_line_color = None
        self.figure = add_save_tool(fig, "inputs-and-targets")

        self.case = pn.widgets.IntInput(label="Training case", start=0, end=0, value=0, width=110,
                                        css_classes=["grid-case"],
                                        description="Which case of the batch the grid shows and edits.")
        self.case_info = pn.pane.Markdown("", css_classes=["grid-case-info"], margin=(18, 5, 0, 5))
        self.brush = pn.widgets.RadioButtonGroup(label="Brush", options=list(BRUSHES), value="Inspect",
                                                 color="default", css_classes=["grid-brush"],
                                                 description="What a click on a cell does.")
        self.value = pn.widgets.TextInput(label="Value", value="1", value_input="1", width=80, css_classes=["grid-value"],
                                          description="The clamped state or the target a click paints, e.g. 0, 1 or 0.5.")
        self.all_cases = pn.widgets.Checkbox(label="paint every case", value=False, css_classes=["grid-all-cases"])
        # One line for the brush's help or, in its place, why a paint was refused: shown once, here
        # (the status line stays quiet), and in the same room, so the grid below never moves under
        # the pointer (an Alert above it pushed it ~80 px and the next click hit another cell).
        self.help = pn.pane.HTML(pn.bind(self._help_html, self.brush, self.param.problem), css_classes=["grid-help"],
                                 sizing_mode="stretch_width", height=HELP_PX, styles={"overflow": "auto"})

        self.units = pn.widgets.MultiChoice(label="Chosen units (for the subset patterns)", options=[],
                                            css_classes=["grid-units"], sizing_mode="stretch_width")
        self.k = pn.widgets.IntInput(label="k (last steps)", start=1, end=2, value=2, width=110,
                                     css_classes=["grid-k"])
        self.combine = pn.widgets.Checkbox(label="add to the current clamps / targets", value=False,
                                           css_classes=["grid-combine"], margin=(28, 5, 5, 5))
        self.pattern_buttons = []
        for kind, mode, label, tip in PATTERNS:
            btn = pn.widgets.Button(label=label, color="success" if kind == "clamp" else "primary",
                                    variant="outline", description=tip,
                                    css_classes=["grid-pattern", f"pattern-{mode}"])
            btn.on_click(lambda _e, kind=kind, mode=mode: soon(lambda: self.apply(kind, mode)))
            self.pattern_buttons.append(btn)

        self.value.param.watch(self._sync_value, "value")
        self.case.param.watch(self._on_case_widget, "value")
        self.redraw = Throttle(self._update, 0)
        self.session.param.watch(self.redraw, ["sequences", "gradients", "unit_names"])
        self.selection.param.watch(self._update, ["case", "unit"])
        self._update()

    # -- drawing ------------------------------------------------------------------------------
    @staticmethod
    def _cells(**columns):
        keys = ("x", "y", "fill", "line", "line_width", "text", "text_color", "what", "state", "role", "value")
        return {k: list(columns.get(k, [])) for k in keys}

    def current_case(self):
        return min(max(self.selection.case, 0), self.session.sequences.B - 1)

    def _update(self, *_):
        s, seq = self.session, self.session.sequences
        c, names, T, N = self.current_case(), s.unit_names, seq.T, seq.N
        X, K, Y, M = seq.X[c], seq.K[c], seq.Y[c], seq.M[c]  # (T+1, N) each
        S = s.gradients.states[c]  # (T+1, N)
        t_idx, i_idx = np.meshgrid(np.arange(T + 1), np.arange(N), indexing="ij")
        t_idx, i_idx = t_idx.ravel(), i_idx.ravel()
        clamp, target = K.ravel() != 0, M.ravel() != 0
        role = np.where(clamp & target, "both", np.where(clamp, "clamp", np.where(target, "target", "none")))
        fill, line, text, colour, what, value = [], [], [], [], [], []
        for t, i, r, x, y in zip(t_idx, i_idx, role, X.ravel(), Y.ravel()):
            where = f"{names[i]} at t = {t}"
            if r == "clamp":
                fill.append(CLAMP_FILL); text.append(fmt(x, 3)); colour.append(CLAMP_TEXT); value.append(x)
                what.append(f"{where}: clamped to {fmt(x)} (an input at this step)")
            elif r == "target":
                fill.append(TARGET_FILL); text.append(fmt(y, 3)); colour.append(TARGET_TEXT); value.append(y)
                what.append(f"{where}: target {fmt(y)} (an output at this step)")
            elif r == "both":
                fill.append(TARGET_FILL); text.append(f"{fmt(x, 3)}|{fmt(y, 3)}"); colour.append(CLAMP_TEXT)
                value.append(x)
                what.append(f"{where}: clamped to {fmt(x)} and target {fmt(y)} (a clamped state takes no error)")
            else:
                fill.append("#ffffff"); text.append(""); colour.append("#000000"); value.append(np.nan)
                what.append(f"{where}: free (hidden at this step)")
            line.append("#999999")
        widths = [1.0] * len(line)
        sel = self.selection.unit
        if sel is not None and 0 <= sel[0] <= T and 0 <= sel[1] < N:
            k = sel[0] * N + sel[1]
            line[k], widths[k] = HIGHLIGHT, 3.5
        self.source.data = self._cells(x=i_idx.tolist(), y=t_idx.tolist(), fill=fill, line=line,
                                       line_width=widths, text=text, text_color=colour, what=what,
                                       state=[fmt(v) for v in S.ravel()], role=role.tolist(),
                                       value=[float(v) for v in value])
        self._layout(T, N, names, seq.B, c)

    def _layout(self, T, N, names, B, c):
        """Axes, sizes and widget bounds; changed only when T, N, the names or B change."""
        key = (T, N, tuple(names), B)
        if getattr(self, "_layout_key", None) != key:
            self._layout_key = None  # set once laid out: a layout that failed is redone next time
            self.x_range.update(start=-0.5, end=N - 0.5)
            self.y_range.update(start=T + 0.5, end=-0.5)
            self.figure.xaxis.ticker = FixedTicker(ticks=list(range(N)))
            self.figure.xaxis.major_label_overrides = {i: n for i, n in enumerate(names)}
            self.figure.yaxis.ticker = FixedTicker(ticks=list(range(T + 1)))
            self.figure.height = 70 + ROW_PX * (T + 1)
            self.case.end = B - 1
            self.k.end = T + 1
            chosen = [n for n in self.units.value if n in names]
            self.units.param.update(options=choice_options(names), value=chosen)
            self._layout_key = key
        if self.case.value != c:
            self.case.value = c
        info = getattr(self.session, "task_info", None)
        caption = ""
        if isinstance(info, (list, tuple)) and len(info) == B:
            item = info[c]
            caption = f"{item[0]} + {item[1]}" if isinstance(item, tuple) and len(item) == 2 else str(item)
        self.case_info.object = f"case {c} of {B}" + (f": {md(caption)}" if caption else "")

    # -- editing -------------------------------------------------------------------------------
    def _on_case_widget(self, event):
        if event.new is not None and event.new != self.selection.case:
            self.selection.case = int(event.new)

    def _sync_value(self, event):
        if self.value.value_input != event.new:
            self.value.value_input = event.new

    @staticmethod
    def _help_html(brush, problem):
        if problem:
            return f'<div class="grid-message" style="color:#a61b1b">⚠ {esc(problem)}</div>'
        return f"<div>{esc(BRUSH_HELP[BRUSHES[brush]])}</div>"

    def _queue(self, handler, event):
        """Handle a pointer event after the brush and value changes sent before it, keeping
        the events' own order (a drag's cells are painted start first)."""
        self._pointer.append((handler, event))
        if len(self._pointer) == 1:
            after_widgets(self._drain)

    def _drain(self):
        events, self._pointer = self._pointer, []
        for handler, event in events:
            handler(event)

    def _on_tap(self, event):
        if event.x is None or event.y is None:
            return
        self.paint(int(round(event.y)), int(round(event.x)))

    def _on_drag_start(self, event):
        self._drag = None
        self._on_drag(event)

    def _on_drag(self, event):
        """A drag paints every cell it passes over (cells between two pointer events included)."""
        if event.x is None or event.y is None:
            return
        cell = int(round(event.y)), int(round(event.x))
        last, self._drag = self._drag, cell
        if last == cell:
            return
        n = 1 if last is None else max(abs(cell[0] - last[0]), abs(cell[1] - last[1]))
        start = cell if last is None else last
        for k in range(1, n + 1):
            t, i = (round(start[0] + (cell[0] - start[0]) * k / n), round(start[1] + (cell[1] - start[1]) * k / n))
            if not self.paint(t, i):
                return

    def paint(self, t, i):
        """What a click on cell (t, i) does with the current brush."""
        seq = self.session.sequences
        if not (0 <= t <= seq.T and 0 <= i < seq.N):
            return True
        brush = BRUSHES[self.brush.value]
        if brush == "inspect":
            self.selection.unit = (t, i)
            return True
        case = None if self.all_cases.value else self.current_case()
        # value_input follows every keystroke; value only Enter/blur, which may still be on its
        # way when the click on the grid arrives.
        text = None if brush == "none" else self.value.value_input
        try:
            if text is not None:
                number(text, f"the {brush} value")  # the session's own check, said here only
        except ValueError as exc:
            self.problem = f"Nothing painted: {exc}"
            return False
        return self._report(self.session.set_cell(case, t, i, brush, text))

    def apply(self, kind, mode):
        """One of the lecture's patterns, on every case, with the chosen units and k."""
        names = self.session.unit_names
        units = [names.index(n) for n in self.units.value if n in names]
        self._report(self.session.apply_pattern(kind, mode, units=units, last=self.k.value,
                                                combine=self.combine.value))

    def _report(self, ok):
        """Show this view's own failure next to it (the session keeps the old data)."""
        self.problem = "" if ok else self.session.message
        return ok

    def __panel__(self):
        brush_row = pn.Row(self.case, self.case_info, pn.Spacer(width=10), self.brush, self.value,
                           self.all_cases, sizing_mode="stretch_width")
        patterns = pn.Column(
            pn.pane.Markdown("**The lecture's patterns** (applied to every case, replacing that kind of mark unless "
                             "'add' is ticked; hover a button for the lecture's words)",
                             margin=(0, 5)),
            pn.Row(self.units, self.k, self.combine, sizing_mode="stretch_width"),
            pn.GridBox(*self.pattern_buttons, ncols=3, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
        intro = pn.pane.Markdown(
            "**Inputs and teaching signals.** A unit is an *input* where it is **clamped** (green: its "
            "state is set to the number shown) and an *output* where it has a **target** (purple: its "
            "activity should be the number shown). Everywhere else it is hidden.",
            css_classes=["grid-intro"], sizing_mode="stretch_width")
        return pn.Column(intro, brush_row, self.help, pn.pane.Bokeh(self.figure), patterns,
                         sizing_mode="stretch_width", css_classes=["grid-editor"])
