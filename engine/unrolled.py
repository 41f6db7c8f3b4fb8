"""The feedforward twin: the recurrent net unrolled into T+1 layers, one copy of W per layer.

Lecture 7b: "the recurrent net is just a layered net that keeps reusing the same weights",
and "we can think of the recurrent net as a layered, feed-forward net with shared weights and
then train the feed-forward net with weight constraints". This module builds that layered net
explicitly, in plain NumPy and independently of the kernels: layer t-1 feeds layer t through
its own copy W^(t) and b^(t). Ordinary layer-by-layer backprop gives each copy its own
gradient (which equals BPTT's G_t); the tie rule then gives every copy the sum.
"""
import numpy as np

from .config import CROSS_ENTROPY, LINEAR, LOGISTIC, SOFTMAX, TANH
from .bptt import check_compatible


class Layer:
    """Layer t of the unrolled net: s_t = where(K_t, X_t, f(W^(t) s_{t-1} + b^(t)))."""

    def __init__(self, W, b, act, clamp, inputs):
        self.W, self.b, self.act = W.copy(), b.copy(), act  # this layer's own copies
        self.K, self.X = clamp, inputs  # (B, N)

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
        """Given dE/ds_t, store this copy's gradients and return dE/ds_{t-1}."""
        u = g * (1 - self.K)  # a clamped unit's state takes no error
        a, d = self.a, np.zeros_like(g)
        d[:, self.act == LOGISTIC] = (a * (1 - a) * u)[:, self.act == LOGISTIC]
        d[:, self.act == TANH] = ((1 - a * a) * u)[:, self.act == TANH]
        d[:, self.act == LINEAR] = u[:, self.act == LINEAR]
        sm = self.act == SOFTMAX
        if sm.any():
            asm, usm = a[:, sm], u[:, sm]
            d[:, sm] = asm * (usm - (asm * usm).sum(axis=1, keepdims=True))  # softmax J^T u
        self.d = d
        self.dW = d.T @ self.s_prev  # (N, N): this copy's gradient
        self.db = d.sum(axis=0)
        return d @ self.W


class UnrolledNet:
    """Layers 1..T, each with its own copy of W and b, built from a Network for T steps."""

    def __init__(self, net, seq):
        check_compatible(net, seq)  # the same checks as bptt: types, sizes, cross-entropy targets
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
        g = self._target_grad(self.states[-1], self.seq.T)
        for t in range(self.seq.T, 0, -1):
            g = self.layers[t - 1].backward(g) + self._target_grad(self.states[t - 1], t - 1)
        dh0 = (g * (1 - self.seq.K[:, 0])).sum(axis=0)
        dW = np.stack([l.dW for l in self.layers]) * self.net.C  # (T, N, N)
        db = np.stack([l.db for l in self.layers]) * float(self.net.bias)  # (T, N)
        return dW, db, dh0

    def tied_gradients(self):
        """Backprop with weight constraints: the copies W^(1)..W^(T) are tied, so each gets
        the sum of the group's gradients. Returns (loss, dW, db, dh0) to compare with bptt."""
        loss = self.forward()
        dW, db, dh0 = self.backward()
        return loss, dW.sum(axis=0), db.sum(axis=0), dh0
