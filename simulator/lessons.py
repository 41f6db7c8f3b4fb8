"""Lessons as plain data (nanoGPT's config presets, as dicts): network, task, training, text.

Each lesson names its units in groups (the groups place them in the pictures), lists which
groups connect to which (every connection takes one time step), names a task generator from
tasks.py and the training settings that make it learn. ``build_network`` turns a lesson into
an engine.Network; nothing here runs at import beyond building dicts.
"""
import numpy as np

from engine import Network

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
        "groups": {"inputs": ["a", "b"], "hidden": ["h1", "h2", "h3"], "outputs": ["sum"]},
        "connections": [["inputs", "hidden"], ["hidden", "hidden"], ["hidden", "outputs"]],
        "activation": {"default": "logistic"},
        "loss": "cross_entropy",
        "learn_h0": False,
        "T": 10,
        "task": {"name": "binary-addition", "cases": 32, "held_out": [[52, 77], [38, 166]]},
        "training": {"learning_rate": 0.2, "momentum": 0.5, "seed": 1, "weight_scale": 1.0},
    },
}

DEFAULT_LESSON = "binary-addition"


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


def build_network(lesson, rng, activation=None, loss=None, learn_h0=None):
    """A fresh random Network for ``lesson``; the optional arguments override the lesson's."""
    acts = activations(lesson)
    if activation is not None:
        # One choice for every unit that is not in a softmax group: the softmax group is the
        # lesson's structure (one-of-n outputs), not a setting.
        acts = [a if a == "softmax" else activation for a in acts]
    scale = lesson["training"].get("weight_scale", 0.5)
    learn = lesson.get("learn_h0", False) if learn_h0 is None else learn_h0
    return Network.random(len(acts), rng, weight_scale=scale, connections=connection_mask(lesson),
                          activation=acts, loss=loss or lesson["loss"], learn_h0=learn)
