"""Lessons as plain data (nanoGPT's config presets, as dicts): network, task, training, text.

Each lesson names its units in groups (the groups place them in the pictures), lists which
groups connect to which (every connection takes one time step), names a task generator from
tasks.py and the training settings that make it learn, and carries the 2-4 ``points`` a
lecturer shows with it (one sentence each, for the guided card sequence). Optional keys:
``ties`` (groups of parameters kept equal, lecture 7b's weight constraints), ``bias`` (False
switches biases off) and ``spectral_radius`` ({group: rho}: that group's recurrent block is
rescaled to spectral radius rho, lecture 7d). ``build_network`` turns a lesson into an
engine.Network; nothing here runs at import beyond building dicts.

The numbers in the comments were measured through Session (tests/lessons/test_lessons.py keeps them).
"""
import copy

import numpy as np

from engine import Network

from simulator.lessons.tasks import alphabet_of


def _letter(ch):
    return "\u2423" if ch == " " else ch  # an open box for the space, readable on a projector


def robot_writer_lesson(sentences=("hello world",), hidden=8):
    """The robot-writer lesson for these training sentences: one input and one softmax output
    unit per letter of their alphabet, ``hidden`` hidden units between (T = longest - 1)."""
    sentences = [sentences] if isinstance(sentences, str) else list(sentences)
    alphabet = alphabet_of(sentences)
    return {
        "title": "A robot writing a sentence",
        "lecture": "7b",
        "text": (
            "The robot's brain produces a sentence one letter at a time. The current letter is "
            "clamped, one-hot, on the **input** units at every step; the **output** units are one "
            "softmax group whose target at the next step is the next letter (cross-entropy); the "
            "**hidden** units between must remember enough of the past letters to tell what "
            "follows a letter that occurs more than once. After training, *write* feeds the net's own "
            "most likely letter back in as the next input."
        ),
        "points": [
            "Input: the letter at step t, one-hot, clamped on the input units at every step.",
            "Output: a softmax group whose target at step t + 1 is the next letter; the training signal is its cross-entropy.",
            "The hidden units carry the context: after 'l' comes 'l', 'o' or 'd' depending on the letters before.",
            "Writing: feed the net's own most likely letter back as the next input and the sentence appears.",
        ],
        "groups": {"inputs": [_letter(c) for c in alphabet], "hidden": [f"h{k + 1}" for k in range(hidden)],
                   "outputs": ["\u2192" + _letter(c) for c in alphabet]},
        "connections": [["inputs", "hidden"], ["hidden", "hidden"], ["inputs", "outputs"], ["hidden", "outputs"]],
        "activation": {"default": "logistic", "outputs": "softmax"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": max(len(s) for s in sentences) - 1,
        "task": {"name": "robot-writer", "sentences": sentences, "alphabet": alphabet, "hidden": hidden},
        # "hello world": seeds 0..9 all write it from "h" within 40 updates (seed 1: 30).
        "training": {"learning_rate": 0.05, "momentum": 0.5, "seed": 1, "weight_scale": 0.5},
    }


LESSONS = {
    "binary-addition": {
        "title": "Binary addition",
        "lecture": "7c",
        "text": (
            "Two numbers arrive one bit-column per time step, least significant bit first, "
            "clamped on the input units **a** and **b**. Three hidden units, connected to each "
            "other and to themselves, must carry the carry from one step to the next; the "
            "**sum** unit is taught the sum bit. Every connection takes one step, so the sum "
            "bit of the column shown at step t is expected at step t + 2."
        ),
        "points": [
            "The inputs a and b are clamped at every step: one column of the two numbers per step, least significant bit first.",
            "The sum bit of the column shown at step t is the target two steps later, one step per connection.",
            "The three hidden units learn the four states of the addition automaton: carry or not, times sum bit 0 or 1.",
            "Tested on numbers it never saw (52 + 77 = 129, 38 + 166 = 204) it adds correctly: it learned the rule.",
        ],
        "groups": {"inputs": ["a", "b"], "hidden": ["h1", "h2", "h3"], "outputs": ["sum"]},
        "connections": [["inputs", "hidden"], ["hidden", "hidden"], ["hidden", "outputs"]],
        "activation": {"default": "logistic"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": 10,
        # Measured in the Session's order (weights drawn first, then the cases), judged on the
        # lecture's two pairs + 256 random held-out pairs, every 50 updates: 100% of them right
        # for seed 12 at update 350 (and all 65,536 pairs by 5,000). Seeds 0..19 reach it
        # within 500 updates for 6/20, 1,000 for 11/20, 2,000 for 12/20, 20,000 for 14/20;
        # 1, 5, 9, 11, 13 and 19 stay in local minima (3 hidden units is the bare minimum).
        # Seed 1 (the first choice) is one of those in this order, hence seed 12.
        "task": {"name": "binary-addition", "cases": 32, "held_out": [[52, 77], [38, 166]]},
        "training": {"learning_rate": 0.2, "momentum": 0.5, "seed": 12, "weight_scale": 1.0},
    },
    "robot-writer": robot_writer_lesson(),
    "attractors": {
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
        # seed 1: loss 12.2 -> 0.0003 after 50 updates; seeds 0..19: 14 below 0.01 by 30 updates,
        # the other 6 still between 0.5 and 2 after 1,000 (slowly; the clip keeps them stable).
        # Logistic + cross-entropy learned faster but many seeds fell into an oscillation between
        # the two complementary patterns, and some saturated into the engine's division by zero.
        "training": {"learning_rate": 0.02, "momentum": 0.9, "seed": 1, "weight_scale": 0.5, "clip": 2.0},
    },
    "learned-initial-state": {
        "title": "Learned initial states",
        "lecture": "7b",
        "text": (
            "There is no input: the two **output** units must show the pattern 10, 01, 10, ... "
            "from t = 0. With the initial states fixed at 0.5 the error at t = 0 can never go "
            "down, whatever the weights. Switch on *Learn initial states*: backpropagating all the "
            "way to t = 0 gives dE/dh0, and the initial states move to where the pattern starts."
        ),
        "points": [
            "Every hidden and output unit needs an initial state; fixed at 0.5 the outputs start at 0.5, not at 1 and 0.",
            "Train with fixed initial states: the error at t = 0 stays at 0.25 whatever the weights learn.",
            "Switch on learned initial states: dE/dh0, the error backpropagated to t = 0, moves them like weights.",
            "Now the whole pattern, t = 0 included, is learned and the error falls towards 0.",
        ],
        "groups": {"hidden": ["h1", "h2"], "outputs": ["o1", "o2"]},
        "connections": [["hidden", "hidden"], ["outputs", "hidden"], ["hidden", "outputs"], ["outputs", "outputs"]],
        "activation": {"default": "logistic"},
        # Squared error: a learned h0 is not squashed, so a cross-entropy target of 1 would pull
        # it past 1 where log(1 - s) is undefined.
        "loss": "squared",
        "learn_h0": False,
        "T": 6,
        "task": {"name": "fixed-sequence", "pattern": ["10", "01"], "outputs": 2, "hidden": 2},
        # seed 1, h0 fixed: 1.75 -> 0.2503 after 100 updates (never below 0.25); then with h0
        # learned: below 1e-3 within 100 more. Learned from the start: 0.0011 after 50.
        "training": {"learning_rate": 0.5, "momentum": 0.9, "seed": 1, "weight_scale": 0.5},
    },
    "input-modes": {
        "title": "Three ways to give input",
        "lecture": "7b",
        "text": (
            "The same net must report the XOR of two bits at its last step. The task setting "
            "*mode* gives the bits as the **initial states of all units** (the others start at 0), "
            "as the **initial states of a subset** (the others start at h0), or clamped on the "
            "**same subset at every step**, the natural way for sequential data."
        ),
        "points": [
            "Initial states of all units: the data set every unit's starting value, nothing is clamped later.",
            "Initial states of a subset: a and b start at the input bits, the other units at their initial states h0.",
            "The same subset at every step: a and b are clamped throughout, the natural way to model sequential data.",
        ],
        "groups": {"inputs": ["a", "b"], "hidden": ["h1", "h2", "h3"], "outputs": ["out"]},
        "connections": [[src, dst] for src in ("inputs", "hidden", "outputs") for dst in ("inputs", "hidden", "outputs")],
        "activation": {"default": "logistic"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": 3,
        "task": {"name": "input-modes", "mode": "every-step-subset"},
        # seed 1: 0.776 -> 0.0067 after 300 updates (initial-all 0.0017 and initial-subset
        # 0.0012 after 500); every mode below 0.005 by 1,000 updates for seeds 0..19.
        "training": {"learning_rate": 0.5, "momentum": 0.9, "seed": 1, "weight_scale": 1.0},
    },
    "tied-weights": {
        "title": "Weight constraints",
        "lecture": "7b (3d, 5c)",
        "text": (
            "A feedforward net laid out in time (inputs at t = 0, hidden layer at t = 1, output "
            "at t = 2) learns XOR. Two weights, a \u2192 h1 and b \u2192 h2, are **tied**: backprop "
            "computes their gradients as usual, then gives each the **sum** of the two, so "
            "weights that start equal stay equal. BPTT ties the T copies of W the same way."
        ),
        "points": [
            "Two weights are constrained to be equal: a \u2192 h1 and b \u2192 h2.",
            "Compute the gradients as usual, then give both tied weights the sum of their gradients.",
            "They started equal, they get the same change, so they stay equal however long we train.",
            "A recurrent net is this with every time copy of each weight tied: BPTT's dW is that sum.",
        ],
        "groups": {"inputs": ["a", "b"], "hidden": ["h1", "h2", "h3"], "outputs": ["out"]},
        "connections": [["inputs", "hidden"], ["hidden", "outputs"]],
        "ties": [[["W", "h1", "a"], ["W", "h2", "b"]]],
        "activation": {"default": "logistic"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": 2,
        "task": {"name": "feedforward-xor", "hidden": 3},
        # seed 1: 0.723 -> 0.009 after 300 updates; 19/20 seeds solve XOR by 3,000. With two
        # hidden units the tie left most seeds in the XOR local minimum (loss 0.347).
        "training": {"learning_rate": 0.5, "momentum": 0.9, "seed": 1, "weight_scale": 1.0},
    },
    "temporal-xor": {
        "title": "Temporal XOR",
        "lecture": "7b",
        "text": (
            "A random bit is clamped on the input **x** at every step. The output **y** must say "
            "whether the bits clamped two and three steps earlier differed: the hidden units have "
            "to keep the older bit in memory while the new one arrives. The task setting *kind* "
            "also offers a delay line and a set/reset latch."
        ),
        "points": [
            "The target at step t is x(t-2) XOR x(t-3): two steps are the delay of input \u2192 hidden \u2192 output.",
            "No single input tells the answer: the hidden units must hold the older bit for a step.",
            "The error at step t reaches the weights through every earlier step: that is backpropagation through time.",
        ],
        "groups": {"inputs": ["x"], "hidden": ["h1", "h2", "h3", "h4"], "outputs": ["y"]},
        "connections": [["inputs", "hidden"], ["hidden", "hidden"], ["hidden", "outputs"]],
        "activation": {"default": "logistic"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": 12,
        "task": {"name": "memory", "kind": "xor", "cases": 32, "hidden": 4, "lags": [2, 3]},
        # seed 1: 6.93 -> 0.0079 after 300 updates; seeds 0..19 all below 0.005 by 1,000.
        "training": {"learning_rate": 0.2, "momentum": 0.9, "seed": 1, "weight_scale": 1.0},
    },
    "vanishing-exploding": {
        "title": "Vanishing and exploding gradients",
        "lecture": "7d",
        "text": (
            "Two copies of the same linear net remember a value clamped on **x** at t = 0 until "
            "their outputs are asked for it at t = T. Their recurrent weights differ only in "
            "scale: spectral radius 0.7 in the **small** chain, 1.3 in the **large** one. Going "
            "back in time the error is multiplied by the recurrent weights at every step, so it "
            "shrinks exponentially in one and grows exponentially in the other."
        ),
        "points": [
            "The backward pass is linear: at each step the error is multiplied by the transposed recurrent weights.",
            "Spectral radius below 1: the error shrinks exponentially going back in time and early steps learn nothing.",
            "Spectral radius above 1: the error grows exponentially and one update can wreck the weights.",
            "Switch the activation to tanh: saturated units multiply the error by small slopes too.",
        ],
        "groups": {"input": ["x"], "small": [f"s{k + 1}" for k in range(4)], "large": [f"l{k + 1}" for k in range(4)],
                   "small out": ["ys"], "large out": ["yl"]},
        "connections": [["input", "small"], ["input", "large"], ["small", "small"], ["large", "large"],
                        ["small", "small out"], ["large", "large out"]],
        "spectral_radius": {"small": 0.7, "large": 1.3},
        "activation": {"default": "linear"},
        "loss": "squared",
        "learn_h0": False,
        "T": 15,
        "task": {"name": "remember-first", "cases": 16, "chains": 2, "size": 4},
        # seed 1: 14.6 -> 0.0027 after 500 updates (the clip tames the exploding chain). At the
        # start the error at step 1 is 1/60 of that at step 14 in the small chain, 30x it in the large.
        "training": {"learning_rate": 0.01, "momentum": 0.5, "seed": 1, "weight_scale": 0.5, "clip": 1.0},
    },
}

DEFAULT_LESSON = "binary-addition"


def lesson(name):
    """A deep copy of lesson ``name`` (LESSONS is shared by every session: never edit it)."""
    if name not in LESSONS:
        raise ValueError(f"unknown lesson {name!r}; expected one of {', '.join(LESSONS)}")
    return copy.deepcopy(LESSONS[name])


def unit_layout(lesson):
    """(names, group of each unit, index lists per group), in the lesson's group order."""
    names, groups, index = [], [], {}
    for group, members in lesson["groups"].items():
        index[group] = list(range(len(names), len(names) + len(members)))
        names += list(members)
        groups += [group] * len(members)
    return names, groups, index


def connection_mask(lesson):
    """C (N, N) from the lesson's [from_group, to_group] blocks; C[i, j] is j -> i."""
    names, _, index = unit_layout(lesson)
    C = np.zeros((len(names), len(names)))  # (N, N)
    for src, dst in lesson["connections"]:
        for g in (src, dst):
            if g not in index:
                raise ValueError(f"connection names unknown group {g!r}; groups are {', '.join(index)}")
        C[np.ix_(index[dst], index[src])] = 1
    return C


def activations(lesson):
    """One activation name per unit: the group's own, else the lesson's default."""
    _, groups, _ = unit_layout(lesson)
    table = lesson.get("activation", {})
    return [table.get(g, table.get("default", "logistic")) for g in groups]


def tie_refs(lesson):
    """The lesson's tie groups with unit names resolved to indices: [[("W", i, j), ...], ...]."""
    names = unit_layout(lesson)[0]

    def index(u):
        if isinstance(u, str):
            if u not in names:
                raise ValueError(f"tie names unknown unit {u!r}; units are {', '.join(names)}")
            return names.index(u)
        return int(u)
    return [[(ref[0], *(index(u) for u in ref[1:])) for ref in group] for group in lesson.get("ties", [])]


def _rescale_recurrent(net, lesson, rng):
    """Give each group named in lesson["spectral_radius"] the same random recurrent block
    direction, scaled to that spectral radius, so the blocks differ only in scale."""
    radii = lesson.get("spectral_radius")
    if not radii:
        return net
    index = unit_layout(lesson)[2]
    sizes = {len(index[g]) for g in radii}
    if len(sizes) != 1:
        raise ValueError(f"groups with a spectral radius must have equal sizes; got {sizes}")
    n = sizes.pop()
    R = rng.standard_normal((n, n))  # (n, n): one direction for every scaled block
    R /= np.max(np.abs(np.linalg.eigvals(R)))
    W = np.array(net.W)
    for g, rho in radii.items():
        W[np.ix_(index[g], index[g])] = rho * R
    return net.replace(W=W)


def build_network(lesson, rng, activation=None, loss=None, learn_h0=None):
    """A fresh random Network for ``lesson``; the optional arguments override the lesson's.

    Draws W from ``rng`` first (then, only for lessons with a ``spectral_radius``, one more
    block), so lessons without those keys draw exactly what they always drew.
    """
    acts = activations(lesson)
    if activation is not None:
        # One choice for every unit that is not in a softmax group: the softmax group is the
        # lesson's structure (one-of-n outputs), not a setting.
        acts = [a if a == "softmax" else activation for a in acts]
    scale = lesson["training"].get("weight_scale", 0.5)
    learn = lesson.get("learn_h0", False) if learn_h0 is None else learn_h0
    kwargs = {"bias": False} if lesson.get("bias") is False else {}
    net = Network.random(len(acts), rng, weight_scale=scale, connections=connection_mask(lesson),
                         activation=acts, loss=loss or lesson["loss"], learn_h0=learn, **kwargs)
    net = _rescale_recurrent(net, lesson, rng)
    ties = tie_refs(lesson)
    return net.tie_groups(ties) if ties else net
