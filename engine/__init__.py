"""bptt-sim's engine: recurrent nets trained by backpropagation through time (Hinton, lecture 7b).

    from engine import Network, Sequences, bptt
    net = Network(W=W, b=b, h0=h0, connections=C, activation=acts, loss="squared")
    seq = Sequences(inputs=X, clamp=K, targets=Y, target_mask=M)   # (B, T+1, N) or (T+1, N)
    g = bptt(net, seq)
    g.loss, g.dW, g.db, g.dh0, g.dW_by_step, g.states

The model is defined exactly in docs/model.md. This package imports numpy and numba only.
"""
from . import cache_dir  # noqa: F401  (first: a read-only install's Numba cache goes per user)
from .bptt import Gradients, bptt, check_compatible
from .config import ACTIVATIONS, DEFAULT_H0, LOSSES, OPTIMIZERS
from .gradcheck import GradientCheck, finite_differences
from .network import Network, Sequences
from .patterns import CLAMP_MODES, TARGET_MODES, clamp_pattern, target_pattern
from .optimizers import Optimiser, StepReport, constrain
from .train import Trainer

Momentum = Optimiser  # the default rule's former name: Momentum(net, learning_rate, momentum, clip)
from .unrolled import UnrolledNet


def warm_up():
    """Compile (or load from Numba's cache) every kernel on a tiny problem, both code paths."""
    import numpy as np
    for B in (1, 8):
        net = Network(np.zeros((2, 2)), activation=["logistic", "softmax"], loss="cross_entropy")
        seq = Sequences(targets=np.full((B, 3, 2), 0.5), target_mask=np.ones((B, 3, 2)))
        bptt(net, seq).dW_by_step


__all__ = ["Network", "Sequences", "Gradients", "bptt", "check_compatible", "Trainer", "Momentum",
           "StepReport", "constrain", "UnrolledNet", "finite_differences", "GradientCheck",
           "clamp_pattern", "target_pattern", "CLAMP_MODES", "TARGET_MODES", "warm_up",
           "ACTIVATIONS", "LOSSES", "DEFAULT_H0", "Optimiser", "OPTIMIZERS"]
