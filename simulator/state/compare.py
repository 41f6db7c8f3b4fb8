"""Compare mode's state (issue 19): two to four runs of one lesson or document side by side, each
with its own training settings, trained in lockstep (update n in each).

Lecture 7b's claims are comparisons (fixed against learned initial states; one learning rate
against another), so a Comparison holds k Sessions built from one start, the same seed unless a
run changes it, and steps every run that still trains by the same n. The settings are the names
the app, the document's training section and ``bptt-sim train --set`` use; a comparison asks for
them as ``{setting: [value of run 1, ..., value of run k]}``, or in a link as
``compare=learning_rate:0.1,1.0`` (several settings: ``;`` between them, e.g.
``optimizer:momentum,adam;learning_rate:0.5,0.01``).

A bad comparison (an unknown setting, a bad value, more runs than the server allows, runs whose
networks differ) is refused with a ValueError that says what is wrong and what is expected, and
the comparison keeps its last good runs. No panel or bokeh here (simulator/views/compare.py draws it).
"""
import contextvars
import math
import time

import numpy as np
import param

from simulator.lessons import registry as L
from simulator.state import caps
from simulator.state.session import Session
from simulator.state.training import TRAINING_SETTINGS

#: The settings a comparison may vary: the document's training section's names, in the order they
#: are applied (the seed draws new weights, T new data; the rest apply to those).
SETTINGS = ("seed", "steps", "learning_rate", "momentum", "clip", "activation", "loss", "learn_h0",
            *TRAINING_SETTINGS)
#: Settings applied together: Session checks them as one combination (tanh needs squared error).
TOGETHER = ("activation", "loss", "learn_h0")
#: The server's own cap on runs (``bptt-sim serve --max-compare K``), set around each session's
#: build by simulator/serving/server.py; None: caps.MAX_COMPARE_RUNS.
MAX_RUNS = contextvars.ContextVar("bptt_sim_max_compare", default=None)
EXAMPLE = "learning_rate:0.1,1.0"
#: Seconds of updates (all runs together) in one slice of Comparison.replay: a served page gives the
#: event loop back after each, so the other sessions' frames wait at most about this long.
REPLAY_SLICE = 0.05


def allowed_runs():
    """The most runs a comparison may have here: the server's cap, never above caps.MAX_COMPARE_RUNS."""
    lowered = MAX_RUNS.get()
    return caps.MAX_COMPARE_RUNS if lowered is None else max(2, min(int(lowered), caps.MAX_COMPARE_RUNS))


def _number(value, integer):
    """An int/float from a JSON value or a link's text; None if it is not one."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if integer:
            digits = text.lstrip("-")
            return int(text) if digits.isascii() and digits.isdecimal() and len(digits) < 20 else None
        try:
            value = float(text)
        except ValueError:
            return None
    if integer:
        return int(value) if isinstance(value, (int, np.integer)) else None
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def parse_value(name, value):
    """One value of setting ``name`` (a JSON value or a link's text) as the Session takes it;
    ValueError naming the setting and what it expects."""
    p = Session.param[name]
    if isinstance(p, param.Boolean):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"{name}: expected true or false; got {caps.quote(value)}")
    if isinstance(p, param.Selector):
        if isinstance(value, str) and value.strip() in p.objects:
            return value.strip()
        raise ValueError(f"{name}: expected one of {', '.join(p.objects)}; got {caps.quote(value)}")
    integer = isinstance(p, param.Integer)
    number, (lo, hi) = _number(value, integer), p.bounds
    if number is None or not lo <= number <= hi:
        raise ValueError(f"{name}: expected {'an integer' if integer else 'a number'} in [{lo:g}, {hi:g}]; "
                         f"got {caps.quote(value)}")
    return number


def _known(name):
    if name == "lesson":
        raise ValueError("lesson: runs of different lessons have different networks, and Compare mode needs "
                         "the same network in every run (a weight selected in one is selected in all); "
                         f"compare one lesson's training settings instead: {', '.join(SETTINGS)}")
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {caps.quote(name)}; expected one of {', '.join(SETTINGS)}")


def check_settings(settings, most=None):
    """``{setting: [value per run]}`` checked: known names, values each setting takes, the same
    number k of values for every setting, 2 <= k <= ``most`` (default allowed_runs()) and runs that
    differ. Returns it in SETTINGS order with the values as the Session takes them."""
    most = allowed_runs() if most is None else most
    if not isinstance(settings, dict) or not settings:
        raise ValueError(f"expected at least one setting with a value per run, e.g. {EXAMPLE}")
    out, counts = {}, set()
    for name, values in settings.items():
        _known(name)
        if not isinstance(values, (list, tuple)):
            raise ValueError(f"{name}: expected a list of values, one per run; got {caps.quote(values)}")
        counts.add(len(values))
        if len(values) > most:
            raise ValueError(f"{name}: {len(values)} runs asked for; this server compares at most {most} runs "
                             f"(2 to {most} values)")
        out[name] = [parse_value(name, v) for v in values]
    if len(counts) != 1:
        raise ValueError("expected the same number of values for every setting (one per run); got "
                         + ", ".join(f"{n}: {len(v)}" for n, v in out.items()))
    k = counts.pop()
    if k < 2:
        raise ValueError(f"expected 2 to {most} values per setting (one per run); got {k}")
    rows = [tuple(out[n][r] for n in out) for r in range(k)]
    if len(set(rows)) < k:
        raise ValueError("two runs have the same settings; expected every run to differ in at least one "
                         f"(e.g. {EXAMPLE})")
    return {n: out[n] for n in SETTINGS if n in out}


def parse_compare(text, most=None):
    """The settings of a link's ``compare=`` text, e.g. 'learning_rate:0.1,1.0' or
    'optimizer:momentum,adam;learning_rate:0.5,0.01' (check_settings checks them)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"compare: expected SETTING:V1,V2, e.g. {EXAMPLE}; got {caps.quote(text)}")
    caps.check_link(text)
    grid = {}
    for part in text.split(";"):
        name, colon, values = part.partition(":")
        name = name.strip()
        if not colon or not name:
            raise ValueError(f"compare: expected SETTING:V1,V2, e.g. {EXAMPLE}; got {caps.quote(part)}")
        if name in grid:
            raise ValueError(f"compare: {name} is given twice; expected each setting once")
        grid[name] = values.split(",")
    try:
        return check_settings(grid, most)
    except ValueError as exc:
        raise ValueError(f"compare: {exc}") from None


def value_text(value):
    """A setting's value as a link and a label write it: true/false, repr of a float."""
    return ("true" if value else "false") if isinstance(value, bool) else repr(value) if isinstance(value, float) \
        else str(value)


def compare_text(settings):
    """The inverse of parse_compare: the link's ``compare=`` text of checked settings."""
    return ";".join(f"{n}:{','.join(value_text(v) for v in values)}" for n, values in settings.items())


def apply_run_settings(session, settings):
    """Set ``settings`` ({name: value}, checked) on ``session`` as the controls do, in SETTINGS
    order (TOGETHER at once); ValueError with the Session's reason if it puts one back."""
    names = [n for n in SETTINGS if n in settings]
    groups = [[n] for n in names if n not in TOGETHER] + [[n for n in names if n in TOGETHER]]
    for group in filter(None, groups):
        session.param.update({n: settings[n] for n in group})
        wrong = [n for n in group if getattr(session, n) != settings[n]]
        if wrong:
            raise ValueError(f"{wrong[0]}={value_text(settings[wrong[0]])}: {session.message}")
    return session


def _same_network(runs):
    first = runs[0]
    for k, run in enumerate(runs[1:], 2):
        if run.net.N != first.net.N or not np.array_equal(run.net.C, first.net.C) \
                or list(run.unit_names) != list(first.unit_names):
            raise ValueError(f"run {k} has a different network ({run.net.N} units) from run 1 ({first.net.N} "
                             "units); Compare mode needs the same network in every run (a weight selected in one "
                             "is selected in all): a document whose net was edited keeps it only at its own seed")


class Comparison(param.Parameterized):
    """k runs of one start, each with its own settings, stepped together."""

    settings = param.Dict(default={}, doc="What differs: {setting: [value of run 1, ..., run k]} (SETTINGS names).")
    runs = param.List(default=[], doc="The k Sessions, built from the start with their settings.")
    stopped = param.List(default=[], doc="Per run: '' while it trains, else why it stopped (until Reset).")
    updates = param.Integer(default=0, doc="Updates asked of every run since the start (lockstep).")
    most = param.Integer(default=caps.MAX_COMPARE_RUNS, bounds=(2, caps.MAX_COMPARE_RUNS),
                         doc="The most runs this comparison may have (the server's cap).")

    def __init__(self, start, settings, most=None, **params):
        """``start()`` makes a fresh Session at the comparison's start (a lesson's, or a document's
        state); ``settings`` is a dict or a link's compare text. ValueError if refused."""
        super().__init__(most=allowed_runs() if most is None else most, **params)
        self._start = start
        self.base = start()  # never trained: the start, as the document saves it
        self.change(settings)

    @classmethod
    def of_lesson(cls, lesson, settings, most=None):
        """A comparison of runs of ``lesson`` from its own start (its seed and settings)."""
        if not isinstance(lesson, str) or lesson not in L.LESSONS:
            raise ValueError(f"lesson: expected one of {', '.join(L.LESSONS)}; got {caps.quote(lesson)}")
        return cls(lambda: Session(lesson=lesson), settings, most)

    def change(self, settings):
        """Compare these settings instead, from the start; ValueError (nothing changed) if refused."""
        grid = parse_compare(settings, self.most) if isinstance(settings, str) else check_settings(settings, self.most)
        runs = [self._build(grid, k) for k in range(len(next(iter(grid.values()))))]
        _same_network(runs)
        self.param.update(settings=grid, runs=runs, stopped=[""] * len(runs), updates=0)

    def _build(self, grid, k):
        try:
            return apply_run_settings(self._start(), {n: values[k] for n, values in grid.items()})
        except ValueError as exc:
            raise ValueError(f"run {k + 1}: {exc}") from None

    def reset(self):
        """Every run back to the start with its settings (new weights only where the seed says so)."""
        self.change(self.settings)

    # -- lockstep training ------------------------------------------------------------------------
    def compute_step(self, n=1):
        """Session.compute_step(n) of every run still training (None for the others); touches no
        param, so a served app may run it off the event loop. Pass what it returns to publish_step."""
        return [None if why else run.compute_step(n) for run, why in zip(self.runs, self.stopped)], n

    def publish_step(self, work):
        """Show what compute_step computed; a run that refuses, diverges or meets a stopping rule
        stops here (its message says why) while the others go on. True while any run trains."""
        computed, n = work
        stopped = list(self.stopped)
        for k, (run, done) in enumerate(zip(self.runs, computed)):
            if not stopped[k] and not run.publish_step(done):
                stopped[k] = run.message or "it stopped"
        self.param.update(stopped=stopped, updates=self.updates + n)
        return not all(stopped)

    def step(self, n=1):
        """n weight updates in every run still training: update n in each."""
        return self.publish_step(self.compute_step(n))

    def replay(self, n, budget=REPLAY_SLICE):
        """Step in lockstep to update ``n`` in slices of about ``budget`` seconds of updates (the
        first slice one update, to measure), yielding after each: a served page returns to its
        event loop there. The same runs as one long step: lockstep does not depend on how the
        updates are cut. Runs that stop on the way stop at the same update as when n was written."""
        cost = None  # seconds per update, measured on the slices so far
        while self.updates < n:
            k = 1 if cost is None else max(1, min(n - self.updates, int(budget / cost) if cost > 0 else n))
            began = time.perf_counter()
            going = self.step(k)
            cost = (time.perf_counter() - began) / k
            if not going:
                break
            yield self.updates
        self.updates = n

    @property
    def update_seconds(self):
        """Seconds the last step's updates took, all runs together (the Player sizes frames by it)."""
        return sum(getattr(r, "update_seconds", 0.0) for r, why in zip(self.runs, self.stopped) if not why)

    # -- what the view shows -------------------------------------------------------------------------
    def differing(self):
        """The SETTINGS whose values differ between the runs (the view highlights them)."""
        return [n for n in SETTINGS if len({repr(getattr(r, n)) for r in self.runs}) > 1]

    def label(self, k):
        """Run k's name in the legend: the settings that differ, e.g. 'learning_rate=0.1'."""
        run = self.runs[k]
        return ", ".join(f"{n}={value_text(getattr(run, n))}" for n in self.differing()) or f"run {k + 1}"

    def run_settings(self, k):
        """Every setting of run k, {name: value}: what opening it on its own needs."""
        return {n: getattr(self.runs[k], n) for n in SETTINGS}

    def query(self):
        """The link's ``compare=`` text of this comparison."""
        return compare_text(self.settings)

    def status(self, k):
        """Run k's status line: ``update <n> · loss <value>``, and why it stopped if it did."""
        line = self.runs[k].status()
        return line + (" · stopped" if self.stopped[k] else "")
