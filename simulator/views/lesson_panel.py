"""The lesson read-out: what the current lesson's net has learned, measured on demand.

Each lesson gets its own few widgets (issue 4, "Lessons"): binary addition tested on held-out
numbers and its hidden states read as the addition automaton; the robot writing with its own
letters fed back (and learning sentences the user types); fixed vs learned initial states;
an attractor run past T; spectral radius and error size per step; the tie report; the input
modes compared. Measures cost up to a few tenths of a second, so they run when a button is
pressed, never on a training frame; each result says at which update it was measured.
The figures are built once; a lesson change only swaps which widgets are shown.
"""
import html

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Range1d, Span
from bokeh.plotting import figure

from simulator.state import edits as E
from simulator.lessons import measures as LM
from simulator.lessons import readouts as R
from simulator.state.selection import Selection
from simulator.serving.assets import stylesheet
from simulator.lessons.own_data import SENTENCE_LETTERS
from simulator.state.session import Session
from simulator.views.plotting import readable
from simulator.views.save_tool import add_save_tool
from simulator.views.style import NEGATIVE, POSITIVE, fmt, soon

STATE_COLOURS = {(0, 0): "#7f8c8d", (0, 1): "#2c6fbb", (1, 0): "#e67e22", (1, 1): "#c0392b"}
EXPLAIN = {
    "binary-addition": "Numbers it never saw show whether it learned the rule of addition rather than the training pairs; "
                       "its hidden states, clustered, are the four states of the adder: carry or not, times the bit printed.",
    "robot-writer": "Writing feeds the net's own letter back as the next input: temperature 0 takes the most likely "
                    "letter, higher temperatures sample and make it more adventurous.",
    "learned-initial-state": "The same start trained twice: with the initial states fixed at 0.5 the error at t = 0 "
                             "cannot fall; learned, dE/dh0 moves them like weights.",
    "attractors": "Started from a corrupted pattern and run 10 steps past T with no targets: an attractor settles "
                  "onto the pattern (distance near 0) and stays there.",
    "vanishing-exploding": "Going back one step multiplies the error by the recurrent weights, so its size changes "
                           "by about the spectral radius per step: it vanishes below 1 and explodes above 1.",
    "tied-weights": "Backprop computes each tied weight's own gradient; each then receives their sum, so weights that "
                    "start equal stay equal.",
    "input-modes": "The same net trained with its input given each of the three ways, from the same start.",
    "temporal-xor": "The fraction of targets the output gets right (on the target's side of 0.5): memory tasks need "
                    "the hidden units to hold the older bit.",
}


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
        self.explain = pn.pane.Markdown("", css_classes=["lesson-readout-explain"], sizing_mode="stretch_width")
        css = [stylesheet("lesson_panel.css")]
        self.result = pn.pane.HTML("", css_classes=["lesson-readout"], sizing_mode="stretch_width", stylesheets=css)
        self.auto_text = pn.pane.HTML("", css_classes=["automaton-readout"], sizing_mode="stretch_width",
                                      stylesheets=css)
        self.measure = pn.widgets.Button(label="Measure now", color="primary", css_classes=["measure-btn"])
        self.measure.on_click(lambda _: soon(self.run))
        self._build_addition()
        self._build_writer()
        self._build_attractor()
        self.h0_toggle = pn.widgets.Checkbox.from_param(self.session.param.learn_h0, css_classes=["h0-toggle"])
        self.content = pn.Column(sizing_mode="stretch_width")
        self.session.param.watch(self._on_lesson, ["lesson", "unit_names"])
        # A loaded document may bring other sentences with the same letters, hence the same units.
        self.session.param.watch(self._show_sentences, "lesson_data")
        self._on_lesson()

    # -- layout per lesson -------------------------------------------------------------------------
    def _on_lesson(self, *_):
        name = self.session.lesson
        self.explain.object = EXPLAIN.get(name, "")
        self.result.object = self.auto_text.object = ""
        labels = {"binary-addition": "Test on held-out numbers", "learned-initial-state": "Compare fixed and learned h0",
                  "attractors": "Run 10 steps past T", "input-modes": "Compare the three ways"}
        self.measure.label = labels.get(name, "Measure now")
        if name == "binary-addition":
            body = [pn.Row(self.measure, self.show_automaton), self.result, self.auto_text,
                    pn.Row(self.trajectory, self.automaton, sizing_mode="stretch_width")]
        elif name == "robot-writer":
            self._show_sentences()
            body = [pn.Row(self.start, self.temperature, self.length, self.write_btn), self.written,
                    pn.Row(self.sentences, pn.Column(self.learn_btn, self.sentences_help))]
        elif name == "learned-initial-state":
            body = [pn.Row(self.measure, self.h0_toggle), self.result]
        elif name == "attractors":
            body = [self.measure, self.result, self.settle]
        else:
            body = [self.measure, self.result]
        self.content.objects = [self.explain, *body]
        if name not in ("binary-addition", "robot-writer"):
            self.run()  # cheap for these lessons: show the numbers at once

    def run(self):
        """Measure the current lesson (the main button of every lesson but the robot writer)."""
        s = self.session
        name = s.lesson
        method = {"binary-addition": self.test_addition, "learned-initial-state": self.compare_h0,
                  "attractors": self.run_attractor, "vanishing-exploding": self.spectral,
                  "tied-weights": self.ties, "input-modes": self.modes}.get(name, self.accuracy)
        if name == "binary-addition" and s.net.N != 6:
            text = self._not_the_adder()
        else:
            text = method()
        self.result.object = _pre(text + f"\n(measured at update {s.updates})", f"readout-{name}")

    # -- binary addition -------------------------------------------------------------------------
    def _build_addition(self):
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

    def _not_the_adder(self):
        # readouts reads units a, b, h1-h3, sum by position: an edited net has other positions.
        return (f"These read-outs need the lesson's six units (a, b, h1-h3, sum); this network has {self.session.net.N}. "
                "Press Reset to go back to the lesson's network.")

    def _bits(self):
        return self.session.sequences.T - 2

    def test_addition(self, count=256, shown=4):
        """The lecture's pairs and ``count`` random held-out pairs: the first few printed in bits."""
        s, bits = self.session, self._bits()
        pairs = R.held_out_pairs(s.task_info, bits, count, self._rng)
        res = R.addition_results(s.net, pairs, bits)
        self.last["binary-addition"] = res
        blocks = [R.format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2 + shown])]
        head = (f"{len(pairs)} pairs the net never saw ({bits}-bit numbers): "
                f"{100 * res['bit_accuracy']:.1f}% of the sum bits right, "
                f"{100 * res['pair_accuracy']:.1f}% of the sums entirely right")
        return head + "\n\n" + "\n\n".join(blocks)

    def draw_automaton(self):
        """Project the hidden states on two principal components and draw the automaton they encode."""
        s, bits = self.session, self._bits()
        if s.net.N != 6:
            self.auto_text.object = _pre(self._not_the_adder(), "readout-automaton")
            return
        auto = R.addition_automaton(s.net, s.task_info, bits, np.random.default_rng(0))
        H, labels, _, _ = R.addition_states(s.net, s.task_info, bits)
        Hp, _, _, _ = R.addition_states(s.net, [R.LECTURE_PAIRS[0]], bits)
        (P, path), var = LM.project2(H, Hp)
        states = [tuple(int(v) for v in lab) for lab in labels]
        cols = bits + 2
        self.points.data = dict(x=P[:, 0], y=P[:, 1], colour=[STATE_COLOURS[st] for st in states],
                                state=[LM.state_name(st) for st in states],
                                pair=["{} + {}".format(*s.task_info[k // cols]) for k in range(len(H))],
                                column=[k % cols for k in range(len(H))])
        self.path.data = dict(x=path[:, 0], y=path[:, 1], step=[f"t={c + 1}" for c in range(len(path))])
        self.trajectory.title.text = (f"Hidden states, 2 principal components ({100 * var.sum():.0f}% of the variance); "
                                      f"dashed: 52 + 77")
        edges, loops = LM.automaton_edges(auto["transitions"])
        edges["colour"] = ["#333333" if ok else POSITIVE for ok in edges.pop("true")]
        count = {st: states.count(st) for st in LM.STATES}
        self.edges.data = edges
        self.nodes.data = dict(x=[LM.STATE_XY[st][0] for st in LM.STATES], y=[LM.STATE_XY[st][1] for st in LM.STATES],
                               colour=[STATE_COLOURS[st] for st in LM.STATES], name=[LM.state_name(st) for st in LM.STATES],
                               loop=["\u21bb " + loops[st][0] if st in loops else "" for st in LM.STATES],
                               size=[26 + 14 * count[st] / max(1, len(states)) * 4 for st in LM.STATES],
                               count=[count[st] for st in LM.STATES])
        self.last["automaton"] = auto
        self.auto_text.object = _pre(
            f"{auto['k']} clusters of hidden states; {100 * auto['purity']:.1f}% of the states sit in a cluster of "
            f"their own automaton state; {100 * auto['consistent']:.1f}% of the moves agree with one transition "
            f"table.\nRight: the automaton, an arrow per move, labelled with the input bits a b that cause it (red: a "
            f"move the true adder does not make); left: the hidden states, the dashed line is 52 + 77 step by step."
            f"\n(measured at update {s.updates})",
            "readout-automaton")

    # -- the robot writer ----------------------------------------------------------------------------
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
        self.sentences_help = pn.pane.HTML(
            f"<small>Letters: a-z, space and <code>{html.escape(SENTENCE_LETTERS[27:])}</code>; up to 4 sentences "
            "of 2-40 letters. The net starts again from new random weights: press Play to train it.</small>", width=300)

    def write(self):
        """The sentence the net writes from the start letters, its own letters fed back."""
        s = self.session
        info = s.task_info
        try:
            text = R.write(s.net, info["alphabet"], self.start.value.lower() or info["sentences"][0][0],
                           self.length.value, self.temperature.value, self._rng)
        except ValueError as exc:
            self.written.object = _pre(f"Cannot write: {exc}", "written-error")
            return None
        known = "a training sentence" if text in info["sentences"] else "not a training sentence"
        self.last["robot-writer"] = text
        self.written.object = _pre(f"The net writes: {text}\n({known}; update {s.updates}, temperature "
                                   f"{self.temperature.value:g})", "written-text")
        return text

    def _show_sentences(self, *_):
        """The sentence box, and Start with and Letters for the first sentence, as the robot learns them."""
        if self.session.lesson != "robot-writer":
            return
        sentences = self.session.lesson_spec["task"]["sentences"]
        self.start.value, self.length.value = sentences[0][0], len(sentences[0])
        self.sentences.value = "\n".join(sentences)

    def use_sentences(self):
        ok = self.session.use_sentences(self.sentences.value)
        self.written.object = "" if ok else _pre(self.session.message, "written-error")

    # -- other lessons ------------------------------------------------------------------------------------
    def compare_h0(self):
        s = self.session
        cmp = LM.compare_h0(s.lesson_spec, s.seed, s.sequences.T, updates=100)
        self.last["learned-initial-state"] = cmp
        g = s.gradients
        names = s.unit_names
        row = lambda v: "  ".join(f"{n}={fmt(x, 3)}" for n, x in zip(names, v))
        return ("From the same start (seed {}), 100 updates each:\n"
                "  h0 fixed at 0.5:  loss {}   error at t=0 {}\n"
                "  h0 learned:       loss {}   error at t=0 {}\n"
                "  learned h0:       {}\n\n"
                "This network now ({}): loss {}   error at t=0 {}\n"
                "  dE/dh0:  {}").format(s.seed, fmt(cmp[False]["loss"]), fmt(cmp[False]["error_t0"]),
                                        fmt(cmp[True]["loss"]), fmt(cmp[True]["error_t0"]), row(cmp[True]["h0"]),
                                        "h0 learned" if s.learn_h0 else "h0 fixed at 0.5", fmt(float(g.loss)),
                                        fmt(float(g.loss_by_step[0])), row(g.dh0))

    def _build_attractor(self):
        self.settle_src = ColumnDataSource(dict(xs=[], ys=[], case=[]), name="attractor_distances")
        fig = readable(figure(title="Distance of the state from its pattern", height=300, sizing_mode="stretch_width",
                              x_axis_label="time step t", y_axis_label="distance", name="attractor_settle"))
        r = fig.multi_line("xs", "ys", source=self.settle_src, line_width=2, alpha=0.6, color=NEGATIVE)
        fig.add_tools(HoverTool(renderers=[r], tooltips=[("case", "@case")]))
        self.settle_T = Span(location=0, dimension="height", line_dash="dashed", line_color="black")
        fig.add_layout(self.settle_T)
        self.settle = add_save_tool(fig, "attractor-distances")

    def run_attractor(self):
        s = self.session
        d = R.attractor_distances(s.net, s.sequences)  # (B, T+11)
        T, last = s.sequences.T, s.task_info.get("last", 1)
        self.last["attractors"] = d
        t = list(range(d.shape[1]))
        self.settle_src.data = dict(xs=[t] * len(d), ys=[list(row) for row in d], case=list(range(len(d))))
        self.settle_T.location = T
        return (f"Largest distance from the pattern over the target steps t={T - last + 1}..{T}: "
                f"{fmt(float(d[:, T - last + 1:T + 1].max()))}\n"
                f"Largest distance in the 10 steps after T (no targets there): {fmt(float(d[:, T + 1:].max()))}")

    def spectral(self):
        s = self.session
        out = R.readout("vanishing-exploding", s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)
        self.last["vanishing-exploding"] = out
        lines = [f"Spectral radius of all recurrent weights: {fmt(out['spectral_radius_all'])}"]
        for g, rho in out["spectral_radius"].items():
            e = out["error_by_step"][g]
            nz = np.flatnonzero(e > 0)
            if len(nz) < 2:
                lines.append(f"  {g}: spectral radius {fmt(rho)}; no error reaches it")
                continue
            a, b = nz[0], nz[-1]
            ratio = (e[a] / e[b]) ** (1 / (b - a))
            lines.append(f"  {g}: spectral radius {fmt(rho)}; error size at t={a} is {fmt(e[a] / e[b])} x that at "
                         f"t={b}: x {fmt(ratio, 3)} per step back")
        return "\n".join(lines)

    def ties(self):
        s = self.session
        rep = R.tie_report(s.net, s.gradients)
        self.last["tied-weights"] = rep
        if not rep:
            return "No tied weights (tie two in Inspect & edit)."
        label = lambda r: E.ref_label(tuple(r), s.unit_names)
        lines = []
        for g in rep:
            lines.append("Tied: " + ", ".join(label(r) for r in g["members"]))
            lines += [f"  {label(r)}: value {fmt(v, 6)}  own gradient {fmt(d)}"
                      for r, v, d in zip(g["members"], g["values"], g["gradients"])]
            lines.append(f"  each receives the summed gradient {fmt(g['summed'])}")
        return "\n".join(lines)

    def modes(self):
        s = self.session
        out = LM.compare_modes(s.lesson_spec, s.seed, s.sequences.T, updates=500)
        self.last["input-modes"] = out
        rows = [f"  {m:18s} loss {fmt(loss):>8s}   right {100 * acc:.0f}%" for m, (loss, acc) in out.items()]
        return f"The same start (seed {s.seed}), 500 updates in each way:\n" + "\n".join(rows) + "\n\n" + self.accuracy()

    def accuracy(self):
        s = self.session
        acc = LM.target_accuracy(s.gradients, s.sequences)
        self.last.setdefault("accuracy", {})[s.lesson] = acc
        return (f"This network now: loss {fmt(float(s.gradients.loss))}, {100 * acc:.1f}% of the targets on the right "
                f"side of 0.5")

    def __panel__(self):
        return pn.Column(self.content, sizing_mode="stretch_width", css_classes=["lesson-panel"])
