"""Learned initial states (lecture 7b): a pattern from t = 0 that no fixed 0.5 start can show;
backpropagating to t = 0 gives dE/dh0 and the initial states learn like weights."""
import numpy as np

from simulator.lessons import measures as LM
from simulator.lessons.lesson import Lesson, Measured, Readout

SPEC = {
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
}


def readout(net, spec, info, seq, grads, rng):
    return {"error_at_t0": float(grads.loss_by_step[0]), "error_after_t0": float(grads.loss_by_step[1:].sum()),
            "dh0": grads.dh0.copy(), "h0": net.h0.copy()}


def shows_the_point(net, spec, info, seq, grads):
    """The lesson's criterion: every step after t = 0 learned (error below 0.01), and with h0
    learned the step t = 0 too; with h0 fixed at 0.5 the error at t = 0 is what remains."""
    if float(grads.loss_by_step[1:].sum()) >= 0.01:
        return False
    return not np.any(net.learn_h0) or float(grads.loss_by_step[0]) < 0.01


def compare_h0(spec, seed, steps, updates=100):
    """The same start trained with h0 fixed at 0.5 and with h0 learned: {False/True: dict of
    loss, error at t = 0, the final h0}."""
    out = {}
    for learn in (False, True):
        net, seq, g = LM.trained_copy(spec, seed, steps, updates, learn_h0=learn)
        out[learn] = {"loss": float(g.loss), "error_t0": float(g.loss_by_step[0]), "h0": net.h0.copy()}
    return out


def fixed_and_learned(s, rng=None):
    """compare_h0 from the session's seed, and this network's error at t = 0 and dE/dh0."""
    cmp = compare_h0(s.lesson_spec, s.seed, s.sequences.T, updates=100)
    g = s.gradients
    row = lambda v: "  ".join(f"{n}={x:.3g}" for n, x in zip(s.unit_names, v))
    text = ("From the same start (seed {}), 100 updates each:\n"
            "  h0 fixed at 0.5:  loss {:.4g}   error at t=0 {:.4g}\n"
            "  h0 learned:       loss {:.4g}   error at t=0 {:.4g}\n"
            "  learned h0:       {}\n\n"
            "This network now ({}): loss {:.4g}   error at t=0 {:.4g}\n"
            "  dE/dh0:  {}").format(s.seed, cmp[False]["loss"], cmp[False]["error_t0"], cmp[True]["loss"],
                                    cmp[True]["error_t0"], row(cmp[True]["h0"]),
                                    "h0 learned" if s.learn_h0 else "h0 fixed at 0.5", float(g.loss),
                                    float(g.loss_by_step[0]), row(g.dh0))
    return Measured(text, cmp)


LESSON = Lesson(
    name="learned-initial-state", spec=SPEC,
    cards=("learn-h0:off", "train:300", "learn-h0:on", "train:300"),
    compare=((2, "fixed 0.5 vs learned", "learn_h0:false,true"),),
    readout=readout, solved=shows_the_point, budget=300, goal="the error is below 0.01 at every step (at t = 0 too once initial states are learned)",
    panel=Readout(
        measure=fixed_and_learned, label="Compare fixed and learned h0", pieces=("h0-toggle",),
        explain="The same start trained twice: with the initial states fixed at 0.5 the error at t = 0 "
                "cannot fall; learned, dE/dh0 moves them like weights."),
)
