"""Temporal XOR (lecture 7b): the output says whether the bits two and three steps back differed,
so the hidden units must hold the older bit; backpropagation through time teaches them to."""
from simulator.lessons import measures as LM
from simulator.lessons import readouts as R
from simulator.lessons.lesson import Lesson, Readout

SPEC = {
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
}

LESSON = Lesson(
    name="temporal-xor", spec=SPEC,
    cards=("forward-pass", None, "backward-pass"),
    # Seed 1, 300 updates: full BPTT 0.0079, BPTT(1) 6.92 (the older bit is two steps back).
    compare=((2, "full BPTT vs truncated to 1 step", "truncate:0,1"),),
    solved=LM.all_targets_right, budget=1000,
    readout=R.loss_readout,
    panel=Readout(measure=LM.accuracy,
                  explain="The fraction of targets the output gets right (on the target's side of 0.5): memory tasks "
                          "need the hidden units to hold the older bit."),
)
