"""Attractors (lecture 7b): targets on all units for the last steps make each stored pattern a
state the net falls into and stays in; the read-out runs it past T to show it stays."""
import numpy as np

from simulator.lessons import readouts as R
from simulator.lessons.lesson import Lesson, Measured, Readout

SPEC = {
    "title": "Attractors",
    "lecture": "7b",
    "text": (
        "The input is the initial state of **all** units: one of two stored patterns with one "
        "unit flipped. The teaching signal is the clean pattern on **all units for the last "
        "three steps**, so the net must fall into the pattern and stay there: each pattern "
        "becomes an attractor of the dynamics."
    ),
    "points": [
        "Input: the initial states of all eight units, a stored pattern with one unit wrong.",
        "Targets: the clean pattern on all units for the last three steps, not only at the end.",
        "After training the state settles into the nearest pattern and stays there, even past the last step.",
    ],
    "groups": {"units": [f"u{k + 1}" for k in range(8)]},
    "connections": [["units", "units"]],
    "activation": {"default": "tanh"},
    "loss": "squared",
    "learn_h0": False,
    "T": 6,
    "task": {"name": "attractors", "patterns": ["11001100", "00110011"], "last": 3, "low": -1},
    # Tuned on seeds 0..99 (issue 14): weights drawn in [-0.7, 0.7], learning rate 0.3 and momentum
    # 0.5 settle 99/100 seeds by the budget of 300 updates (97 of seeds 100..199); seed 1: loss
    # 13.4 -> 0.00088 after 50. Weights in [-1, 1] and rate 0.2 settled 93/100 (91 of 100..199);
    # in [-0.5, 0.5], rate 0.02 and momentum 0.9, 14 of seeds 0..19.
    # Logistic + cross-entropy learned faster but many seeds fell into an oscillation between
    # the two complementary patterns, and some saturated into the engine's division by zero.
    "training": {"learning_rate": 0.3, "momentum": 0.5, "seed": 1, "weight_scale": 0.7, "clip": 2.0},
}


def attractor_distances(net, seq, extra=10):
    """Run every case ``extra`` steps past T with the same start and no targets, and measure
    the Euclidean distance of the state from the case's final target (the pattern) at every
    step t = 0..T+extra. Returns (B, T+extra+1) distances; the attractor has settled where they
    are ~0 and stays where they remain so past T."""
    B, T, N = seq.B, seq.T, seq.N
    X = np.zeros((B, T + extra + 1, N))  # (B, T+extra+1, N)
    K = np.zeros_like(X)
    X[:, 0], K[:, 0] = seq.X[:, 0], seq.K[:, 0]
    states = R.forward(net, X, K).states
    final = seq.Y[:, T]  # (B, N)
    return np.sqrt(((states - final[:, None, :]) ** 2).sum(-1))


def readout(net, spec, info, seq, grads, rng):
    d = attractor_distances(net, seq)
    return {"distance_last": float(d[:, seq.T - info["last"] + 1:seq.T + 1].max()),
            "distance_after": float(d[:, seq.T + 1:].max()), "distances": d}


SETTLED = 0.5  # largest distance from the pattern (of 5.66 between the two) that counts as settled


def settles(net, spec, info, seq, grads):
    """The lesson's criterion: every case is within SETTLED of its pattern on the target steps
    and stays there for 10 steps past T."""
    d = attractor_distances(net, seq)
    return bool(np.all(d[:, seq.T - info["last"] + 1:] < SETTLED))


def run_past_T(s, rng=None):
    """Every case run 10 steps past T: the largest distance from its pattern on the target steps
    and after them, and the distances as curves (the panel marks T)."""
    d = attractor_distances(s.net, s.sequences)  # (B, T+11)
    T, last = s.sequences.T, s.task_info.get("last", 1)
    text = (f"Largest distance from the pattern over the target steps t={T - last + 1}..{T}: "
            f"{float(d[:, T - last + 1:T + 1].max()):.4g}\n"
            f"Largest distance in the 10 steps after T (no targets there): {float(d[:, T + 1:].max()):.4g}")
    return Measured(text, d, curves=(d, T))


LESSON = Lesson(
    name="attractors", spec=SPEC,
    cards=("forward-pass", "backward-pass", "train:300"),
    readout=readout, solved=settles, budget=300, goal="every case settles into its pattern and stays there",
    panel=Readout(
        measure=run_past_T, label="Run 10 steps past T", pieces=("curves",),
        explain="Started from a corrupted pattern and run 10 steps past T with no targets: an attractor settles "
                "onto the pattern (distance near 0) and stays there."),
)
