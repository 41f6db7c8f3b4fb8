"""Weight constraints (lecture 7b, 3d, 5c): two tied weights get the sum of their gradients and
stay equal, as BPTT ties the T copies of W."""
import numpy as np

from engine import constrain
from engine.network import parse_ref

from simulator.lessons import measures as LM
from simulator.lessons.lesson import Lesson, Measured, Readout

SPEC = {
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
    # seed 1: 0.701 -> 0.020 after 300 updates. Tuned on seeds 0..99 (issue 14): weights drawn in
    # [-0.5, 0.5] get every target right within the budget of 1,000 updates for 98/100 seeds (99
    # of 100..199); in [-1, 1], 92/100 (90). With two hidden units the tie left most seeds in the
    # XOR local minimum (loss 0.347).
    "training": {"learning_rate": 0.5, "momentum": 0.9, "seed": 1, "weight_scale": 0.5},
}


def ref_label(ref, names):
    """A parameter as the inspector writes it (state/edits.ref_label): W[h1←a], b[h1], h0[h1]."""
    return f"W[{names[ref[1]]}←{names[ref[2]]}]" if ref[0] == "W" else f"{ref[0]}[{names[ref[1]]}]"


def tie_report(net, grads):
    """For each tie group: its members, their values, their own gradients (as backprop
    computes them, before the constraint) and the summed gradient every member receives."""
    own = np.concatenate([grads.dW.ravel(), grads.db, grads.dh0])  # the flat order of net.params()
    applied = constrain(net, grads.dW, grads.db, grads.dh0)
    values = net.params()
    report = []
    for group in net.ties:
        idx = [parse_ref(r, net.N) for r in group]
        report.append({"members": list(group), "values": values[idx].tolist(), "gradients": own[idx].tolist(),
                       "summed": float(own[idx].sum()), "applied": float(applied[idx[0]])})
    return report


def readout(net, spec, info, seq, grads, rng):
    return {"ties": tie_report(net, grads)}


def tie_text(s, rng=None):
    """Each tie group: its members' values and own gradients, and the summed gradient each receives."""
    rep = tie_report(s.net, s.gradients)
    if not rep:
        return Measured("No tied weights (tie two in Inspect & edit).", rep)
    label = lambda r: ref_label(tuple(r), s.unit_names)
    lines = []
    for g in rep:
        lines.append("Tied: " + ", ".join(label(r) for r in g["members"]))
        lines += [f"  {label(r)}: value {v:.6g}  own gradient {d:.4g}"
                  for r, v, d in zip(g["members"], g["values"], g["gradients"])]
        lines.append(f"  each receives the summed gradient {g['summed']:.4g}")
    return Measured("\n".join(lines), rep)


LESSON = Lesson(
    name="tied-weights", spec=SPEC,
    cards=("select-weight:h1,a", "backward-pass", "train:100", "show-all"),
    solved=LM.all_targets_right, budget=1000, goal="every target is on the right side of 0.5",
    readout=readout,
    panel=Readout(measure=tie_text,
                  explain="Backprop computes each tied weight's own gradient; each then receives their sum, so "
                          "weights that start equal stay equal."),
)
