"""The Session's training settings beyond rate, momentum and clip (a mixin, so session.py stays
readable): the learning rule, minibatches, weight decay, frozen parameters, truncated BPTT and the
stopping rules (docs/model.md "Learning"). The names are the document's training section and
`bptt-sim train`'s options; 0 means "off" (every case, full BPTT, no stop) so that a document
without them trains as before.
"""
import numpy as np
import param

from engine import OPTIMIZERS, Trainer
from engine.network import parse_ref

from simulator.lessons import registry as L
from simulator.state import caps
from simulator.state.numbers import Integer, Number

#: The settings of this mixin, in the document's order (simulator/document/format.py saves them).
TRAINING_SETTINGS = ("optimizer", "batch_size", "weight_decay", "decay_all", "truncate", "stop_at_loss",
                     "stop_when_right", "stop_at_updates", "radius")
_NO_STOP = 2 ** 62


class Training(param.Parameterized):
    """Methods and settings of Session (simulator/state/session.py) for how it trains."""

    optimizer = param.Selector(objects=list(OPTIMIZERS), default="momentum", label="Optimizer",
                               doc="The learning rule: sgd, momentum, adam or rmsprop (docs/model.md).")
    batch_size = Integer(default=0, bounds=(0, 100_000), label="Batch size",
                         doc="Cases per update, drawn without replacement each epoch from the seed (0 = all).")
    weight_decay = Number(default=0.0, bounds=(0.0, 100.0), label="Weight decay",
                          doc="lambda: adds lambda * W to W's gradient before the rule.")
    decay_all = param.Boolean(default=False, label="Decay biases and h0 too",
                              doc="Weight decay on the biases and learned initial states as well.")
    truncate = Integer(default=0, bounds=(0, 10_000), label="Truncate to h steps",
                       doc="BPTT(h): each step's error flows back at most h steps (0 = full BPTT).")
    stop_at_loss = Number(default=0.0, bounds=(0.0, 1e6), label="Stop at loss",
                          doc="Training stops once the loss is at or below this (0 = never).")
    stop_when_right = param.Boolean(default=False, label="Stop when every case is right",
                                    doc="Training stops once the lesson's criterion is met.")
    stop_at_updates = Integer(default=0, bounds=(0, caps.MAX_UPDATES), label="Stop at update",
                              doc="Training stops at this many updates (0 = never).")
    radius = Number(default=0.0, bounds=(0.0, 10.0), label="Spectral radius",
                    doc="Every chain's recurrent spectral radius, new weights from the seed (0 = the lesson's own; "
                        "only lessons whose nets are chains, such as the lecture 7d chain: 0.7 and 1.3).")
    frozen = param.List(default=[], doc="Parameters that training leaves alone, as references "
                        "('W', i, j), ('b', i), ('h0', i); their gradient is still shown.")
    # -- outputs beside Session.history, written only by Session.publish_step, undo and _install --
    grad_norms = param.List(default=[], doc="[(update, |g|, clipped)] of every update since the last reset: the "
                            "norm of the gradient the rule was given (after freezing and decay, before the clip) "
                            "and whether the clip scaled it down. Grows in place like Session.history.")
    divergences = param.List(default=[], doc="The update counts at which training stopped because numbers blew up "
                             "or the loss ran away (since the last reset).")

    def training_defaults(self, tr):
        """The lesson's training settings of this mixin (a lesson's ``training`` dict may give any;
        the rest take their defaults; nothing frozen), for Session._lesson_defaults."""
        return dict({k: tr.get(k, self.param[k].default) for k in TRAINING_SETTINGS}, frozen=[])

    def make_trainer(self, net, seq):
        """A Trainer for (net, seq) with every training setting (ValueError if one does not fit)."""
        return Trainer(net, seq, self.learning_rate, self.momentum, self.clip or None, **self._rule(net),
                       **self._schedule(seq))

    def _rule(self, net):
        mask = np.zeros(net.N * net.N + 2 * net.N, bool)
        for ref in self.frozen:
            try:
                mask[parse_ref(ref, net.N)] = True
            except ValueError:  # a unit that is gone since (units removed): nothing to hold
                continue
        return dict(optimizer=self.optimizer, weight_decay=self.weight_decay, decay_all=self.decay_all,
                    frozen=mask)

    def _schedule(self, seq):
        if self.batch_size > seq.B:
            raise ValueError(f"batch size {self.batch_size} is larger than the {seq.B} cases; choose 1 to {seq.B} "
                             "(0 = all cases)")
        return dict(batch_size=self.batch_size or None, seed=self.seed, truncate=self.truncate or None,
                    stop_at=self.stop_at_loss or None)

    @param.depends("optimizer", "batch_size", "weight_decay", "decay_all", "truncate", "stop_at_loss", "frozen",
                   watch=True)
    def _on_training(self):
        """Apply a changed setting to the current trainer, keeping its state where the rule stays;
        a setting that does not fit (a batch larger than the cases) goes back, with the reason."""
        t = getattr(self, "trainer", None)
        if t is None or getattr(self, "_applying", False):
            return
        try:
            rule, schedule = self._rule(t.net), self._schedule(t.seq)
        except ValueError as exc:
            self._applying = True
            try:
                self.param.update(batch_size=t.batch_size or 0)
            finally:
                self._applying = False
            self.param.update(message=f"That setting does not fit: {exc}", message_kind="error")
            return
        t.optimiser.configure(rule["optimizer"], rule["weight_decay"], rule["decay_all"])
        t.optimiser.freeze(t.net, rule["frozen"])
        t.schedule(**schedule)

    @param.depends("radius", watch=True)
    def _on_radius(self):
        """New weights from the seed with the chains at this radius (like a new seed); a lesson
        without chains keeps 0 and says why."""
        if getattr(self, "trainer", None) is None or getattr(self, "_applying", False):
            return
        try:
            L.check_radius(self.lesson_spec, self.radius)
        except ValueError as exc:
            self._applying = True
            try:
                self.param.update(radius=0.0)  # the only radius such a lesson can have had
            finally:
                self._applying = False
            self.param.update(message=f"That setting does not fit: {exc}", message_kind="error")
            return
        self.reset()

    def add_norm_records(self, reports):
        """Append the accepted updates of ``reports`` (StepReports) to grad_norms, in place like
        Session.history."""
        self.grad_norms.extend((int(r.update), float(r.grad_norm), bool(r.clipped)) for r in reports if r.ok)

    def divergence_at(self, updates):
        """divergences with ``updates`` added (once: a refused step repeated there adds nothing)."""
        div = self.divergences
        return div if div and div[-1] == updates else div + [int(updates)]

    def records_upto(self, updates):
        """grad_norms and divergences up to ``updates`` (Undo goes back there)."""
        return dict(grad_norms=[r for r in self.grad_norms if r[0] <= updates],
                    divergences=[u for u in self.divergences if u <= updates])

    def set_frozen(self, ref, frozen=True):
        """Freeze (or free) one parameter, ``ref`` as in Network.set; saved with the document."""
        parse_ref(ref, self.net.N)  # a ValueError names what a reference must be
        key = (ref[0], *(int(k) for k in ref[1:]))
        rest = [tuple(r) for r in self.frozen if tuple(r) != key]
        self.frozen = rest + [key] if frozen else rest

    def is_frozen(self, ref):
        return tuple(ref) in {tuple(r) for r in self.frozen}

    def updates_to_stop(self):
        """How many updates may run before "Stop at update" (a large number when it is off)."""
        return max(0, self.stop_at_updates - self.updates) if self.stop_at_updates else _NO_STOP

    def stop_reason(self):
        """'' or which stopping rule the current state meets, for the message that ends Play."""
        loss = float(self.gradients.loss)
        if self.stop_at_updates and self.updates >= self.stop_at_updates:
            return f"it reached {self.stop_at_updates} updates (Stop at update)"
        if self.stop_at_loss and loss <= self.stop_at_loss:
            return f"the loss {loss:.6g} is at or below {self.stop_at_loss:g} (Stop at loss)"
        if self.stop_when_right and L.solved(self.lesson, self.net, self.lesson_spec, self.task_info,
                                             self.sequences, self.gradients):
            return "every case is right (the lesson's criterion)"
        return ""

    def check_stop(self):
        """True to go on training; False after saying which stopping rule ended it."""
        why = self.stop_reason()
        if why:
            self.param.update(message=f"Training stopped at update {self.updates}: {why}.", message_kind="info")
        return not why
