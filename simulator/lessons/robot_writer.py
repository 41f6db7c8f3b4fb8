"""A robot writing a sentence (the seed's exercise, lecture 7b): one letter per step, a softmax
group predicts the next one; after training the net writes by feeding its own letters back.

It is the lesson that learns sentences a user types (its OwnData): the rules here say which.
"""
import html

import numpy as np

from simulator.lessons import measures as LM
from simulator.lessons import readouts as R
from simulator.lessons.lesson import Lesson, OwnData, Readout
from simulator.lessons.tasks import alphabet_of

SENTENCE_LETTERS = "abcdefghijklmnopqrstuvwxyz .,!?'"  # one input and one output unit per letter used
MAX_SENTENCE, MAX_SENTENCES = 40, 4  # T = longest - 1 stays well inside the steps bound (60)


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


# -- the sentences a user may type in place of "hello world" ----------------------------------------
def check_sentence(s):
    """One sentence as check_sentences leaves it: allowed letters only, 2..MAX_SENTENCE of them."""
    bad = sorted(set(s) - set(SENTENCE_LETTERS))
    if bad:
        raise ValueError(f"{''.join(bad)!r} in {s!r}: use only the letters a-z, space and . , ! ? '")
    if not 2 <= len(s) <= MAX_SENTENCE:
        raise ValueError(f"{s!r} has {len(s)} letters; each sentence needs 2 to {MAX_SENTENCE}")
    return s


def check_sentences(text):
    """The non-empty lines of ``text``, lower-cased and trimmed; ValueError says what is wrong."""
    sentences = [line.strip().lower() for line in str(text).splitlines() if line.strip()]
    if not sentences:
        raise ValueError("type at least one sentence")
    if len(sentences) > MAX_SENTENCES:
        raise ValueError(f"at most {MAX_SENTENCES} sentences (one per line); got {len(sentences)}")
    return [check_sentence(s) for s in sentences]


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
        p = R.forward(net, X, K).states[0, n, out]  # (A,): the softmax group after the last letter
        if temperature > 0:
            logits = np.log(np.maximum(p, 1e-300)) / temperature
            q = np.exp(logits - logits.max())
            k = int(rng.choice(A, p=q / q.sum()))
        else:
            k = int(np.argmax(p))
        text.append(alphabet[k])
    return "".join(text[:length])


# -- read-out ------------------------------------------------------------------------------------------
def readout(net, spec, info, seq, grads, rng):
    sentence = info["sentences"][0]
    written = write(net, info["alphabet"], sentence[0], len(sentence))
    return {"written": written, "target": sentence, "right": written == sentence}


def writes_every_sentence(net, spec, info, seq, grads):
    """The lesson's criterion: from its first letter, fed its own letters back, the net writes
    each training sentence."""
    return all(write(net, info["alphabet"], s[0], len(s)) == s for s in info["sentences"])


def panel_write(s, start, length, temperature, rng):
    """The sentence the net writes from the start letters (default: the first sentence's first),
    its own letters fed back; ValueError for letters it has no unit for."""
    info = s.task_info
    text = write(s.net, info["alphabet"], start.lower() or info["sentences"][0][0], length, temperature, rng)
    known = "a training sentence" if text in info["sentences"] else "not a training sentence"
    return text, f"The net writes: {text}\n({known}; update {s.updates}, temperature {temperature:g})"


LESSON = Lesson(
    name="robot-writer", spec=robot_writer_lesson(),
    cards=("forward-pass", "backward-pass", "train:300", "show-all"),
    readout=readout, solved=writes_every_sentence, budget=300, goal="it writes every training sentence from its first letter",
    panel=Readout(
        measure=LM.accuracy, on_show=False, pieces=("writer",), write=panel_write,
        explain="Writing feeds the net's own letter back as the next input: temperature 0 takes the most likely "
                "letter, higher temperatures sample and make it more adventurous."),
    own_data=OwnData(
        field="sentences", noun="sentence", most=MAX_SENTENCES, rule=check_sentence, parse=check_sentences,
        build=lambda data: robot_writer_lesson(data["sentences"]),
        told=lambda data: f"The robot now learns {len(data['sentences'])} sentence(s): " + " / ".join(data["sentences"]),
        help=f"Letters: a-z, space and <code>{html.escape(SENTENCE_LETTERS[27:])}</code>; up to {MAX_SENTENCES} "
             f"sentences of 2-{MAX_SENTENCE} letters."),
)
