"""Learning: backprop with weight constraints, then a learning rule (optimizers.py) on a batch.

Lecture 7b: "compute the gradients as usual, and then modify the gradients so that they
satisfy the constraints. So if the weights started off satisfying the constraints, they will
continue to satisfy them." Here every tied parameter gets its group's summed gradient; the
time copies of W are already summed by bptt. The caller owns the loop (umap's grain), so a
UI can draw after every update.

Minibatches: ``batch_size`` cases per update, drawn without replacement: each epoch e is one
permutation of the B cases from ``np.random.default_rng([seed, e])``, taken in order
``batch_size`` at a time (the last batch of an epoch may be smaller), so a seed fixes the order
and (epoch, position) is all the sampler's state. Full batch (``batch_size`` None or >= B) uses
the cases as given, in their order.
"""
import numpy as np

from .bptt import bptt, check_compatible, check_truncate
from .optimizers import Optimiser, StepReport, _number, constrain  # noqa: F401  (the public names)


class Trainer:
    """A network, its training cases and its optimiser; ``step(n)`` runs n updates and returns.

    >>> t = Trainer(net, seq, learning_rate=0.5, momentum=0.9)
    >>> reports = t.step(10)          # the loop is the caller's: draw between calls

    ``optimizer``, ``weight_decay``, ``decay_all`` and ``frozen`` go to the Optimiser;
    ``batch_size`` (None: every case), ``seed`` (the minibatch order), ``truncate`` (BPTT(h),
    None: full BPTT) and ``stop_at`` (a loss; None: never) are the Trainer's.
    """

    def __init__(self, net, seq, learning_rate=0.1, momentum=0.0, clip=None, optimizer="momentum", weight_decay=0.0,
                 decay_all=False, frozen=None, batch_size=None, seed=0, truncate=None, stop_at=None):
        check_compatible(net, seq)
        self.net, self.seq = net, seq
        self.optimiser = Optimiser(net, learning_rate, momentum, clip, optimizer, weight_decay, decay_all, frozen)
        self.epoch, self.position = 0, 0
        self.schedule(batch_size, seed, truncate, stop_at)

    def schedule(self, batch_size=None, seed=0, truncate=None, stop_at=None):
        """Set the batch size, the minibatch seed, the truncation and the stopping loss, checked;
        the sampler keeps its place in the epoch."""
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                       or not 1 <= batch_size <= self.seq.B):
            raise ValueError(f"batch_size must be a whole number of cases from 1 to {self.seq.B} (the number of "
                             f"cases), or None for all of them; got {batch_size!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0; got {seed!r}")
        stop = None if stop_at is None else _number(stop_at)
        if stop is not None and not (np.isfinite(stop) and stop >= 0):
            raise ValueError(f"stop_at must be a loss >= 0 (or None); got {stop_at!r}")
        self.truncate = check_truncate(truncate)
        self.batch_size = None if batch_size is None or batch_size >= self.seq.B else int(batch_size)
        self.seed, self.stop_at = int(seed), stop
        self._order = None

    @property
    def updates(self):
        return self.optimiser.updates

    def next_batch(self):
        """The cases of the next update (Sequences), moving the sampler on."""
        if self.batch_size is None:
            return self.seq
        if self.position >= self.seq.B:
            self.epoch, self.position, self._order = self.epoch + 1, 0, None
        if self._order is None:
            self._order = np.random.default_rng([self.seed, self.epoch]).permutation(self.seq.B)
        cases = self._order[self.position:self.position + self.batch_size]
        self.position += len(cases)
        return self.seq.cases(cases)

    def step(self, n=1):
        """Run up to n updates; stop early at a refused one, or before an update whose loss is at or
        below ``stop_at``. Returns the list of StepReports."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a whole number of updates >= 0; got {n!r}")
        reports = []
        for _ in range(int(n)):
            place = (self.epoch, self.position, self._order)
            grads = bptt(self.net, self.next_batch(), check=False, truncate=self.truncate)
            if self.stop_at is not None and grads.loss <= self.stop_at:
                self.epoch, self.position, self._order = place  # that batch was not used
                break
            r = self.optimiser.step(self.net, grads)
            reports.append(r)
            if not r.ok:
                break
        return reports

    def state_dict(self):
        """The optimiser's state (Optimiser.state_dict) and the sampler's place: with the parameters,
        all the next update depends on."""
        return dict(self.optimiser.state_dict(), updates=self.updates, epoch=self.epoch, position=self.position)

    def load_state(self, state):
        """Put back a ``state_dict`` (Optimiser.load_state says what else it takes; without the
        sampler's place, the sampler stays where it is)."""
        self.optimiser.load_state(state)
        if isinstance(state, dict):
            self.optimiser.updates = int(state.get("updates", self.updates))
            self.epoch, self.position, self._order = int(state.get("epoch", 0)), int(state.get("position", 0)), None

    def evaluate(self):
        """Gradients of the current parameters on every case (no update)."""
        return bptt(self.net, self.seq, check=False, truncate=self.truncate)
