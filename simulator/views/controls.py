"""Controls: the status line, Play/Step/Reset, the pass buttons, the time cursor, settings.

Every widget is built from a Session/Selection/Player param (``from_param``), so bounds,
labels and tooltips come from one declaration (Panel's dev_experience guide).
"""

import panel as pn
import param

from simulator.serving.assets import stylesheet
from simulator.serving.player import Player
from simulator.state.selection import Selection, pass_frame
from simulator.state.session import Session
from simulator.views.record import Recorder, legend_image_js
from simulator.views.save_tool import LEGEND_SVG
from simulator.views.style import soon
from simulator.views.text import TextHTML, md
from simulator.views.training_settings import training_settings

# round(): 3 * 10.0 ** -1 is 0.30000000000000004, which a typed or linked 0.3 never equals (the slider
# and the session then corrected each other without end).
RATES = sorted({round(m * 10.0 ** e, 12) for e in range(-4, 3) for m in (1, 2, 3, 5)} - {200.0, 300.0, 500.0})


def _rate_options(current):
    """1-2-3-5 steps from 1e-4 to 100, plus the current value if a lesson uses another."""
    values = sorted(set(RATES) | {float(current)})
    # A value that "%g" would round onto another's label (0.30000001 -> "0.3") keeps its full
    # repr: two options with one label would leave the slider unable to show the session's value.
    return {(f"{v:g}" if float(f"{v:g}") == v else repr(v)): v for v in values}


#: Training speeds: (most updates a frame, milliseconds between frames, frames the page skipped made
#: up in updates). "Full speed" is the Player's default (as many updates as fit its time budget); the
#: others let a class watch the error fall, so each of their frames runs exactly what they say.
SPEEDS = {"Full speed": (50, 40, True), "10 updates a frame": (10, 40, False), "1 update a frame": (1, 40, False),
          "Slow: 4 updates a second": (1, 250, False)}


#: Slow-motion pass speeds: milliseconds between two ticks of the pass (Player.animation_period).
PASS_SPEEDS = {"1 s a tick": 1000, "0.45 s a tick": 450, "0.15 s a tick": 150}


def lesson_choices(session, name):
    """The options of the Activation or Loss selector, the lesson's own entry labelled with what it
    is ("logistic (lesson's)"), not with the bare word 'lesson'."""
    spec = session.lesson_spec
    if name == "activation":
        table = dict(spec.get("activation", {}))
        parts = [table.pop("default", "logistic")] + [f"{v} on {g}" for g, v in table.items()]
        own = ", ".join(parts)
    else:
        own = spec["loss"]
    return {(f"{own} (lesson's)" if v == "lesson" else v): v for v in session.param[name].objects}


MESSAGE_PX = 58  # two lines of the status message; a longer one scrolls in its box
HIDDEN = {"visibility": "hidden"}


class StatusView(pn.viewable.Viewer):
    """``update <n> · loss <value>``, large, plus the message about the last action.

    The message is declared from the session (each part changes only when its value does: an
    unchanged Alert re-rendered costs ~2 ms per training frame)."""

    session = param.ClassSelector(class_=Session)

    def __init__(self, **params):
        super().__init__(**params)
        self._status = TextHTML(self.status_html(), css_classes=["status-line"], margin=(5, 10),
                                    stylesheets=[stylesheet()])
        # The message keeps its room when empty (hidden, not removed) and scrolls inside it when long:
        # a message that appeared or grew pushed the whole page down under the pointer.
        self._message = pn.pane.Alert(self.message_md, alert_type=self.message_alert, styles=self.message_styles,
                                      css_classes=["message"], margin=(0, 10), height=MESSAGE_PX,
                                      sizing_mode="stretch_width")
        # A watcher, not a reference: the status line changes on every training frame, and param
        # resolving a reference costs ~0.3 ms more per change (it unlocks every parameter of the
        # pane to set one), measured with benchmarks/bench_views.py.
        self.session.param.watch(self._show_status, ["gradients", "updates"])

    def status_html(self):
        return f'<span class="status">{self.session.status()}</span>'

    def _show_status(self, *_):
        self._status.object = self.status_html()

    @param.depends("session.message")
    def message_md(self):
        return md(self.session.message)

    @param.depends("session.message")
    def message_styles(self):
        return dict(HIDDEN if not self.session.message else {}, overflow="auto")

    @param.depends("session.message_kind")
    def message_alert(self):
        return {"info": "info", "warning": "warning", "error": "danger"}[self.session.message_kind]

    def __panel__(self):
        return pn.Column(self._status, self._message, sizing_mode="stretch_width")


class TrainingControls(pn.viewable.Viewer):
    """Play/Pause, Step, Reset, Undo and the training settings."""

    session = param.ClassSelector(class_=Session)
    player = param.ClassSelector(class_=Player)

    def __init__(self, **params):
        super().__init__(**params)
        s, p = self.session, self.player
        self.play = pn.widgets.Toggle.from_param(p.param.playing, label=self.play_label, color="success",
                                                 css_classes=["play-btn"])
        self.step = pn.widgets.Button(label="Step", color="primary", css_classes=["step-btn"],
                                      description="One weight update: forward pass, backward pass, update (key: Enter)")
        self.reset = pn.widgets.Button(label="Reset", css_classes=["reset-btn"],
                                       description="New random weights and cases from the seed")
        self.undo = pn.widgets.Button(label="Undo", css_classes=["undo-btn"],
                                      description="Put back the weights from before the last updates")
        # soon(): run with the document lock even when the click raced a pending widget change.
        self.step.on_click(lambda _: soon(p.step_once))  # a big net's update runs off the event loop
        self.reset.on_click(lambda _: soon(lambda: (p.stop(), s.reset())))
        self.undo.on_click(lambda _: soon(lambda: (p.stop(), s.undo())))
        self.speed = pn.widgets.Select(label="Speed", options=list(SPEEDS), value="Full speed", width=200,
                                       css_classes=["speed-select"])
        self.speed.param.watch(lambda e: p.param.update(dict(zip(("max_updates", "period", "catch_up"), SPEEDS[e.new]))),
                               "value")
        self.rate = pn.widgets.DiscreteSlider(label="Learning rate", options=_rate_options(s.learning_rate),
                                              value=s.learning_rate, css_classes=["rate-slider"],
                                              sizing_mode="stretch_width")  # fixed 300 px overlapped the main column
        self.rate.param.watch(lambda e: setattr(s, "learning_rate", e.new), "value")
        s.param.watch(self._sync_rate, "learning_rate")
        # The lesson's own entry names the lesson's function; declared, so a new lesson relabels it.
        self.choices = {name: pn.widgets.Select.from_param(s.param[name], options=pn.bind(
                            lambda *_, name=name: lesson_choices(s, name), s.param.lesson, s.param.lesson_data),
                                                           css_classes=[f"{name}-select"], sizing_mode="stretch_width")
                        for name in ("activation", "loss")}
        self.settings = pn.Column(
            pn.widgets.FloatSlider.from_param(s.param.momentum, step=0.05, sizing_mode="stretch_width"),
            pn.widgets.FloatInput.from_param(s.param.clip, step=0.5, sizing_mode="stretch_width"),
            self.choices["activation"], self.choices["loss"],
            pn.widgets.Checkbox.from_param(s.param.learn_h0),
            pn.widgets.IntInput.from_param(s.param.seed, sizing_mode="stretch_width"),
            pn.widgets.IntSlider.from_param(s.param.steps, sizing_mode="stretch_width"), training_settings(s),
            sizing_mode="stretch_width")

    def _sync_rate(self, event):
        if self.rate.value != event.new:
            self.rate.options = _rate_options(event.new)
            self.rate.value = event.new

    @param.depends("player.playing")
    def play_label(self):
        return "Pause ❚❚" if self.player.playing else "Play ▶"

    def __panel__(self):
        return pn.Column(pn.Row(self.play, self.step, self.reset, self.undo), self.speed, self.rate, self.settings,
                         sizing_mode="stretch_width")


class PassControls(pn.viewable.Viewer):
    """The time cursor and the pass animation: forward builds the stack, backward peels it."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    player = param.ClassSelector(class_=Player)

    def __init__(self, **params):
        super().__init__(**params)
        sel, p = self.selection, self.player
        T = self.session.sequences.T
        self.time = pn.widgets.IntSlider.from_param(sel.param.time, start=0, end=T, css_classes=["time-slider"],
                                                    sizing_mode="stretch_width")
        self.case = pn.widgets.IntInput.from_param(sel.param.case, start=0, end=self.session.sequences.B - 1,
                                                   width=110, css_classes=["case-input"])
        self.back = pn.widgets.Button(label="◀ tick", css_classes=["tick-back"], width=80,
                                      description="One tick of the pass back (key: ←)")
        self.fwd = pn.widgets.Button(label="tick ▶", css_classes=["tick-fwd"], width=80,
                                     description="One tick of the pass forward (key: →)")
        self.slow = pn.widgets.Toggle.from_param(p.param.animating, label="Slow-motion pass", width=150,
                                                 css_classes=["slow-btn"])
        self.pass_speed = pn.widgets.Select.from_param(p.param.animation_period, options=PASS_SPEEDS, label="",
                                                       width=120, css_classes=["pass-speed"],
                                                       description="How long each tick of the slow-motion pass stays")
        self.show_all = pn.widgets.Button(label="Show all", width=90, css_classes=["show-all"],
                                          description="Stop the animation and show every number")
        self.back.on_click(lambda _: soon(lambda: p.advance(-1)))
        self.fwd.on_click(lambda _: soon(lambda: p.advance(1)))
        self.show_all.on_click(lambda _: (setattr(p, "animating", False), setattr(sel, "tick", -1)))
        self.phase = pn.pane.HTML(self.phase_html, css_classes=["pass-phase"])
        # Films both pictures as a video in the browser (views/record.py); the file is named after the lesson.
        # Their legend is HTML below them, not on their canvases: the video draws it as their PNGs do.
        self.record = Recorder(lesson=self.session.param.lesson, legend_image=legend_image_js(LEGEND_SVG),
                               css_classes=["record-stage"])
        sel.param.watch(self._on_tick, "tick")
        self.session.param.watch(self._on_data, "sequences")
        self._on_tick()

    def _on_data(self, *_):
        seq = self.session.sequences
        self.time.end = seq.T
        self.selection.time = min(self.selection.time, seq.T)
        self.case.end = seq.B - 1
        self.selection.case = min(self.selection.case, seq.B - 1)

    @param.depends("selection.tick", "session.sequences")
    def phase_html(self):
        T = self.session.sequences.T
        phase, upto, frm = pass_frame(self.selection.tick, T)
        text = {"complete": "All numbers shown.",
                "forward": f"Forward pass: the stack is built up to t = {upto}.",
                "backward": f"Backward pass: derivatives peeled off from t = {T} down to t = {frm}.",
                "summed": "The contributions of all steps are added: dW = Σ_t G_t."}[phase]
        return f"<span>{text}</span>"

    def _on_tick(self, *_):
        """An effect, not a derivation: the pass animation moves the time cursor with it."""
        phase, upto, frm = pass_frame(self.selection.tick, self.session.sequences.T)
        if phase == "forward":
            self.selection.time = upto
        elif phase == "backward":
            self.selection.time = frm

    def __panel__(self):
        return pn.Column(pn.Row(self.time, self.case, sizing_mode="stretch_width"),
                         pn.Row(self.back, self.fwd, self.slow, self.pass_speed, self.show_all, self.record, self.phase),
                         sizing_mode="stretch_width")
