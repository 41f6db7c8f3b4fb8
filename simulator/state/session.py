"""Session: one student's simulator state and the only writer of it (no panel import here).

Settings (lesson, seed, learning rate, ...) are bounded params that widgets set; outputs (the
network, its gradients, the update count, the loss history, the message for the user) are
written only by this class's methods. Views derive everything they draw from the outputs.
Every edit either applies in full or leaves the state as it was and says why in ``message``
(the brief: "bad input gets a clear message, and nothing is lost").
"""
import logging
import math
import time

import numpy as np
import param

from engine import Gradients, Network, Sequences, bptt
from engine.network import parse_ref

from simulator.state import caps
from simulator.state import edits as E
from simulator.state.editing import Editing
from simulator.state.numbers import Integer, Number
from simulator.state.training import Training
from simulator.lessons import own_data as LD
from simulator.lessons import registry as L
from simulator.lessons.tasks import make_task

ELEMENTWISE = ("logistic", "tanh", "linear")
_log = logging.getLogger(__name__)
#: What a Session keeps outside its params, put back by a failed attempt: the optimiser (with the
#: net it trains), the undo target, the best-so-far and the task's extra output.
_PRIVATE = ("trainer", "_good", "_good_at", "_best", "_start_loss", "task_info")
#: Training pauses when the loss grows past this many times its value when the net was installed:
#: a runaway (at a learning rate of 100 the loss reached 9.4e57 before anything became NaN).
RUNAWAY = 1e3


class Session(Editing, Training, param.Parameterized):
    """One browser session's network, training data, optimiser and their latest numbers."""

    # -- settings: written by the controls, checked by their bounds ------------------------
    lesson = param.Selector(objects=list(L.LESSONS), default=L.DEFAULT_LESSON,
                            doc="The lesson: its network, task, training settings and explanation.")
    seed = Integer(default=1, bounds=(0, 2 ** 31 - 1),
                   doc="Seed of the random initial weights and training cases; the same seed replays a run.")
    steps = Integer(default=10, bounds=(1, 60), label="Steps T",
                    doc="Number of time steps T; the unrolled net has T+1 columns (t = 0..T).")
    learning_rate = Number(default=0.2, bounds=(1e-4, 100.0), label="Learning rate",
                           doc="epsilon in v = alpha v - epsilon g; changes live, without a reset.")
    momentum = Number(default=0.5, bounds=(0.0, 0.99), label="Momentum",
                      doc="alpha in v = alpha v - epsilon g.")
    clip = Number(default=0.0, bounds=(0.0, 1e6), label="Gradient clip",
                  doc="Largest gradient norm an update may use (0 = no clipping).")
    activation = param.Selector(objects=["lesson", *ELEMENTWISE], default="lesson", label="Activation",
                                doc="Activation of every unit outside a softmax group ('lesson' keeps the lesson's).")
    loss = param.Selector(objects=["lesson", "squared", "cross_entropy"], default="lesson", label="Loss",
                          doc="Error function: squared error or cross-entropy ('lesson' keeps the lesson's).")
    learn_h0 = param.Boolean(default=False, label="Learn initial states",
                             doc="Treat the initial states h0 as learned parameters instead of fixed at 0.5.")

    # -- outputs: written only by the methods below -------------------------------------------
    net = param.ClassSelector(class_=Network, doc="The current network.")
    sequences = param.ClassSelector(class_=Sequences, doc="The training batch.")
    gradients = param.ClassSelector(class_=Gradients, doc="bptt of the current network on the batch.")
    updates = param.Integer(default=0, doc="Weight updates since the last reset.")
    history = param.List(default=[], doc="[(update, loss)] of every update since the last reset. A training "
                         "step appends to it in place (a copy per frame grew with the run); a reset, undo or "
                         "load replaces it. What draws it watches `gradients` too, which every step replaces.")
    message = param.String(default="", doc="What the user should know about the last action.")
    message_kind = param.Selector(objects=["info", "warning", "error"], default="info")
    diverged = param.Boolean(default=False, doc="Training stopped because numbers blew up.")
    unit_names = param.List(default=[])
    unit_groups = param.List(default=[])
    lesson_data = param.Dict(default={}, constant=True, doc="What the user gave lessons in place of their own "
                             "data, by lesson (the robot writer's sentences): simulator/lessons/own_data.py.")
    cases = param.Dict(default=None, allow_None=True, doc="The user's own cases (simulator/document/cases.py): "
                       "labels, lengths, split and the test cases, which training never sees; None for a lesson's "
                       "data. Dropped when the data's shape (B, T) or the net's N changes.")

    def __init__(self, **params):
        super().__init__(**params)
        self._good = None  # parameters before the last run of updates (undo target)
        self._good_at = None  # (update count, velocity) that go with _good
        self._start_loss = None  # the loss when the net was installed: the runaway check's yardstick
        self._best = None  # (parameters, loss, update) with the lowest loss since the reset
        self._lesson_defaults()
        self.reset()
        self.param.watch(self._on_setting, ["steps", "activation", "loss", "learn_h0"])

    # -- lesson, reset and rebuilds --------------------------------------------------------
    @property
    def lesson_spec(self):
        # A lesson rebuilt on the user's data (use_sentences) replaces the shared, read-only one.
        return LD.lesson_spec(self.lesson, self.lesson_data)

    def _lesson_defaults(self):
        spec, tr = self.lesson_spec, self.lesson_spec["training"]
        self._applying = True
        try:
            self.param.update(seed=tr["seed"], learning_rate=tr["learning_rate"], momentum=tr["momentum"],
                              steps=spec.get("T", 10), learn_h0=spec.get("learn_h0", False),
                              activation="lesson", loss="lesson", clip=tr.get("clip", 0.0),
                              **self.training_defaults(tr))
        finally:
            self._applying = False

    def _choices(self):
        return (None if self.activation == "lesson" else self.activation,
                None if self.loss == "lesson" else self.loss)

    def reset(self):
        """New random weights and training cases from the seed; forget the training history.
        A net of the user's own cases keeps its units, connections and cases (_reset_own); a
        lesson chosen from there (its watcher resets) drops them."""
        if self.cases is not None and self.lesson == L.OWN_DATA_HOST:
            return self._reset_own()
        spec = self.lesson_spec
        rng = np.random.default_rng(self.seed)
        activation, loss = self._choices()
        net = L.build_network(spec, rng, activation=activation, loss=loss, learn_h0=self.learn_h0, radius=self.radius)
        (X, K, Y, M), self.task_info = make_task(spec["task"], self.steps, rng)
        names, groups, _ = L.unit_layout(spec)
        self._install(net, Sequences(X, K, Y, M), names=names, groups=groups, fresh=True)

    def _reset_own(self):
        """New weights from the seed on the same units, connections, ties and activations, drawn
        as the net was made (document/cases.py new_parts: the same seed gives the same weights);
        the user's data and cases stay: no lesson of theirs to regenerate them from (issue 15)."""
        net = self.net
        fresh = Network.random(net.N, np.random.default_rng(self.seed),
                               weight_scale=self.lesson_spec["training"].get("weight_scale", 0.5),
                               connections=net.C, activation=list(net.activation), loss=net.loss,
                               learn_h0=net.learn_h0, bias=net.bias)
        self._install(fresh.tie_groups(net.ties) if net.ties else fresh, self.sequences, fresh=True, keep_cases=True)

    def _install(self, net, seq, names=None, groups=None, fresh=False, keep_cases=False):
        """Make (net, seq) current if they work together; otherwise raise ValueError."""
        grads = bptt(net, seq)  # raises ValueError on an incompatible pair; nothing changed yet
        self.trainer = self.make_trainer(net, seq)
        if not fresh:
            self.trainer.optimiser.updates = self.updates
        values = dict(net=net, sequences=seq, gradients=grads, diverged=False)
        # A new network or new data: best-so-far starts again from here (shapes may differ).
        self._best = (net.params(), float(grads.loss), self.updates if not fresh else 0) \
            if np.isfinite(grads.loss) else None
        self._start_loss = self._best[1] if self._best is not None else None
        if self.message_kind == "error":
            values.update(message="", message_kind="info")  # the last action worked
        if names is not None:
            values.update(unit_names=list(names), unit_groups=list(groups))
        if self.cases is not None and not keep_cases and (fresh or self.cases["shape"] != (seq.B, seq.T, net.N)):
            values.update(cases=None)  # the labels and test cases no longer describe these data
        if fresh:
            values.update(updates=0, history=[], grad_norms=[], divergences=[], message="", message_kind="info")
            self._good = None
        self.param.update(values)

    def restore(self, lesson, net, seq, settings, names, groups, updates=0, history=(), velocity=None,
                lesson_data=None, task_info=None, message="", cases=None):
        """Show a saved state: the lesson on ``lesson_data``, the ``settings`` (a dict), net and data
        with their units' names and groups, counts, loss history and velocity, and the user's own
        ``cases`` (Session.cases) if any; the undo is forgotten.
        simulator.document checked and built every value: nothing here refuses (never half restored)."""
        # One batch, nothing rebuilt on the way: a change of lesson no longer builds and installs
        # the lesson's own net (its watcher's reset) only to replace it at once (a quarter of a cap
        # Load's time on the event loop, benchmarks/bench_caps.py); every watcher, views included,
        # runs once at the end and sees the lesson, settings, net and names that belong together.
        self._applying = True
        try:
            with param.parameterized.batch_call_watchers(self):
                with param.edit_constant(self):
                    self.lesson_data = dict(lesson_data or {})
                cleared = {} if self.lesson == lesson else dict(grad_norms=[], divergences=[])  # as a new lesson's reset did
                self.param.update(lesson=lesson, **{**cleared, **settings})
                self.task_info = task_info
                self.param.update(updates=updates, history=[(int(u), float(v)) for u, v in history])
                self._install(net, seq, names=names, groups=groups)
                self.cases = cases
                if velocity is not None:
                    self.trainer.load_state(velocity)  # Trainer.state_dict(), or momentum's velocity alone
                self._good = None
                self.param.update(message=message, message_kind="info")
        finally:
            self._applying = False

    def attempt(self, action, what, also=()):
        """Run ``action`` all or nothing: on an error (a ValueError, or any failure while applying,
        a view's redraw included) put the state back as it was, and the param values of ``also``
        (what is looked at, which a load sets too), and put the reason in ``message``, prefixed
        by ``what`` (e.g. "Could not load adder.json"). True if it ran without refusal."""
        before, private = E.snapshot(self, *also), {k: getattr(self, k) for k in _PRIVATE if hasattr(self, k)}
        try:
            action()
        except Exception as exc:
            try:
                changes = E.put_back(before)
                for k, v in private.items():
                    setattr(self, k, v)
                applying, self._applying = self._applying, True  # a restored lesson, seed or T rebuilds nothing
                try:
                    E.announce(changes)
                finally:
                    self._applying = applying
            except Exception:  # the views could not draw the old state either: the state is back
                _log.exception("%s: the views did not redraw the restored state", what)
            if not isinstance(exc, ValueError):
                _log.exception("%s: failed while applying; the state was put back", what)
                exc = f"it failed inside the simulator ({type(exc).__name__}); nothing was changed"
            self.param.update(message=f"{what}: {exc}", message_kind="error")
            return False
        return True

    @param.depends("lesson", watch=True)
    def _on_lesson(self):
        if self._applying:  # a failed attempt puts the lesson back with its own net
            return
        self._lesson_defaults()
        self.reset()

    @param.depends("seed", watch=True)
    def _on_seed(self):
        if not self._applying:
            self.reset()

    def _on_setting(self, *events):
        """Apply a changed setting to the current weights; if the model forbids it, put the
        setting back and say why (e.g. cross-entropy targets on tanh units)."""
        if self._applying:
            return
        names = {e.name for e in events}
        if not self.attempt(lambda: self._apply_settings("steps" in names, relabel="activation" in names),
                         "That setting does not fit this network"):
            self._applying = True
            try:
                self.param.update({e.name: e.old for e in events})
            finally:
                self._applying = False

    def _apply_settings(self, regenerate, relabel=True):
        """Same weights (they do not depend on T), new activations/loss/h0 and maybe new data;
        the units' activations change only with the Activation setting (``relabel``): a unit's own
        choice (Session.set_activation) stays through a change of loss, T or initial states."""
        activation, loss = self._choices()
        spec = self.lesson_spec
        # By group, not by the lesson's unit list: units may have been added or removed.
        table = spec.get("activation", {})
        acts = [table.get(g, table.get("default", "logistic")) for g in self.unit_groups]
        if activation is not None:
            acts = [a if a == "softmax" else activation for a in acts]
        if not relabel:
            acts = list(self.net.activation)
        seq = self.sequences
        if regenerate:
            (X, K, Y, M), self.task_info = make_task(spec["task"], self.steps, np.random.default_rng(self.seed))
            if X.shape[-1] != self.net.N:
                raise ValueError(f"the lesson's task has {X.shape[-1]} units but the network now has "
                                 f"{self.net.N}; press Reset to go back to the lesson's network first")
            seq = Sequences(X, K, Y, M)
        learn = np.full(self.net.N, self.learn_h0)
        ties = tuple(g for g in self.net.ties if all(r[0] != "h0" for r in g)) if not self.learn_h0 else self.net.ties
        self._install(self.net.replace(activation=acts, loss=loss or spec["loss"], learn_h0=learn, ties=ties), seq)

    @param.depends("learning_rate", "momentum", "clip", watch=True)
    def _on_hyper(self):
        # Session(lesson=...) sets the lesson's learning rate in __init__ before reset() has
        # built the first trainer; reset() then builds it with these settings.
        if getattr(self, "trainer", None) is not None:
            self.trainer.optimiser.set_hyper(self.learning_rate, self.momentum, self.clip or None)

    # -- training ------------------------------------------------------------------------------
    def step(self, n=1):
        """Run up to n weight updates, then recompute everything shown. Returns False if refused,
        diverged or the loss ran away (training pauses; the message says what Undo goes back to)."""
        return self.publish_step(self.compute_step(n))

    def compute_step(self, n=1):
        """The work of step() without touching a param (so a served app may run it in a worker
        thread, simulator/serving/offload.py): the updates and the gradients to show, or None
        when the update count is full. Pass what it returns to publish_step."""
        if not caps.updates_left(self.updates):  # the count stays one a document can hold
            return None
        if self.diverged and self._runaway(self.gradients.loss):
            return dict(refused=True)  # still blown up: the message already says to Undo or lower the rate
        n = min(n, caps.updates_left(self.updates), self.updates_to_stop()) if type(n) is int else n
        good, trainer = self.net.params(), self.trainer
        good_at = (self.updates, trainer.state_dict())
        t0 = time.perf_counter()
        reports = trainer.step(n)  # a ValueError for a bad n changes nothing, not even the undo
        seconds = (time.perf_counter() - t0) / max(1, len(reports))
        return dict(trainer=trainer, good=good, good_at=good_at, reports=reports, seconds=seconds,
                    grads=bptt(trainer.net, trainer.seq, check=False))

    def publish_step(self, work):
        """Show what compute_step computed. False if refused, diverged, or computed for a net that
        has since been replaced (a load or reset while it ran: its numbers belong to no one)."""
        if work is None:
            self.param.update(message=caps.UPDATES_FULL, message_kind="error")
            return False
        if work.get("refused") or work["trainer"] is not self.trainer:
            return False
        reports, grads = work["reports"], work["grads"]
        self._good, self._good_at = work["good"], work["good_at"]
        # The updates alone, without the redraw that follows: the Player sizes its frames by it.
        self.update_seconds = work["seconds"]
        done = [r for r in reports if r.ok]
        # The records grow in place: rebuilt per frame, a long Play paid for the whole run each
        # frame (Session.step(1) 15.7 ms at 450,000 entries, ten minutes of Play; 0.55 ms now).
        self.history.extend((r.update, r.loss) for r in done)
        self.add_norm_records(done)
        values = dict(updates=self.trainer.updates, gradients=grads)
        if np.isfinite(grads.loss) and (self._best is None or grads.loss < self._best[1]):
            self._best = (self.net.params(), float(grads.loss), self.trainer.updates)
        last = reports[-1] if reports else None
        why = last.message if last is not None and not last.ok else self._runaway(grads.loss)
        if why:
            # The last finite weights may already sit where E overflows at the next step, so
            # Undo goes back to the best weights seen since the reset.
            if self._best is not None:
                self._good, self._good_at = self._best[0], (self._best[2], None)
            values.update(diverged=True, message_kind="error", divergences=self.divergence_at(values["updates"]),
                          message=f"Training stopped at update {values['updates']}: {why}. Undo puts back the "
                                  f"weights with the lowest error so far{self._best_text()}.")
        elif self.message_kind == "error" or self.diverged:
            values.update(message="", message_kind="info", diverged=False)
        self.param.update(values)
        return not why and self.check_stop()

    def _runaway(self, loss):
        """'' or why the loss counts as running away (RUNAWAY times its starting value)."""
        start = self._start_loss
        if start is None or loss <= RUNAWAY * max(start, 1e-12):  # NaN compares False: checked below
            return ""
        if not np.isfinite(loss):
            return f"the loss is not finite ({loss}); lower the learning rate or set a gradient clip"
        return (f"the loss grew to {loss:.4g}, more than {RUNAWAY:g} times its {start:.4g} at the start; "
                "lower the learning rate or set a gradient clip")

    def _best_text(self):
        return "" if self._best is None else f" (update {self._best[2]}, loss {self._best[1]:.4g})"

    def undo(self):
        """Put back the parameters, update count, loss history and velocity from before the last
        run of updates (after a divergence: the best weights so far), and say which update that is."""
        if self._good is None:
            why = " (Reset or the lesson started again at update 0)" if self.updates == 0 else ""
            self.param.update(message=f"Nothing to undo yet{why}.", message_kind="info")
            return
        updates, velocity = self._good_at if self._good_at is not None else (self.updates, None)
        self.net.assign(self._good)
        opt = self.trainer.optimiser
        opt.updates = updates
        self.trainer.load_state(velocity)  # None: a fresh state
        self._good = self._good_at = None
        grads = bptt(self.net, self.sequences, check=False)
        self.param.update(updates=updates, history=[h for h in self.history if h[0] <= updates], gradients=grads,
                          **self.records_upto(updates),
                          message=f"Undo: back to update {updates}, loss {float(grads.loss):.6g}.",
                          message_kind="info", diverged=False)

    def _refresh(self, message="", kind="info"):
        self.param.update(gradients=bptt(self.net, self.sequences, check=False), message=message,
                          message_kind=kind, diverged=False)

    # -- editing by hand -------------------------------------------------------------------------
    def set_parameter(self, ref, text):
        """Type an exact value into W[i, j], b[i] or h0[i] (``ref`` as in Network.set)."""
        try:
            parse_ref(ref, self.net.N)
            label = E.ref_label(tuple(ref), self.unit_names)
        except ValueError:  # not a parameter of this net: net.set below refuses it and says why
            label = repr(ref)
        def apply():
            value = _parse_number(text, label)
            self.net.set(ref, value)
            self._refresh(f"{label} = {value:g}")
        return self.attempt(apply, f"Could not set {label}")

    @property
    def loss_value(self):
        return float(self.gradients.loss)

    def status(self):
        """The status line: ``update <n> · loss <value>``."""
        return f"update {self.updates} · loss {self.loss_value:.6g}"


def _parse_number(text, label):
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{caps.quote(text)} is not a number; type a decimal number such as 0.5 or -1.2e-3") from None
    if not math.isfinite(value):
        raise ValueError(f"{caps.quote(text)} is not a finite number; type a decimal number such as 0.5")
    return value
