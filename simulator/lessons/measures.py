"""Shared measures for the lesson read-outs that readouts.py does not have (no panel here).

Comparisons train scratch copies of the lesson from the session's seed, exactly as
Session.reset builds them (weights first, then the cases, from one generator), so the
numbers are what a student gets by pressing Reset with that setting and training; the
session itself is never touched.
"""
import numpy as np

from engine import Sequences, Trainer, bptt

from simulator.lessons.build import build_network
from simulator.lessons.lesson import Measured
from simulator.lessons.tasks import make_task


def trained_copy(spec, seed, steps, updates, learn_h0=None, task=None):
    """A fresh net of lesson ``spec`` (seed, T = steps) trained for ``updates`` updates with the
    lesson's settings; ``task`` overrides task settings. Returns (net, sequences, gradients)."""
    rng = np.random.default_rng(seed)
    net = build_network(spec, rng, learn_h0=learn_h0)
    (X, K, Y, M), _ = make_task({**spec["task"], **(task or {})}, steps, rng)
    seq = Sequences(X, K, Y, M)
    tr = spec["training"]
    Trainer(net, seq, tr["learning_rate"], tr["momentum"], tr.get("clip") or None).step(updates)
    return net, seq, bptt(net, seq, check=False)


def target_accuracy(grads, seq):
    """Fraction of the cells with a target whose state is on the target's side of 0.5."""
    mask = seq.M > 0
    if not mask.any():
        return float("nan")
    return float((np.abs(grads.states - seq.Y)[mask] < 0.5).mean())


def all_targets_right(net, spec, info, seq, grads):
    """Success criterion of the lessons with 0/1 targets on logistic units: every target cell's
    state on the target's side of 0.5."""
    return target_accuracy(grads, seq) == 1.0


def accuracy(s, rng=None):
    """The read-out of a lesson with no measure of its own: the loss and the fraction of targets
    on the right side of 0.5 (``s``: the session's data, see lesson.py)."""
    acc = target_accuracy(s.gradients, s.sequences)
    return Measured(f"This network now: loss {float(s.gradients.loss):.4g}, {100 * acc:.1f}% of the targets on the "
                    f"right side of 0.5", acc)


def project2(H, *more):
    """H (P, D) and any further arrays of D-vectors projected on H's first two principal
    components (centred on H's mean). Returns the projections and the variance explained."""
    mean = H.mean(0)
    _, sv, Vt = np.linalg.svd(H - mean, full_matrices=False)
    axes = Vt[:2].T  # (D, 2)
    if axes.shape[1] < 2:
        axes = np.pad(axes, ((0, 0), (0, 2 - axes.shape[1])))
    var = sv ** 2 / max((sv ** 2).sum(), 1e-300)
    return [(X - mean) @ axes for X in (H, *more)], var[:2]
