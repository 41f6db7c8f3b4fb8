"""Learning rules (docs/model.md "Learning" and "Other learning rules"): sgd, momentum, rmsprop and
adam on the flat parameter vector [W.ravel(), b, h0], with weight decay and frozen parameters.

With g the tied, masked gradient (train.constrain), after frozen entries are zeroed, weight decay
added and the clip applied, at update k = 1, 2, .. of the rule and rate eps:

    sgd       theta -= eps g
    momentum  v = alpha v - eps g ;  theta += v
    rmsprop   r = rho r + (1 - rho) g^2 ;  theta -= eps g / (sqrt(r) + delta)
    adam      m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2 ;
              theta -= eps (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + delta)

Tied parameters have equal gradients, so they share one state and stay equal; a frozen
parameter (or any member of its tie group) gets no update and keeps no state.
"""
import numpy as np

from .config import ADAM_BETAS, OPTIMIZERS, RMSPROP_RHO, STATE_ARRAYS, STEP_DELTA


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


def constrain(net, dW, db, dh0):
    """The gradients training applies: masked to the learnable parameters, summed over ties.

    Absent connections, switched-off biases and fixed initial states get 0; each tie group
    gets the sum of its members' gradients. Returns a flat vector [dW.ravel(), db, dh0].
    """
    # where, not a product: an overflowed (inf) gradient of an absent connection is 0 too, not nan.
    flat = np.concatenate([np.where(net.C != 0, dW, 0.0).ravel(), db if net.bias else np.zeros(net.N),
                           np.where(net.learn_h0, dh0, 0.0)])
    if net.ties:
        sums = np.zeros(len(net.ties))
        tied = net.tie_index >= 0
        np.add.at(sums, net.tie_index[tied], flat[tied])
        flat[tied] = sums[net.tie_index[tied]]
    return flat


class StepReport:
    """What one update did: ``ok`` is False when it was refused because numbers blew up."""

    __slots__ = ("update", "loss", "grad_norm", "clipped", "ok", "message")

    def __init__(self, update, loss, grad_norm, clipped, ok, message=""):
        self.update, self.loss, self.grad_norm = update, loss, grad_norm
        self.clipped, self.ok, self.message = clipped, ok, message

    def __repr__(self):
        state = "ok" if self.ok else f"refused: {self.message}"
        return f"StepReport(update={self.update}, loss={self.loss:.6g}, |g|={self.grad_norm:.3g}, {state})"


def check_rule(optimizer, weight_decay):
    """(optimizer, weight_decay) checked: a name of OPTIMIZERS and a finite number >= 0."""
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    lam = _number(weight_decay)
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"weight_decay must be a number >= 0; got {weight_decay!r}")
    return optimizer, lam


class Optimiser:
    """One learning rule with its settings and state, applied by ``step(net, grads)``.

    ``clip`` (optional) rescales the applied gradient to at most that Euclidean norm. An update
    whose loss, gradient or result is not finite is refused: the parameters keep their last finite
    values, the state is reset to 0 (it is what blew up), and the report says why and what to try.
    ``frozen``: a bool mask over [W.ravel(), b, h0] (see ``freeze``).
    """

    def __init__(self, net, learning_rate=0.1, momentum=0.0, clip=None, optimizer="momentum", weight_decay=0.0,
                 decay_all=False, frozen=None):
        self.size = net.N * net.N + 2 * net.N
        self.optimizer = None
        self.set_hyper(learning_rate, momentum, clip)
        self.configure(optimizer, weight_decay, decay_all)
        self.freeze(net, frozen)
        self.updates = 0
        # The parameters at which E and its gradient were last finite: an accepted update can
        # land where E overflows, and then every later step is refused; this is the way back.
        self.last_finite = None

    def set_hyper(self, learning_rate, momentum, clip=None):
        """Change the settings live, keeping the state (no reset needed)."""
        lr, mom, cl = _number(learning_rate), _number(momentum), None if clip is None else _number(clip)
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
        if not (0 <= mom < 1):
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        if clip is not None and not (np.isfinite(cl) and cl > 0):
            raise ValueError(f"clip must be None or a positive number; got {clip!r}")
        self.learning_rate, self.momentum, self.clip = lr, mom, cl

    def configure(self, optimizer="momentum", weight_decay=0.0, decay_all=False):
        """Choose the rule and the decay; a new rule starts from a fresh (zero) state."""
        optimizer, lam = check_rule(optimizer, weight_decay)
        if optimizer != self.optimizer:
            self.optimizer = optimizer
            self.reset_state()
        self.weight_decay, self.decay_all = lam, bool(decay_all)

    def freeze(self, net, frozen=None):
        """Hold the parameters of the bool mask ``frozen`` (length N*N + 2N, or None for none) still;
        a frozen member freezes its whole tie group, so tied parameters stay equal."""
        mask = np.zeros(self.size, bool) if frozen is None else np.asarray(frozen, dtype=bool).copy()
        if mask.shape != (self.size,):
            raise ValueError(f"frozen must be a mask of {self.size} parameters [W.ravel(), b, h0]; got {mask.shape}")
        for gid in np.unique(net.tie_index[mask & (net.tie_index >= 0)]):
            mask[net.tie_index == gid] = True
        self.frozen = mask if mask.any() else None
        self._drop_frozen_state()

    def reset_state(self):
        """The rule's state at its start: zeros, and adam's count k = 0."""
        self.state = {name: np.zeros(self.size) for name in STATE_ARRAYS[self.optimizer]}
        self.k = 0

    def _drop_frozen_state(self):
        if getattr(self, "frozen", None) is not None:
            for a in self.state.values():
                a[self.frozen] = 0.0

    @property
    def velocity(self):
        """Momentum's v (zeros for the other rules, which keep none)."""
        return self.state.get("velocity", np.zeros(self.size))

    @velocity.setter
    def velocity(self, v):
        if "velocity" in self.state:
            self.state["velocity"] = np.asarray(v, dtype=float).copy()

    def step(self, net, grads):
        """Apply one update to ``net`` in place from ``grads`` (a Gradients of this net)."""
        g = self.gradient(net, constrain(net, grads.dW, grads.db, grads.dh0))
        norm = _norm(g)
        loss = float(grads.loss)
        if not np.isfinite(loss) or not np.isfinite(norm):
            what = "loss" if not np.isfinite(loss) else "gradient"
            return self._refuse(loss, norm, f"the {what} is not finite ({loss if what == 'loss' else norm}); "
                                "lower the learning rate or set a gradient clip, then step again")
        clipped = self.clip is not None and norm > self.clip
        if clipped:
            g = g * (self.clip / norm)
        change, state, k = self.delta(g)
        if self.frozen is not None:
            change = np.where(self.frozen, 0.0, change)
        old = net.params()
        self.last_finite = old
        new = old + change
        if not np.all(np.isfinite(new)):
            return self._refuse(loss, norm, "the update would make a parameter non-finite; "
                                "lower the learning rate or set a gradient clip")
        self.state, self.k = state, k
        net.assign(new)
        self.updates += 1
        return StepReport(self.updates, loss, norm, clipped, True)

    def _refuse(self, loss, norm, message):
        self.reset_state()
        return StepReport(self.updates, loss, norm, False, False, message)

    def gradient(self, net, g):
        """The gradient the rule applies: frozen entries 0, weight decay added (W; b and h0 too with
        ``decay_all``, learned ones only)."""
        if self.frozen is not None:
            g = np.where(self.frozen, 0.0, g)
        if self.weight_decay:
            N = net.N
            on = np.concatenate([net.C.ravel(), np.full(N, float(self.decay_all and net.bias)),
                                 self.decay_all * net.learn_h0.astype(float)])
            if self.frozen is not None:
                on = np.where(self.frozen, 0.0, on)
            g = g + self.weight_decay * on * net.params()
        return g

    def delta(self, g):
        """The change of the parameters for gradient g, updating the state (new state returned
        separately so that a refused update leaves it as it was): (change, state, k)."""
        eps, kind, st, k = self.learning_rate, self.optimizer, self.state, self.k
        if kind == "sgd":
            return -eps * g, st, k
        if kind == "momentum":
            v = self.momentum * st["velocity"] - eps * g
            return v, dict(velocity=v), k
        if kind == "rmsprop":
            r = RMSPROP_RHO * st["r"] + (1 - RMSPROP_RHO) * g * g
            return -eps * g / (np.sqrt(r) + STEP_DELTA), dict(r=r), k
        b1, b2 = ADAM_BETAS
        k += 1
        m = b1 * st["m"] + (1 - b1) * g
        v = b2 * st["v"] + (1 - b2) * g * g
        return -eps * (m / (1 - b1 ** k)) / (np.sqrt(v / (1 - b2 ** k)) + STEP_DELTA), dict(m=m, v=v), k

    def state_dict(self):
        """Everything the next update depends on besides the parameters, as copies:
        {"optimizer", "k", and the rule's arrays (STATE_ARRAYS)}."""
        return dict(optimizer=self.optimizer, k=self.k, **{n: a.copy() for n, a in self.state.items()})

    def load_state(self, state):
        """Put back a ``state_dict``, or momentum's velocity alone (an array, as documents before
        the other rules held); None, or the state of another rule than the current one: a fresh state."""
        if state is not None and not isinstance(state, dict):
            state = dict(optimizer="momentum", velocity=state)
        if state is None or state["optimizer"] != self.optimizer:
            self.reset_state()
            return
        for name in STATE_ARRAYS[self.optimizer]:
            a = np.asarray(state[name], dtype=float)
            if a.shape != (self.size,):
                raise ValueError(f"optimizer state {name}: expected {self.size} numbers; got shape {a.shape}")
        self.state = {n: np.array(state[n], dtype=float) for n in STATE_ARRAYS[self.optimizer]}
        self.k = int(state.get("k", 0))
        self._drop_frozen_state()
