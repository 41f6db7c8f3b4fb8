"""The gradient-norm history (issue 16): |g| of every update, which updates the clip scaled and
where training stopped because numbers blew up; Undo and Reset trim it; a document keeps it."""
import numpy as np
import pytest

from engine import bptt

from simulator.document.format import apply_document, to_document
from simulator.state.session import Session


def applied_gradient(net, seq, truncate=None):
    """The gradient an update of ``net`` applies, from docs/model.md alone: BPTT's dW on existing
    connections, db with biases, dh0 of learned initial states (the lessons used here tie nothing)."""
    assert not net.ties
    g = bptt(net, seq, truncate=truncate)
    return np.concatenate([(g.dW * net.C).ravel(), g.db * net.bias, g.dh0 * net.learn_h0])


@pytest.mark.parametrize("truncate", [0, 2])
def test_each_recorded_norm_is_the_norm_of_that_updates_gradient(truncate):
    s = Session()
    s.truncate = truncate
    expected = []
    for _ in range(4):
        expected.append(np.linalg.norm(applied_gradient(s.net, s.sequences, truncate or None)))
        assert s.step(1)
    assert [u for u, _, _ in s.grad_norms] == [1, 2, 3, 4]
    np.testing.assert_allclose([n for _, n, _ in s.grad_norms], expected, rtol=1e-12, atol=0)
    assert not any(c for _, _, c in s.grad_norms)  # no clip set


def test_clip_marks_exactly_the_updates_it_scaled():
    s = Session()
    s.step(3)
    s.clip = float(np.median([n for _, n, _ in s.grad_norms]))  # some later norms above it, some below
    s.step(12)
    marks = [c for _, _, c in s.grad_norms]
    assert marks[:3] == [False] * 3
    assert marks[3:] == [n > s.clip for _, n, _ in s.grad_norms[3:]]
    assert any(marks[3:]), "a clip at the median norm should scale some update"


def test_divergence_is_marked_at_the_update_training_stopped_and_undo_trims_both_records():
    s = Session(lesson="vanishing-exploding")
    s.learning_rate, s.clip = 100.0, 1.0
    while s.step(1):
        assert s.updates < 200, "learning rate 100 should run away"
    stopped = s.updates
    assert s.divergences == [stopped] and len(s.grad_norms) == stopped
    assert s.step(1) is False and s.divergences == [stopped]  # refused again: marked once
    s.undo()
    assert s.divergences == [] and [u for u, _, _ in s.grad_norms] == list(range(1, s.updates + 1))
    s.reset()
    assert s.grad_norms == [] and s.divergences == []


def test_a_document_keeps_the_records_exactly():
    s = Session(lesson="vanishing-exploding")
    s.learning_rate, s.clip = 100.0, 1.0
    while s.step(1):
        pass
    doc = to_document(s)
    assert doc["training"]["divergences"] == [s.updates]
    other = apply_document(Session(), doc)
    assert other.grad_norms == s.grad_norms and other.divergences == s.divergences
    assert "grad_norms" not in to_document(Session())["training"]  # a fresh state writes no key


@pytest.mark.parametrize("key, value, where", [
    ("grad_norms", [[2, 0.5, False], [1, 0.5, False]], "training.grad_norms[1][0]"),
    ("grad_norms", [[1, -0.5, False]], "training.grad_norms[0][1]"),
    ("divergences", [99], "training.divergences[0]"),
])
def test_a_document_with_bad_records_is_refused_and_changes_nothing(key, value, where):
    s = Session()
    s.step(3)
    doc = to_document(s)
    doc["training"][key] = value
    target = Session()
    before = target.net.params()
    with pytest.raises(ValueError, match=rf"^{where.replace('[', '.').replace(']', '.')}"):
        apply_document(target, doc)
    np.testing.assert_array_equal(target.net.params(), before)
    assert target.grad_norms == []


def test_training_grows_the_records_in_place_and_a_reset_or_undo_replaces_them():
    """A step appends to Session.history and grad_norms (no copy of the whole run per frame); a
    reset or an undo gives new lists, so a list taken before keeps what it held."""
    s = Session()
    history, norms = s.history, s.grad_norms
    s.step(3)
    s.step(2)
    assert s.history is history and s.grad_norms is norms
    assert [u for u, _ in history] == [u for u, _, _ in norms] == [1, 2, 3, 4, 5]
    s.undo()
    assert [u for u, _ in s.history] == [1, 2, 3] and len(history) == 5
    s.reset()
    assert s.history == [] and s.grad_norms == [] and len(history) == 5 and len(norms) == 5
