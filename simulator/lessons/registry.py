"""The one list of lessons: each is a module of this package (nanoGPT's config presets, as
plain data and a few pure functions) whose ``LESSON`` (lesson.py) says everything about it.

A lesson names its units in groups (the groups place them in the pictures), lists which
groups connect to which (every connection takes one time step), names a task generator from
tasks.py and the training settings that make it learn, and carries the 2-4 ``points`` a
lecturer shows with it (one sentence each, for the guided card sequence). Optional keys:
``ties`` (groups of parameters kept equal, lecture 7b's weight constraints), ``bias`` (False
switches biases off) and ``spectral_radius`` ({group: rho}: that group's recurrent block is
rescaled to spectral radius rho, lecture 7d). build.py turns a lesson into an engine.Network.

Adding a lesson is adding its module and one line to MODULES. The numbers in the lessons'
comments were measured through Session (tests/lessons/test_lessons.py keeps them).
"""
import copy
from importlib import import_module

import numpy as np

from engine import bptt

from simulator.lessons.build import activations, build_network, check_radius, connection_mask, tie_refs, unit_layout  # noqa: F401 (the lessons' API)

MODULES = (  # in the order of the Lesson menu
    "binary_addition",
    "robot_writer",
    "attractors",
    "learned_initial_state",
    "input_modes",
    "tied_weights",
    "temporal_xor",
    "vanishing_exploding",
)

REGISTRY = {lesson.name: lesson for lesson in (import_module(f"{__package__}.{m}").LESSON for m in MODULES)}
LESSONS = {name: lesson.spec for name, lesson in REGISTRY.items()}
DEFAULT_LESSON = "binary-addition"
#: The lesson that hosts a user's own net (bptt-sim new, a CSV of sequences): its read-outs
#: (error by step, fraction of targets right) fit any net.
OWN_DATA_HOST = "temporal-xor"


def lesson(name):
    """A deep copy of lesson ``name`` (LESSONS is shared by every session: never edit it)."""
    if name not in LESSONS:
        raise ValueError(f"unknown lesson {name!r}; expected one of {', '.join(LESSONS)}")
    return copy.deepcopy(LESSONS[name])


def readout(name, net, spec, info, seq, grads=None, rng=None):
    """Lesson ``name``'s measures of ``net`` as a dict (what ``bptt-sim train --json`` prints)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    grads = grads if grads is not None else bptt(net, seq, check=False)
    return REGISTRY[name].readout(net, spec, info, seq, grads, rng)


def solved(name, net, spec, info, seq, grads=None):
    """Whether ``net`` meets lesson ``name``'s success criterion (False for a lesson with none)."""
    criterion = REGISTRY[name].solved
    if criterion is None:
        return False
    grads = grads if grads is not None else bptt(net, seq, check=False)
    return bool(np.isfinite(grads.loss)) and bool(criterion(net, spec, info, seq, grads))
