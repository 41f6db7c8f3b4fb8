"""The feedforward twin: the recurrent net unrolled into T+1 layers, one copy of W per layer.

Lecture 7b: "the recurrent net is just a layered net that keeps reusing the same weights",
and "we can think of the recurrent net as a layered, feed-forward net with shared weights and
then train the feed-forward net with weight constraints". This module builds that layered net
explicitly, in plain NumPy and independently of the kernels: layer t-1 feeds layer t through
its own copy W^(t) and b^(t). Ordinary layer-by-layer backprop gives each copy its own
gradient (which equals BPTT's G_t); the tie rule then gives every copy the sum.

With ``truncate`` = h the twin computes BPTT(h) the way docs/model.md ("Truncated BPTT") defines
it: the error E_t of each step is backpropagated on its own, from layer t down through layers
t, .., t-h+1 at most; what reaches s_{t-h} stops there (a constant for E_t) unless t <= h, when
it reaches s_0 and h0. Every copy gets the sum over the chains that pass through it.
"""
import numpy as np

from .config import CROSS_ENTROPY, LINEAR, LOGISTIC, SOFTMAX, TANH
from .bptt import check_compatible, check_truncate


class Layer:
    """Layer t of the unrolled net: s_t = where(K_t, X_t, f(W^(t) s_{t-1} + b^(t)))."""

    def __init__(self, W, b, act, clamp, inputs):
        self.W, self.b, self.act = W.copy(), b.copy(), act  # this layer's own copies
        self.K, self.X = clamp, inputs  # (B, N)
        self.reset()

    def reset(self):
        """Zero this copy's gradients (backward adds into them, once per chain through the layer)."""
        N = self.W.shape[0]
        self.d, self.dW, self.db = np.zeros((self.K.shape[0], N)), np.zeros((N, N)), np.zeros(N)

    def forward(self, s_prev):
        self.s_prev = s_prev
        self.z = s_prev @ self.W.T + self.b  # (B, N)
        z, a = self.z, np.empty_like(self.z)
        for code, fn in ((LOGISTIC, lambda v: 1 / (1 + np.exp(-v))), (TANH, np.tanh), (LINEAR, lambda v: v)):
            cols = self.act == code
            a[:, cols] = fn(z[:, cols])
        sm = self.act == SOFTMAX
        if sm.any():
            e = np.exp(z[:, sm] - z[:, sm].max(axis=1, keepdims=True))
            a[:, sm] = e / e.sum(axis=1, keepdims=True)
        self.a = a
        return np.where(self.K != 0, self.X, a)

    def backward(self, g):
        """Given dE/ds_t, add this copy's gradients (d, dW, db) and return dE/ds_{t-1}."""
        u = g * (1 - self.K)  # a clamped unit's state takes no error
        a, d = self.a, np.zeros_like(g)
        d[:, self.act == LOGISTIC] = (a * (1 - a) * u)[:, self.act == LOGISTIC]
        d[:, self.act == TANH] = ((1 - a * a) * u)[:, self.act == TANH]
        d[:, self.act == LINEAR] = u[:, self.act == LINEAR]
        sm = self.act == SOFTMAX
        if sm.any():
            asm, usm = a[:, sm], u[:, sm]
            d[:, sm] = asm * (usm - (asm * usm).sum(axis=1, keepdims=True))  # softmax J^T u
        self.d += d
        self.dW += d.T @ self.s_prev  # (N, N): this copy's gradient
        self.db += d.sum(axis=0)
        return d @ self.W


class UnrolledNet:
    """Layers 1..T, each with its own copy of W and b, built from a Network for T steps.

    ``truncate``: h >= 1 for BPTT(h) (module docstring), None (or h >= T) for full BPTT.
    """

    def __init__(self, net, seq, truncate=None):
        check_compatible(net, seq)  # the same checks as bptt: types, sizes, cross-entropy targets
        self.truncate = check_truncate(truncate)
        self.net, self.seq = net, seq
        X, K = seq.X, seq.K  # (B, T+1, N)
        self.layers = [Layer(net.W, net.b, net.act_codes, K[:, t], X[:, t]) for t in range(1, seq.T + 1)]

    def _target_grad(self, s, t):
        """dE/ds_t from the targets at time t alone, in the plain division form."""
        Y, M, B = self.seq.Y[:, t], self.seq.M[:, t], self.seq.B
        if self.net.loss_code != CROSS_ENTROPY:
            return M * (s - Y) / B
        soft = self.net.act_codes == SOFTMAX
        with np.errstate(divide="ignore", invalid="ignore"):
            bce = np.where(Y != 0, -Y / s, 0) + np.where(Y != 1, (1 - Y) / (1 - s), 0)
            cat = np.where(Y != 0, -Y / s, 0)
        return np.where(M != 0, np.where(soft, cat, bce), 0.0) / B  # untargeted units: exactly 0, never nan

    def _loss(self, s, t):
        Y, M = self.seq.Y[:, t], self.seq.M[:, t]
        if self.net.loss_code != CROSS_ENTROPY:
            return float((M * 0.5 * (s - Y) ** 2).sum())
        soft = self.net.act_codes == SOFTMAX
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogy = lambda y, v: np.where(y != 0, y * np.log(np.where(y != 0, v, 1)), 0)
            l = np.where(soft, -xlogy(Y, s), -(xlogy(Y, s) + xlogy(1 - Y, 1 - s)))
        return float(np.where(M != 0, l, 0.0).sum())  # 0 * nan would be nan for an untargeted linear unit

    def forward(self):
        """The layered forward pass; returns E and keeps every layer's activities."""
        s = np.where(self.seq.K[:, 0] != 0, self.seq.X[:, 0], self.net.h0)  # (B, N)
        self.states = [s]
        E = self._loss(s, 0)
        for t, layer in enumerate(self.layers, start=1):
            s = layer.forward(s)
            self.states.append(s)
            E += self._loss(s, t)
        self.loss = E / self.seq.B
        return self.loss

    def backward(self):
        """Ordinary backprop from layer T down to layer 1; every copy gets its own gradient.

        Returns (dW_copies (T, N, N), db_copies (T, N), dh0 (N,)); dW copies are masked by C.
        """
        for layer in self.layers:
            layer.reset()
        h, T = self.truncate, self.seq.T
        if h is None or h >= T:  # one pass: the errors of all steps travel back together
            g = self._target_grad(self.states[-1], T)
            for t in range(T, 0, -1):
                g = self.layers[t - 1].backward(g) + self._target_grad(self.states[t - 1], t - 1)
        else:
            g = self._truncated_chains(h)
        dh0 = (g * (1 - self.seq.K[:, 0])).sum(axis=0)
        dW = np.stack([l.dW for l in self.layers]) * self.net.C  # (T, N, N)
        db = np.stack([l.db for l in self.layers]) * float(self.net.bias)  # (T, N)
        return dW, db, dh0

    def _truncated_chains(self, h):
        """BPTT(h): E_t's own chain through layers t .. max(1, t-h+1) for every t; returns g_0,
        the target term at 0 plus what the chains of t = 1 .. h bring to s_0."""
        g0 = self._target_grad(self.states[0], 0)
        for t in range(1, self.seq.T + 1):
            g = self._target_grad(self.states[t], t)
            for u in range(t, max(1, t - h + 1) - 1, -1):
                g = self.layers[u - 1].backward(g)
            if t <= h:  # the chain reached s_0
                g0 = g0 + g
        return g0

    def tied_gradients(self):
        """Backprop with weight constraints: the copies W^(1)..W^(T) are tied, so each gets
        the sum of the group's gradients. Returns (loss, dW, db, dh0) to compare with bptt."""
        loss = self.forward()
        dW, db, dh0 = self.backward()
        return loss, dW.sum(axis=0), db.sum(axis=0), dh0
