"""Measures for the lesson read-out panel that readouts.py does not have (no panel here).

Comparisons train scratch copies of the lesson from the session's seed, exactly as
Session.reset builds them (weights first, then the cases, from one generator), so the
numbers are what a student gets by pressing Reset with that setting and training; the
session itself is never touched. The automaton geometry places the four states of lecture
7c's addition automaton for the picture.
"""
import numpy as np

from engine import Sequences, Trainer, bptt

from simulator.lessons import registry as L
from simulator.lessons.tasks import INPUT_MODES, make_task

# The four states of the addition automaton, (carry, sum bit), at the corners of a square:
# no carry on top, carry below; bit 0 on the left, bit 1 on the right.
STATES = ((0, 0), (0, 1), (1, 0), (1, 1))
STATE_XY = {(0, 0): (0.0, 1.0), (0, 1): (1.0, 1.0), (1, 0): (0.0, 0.0), (1, 1): (1.0, 0.0)}


def state_name(state):
    return f"{'carry' if state[0] else 'no carry'}, bit {state[1]}"


def trained_copy(spec, seed, steps, updates, learn_h0=None, task=None):
    """A fresh net of lesson ``spec`` (seed, T = steps) trained for ``updates`` updates with the
    lesson's settings; ``task`` overrides task settings. Returns (net, sequences, gradients)."""
    rng = np.random.default_rng(seed)
    net = L.build_network(spec, rng, learn_h0=learn_h0)
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


def compare_h0(spec, seed, steps, updates=100):
    """The same start trained with h0 fixed at 0.5 and with h0 learned: {False/True: dict of
    loss, error at t = 0, the final h0}."""
    out = {}
    for learn in (False, True):
        net, seq, g = trained_copy(spec, seed, steps, updates, learn_h0=learn)
        out[learn] = {"loss": float(g.loss), "error_t0": float(g.loss_by_step[0]), "h0": net.h0.copy()}
    return out


def compare_modes(spec, seed, steps, updates=300):
    """The input-modes lesson trained in each of the three ways: {mode: (loss, accuracy)}."""
    out = {}
    for mode in INPUT_MODES:
        _, seq, g = trained_copy(spec, seed, steps, updates, task={"mode": mode})
        out[mode] = (float(g.loss), target_accuracy(g, seq))
    return out


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


def automaton_edges(transitions, bend=0.18):
    """Curves for the automaton picture from readouts.addition_automaton's transitions.

    Edges with the same ends are merged (their inputs listed, e.g. "01, 10"); an edge is
    bent to its left so that A -> B and B -> A do not overlap. Returns (edges, loops): edges
    as columns x0, y0, cx, cy, x1, y1 (a quadratic curve), label position lx, ly, arrowhead
    ax, ay, angle, text and ``true`` (whether the true adder makes the same move); loops as
    {state: inputs text} for the edges that stay in their state."""
    merged = {}
    for (state, inputs), nxt in sorted(transitions.items()):
        merged.setdefault((state, nxt), []).append("".join(map(str, inputs)))
    cols = {k: [] for k in ("x0", "y0", "cx", "cy", "x1", "y1", "lx", "ly", "ax", "ay", "angle", "text", "true")}
    loops = {}
    for (src, dst), inputs in merged.items():
        right = all(true_next(src, tuple(int(c) for c in i)) == dst for i in inputs)
        text = ", ".join(inputs)
        if src == dst:
            loops[src] = (text, right)
            continue
        p0, p1 = np.array(STATE_XY[src]), np.array(STATE_XY[dst])
        d = p1 - p0
        c = (p0 + p1) / 2 + bend * np.array([-d[1], d[0]])
        lab = 0.25 * p0 + 0.5 * c + 0.25 * p1
        t = 0.72  # the arrowhead sits before the target circle
        head = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p1
        tangent = 2 * (1 - t) * (c - p0) + 2 * t * (p1 - c)
        for k, v in zip(cols, (*p0, *c, *p1, *lab, *head, float(np.arctan2(tangent[1], tangent[0])), text, right)):
            cols[k].append(float(v) if isinstance(v, np.floating) else v)
    return cols, loops


def true_next(state, inputs):
    """The addition automaton's next state after reading column ``inputs`` = (a, b)."""
    total = inputs[0] + inputs[1] + state[0]
    return (total // 2, total % 2)
