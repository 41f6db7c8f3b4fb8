"""Lecture mode: large type for a projector, controls the lecturer hides, and cards through a lesson.

``large_type`` and ``hidden`` are kept in the page's URL (?large=true&hide=[...]) so that a
link shared with the students opens the same stripped-down, readable page. The cards walk
through the current lesson's ``points``; each card may set the app's state with one small
action, which the lesson's module gives as data (its ``cards``), never as code paths per lesson.
"""
import html
from urllib.parse import urlencode

import panel as pn
import param

from simulator.lessons import registry as L
from simulator.serving.assets import stylesheet
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.style import soon

# Card actions (each lesson module's ``cards``: one per point, None when the card only shows its text):
#   "forward-pass" / "backward-pass"  the slow-motion pass from its start / from its backward half
#   "show-all"                       stop the animation and show every number
#   "train" / "train:N"              train until the lesson's criterion (Lesson.solved), at most the
#                                    lesson's budget / N updates; entering the card again does not
#                                    train again (Show it does)
#   "read-out"                       measure with the lesson's read-out and quote what it shows
#   "select-weight:TO,FROM"          select the connection FROM -> TO (unit names)
#   "learn-h0:on|off", "activation:NAME"   the session setting of that name
ACTION_HINTS = {"forward-pass": "plays the forward pass in slow motion", "backward-pass": "plays the backward pass",
                "show-all": "shows every number", "train": "trains until {}",
                "read-out": "tests the net with the lesson's read-out", "select-weight": "selects {}",
                "learn-h0": "switches learned initial states {}", "activation": "switches the activation to {}"}
#: Kinds that only set what is looked at or a setting: a lesson's first card does them as it opens.
ON_OPEN = ("select-weight", "learn-h0", "activation", "show-all")
CHUNK = 50  # updates between two looks at the criterion


def lesson_cards(lesson_name, points):
    """[{"text", "action"}] for a lesson's points, with the lesson's card actions (missing: None)."""
    lesson = L.REGISTRY.get(lesson_name)
    actions = lesson.cards if lesson is not None else ()
    return [{"text": p, "action": actions[k] if k < len(actions) else None} for k, p in enumerate(points)]


def compare_links(lesson_name, k):
    """Links opening the comparisons a lesson's card ``k`` makes in Compare mode (Lesson.compare)."""
    lesson = L.REGISTRY.get(lesson_name)
    found = [(label, text) for card, label, text in (lesson.compare if lesson is not None else ()) if card == k]
    return "".join(f" <a class='card-compare' href='?{html.escape(urlencode(dict(lesson=lesson_name, compare=text)))}'>"
                   f"Compare side by side: {html.escape(label)} ↗</a>" for label, text in found)


def train_limit(lesson, arg):
    """The most updates a training card runs: its own number, else the lesson's budget."""
    return int(arg) if arg else (lesson.budget if lesson is not None else 1000)


def action_hint(action, lesson=None):
    """What a card's action does, in words for the card's footer ('' for none)."""
    if not action:
        return ""
    kind, _, arg = action.partition(":")
    if kind == "train":
        goal = lesson.goal if lesson is not None and lesson.solved is not None else "it has run them"
        return f"trains until {goal}, at most {train_limit(lesson, arg)} updates"
    arg = arg.replace(",", " ← ") if kind == "select-weight" else arg
    return ACTION_HINTS.get(kind, kind).format(arg)


class LectureMode(pn.viewable.Viewer):
    """Large type, hidden controls (both kept in the URL) and a guided card sequence for one app."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    player = param.ClassSelector(class_=Player)
    readout = param.Parameter(default=None, doc="The lesson read-out (views/lesson_panel.py) a 'read-out' card runs.")
    large_type = param.Boolean(default=False, label="Large type",
                               doc="Bigger fonts for a projector (the page's root gets the 'large-type' class).")
    hidden = param.List(default=[], item_type=str, label="Hide",
                        doc="Names of the controls the lecturer hides (see ``targets``).")
    card = param.Integer(default=0, bounds=(0, None), doc="Index of the card shown, into the lesson's points.")
    outcome = param.String(default="", precedence=-1, doc="What the current card's action did, in words.")
    done = param.Boolean(default=False, precedence=-1, doc="Whether the current card's action has been done.")

    def __init__(self, targets=None, **params):
        super().__init__(**params)
        self.targets = dict(targets or {})  # name -> Panel component that ``hidden`` can switch off
        self.root = None
        self.large = pn.widgets.Checkbox.from_param(self.param.large_type, css_classes=["large-type-toggle"])
        self.hide = pn.widgets.MultiChoice(label="Hide these controls", options=list(self.targets),
                                           value=list(self.hidden), css_classes=["hide-choice"],
                                           sizing_mode="stretch_width")
        self.hide.param.watch(lambda e: setattr(self, "hidden", list(e.new)), "value")
        self.prev = pn.widgets.Button(label="◀ Previous", css_classes=["card-prev"], width=110,
                                      disabled=self.param.card.rx() == 0,
                                      description="The previous point of the lesson (key: p)")
        self.next = pn.widgets.Button(label="Next ▶", color="primary", css_classes=["card-next"], width=110,
                                      disabled=self.at_last_card,
                                      description="The next point of the lesson (key: n)")
        self.again = pn.widgets.Button(label="Show it", css_classes=["card-again"], width=90,
                                       description="Do this card's action again")
        self.prev.on_click(lambda _: soon(self.previous))
        self.next.on_click(lambda _: soon(self.forward))
        self.again.on_click(lambda _: soon(self.show_it))
        self._trained = {}  # card index -> the update count its training reached (no silent retraining)
        self.text = pn.pane.HTML(self.card_html, css_classes=["lecture-card"], sizing_mode="stretch_width",
                                 stylesheets=[stylesheet("lecture.css")])
        self.session.param.watch(self._on_lesson, "lesson")
        self._on_lesson()
        if pn.state.location is not None:  # only when served: the URL carries the lecturer's choices
            pn.state.location.sync(self, {"hidden": "hide", "large_type": "large"})

    @property
    def cards(self):
        spec = self.session.lesson_spec
        return lesson_cards(self.session.lesson, spec.get("points", []))

    def attach(self, root, targets=None):
        """Remember the app's root (for the large-type class) and the components ``hidden`` names."""
        self.root = root
        if targets is not None:
            self.targets = dict(targets)
            self.hide.options = list(self.targets)
        self._apply_large()
        self._apply_hidden()

    @param.depends("large_type", watch=True)
    def _apply_large(self):
        if self.root is not None:
            classes = [c for c in self.root.css_classes if c != "large-type"]
            self.root.css_classes = classes + (["large-type"] if self.large_type else [])

    @param.depends("hidden", watch=True)
    def _apply_hidden(self):
        known = [h for h in self.hidden if h in self.targets]  # a stale link may name old controls
        if self.hide.value != known:
            self.hide.value = known
        for name, component in self.targets.items():
            component.visible = name not in known

    def _on_lesson(self, *_):
        self._trained = {}
        self.param.update(outcome="", done=False, card=0)
        first = self.cards[0]["action"] if self.cards else None
        if first and first.partition(":")[0] in ON_OPEN:
            self.apply(first)  # the first card says what it selects: it is so as the lesson opens

    @param.depends("card", "outcome", "done", "session.lesson")
    def card_html(self):
        cards = self.cards
        if not cards:
            return "<div class='card-text'>This lesson has no points to step through.</div>"
        k = min(self.card, len(cards) - 1)
        hint = action_hint(cards[k]["action"], L.REGISTRY.get(self.session.lesson))
        footer = ""
        if hint:
            footer = f"This card {hint}." if self.done else f"Show it {hint}."
        if self.outcome:
            footer += f" <span class='card-outcome'>{html.escape(self.outcome)}</span>"
        footer += compare_links(self.session.lesson, k)
        return (f"<div class='card-count'>Point {k + 1} of {len(cards)}</div>"
                f"<div class='card-text'>{cards[k]['text']}</div>"
                + (f"<div class='card-action'>{footer}</div>" if footer else ""))

    @param.depends("card", "session.lesson")
    def at_last_card(self):
        return self.card >= len(self.cards) - 1

    def _enter(self, k, train):
        self.param.update(outcome="", done=False, card=k)
        self.apply(self.cards[k]["action"], train=train)

    def forward(self):
        """The next card, doing its action (training included, once per card: entering it again
        after it trained does not train more)."""
        if self.card + 1 < len(self.cards):
            self._enter(self.card + 1, train=True)

    def previous(self):
        """The previous card; its action is done again except training (going back never trains)."""
        if self.card > 0:
            self._enter(self.card - 1, train=False)

    def show_it(self):
        """Do the current card's action again; a training card trains more."""
        if self.cards:
            self.apply(self.cards[self.card]["action"], train=True, again=True)

    def apply(self, action, train=True, again=False):
        """Do one card action (the kinds above) through the Session, Selection and Player."""
        if not action:
            return
        kind, _, arg = action.partition(":")
        s, sel, p = self.session, self.selection, self.player
        outcome, done = self.outcome, True
        if kind in ("forward-pass", "backward-pass"):
            p.playing = p.animating = False
            sel.tick = 0 if kind == "forward-pass" else s.sequences.T + 1
            p.animating = True
        elif kind == "show-all":
            p.animating = False
            sel.tick = -1
        elif kind == "train":
            outcome = self._train(arg, train, again)
            done = bool(outcome)  # entered backwards before it ever trained: not done
        elif kind == "read-out":
            outcome = self._read_out()
        elif kind == "select-weight":
            to, frm = arg.split(",")
            if to in s.unit_names and frm in s.unit_names:
                sel.weight = (s.unit_names.index(to), s.unit_names.index(frm))
        elif kind == "learn-h0":
            s.learn_h0 = arg == "on"
        elif kind == "activation":
            s.activation = arg
        self.param.update(outcome=outcome, done=done)

    def _solved(self):
        lesson = L.REGISTRY.get(self.session.lesson)
        if lesson is None or lesson.solved is None:
            return None
        s = self.session
        return bool(lesson.solved(s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients))

    def _train(self, arg, train, again):
        """Train until the lesson's criterion (at most the card's limit) and say where it got."""
        s, p, k = self.session, self.player, self.card
        lesson = L.REGISTRY.get(s.lesson)
        limit = train_limit(lesson, arg)
        goal = lesson.goal if lesson is not None else "the criterion"
        mark = self._trained.get(k)
        # Entered again (Previous, Next) over the net it trained: say where it got, train no more.
        if not again and (not train or (mark is not None and s.updates >= mark)):
            return self._where(goal, mark) if mark is not None else ""
        p.stop()
        self.selection.tick = -1
        start = s.updates
        if self._solved():
            self._trained[k] = s.updates
            return "Nothing to train: " + self._where(goal, s.updates)
        while self._solved() is not True and s.updates - start < limit:
            if not s.step(min(CHUNK, limit - (s.updates - start))) or s.updates == start:
                break  # refused or diverged: the session's message says why
        self._trained[k] = s.updates
        return f"Trained {s.updates - start} updates. " + self._where(goal, s.updates)

    def _where(self, goal, mark):
        s, solved = self.session, self._solved()
        now = f"update {s.updates}, loss {s.loss_value:.4g}"
        if solved is None:
            return f"Now at {now}."
        if solved:
            return f"Now at {now}: {goal}, reached."
        return f"Now at {now}: not there yet ({goal}); Show it trains more."

    def _read_out(self):
        """Run the lesson's read-out (shown in its tab) and quote what it shows."""
        if self.readout is None:
            return ""
        measured = self.readout.run()
        self.selection.tab = "Lesson read-out"
        s = self.session
        if measured is None:  # the read-out cannot read this net; it says why in its tab
            return "The read-out cannot test this network: see the Lesson read-out tab."
        line = measured.summary or measured.text.split("\n", 1)[0]
        return f"The read-out at update {s.updates}: {line}"

    def __panel__(self):
        settings = pn.Card(pn.Row(self.large, self.hide, sizing_mode="stretch_width"), title="Lecture mode",
                           collapsed=True, sizing_mode="stretch_width", css_classes=["lecture-settings"])
        cards = pn.Row(self.prev, self.text, self.again, self.next, sizing_mode="stretch_width",
                       css_classes=["lecture-cards"])
        return pn.Column(cards, settings, sizing_mode="stretch_width", css_classes=["lecture-mode"])
