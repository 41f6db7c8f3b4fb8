"""Binary addition (lecture 7c): a 2-3-1 net adds two numbers given one bit-column per step.

Its read-out tests the net on numbers it never saw and reads its hidden states as the addition
automaton; the automaton's four states sit at the corners of a square for the picture.
"""
import numpy as np

from simulator.lessons import measures as LM
from simulator.lessons import readouts as R
from simulator.lessons.lesson import Lesson, Measured, Readout

SPEC = {
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
}

# The four states of the addition automaton, (carry, sum bit), at the corners of a square:
# no carry on top, carry below; bit 0 on the left, bit 1 on the right.
STATES = ((0, 0), (0, 1), (1, 0), (1, 1))
STATE_XY = {(0, 0): (0.0, 1.0), (0, 1): (1.0, 1.0), (1, 0): (0.0, 0.0), (1, 1): (1.0, 0.0)}


def state_name(state):
    return f"{'carry' if state[0] else 'no carry'}, bit {state[1]}"


def true_next(state, inputs):
    """The addition automaton's next state after reading column ``inputs`` = (a, b)."""
    total = inputs[0] + inputs[1] + state[0]
    return (total // 2, total % 2)


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


def readout(net, spec, info, seq, grads, rng):
    bits = seq.T - 2
    pairs = R.held_out_pairs(info, bits, 256, rng)
    res = R.addition_results(net, pairs, bits)
    return {"bit_accuracy": res["bit_accuracy"], "pair_accuracy": res["pair_accuracy"],
            "examples": [R.format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2])],
            "automaton": R.addition_automaton(net, info, bits, rng)}


def misfit(s):
    # readouts reads units a, b, h1-h3, sum by position: an edited net has other positions.
    if s.net.N == 6:
        return ""
    return (f"These read-outs need the lesson's six units (a, b, h1-h3, sum); this network has {s.net.N}. "
            "Press Reset to go back to the lesson's network.")


def held_out_sums(s, rng, count=256, shown=4):
    """The lecture's pairs and ``count`` random held-out pairs: the first few printed in bits."""
    bits = s.sequences.T - 2
    pairs = R.held_out_pairs(s.task_info, bits, count, rng)
    res = R.addition_results(s.net, pairs, bits)
    blocks = [R.format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2 + shown])]
    head = (f"{len(pairs)} pairs the net never saw ({bits}-bit numbers): "
            f"{100 * res['bit_accuracy']:.1f}% of the sum bits right, "
            f"{100 * res['pair_accuracy']:.1f}% of the sums entirely right")
    return Measured(head + "\n\n" + "\n\n".join(blocks), res)


def picture(s):
    """The hidden states on two principal components and the automaton they encode: the data of
    the panel's "automaton" piece (points and path of the states, edges and nodes of the graph)."""
    bits, info = s.sequences.T - 2, s.task_info
    auto = R.addition_automaton(s.net, info, bits, np.random.default_rng(0))
    H, labels, _, _ = R.addition_states(s.net, info, bits)
    Hp, _, _, _ = R.addition_states(s.net, [R.LECTURE_PAIRS[0]], bits)
    (P, path), var = LM.project2(H, Hp)
    states = [tuple(int(v) for v in lab) for lab in labels]
    cols = bits + 2
    edges, loops = automaton_edges(auto["transitions"])
    count = {st: states.count(st) for st in STATES}
    text = (f"{auto['k']} clusters of hidden states; {100 * auto['purity']:.1f}% of the states sit in a cluster of "
            f"their own automaton state; {100 * auto['consistent']:.1f}% of the moves agree with one transition "
            f"table.\nRight: the automaton, an arrow per move, labelled with the input bits a b that cause it (red: a "
            f"move the true adder does not make); left: the hidden states, the dashed line is 52 + 77 step by step.")
    return {"value": auto, "text": text, "states": states,
            "points": dict(x=P[:, 0], y=P[:, 1], state=[state_name(st) for st in states],
                           pair=["{} + {}".format(*info[k // cols]) for k in range(len(H))],
                           column=[k % cols for k in range(len(H))]),
            "path": dict(x=path[:, 0], y=path[:, 1], step=[f"t={c + 1}" for c in range(len(path))]),
            "title": (f"Hidden states, 2 principal components ({100 * var.sum():.0f}% of the variance); "
                      f"dashed: 52 + 77"),
            "edges": edges, "node_states": STATES,
            "nodes": dict(x=[STATE_XY[st][0] for st in STATES], y=[STATE_XY[st][1] for st in STATES],
                          name=[state_name(st) for st in STATES],
                          loop=["\u21bb " + loops[st][0] if st in loops else "" for st in STATES],
                          size=[26 + 14 * count[st] / max(1, len(states)) * 4 for st in STATES],
                          count=[count[st] for st in STATES])}


LESSON = Lesson(
    name="binary-addition", spec=SPEC,
    cards=("select-weight:h1,a", "forward-pass", "train:300", "show-all"),
    readout=readout,
    panel=Readout(
        measure=held_out_sums, label="Test on held-out numbers", on_show=False, pieces=("automaton",),
        misfit=misfit, picture=picture,
        explain="Numbers it never saw show whether it learned the rule of addition rather than the training pairs; "
                "its hidden states, clustered, are the four states of the adder: carry or not, times the bit printed."),
)
