"""What each lesson's net has learned, measured: the numbers a lecturer reads out after training.

Plain functions of a network, its lesson and the task info (no panel, no state of their own):
bit accuracy of binary addition on held-out numbers and the addition automaton hidden in its
hidden states (lecture 7c); the robot writing its sentence by feeding its own letters back; an
attractor settling and staying; tied weights staying equal; the error shrinking or growing
with the spectral radius of the recurrent weights (lecture 7d). Every number comes from
engine.bptt, so it is exactly the model the app trains (docs/model.md).
"""
import numpy as np

from engine import Sequences, bptt, constrain
from engine.network import parse_ref

from simulator.lessons.registry import unit_layout
from simulator.lessons.tasks import addition_batch, bits_of

LECTURE_PAIRS = ((52, 77), (38, 166))  # lecture 7c's examples: 52 + 77 = 129, 38 + 166 = 204


def _forward(net, X, K, Y=None, M=None):
    """The stack of net on these clamps (no targets unless given): a Gradients object."""
    return bptt(net, Sequences(X, K, Y if Y is not None else np.zeros_like(X),
                               M if M is not None else np.zeros_like(X)), check=False)


# -- binary addition ------------------------------------------------------------------------------
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
    states = _forward(net, X, K).states  # (B, T+1, N)
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
    states = _forward(net, X, K).states  # (B, T+1, 6)
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


def kmeans(points, k, rng, restarts=10, iterations=100):
    """Plain k-means (Lloyd) with k-means++ starts; the best of ``restarts`` by inertia.

    Returns (centres (k, D), assignment (P,), inertia)."""
    best = None
    for _ in range(restarts):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = np.min([((points - c) ** 2).sum(1) for c in centres], axis=0)  # (P,)
            probs = d2 / d2.sum() if d2.sum() > 0 else np.full(len(points), 1 / len(points))
            centres.append(points[rng.choice(len(points), p=probs)])
        centres = np.array(centres)  # (k, D)
        for _ in range(iterations):
            assign = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)  # (P,)
            new = np.array([points[assign == j].mean(0) if np.any(assign == j) else centres[j] for j in range(k)])
            if np.allclose(new, centres):
                break
            centres = new
        inertia = float(((points - centres[assign]) ** 2).sum())
        if best is None or inertia < best[2]:
            best = (centres, assign, inertia)
    return best


def addition_automaton(net, pairs, bits, rng, k=None, purity=0.99):
    """Cluster the hidden-state vectors and read the clusters as the addition automaton.

    With ``k`` None, k is the smallest of 4..8 whose clusters are each (almost) one automaton
    state (purity >= ``purity``): trained nets often use two patterns for one state (measured:
    6 clusters for seeds 2, 3, 7, 12, 16, 17), which is still the same automaton. Returns a
    dict with ``k``, ``centres`` (k, 3), ``assignment``, ``label`` {cluster: (carry, sum bit)}
    by majority, ``purity`` (fraction of states whose cluster's label is their own),
    ``transitions`` {(state, (a, b)): next state} between the automaton states (carry, bit),
    ``consistent`` (fraction of observed steps that agree with that table: 1.0 means the
    hidden dynamics is a deterministic automaton) and ``table`` (text, one line per edge).
    """
    H, labels, inputs, nxt = addition_states(net, pairs, bits)
    for kk in ([k] if k is not None else range(4, 9)):
        centres, assign, _ = kmeans(H, kk, rng)
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


# -- the robot writer -------------------------------------------------------------------------------
def write(net, alphabet, start, length, temperature=0.0, rng=None):
    """The sentence the net writes from the letter(s) ``start``: each step clamps the letter so
    far on the input units (the first len(alphabet) units), runs one step, and takes the output
    group's (the softmax units') most likely letter, or with ``temperature`` > 0 samples from
    p ** (1 / temperature), renormalised, using ``rng``. Returns ``length`` letters.
    """
    A = len(alphabet)
    out = np.asarray(net.softmax_units)
    if len(out) != A:
        raise ValueError(f"the net has {len(out)} softmax output units but the alphabet has {A} letters")
    if temperature > 0 and rng is None:
        raise ValueError("sampling with a temperature needs rng (a numpy Generator)")
    text = list(start)
    for ch in text:
        if ch not in alphabet:
            raise ValueError(f"{ch!r} is not in the alphabet {alphabet!r}")
    while len(text) < length:
        n = len(text)
        X, K = np.zeros((n + 1, net.N)), np.zeros((n + 1, net.N))  # (T+1, N), T = n
        for t, ch in enumerate(text):
            X[t, alphabet.index(ch)] = 1
        K[:n, :A] = 1
        p = _forward(net, X, K).states[0, n, out]  # (A,): the softmax group after the last letter
        if temperature > 0:
            logits = np.log(np.maximum(p, 1e-300)) / temperature
            q = np.exp(logits - logits.max())
            k = int(rng.choice(A, p=q / q.sum()))
        else:
            k = int(np.argmax(p))
        text.append(alphabet[k])
    return "".join(text[:length])


# -- attractors --------------------------------------------------------------------------------
def attractor_distances(net, seq, extra=10):
    """Run every case ``extra`` steps past T with the same start and no targets, and measure
    the Euclidean distance of the state from the case's final target (the pattern) at every
    step t = 0..T+extra. Returns (B, T+extra+1) distances; the attractor has settled where they
    are ~0 and stays where they remain so past T."""
    B, T, N = seq.B, seq.T, seq.N
    X = np.zeros((B, T + extra + 1, N))  # (B, T+extra+1, N)
    K = np.zeros_like(X)
    X[:, 0], K[:, 0] = seq.X[:, 0], seq.K[:, 0]
    states = _forward(net, X, K).states
    final = seq.Y[:, T]  # (B, N)
    return np.sqrt(((states - final[:, None, :]) ** 2).sum(-1))


# -- tied weights ------------------------------------------------------------------------------------
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


# -- vanishing and exploding gradients ---------------------------------------------------------------
def spectral_radius(W, units=None):
    """max |eigenvalue| of W, or of its block among ``units`` (the recurrent weights of a group)."""
    W = np.asarray(W)
    if units is not None:
        W = W[np.ix_(units, units)]
    return float(np.max(np.abs(np.linalg.eigvals(W)))) if W.size else 0.0


def error_by_step(grads, units=None):
    """||d_t|| for t = 0..T: the norm of dE/dz over ``units`` (default all) and all cases.
    Row 0 is 0 (nothing computes s_0). Plotted on a log scale it falls or rises as a line
    whose slope is about log(spectral radius) per step."""
    dz = grads.dz if units is None else grads.dz[:, :, units]  # (B, T+1, n)
    return np.sqrt((dz ** 2).sum(axis=(0, 2)))  # (T+1,)


# -- one entry point per lesson -----------------------------------------------------------------------
def readout(name, net, lesson, info, seq, grads=None, rng=None):
    """The lesson's measures as a dict (what the app prints under the lesson's text)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    grads = grads if grads is not None else bptt(net, seq, check=False)
    _, _, index = unit_layout(lesson)
    if name == "binary-addition":
        bits = seq.T - 2
        pairs = held_out_pairs(info, bits, 256, rng)
        res = addition_results(net, pairs, bits)
        return {"bit_accuracy": res["bit_accuracy"], "pair_accuracy": res["pair_accuracy"],
                "examples": [format_addition(a, b, res["predicted"][k], bits) for k, (a, b) in enumerate(pairs[:2])],
                "automaton": addition_automaton(net, info, bits, rng)}
    if name == "robot-writer":
        sentence = info["sentences"][0]
        written = write(net, info["alphabet"], sentence[0], len(sentence))
        return {"written": written, "target": sentence, "right": written == sentence}
    if name == "attractors":
        d = attractor_distances(net, seq)
        return {"distance_last": float(d[:, seq.T - info["last"] + 1:seq.T + 1].max()),
                "distance_after": float(d[:, seq.T + 1:].max()), "distances": d}
    if name == "vanishing-exploding":
        return {"spectral_radius": {g: spectral_radius(net.W, index[g]) for g in lesson.get("spectral_radius", {})},
                "error_by_step": {g: error_by_step(grads, index[g]) for g in lesson.get("spectral_radius", {})},
                "spectral_radius_all": spectral_radius(net.W)}
    if name == "tied-weights":
        return {"ties": tie_report(net, grads)}
    if name == "learned-initial-state":
        return {"error_at_t0": float(grads.loss_by_step[0]), "error_after_t0": float(grads.loss_by_step[1:].sum()),
                "dh0": grads.dh0.copy(), "h0": net.h0.copy()}
    return {"loss_by_step": grads.loss_by_step.copy()}
