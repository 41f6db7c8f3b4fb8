"""Learning: backprop with weight constraints, then gradient descent with momentum.

Lecture 7b: "compute the gradients as usual, and then modify the gradients so that they
satisfy the constraints. So if the weights started off satisfying the constraints, they will
continue to satisfy them." Here every tied parameter gets its group's summed gradient; the
time copies of W are already summed by bptt. The caller owns the loop (umap's grain), so a
UI can draw after every update.
"""
import numpy as np

from .bptt import bptt, check_compatible


def constrain(net, dW, db, dh0):
    """The gradients training applies: masked to the learnable parameters, summed over ties.

    Absent connections, switched-off biases and fixed initial states get 0; each tie group
    gets the sum of its members' gradients. Returns a flat vector [dW.ravel(), db, dh0].
    """
    flat = np.concatenate([(dW * net.C).ravel(), db if net.bias else np.zeros(net.N), dh0 * net.learn_h0])
    if net.ties:
        sums = np.zeros(len(net.ties))
        tied = net.tie_index >= 0
        np.add.at(sums, net.tie_index[tied], flat[tied])
        flat[tied] = sums[net.tie_index[tied]]
    return flat


def _number(value):
    """float(value), or NaN for anything that is not a real number (strings, None, arrays)."""
    if isinstance(value, (str, bytes)) or np.ndim(value) != 0:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond the float range
        return float("nan")


def _norm(g):
    """Euclidean norm that does not overflow for huge but finite entries (sqrt(g @ g) does)."""
    m = float(np.max(np.abs(g))) if g.size else 0.0
    if m == 0.0 or not np.isfinite(m):
        return m
    return m * float(np.sqrt(np.sum((g / m) ** 2)))


class StepReport:
    """What one update did: ``ok`` is False when it was refused because numbers blew up."""

    __slots__ = ("update", "loss", "grad_norm", "clipped", "ok", "message")

    def __init__(self, update, loss, grad_norm, clipped, ok, message=""):
        self.update, self.loss, self.grad_norm = update, loss, grad_norm
        self.clipped, self.ok, self.message = clipped, ok, message

    def __repr__(self):
        state = "ok" if self.ok else f"refused: {self.message}"
        return f"StepReport(update={self.update}, loss={self.loss:.6g}, |g|={self.grad_norm:.3g}, {state})"


class Momentum:
    """v = momentum * v - learning_rate * g ; theta += v (docs/model.md "Learning").

    ``clip`` (optional) rescales the applied gradient to at most that Euclidean norm. An
    update whose loss, gradient or result is not finite is refused: the parameters keep their
    last finite values, the velocity is reset to 0 (it is what blew up), and the report says
    why and what to try.
    """

    def __init__(self, net, learning_rate=0.1, momentum=0.0, clip=None):
        self.set_hyper(learning_rate, momentum, clip)
        self.velocity = np.zeros(net.N * net.N + 2 * net.N)
        self.updates = 0
        # The parameters at which E and its gradient were last finite: an accepted update can
        # land where E overflows, and then every later step is refused; this is the way back.
        self.last_finite = None

    def set_hyper(self, learning_rate, momentum, clip=None):
        """Change the settings live, keeping the velocity (no reset needed)."""
        lr, mom, cl = _number(learning_rate), _number(momentum), None if clip is None else _number(clip)
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
        if not (0 <= mom < 1):
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        if clip is not None and not (np.isfinite(cl) and cl > 0):
            raise ValueError(f"clip must be None or a positive number; got {clip!r}")
        self.learning_rate, self.momentum, self.clip = lr, mom, cl

    def step(self, net, grads):
        """Apply one update to ``net`` in place from ``grads`` (a Gradients of this net)."""
        g = constrain(net, grads.dW, grads.db, grads.dh0)
        norm = _norm(g)
        loss = float(grads.loss)
        if not np.isfinite(loss) or not np.isfinite(norm):
            what = "loss" if not np.isfinite(loss) else "gradient"
            return self._refuse(loss, norm, f"the {what} is not finite ({loss if what == 'loss' else norm}); "
                                "lower the learning rate or set a gradient clip, then step again")
        clipped = self.clip is not None and norm > self.clip
        if clipped:
            g = g * (self.clip / norm)
        v = self.momentum * self.velocity - self.learning_rate * g
        old = net.params()
        self.last_finite = old
        new = old + v
        if not np.all(np.isfinite(new)):
            return self._refuse(loss, norm, "the update would make a parameter non-finite; "
                                "lower the learning rate or set a gradient clip")
        self.velocity = v
        net.assign(new)
        self.updates += 1
        return StepReport(self.updates, loss, norm, clipped, True)

    def _refuse(self, loss, norm, message):
        self.velocity[:] = 0.0
        return StepReport(self.updates, loss, norm, False, False, message)


class Trainer:
    """A network, its training batch and its optimiser; ``step(n)`` runs n updates and returns.

    >>> t = Trainer(net, seq, learning_rate=0.5, momentum=0.9)
    >>> reports = t.step(10)          # the loop is the caller's: draw between calls
    """

    def __init__(self, net, seq, learning_rate=0.1, momentum=0.0, clip=None):
        check_compatible(net, seq)
        self.net, self.seq = net, seq
        self.optimiser = Momentum(net, learning_rate, momentum, clip)

    @property
    def updates(self):
        return self.optimiser.updates

    def step(self, n=1):
        """Run up to n updates; stop early at a refused one. Returns the list of StepReports."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a whole number of updates >= 0; got {n!r}")
        reports = []
        for _ in range(int(n)):
            r = self.optimiser.step(self.net, bptt(self.net, self.seq, check=False))
            reports.append(r)
            if not r.ok:
                break
        return reports

    def evaluate(self):
        """Gradients of the current parameters (no update)."""
        return bptt(self.net, self.seq, check=False)
