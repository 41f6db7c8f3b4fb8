"""Binary addition (lecture 7c): a 2-3-1 net adds two numbers given one bit-column per step.

Its read-out tests the net on numbers it never saw (printed in bits as the lecture writes them)
and reads its hidden states as the addition automaton by clustering them; the automaton's four
states sit at the corners of a square for the picture.
"""
import numpy as np

from simulator.lessons import measures as LM
from simulator.lessons import readouts as R
from simulator.lessons.lesson import Lesson, Measured, Readout
from simulator.lessons.tasks import addition_batch, bits_of

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
        "Training is to teach the three hidden units the four states of the addition automaton: carry or not, times sum bit 0 or 1.",
        "Test it on numbers it never saw, such as 52 + 77 = 129 and 38 + 166 = 204: only if it adds them all correctly has it learned the rule.",
    ],
    "groups": {"inputs": ["a", "b"], "hidden": ["h1", "h2", "h3"], "outputs": ["sum"]},
    "connections": [["inputs", "hidden"], ["hidden", "hidden"], ["hidden", "outputs"]],
    "activation": {"default": "logistic"},
    "loss": "squared",
    "learn_h0": False,
    "T": 10,
    # Tuned on seeds 100..199 (issue 14), judged every 50 updates on the lecture's two pairs + 256
    # random held-out pairs: with squared error, learning rate 0.5 and momentum 0.9, 256 training
    # pairs get every held-out sum right within 5,000 updates for 96/100 seeds (128 pairs: 94, the
    # former 64: 86, and on seeds 9000..9039 35/40). The rest stay in a local minimum near loss
    # 0.25 (3 hidden units is the bare minimum); with more pairs fewer seeds end there. No better
    # on seeds 100..199 with 64 pairs: adam at rate 0.03 or 0.1 (79, 77), minibatches of 16 (84);
    # nor, on the 14 seeds 64 pairs left stuck, rate 0.2 or 1.0 (4 of the 14 solved),
    # cross-entropy (5), initial weight scale 0.5 (6) or 2 (8), 128 pairs (12).
    # Then measured once on seeds no one tuned on: 96/100 of 20000..20099, 38/40 of 9000..9039.
    "task": {"name": "binary-addition", "cases": 256, "held_out": [[52, 77], [38, 166]]},
    "training": {"learning_rate": 0.5, "momentum": 0.9, "seed": 12, "weight_scale": 1.0},
}

LECTURE_PAIRS = ((52, 77), (38, 166))  # lecture 7c's examples: 52 + 77 = 129, 38 + 166 = 204


def held_out_pairs(train_pairs, bits, count, rng, extra=LECTURE_PAIRS):
    """``extra`` (the lecture's pairs) then ``count`` random (bits)-bit pairs, none of them
    in ``train_pairs`` and none repeated."""
    seen = {tuple(p) for p in train_pairs}
    pairs = [tuple(p) for p in extra if max(p) < 2 ** bits]
    seen |= set(pairs)
    limit = 4 ** bits - len(seen)
    while len(pairs) < len(extra) + min(count, limit):
        p = tuple(int(v) for v in rng.integers(0, 2 ** bits, size=2))
        if p not in seen:
            seen.add(p)
            pairs.append(p)
    return pairs


def addition_results(net, pairs, bits):
    """The net's sum bits for each pair (state of the sum unit > 0.5 at steps 2..bits+2).

    Returns a dict: ``predicted`` (B, bits+1) 0/1, ``true`` (B, bits+1), ``bit_accuracy``
    (fraction of all sum bits right), ``pair_accuracy`` (fraction of pairs with every bit
    right), ``sums`` (the predicted numbers) and ``pairs``.
    """
    X, K, Y, M = addition_batch(pairs, bits)  # each (B, bits+3, 6)
    states = R.forward(net, X, K).states  # (B, T+1, N)
    predicted = (states[:, 2:bits + 3, 5] > 0.5).astype(int)  # (B, bits+1), least significant first
    true = Y[:, 2:bits + 3, 5].astype(int)
    right = predicted == true
    weights = 2 ** np.arange(bits + 1)
    return {"pairs": [tuple(p) for p in pairs], "predicted": predicted, "true": true,
            "bit_accuracy": float(right.mean()), "pair_accuracy": float(right.all(axis=1).mean()),
            "sums": [int(v) for v in predicted @ weights]}


def format_addition(a, b, predicted_bits, bits):
    """Three aligned lines, most significant bit first, as the lecture writes them:

        a       00110100   (52)
        b       01001101   (77)
        a + b  010000001  (129)  right
    """
    width = bits + 1
    total = int(np.dot(predicted_bits, 2 ** np.arange(width)))
    row = lambda v, n: "".join(str(int(x)) for x in v[::-1]).rjust(width) + f"  ({n})"
    verdict = "right" if total == a + b else f"wrong (should be {a + b})"
    return "\n".join([f"a      {row(bits_of(a, bits), a)}", f"b      {row(bits_of(b, bits), b)}",
                      f"a + b  {row(predicted_bits, total)}  {verdict}"])


def addition_states(net, pairs, bits):
    """Hidden states after each column and the automaton state they should encode.

    The hidden state at step c + 1 has just read column c, so it should know the sum bit of
    column c (due at the output at c + 2) and the carry out of column c. Returns
    (H (P, 3) hidden vectors, labels (P, 2) [carry, sum bit], columns (P, 2) [a_c, b_c]),
    one row per pair and column c = 0..bits+1 (the last two columns are the zero padding),
    plus the index of each row's successor (-1 at the last column), for the transitions.
    """
    X, K, _, _ = addition_batch(pairs, bits)  # (B, T+1, 6)
    states = R.forward(net, X, K).states  # (B, T+1, 6)
    T = bits + 2
    H, labels, inputs, nxt = [], [], [], []
    for p, (a, b) in enumerate(pairs):
        carry = 0
        for c in range(T):
            ac, bc = (a >> c) & 1, (b >> c) & 1  # 0 in the padding columns c >= bits
            total = ac + bc + carry
            carry = total // 2
            H.append(states[p, c + 1, 2:5])
            labels.append((carry, total % 2))
            # The input that takes this state to the next one is column c + 1.
            inputs.append(((a >> (c + 1)) & 1, (b >> (c + 1)) & 1))
            nxt.append(len(H) if c + 1 < T else -1)
    return np.array(H), np.array(labels), np.array(inputs), np.array(nxt)


def addition_automaton(net, pairs, bits, rng, k=None, purity=0.99):
    """Cluster the hidden-state vectors and read the clusters as the addition automaton.

    With ``k`` None, k is the smallest of 4..8 whose clusters are each (almost) one automaton
    state (purity >= ``purity``): trained nets often use two patterns for one state (measured
    after 2,000 updates, of the 18 of seeds 0-19 that solve: 4 clusters for 5, 6 or 7 for 9, 8
    for 4, seed 12 among them), which is still the same automaton. Returns a
    dict with ``k``, ``centres`` (k, 3), ``assignment``, ``label`` {cluster: (carry, sum bit)}
    by majority, ``purity`` (fraction of states whose cluster's label is their own),
    ``transitions`` {(state, (a, b)): next state} between the automaton states (carry, bit),
    ``consistent`` (fraction of observed steps that agree with that table: 1.0 means the
    hidden dynamics is a deterministic automaton) and ``table`` (text, one line per edge).
    """
    H, labels, inputs, nxt = addition_states(net, pairs, bits)
    for kk in ([k] if k is not None else range(4, 9)):
        centres, assign, _ = R.kmeans(H, kk, rng)
        label, right = {}, 0
        for j in range(kk):
            members = labels[assign == j]
            if len(members):
                keys, counts = np.unique(members, axis=0, return_counts=True)
                label[j] = tuple(int(v) for v in keys[counts.argmax()])
                right += counts.max()
        if right / len(H) >= purity:
            break
    state = [label[int(j)] for j in assign]  # each hidden vector's automaton state, via its cluster
    seen = {}
    for p in np.flatnonzero(nxt >= 0):
        seen.setdefault((state[p], tuple(int(v) for v in inputs[p])), []).append(state[nxt[p]])
    transitions, agree = {}, 0
    for key, targets in seen.items():
        values, counts = np.unique(np.array(targets), axis=0, return_counts=True)
        transitions[key] = tuple(int(v) for v in values[counts.argmax()])
        agree += counts.max()
    name = "carry {} bit {}".format
    lines = [f"{name(*s)} --{a}{b}--> {name(*n)}" for (s, (a, b)), n in sorted(transitions.items())]
    return {"k": kk, "centres": centres, "assignment": assign, "label": label, "purity": right / len(H),
            "transitions": transitions, "consistent": agree / max(1, sum(len(t) for t in seen.values())),
            "table": "\n".join(lines)}


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
    """Curves for the automaton picture from addition_automaton's transitions.

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
    pairs = held_out_pairs(info, bits, 256, rng)
    res = addition_results(net, pairs, bits)
    return {"bit_accuracy": res["bit_accuracy"], "pair_accuracy": res["pair_accuracy"],
            "examples": [format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2])],
            "automaton": addition_automaton(net, info, bits, rng)}


def every_sum_right(net, spec, info, seq, grads):
    """The lesson's criterion: every held-out sum right (the lecture's pairs and the same 256
    random pairs the read-out tests, drawn from a fixed generator)."""
    if net.N != 6:
        return False
    bits = seq.T - 2
    pairs = held_out_pairs(info, bits, 256, np.random.default_rng(0))
    return addition_results(net, pairs, bits)["pair_accuracy"] == 1.0


def misfit(s):
    # readouts reads units a, b, h1-h3, sum by position: an edited net has other positions.
    if s.net.N == 6:
        return ""
    return (f"These read-outs need the lesson's six units (a, b, h1-h3, sum); this network has {s.net.N}. "
            "Press Reset to go back to the lesson's network.")


def held_out_sums(s, rng=None, count=256, shown=4):
    """The lecture's pairs and ``count`` random held-out pairs, the first few printed in bits: the
    pairs the criterion (every_sum_right) judges, so the read-out and a card's "reached" agree."""
    bits = s.sequences.T - 2
    pairs = held_out_pairs(s.task_info, bits, count, np.random.default_rng(0))
    res = addition_results(s.net, pairs, bits)
    blocks = [format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2 + shown])]
    head = (f"{len(pairs)} pairs the net never saw ({bits}-bit numbers): "
            f"{100 * res['bit_accuracy']:.1f}% of the sum bits right, "
            f"{100 * res['pair_accuracy']:.1f}% of the sums entirely right")
    said = [f"{a} + {b} \u2192 {res['sums'][k]} ({'right' if res['sums'][k] == a + b else 'wrong'})"
            for k, (a, b) in enumerate(pairs[:2])]
    summary = f"{', '.join(said)}; {100 * res['pair_accuracy']:.1f}% of the {len(pairs)} held-out sums right"
    return Measured(head + "\n\n" + "\n\n".join(blocks), res, summary=summary)


def picture(s):
    """The hidden states on two principal components and the automaton they encode: the data of
    the panel's "automaton" piece (points and path of the states, edges and nodes of the graph)."""
    bits, info = s.sequences.T - 2, s.task_info
    auto = addition_automaton(s.net, info, bits, np.random.default_rng(0))
    H, labels, _, _ = addition_states(s.net, info, bits)
    Hp, _, _, _ = addition_states(s.net, [LECTURE_PAIRS[0]], bits)
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
    cards=("select-weight:h1,a", "forward-pass", "train", "read-out"),
    # Seed 12, 300 updates: momentum (rate 0.5) 0.0056, adam (rate 0.05) 0.0166.
    compare=((2, "momentum vs Adam", "optimizer:momentum,adam;learning_rate:0.5,0.05"),),
    readout=readout, solved=every_sum_right, budget=5000, goal="every held-out sum is right",
    panel=Readout(
        measure=held_out_sums, label="Test on held-out numbers", on_show=False, pieces=("automaton",),
        misfit=misfit, picture=picture,
        explain="Numbers it never saw show whether it learned the rule of addition rather than the training pairs; "
                "its hidden states, clustered, are the four states of the adder: carry or not, times the bit printed."),
)
