"""What one lesson module declares (registry.py builds LESSONS from these).

A lesson module (simulator/lessons/<short_name>.py) ends with ``LESSON = Lesson(...)``: its
plain-data spec, the action of each lecture card, its measures, its read-out in the lesson
panel and, where it takes one, the data a user may give it in place of its own. Views and the
Session ask the lesson for these; none of them names a lesson.

The read-out's functions take ``s``: anything holding the session's data as attributes (a
Session does): net, lesson, lesson_spec, task_info, sequences, gradients, seed, updates,
unit_names and learn_h0. They only read it and return numbers and text.
"""
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Measured:
    """What a read-out's main button measured: the text shown, the value behind it (tests read it),
    for the panel's "curves" piece (rows (B, n), the step to mark) or None, and ``summary``: one
    line of what it shows, which a lecture card quotes ('': the text's first line)."""
    text: str
    value: object
    curves: Optional[tuple] = None
    summary: str = ""


@dataclass(frozen=True)
class Readout:
    """The lesson's part of the lesson panel.

    ``pieces`` names what the panel adds to its measure button and result, from the panel's
    own vocabulary: "automaton" (a button drawing ``picture(s)``: the hidden states and the
    automaton they encode), "curves" (the rows of ``Measured.curves`` over time), "h0-toggle"
    (the learned-initial-states switch beside the button) and "writer" (in place of the button:
    ``write(s, start, length, temperature, rng)`` and a box for the lesson's OwnData).
    """
    measure: Callable  # (s, rng) -> Measured
    label: str = "Measure now"
    explain: str = ""
    on_show: bool = True  # measured as soon as the lesson is shown (cheap measures only)
    pieces: tuple = ()
    misfit: Optional[Callable] = None  # s -> "" or why the read-out cannot read this network
    picture: Optional[Callable] = None  # s -> the "automaton" piece's data
    write: Optional[Callable] = None  # (s, start, length, temperature, rng) -> (text, what to say)


@dataclass(frozen=True)
class OwnData:
    """Texts a user gives the lesson in place of its own: a list of 1..``most`` strings kept under
    ``field`` (in Session.lesson_data and in the lesson's task settings), each kept by ``rule``
    (one text -> the text, or ValueError), read from typed text by ``parse``; ``build`` makes the
    lesson's spec from {field: texts} and ``told`` says what changed; ``help`` is a line of HTML
    for the box the texts are typed in."""
    field: str
    noun: str
    most: int
    rule: Callable
    parse: Callable
    build: Callable
    told: Callable
    help: str = ""


@dataclass(frozen=True)
class Lesson:
    """One lesson: ``spec`` (network, task, training, title, text, points: registry.py's keys),
    ``cards`` (one lecture-card action per point, None for none: views/lecture.py's kinds),
    ``readout`` ((net, spec, info, seq, grads, rng) -> dict of its measures), ``panel`` and
    ``own_data``. ``solved`` ((net, spec, info, seq, grads) -> bool, pure) says whether a trained
    net shows what the lesson is to show (``bptt-sim train --json`` and ``sweep`` report it);
    ``budget`` is the number of updates in which it should get there (``sweep``'s default) and
    ``goal`` says in words what ``solved`` checks (a training card names it). ``compare``: the
    comparisons its lecture makes, as (card index, label, compare text) for Compare mode
    (simulator/state/compare.py): that card links to the runs side by side."""
    name: str
    spec: dict
    cards: tuple
    readout: Callable
    panel: Readout
    own_data: Optional[OwnData] = None
    solved: Optional[Callable] = None
    budget: int = 1000
    goal: str = "the lesson's criterion"
    compare: tuple = ()
