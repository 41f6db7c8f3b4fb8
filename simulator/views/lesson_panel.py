"""The lesson read-out: what the current lesson's net has learned, measured on demand.

Each lesson says what its read-out is (its module's ``panel``, simulator/lessons/lesson.py): the
measure behind the main button, its label and explanation, and which of this panel's pieces it
uses beside it: the hidden states read as an automaton, curves over time, the learned-h0
switch, or a writer that feeds the net's own letters back and learns sentences the user types.
Measures cost up to a few tenths of a second, so they run when a button is pressed, never on a
training frame; each result says at which update it was measured. The figures are built once; a
lesson change only swaps which widgets are shown.
"""
import html

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Range1d, Span
from bokeh.plotting import figure

from simulator.lessons import registry as L
from simulator.serving.assets import stylesheet
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.plotting import readable
from simulator.views.save_tool import add_save_tool
from simulator.views.seeds import SeedsView
from simulator.views.style import NEGATIVE, POSITIVE, soon

STATE_COLOURS = {(0, 0): "#7f8c8d", (0, 1): "#2c6fbb", (1, 0): "#e67e22", (1, 1): "#c0392b"}  # (carry, sum bit)


def _pre(text, css):
    return f'<pre class="readout-text {css}">{html.escape(text)}</pre>'


class LessonPanelView(pn.viewable.Viewer):
    """Buttons that measure what the current lesson's net has learned, and their results."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self._rng = np.random.default_rng(0)  # this view's own draws: held-out pairs, sampled letters
        self.last = {}  # the latest measure per lesson (tests read it)
        self.explain = pn.pane.Markdown(self.explain_md, css_classes=["lesson-readout-explain"], sizing_mode="stretch_width")
        css = [stylesheet("lesson_panel.css")]
        self.result = pn.pane.HTML("", css_classes=["lesson-readout"], sizing_mode="stretch_width", stylesheets=css)
        self.auto_text = pn.pane.HTML("", css_classes=["automaton-readout"], sizing_mode="stretch_width",
                                      stylesheets=css)
        self.measure = pn.widgets.Button(label=self.measure_label, color="primary", css_classes=["measure-btn"])
        self.measure.on_click(lambda _: soon(self.run))
        self._build_automaton()
        self._build_writer()
        self._build_curves()
        self.seeds = SeedsView(session=self.session)  # "10 seeds" of the current settings (seeds.py)
        self.h0_toggle = pn.widgets.Checkbox.from_param(self.session.param.learn_h0, css_classes=["h0-toggle"])
        self.content = pn.Column(sizing_mode="stretch_width")
        self.session.param.watch(self._on_lesson, ["lesson", "unit_names"])
        # A loaded document may bring other sentences with the same letters, hence the same units.
        self.session.param.watch(self._show_sentences, "lesson_data")
        self._on_lesson()

    @property
    def lesson(self):
        """The current lesson's declaration (simulator/lessons/lesson.py)."""
        return L.REGISTRY[self.session.lesson]

    @param.depends("session.lesson")
    def explain_md(self):
        return self.lesson.panel.explain

    @param.depends("session.lesson")
    def measure_label(self):
        return self.lesson.panel.label

    # -- layout per lesson -------------------------------------------------------------------------
    def _on_lesson(self, *_):
        r = self.lesson.panel
        self.result.object = self.auto_text.object = ""
        self.content.objects = [self.explain, *self._body(r.pieces), *([self.seeds] if self.lesson.solved else [])]
        if r.on_show:
            self.run()  # cheap for these lessons: show the numbers at once

    def _body(self, pieces):
        """The panel's widgets for a lesson whose read-out uses ``pieces`` (lesson.Readout)."""
        if "writer" in pieces:
            self._show_sentences()
            return [pn.Row(self.start, self.temperature, self.length, self.write_btn), self.written,
                    pn.Row(self.sentences, pn.Column(self.learn_btn, self.sentences_help))]
        beside = [w for piece, w in (("automaton", self.show_automaton), ("h0-toggle", self.h0_toggle)) if piece in pieces]
        body = [pn.Row(self.measure, *beside) if beside else self.measure, self.result]
        if "automaton" in pieces:
            body += [self.auto_text, pn.Row(self.trajectory, self.automaton, sizing_mode="stretch_width")]
        if "curves" in pieces:
            body.append(self.settle)
        return body

    def _misfit(self):
        """'' or why the lesson's read-out cannot read this network (e.g. after an edit)."""
        misfit = self.lesson.panel.misfit
        return misfit(self.session) if misfit else ""

    def run(self):
        """Measure the current lesson (the main button of every lesson but the writer's); returns
        what it measured (lesson.Measured), None when the read-out cannot read this network."""
        s = self.session
        text, measured = self._misfit(), None
        if not text:
            measured = self.lesson.panel.measure(s, self._rng)
            self.last[s.lesson] = measured.value
            if measured.curves is not None:
                self._draw_curves(*measured.curves)
            text = measured.text
        self.result.object = _pre(text + f"\n(measured at update {s.updates})", f"readout-{s.lesson}")
        return measured

    # -- the automaton picture ------------------------------------------------------------------------
    def _build_automaton(self):
        self.show_automaton = pn.widgets.Button(label="Show what it learned", css_classes=["show-automaton"])
        self.show_automaton.on_click(lambda _: soon(self.draw_automaton))
        self.points = ColumnDataSource(dict(x=[], y=[], colour=[], state=[], pair=[], column=[]), name="hidden_points")
        self.path = ColumnDataSource(dict(x=[], y=[], step=[]), name="hidden_path")
        fig = readable(figure(title="Hidden states of the training pairs, first two principal components",
                              height=360, sizing_mode="stretch_width", name="hidden_trajectory",
                              x_axis_label="principal component 1", y_axis_label="principal component 2"))
        r = fig.scatter("x", "y", color="colour", size=8, alpha=0.6, source=self.points, legend_field="state")
        fig.add_tools(HoverTool(renderers=[r], tooltips=[("state", "@state"), ("pair", "@pair"), ("column", "@column")]))
        fig.line("x", "y", source=self.path, color="black", line_width=2, line_dash="dashed")
        fig.text("x", "y", text="step", source=self.path, text_font_size="12px", x_offset=5, y_offset=-5)
        fig.legend.label_text_font_size = "12px"
        fig.add_layout(fig.legend[0], "right")  # beside the plot, not over the points
        self.trajectory = add_save_tool(fig, "hidden-states")
        self.nodes = ColumnDataSource(dict(x=[], y=[], colour=[], name=[], loop=[], size=[], count=[]),
                                      name="automaton_nodes")
        self.edges = ColumnDataSource({k: [] for k in ("x0", "y0", "cx", "cy", "x1", "y1", "lx", "ly", "ax", "ay",
                                                       "angle", "text", "colour")}, name="automaton_edges")
        fig = readable(figure(title="The automaton in its hidden states", height=360, width=430,
                              x_range=Range1d(-0.5, 1.5), y_range=Range1d(-0.45, 1.45),
                              name="automaton", tools=""))
        fig.axis.visible = fig.xgrid.visible = fig.ygrid.visible = False
        fig.quadratic("x0", "y0", "x1", "y1", "cx", "cy", source=self.edges, color="colour", line_width=2)
        fig.scatter("ax", "ay", angle="angle", marker="triangle", size=13, color="colour", source=self.edges,
                    angle_units="rad")
        fig.text("lx", "ly", text="text", source=self.edges, text_font_size="13px", text_align="center",
                 text_baseline="middle", background_fill_color="white")
        n = fig.scatter("x", "y", size="size", color="colour", source=self.nodes, alpha=0.85)
        fig.add_tools(HoverTool(renderers=[n], tooltips=[("state", "@name"), ("hidden states", "@count")]))
        fig.text("x", "y", text="name", source=self.nodes, text_font_size="13px", text_align="center", y_offset=-30)
        fig.text("x", "y", text="loop", source=self.nodes, text_font_size="12px", text_align="center", y_offset=38)
        self.automaton = add_save_tool(fig, "automaton")

    def draw_automaton(self):
        """Draw the lesson's picture: its hidden states on two principal components and the automaton
        they encode (black: a move the true automaton makes, red: one it does not)."""
        s = self.session
        why, picture = self._misfit(), self.lesson.panel.picture
        if why or picture is None:
            self.auto_text.object = _pre(why, "readout-automaton") if why else ""
            return
        pic = picture(s)
        self.points.data = dict(pic["points"], colour=[STATE_COLOURS[st] for st in pic["states"]])
        self.path.data = pic["path"]
        self.trajectory.title.text = pic["title"]
        edges = dict(pic["edges"])
        edges["colour"] = ["#333333" if ok else POSITIVE for ok in edges.pop("true")]
        self.edges.data = edges
        self.nodes.data = dict(pic["nodes"], colour=[STATE_COLOURS[st] for st in pic["node_states"]])
        self.last["automaton"] = pic["value"]
        self.auto_text.object = _pre(pic["text"] + f"\n(measured at update {s.updates})", "readout-automaton")

    # -- the writer ----------------------------------------------------------------------------------
    def _build_writer(self):
        self.start = pn.widgets.TextInput(label="Start with", width=110, css_classes=["write-start"])
        self.temperature = pn.widgets.FloatSlider(label="Temperature (0 = most likely letter)", start=0, end=2,
                                                  step=0.1, value=0, width=240, css_classes=["write-temperature"])
        self.length = pn.widgets.IntSlider(label="Letters", start=2, end=80, value=11, width=200,
                                           css_classes=["write-length"])
        self.write_btn = pn.widgets.Button(label="Write", color="primary", css_classes=["write-btn"])
        self.write_btn.on_click(lambda _: soon(self.write))
        self.written = pn.pane.HTML("", css_classes=["written"], sizing_mode="stretch_width",
                                    stylesheets=[stylesheet("lesson_panel.css")])
        self.sentences = pn.widgets.TextAreaInput(label="Training sentences (one per line)", height=110, width=360,
                                                  css_classes=["sentences-input"])
        self.learn_btn = pn.widgets.Button(label="Learn these sentences", css_classes=["sentences-btn"])
        self.learn_btn.on_click(lambda _: soon(self.use_sentences))
        self.sentences_help = pn.pane.HTML("", width=300)  # the lesson's rules: _show_sentences

    def write(self):
        """What the net writes from the start letters, its own letters fed back (the lesson's write)."""
        s = self.session
        try:
            text, said = self.lesson.panel.write(s, self.start.value, self.length.value, self.temperature.value,
                                                 self._rng)
        except ValueError as exc:
            self.written.object = _pre(f"Cannot write: {exc}", "written-error")
            return None
        self.last[s.lesson] = text
        self.written.object = _pre(said, "written-text")
        return text

    def _show_sentences(self, *_):
        """The sentence box, and Start with and Letters for the first sentence, as the lesson learns them."""
        own = self.lesson.own_data
        if "writer" not in self.lesson.panel.pieces or own is None:
            return
        sentences = self.session.lesson_spec["task"][own.field]
        self.start.value, self.length.value = sentences[0][0], len(sentences[0])
        self.sentences.value = "\n".join(sentences)
        self.sentences_help.object = (f"<small>{own.help} The net starts again from new random weights: press Play "
                                      "to train it.</small>")

    def use_sentences(self):
        ok = self.session.use_sentences(self.sentences.value)
        self.written.object = "" if ok else _pre(self.session.message, "written-error")

    # -- curves over time ------------------------------------------------------------------------------
    def _build_curves(self):
        self.settle_src = ColumnDataSource(dict(xs=[], ys=[], case=[]), name="attractor_distances")
        fig = readable(figure(title="Distance of the state from its pattern", height=300, sizing_mode="stretch_width",
                              x_axis_label="time step t", y_axis_label="distance", name="attractor_settle"))
        r = fig.multi_line("xs", "ys", source=self.settle_src, line_width=2, alpha=0.6, color=NEGATIVE)
        fig.add_tools(HoverTool(renderers=[r], tooltips=[("case", "@case")]))
        self.settle_T = Span(location=0, dimension="height", line_dash="dashed", line_color="black")
        fig.add_layout(self.settle_T)
        self.settle = add_save_tool(fig, "attractor-distances")

    def _draw_curves(self, rows, mark):
        """One line per row of ``rows`` (B, n) over the steps 0..n-1, and a dashed line at step ``mark``."""
        t = list(range(rows.shape[1]))
        self.settle_src.data = dict(xs=[t] * len(rows), ys=[list(row) for row in rows], case=list(range(len(rows))))
        self.settle_T.location = mark

    def __panel__(self):
        return pn.Column(self.content, sizing_mode="stretch_width", css_classes=["lesson-panel"])
