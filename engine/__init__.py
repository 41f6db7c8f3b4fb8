"""bptt-sim's engine: recurrent nets trained by backpropagation through time (Hinton, lecture 7b).

    from engine import Network, Sequences, bptt
    net = Network(W=W, b=b, h0=h0, connections=C, activation=acts, loss="squared")
    seq = Sequences(inputs=X, clamp=K, targets=Y, target_mask=M)   # (B, T+1, N) or (T+1, N)
    g = bptt(net, seq)
    g.loss, g.dW, g.db, g.dh0, g.dW_by_step, g.states

The model is defined exactly in MODEL.md. This package imports numpy and numba only.
"""
from .bptt import Gradients, bptt, check_compatible
from .config import ACTIVATIONS, DEFAULT_H0, LOSSES
from .network import Network, Sequences

__all__ = ["Network", "Sequences", "Gradients", "bptt", "check_compatible", "ACTIVATIONS", "LOSSES", "DEFAULT_H0"]
