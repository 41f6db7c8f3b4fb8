"""Each unit's activation chosen in the app (issue 16): Session.set_activation gives units
logistic, tanh, linear or softmax; a choice the model forbids is refused with the reason and the
last good state kept; the choice survives a change of loss and a document, and the lesson-wide
Activation setting sets every unit again."""
import numpy as np
import pytest

from engine import bptt

from simulator.document.format import apply_document, to_document
from simulator.state.session import Session


def test_a_units_activation_changes_that_unit_only_and_the_numbers_follow():
    s = Session()  # binary addition: a, b, h1, h2, h3, sum, all logistic
    before = s.net.params()
    assert s.set_activation([2], "tanh")
    assert s.net.activation == ("logistic", "logistic", "tanh", "logistic", "logistic", "logistic")
    assert s.message == "Activation of h1: tanh." and s.message_kind == "info"
    np.testing.assert_array_equal(s.net.params(), before)  # the weights stay
    again = bptt(s.net.replace(activation=["logistic"] * 2 + ["tanh"] + ["logistic"] * 3), s.sequences)
    assert s.loss_value == float(again.loss)
    np.testing.assert_array_equal(s.gradients.dW, again.dW)
    assert s.set_activation([4, 5], "softmax")  # a group of two
    assert s.net.activation[4:] == ("softmax", "softmax")


@pytest.mark.parametrize("units, name, why", [
    ([5], "softmax", "a softmax group needs at least 2 units"),
    ([2], "relu", "activation must be one of logistic, tanh, linear, softmax; got 'relu'"),
    ([9], "tanh", "unit must be in 0..5; got 9"),
    ([], "tanh", "choose at least one unit"),
])
def test_a_choice_the_model_forbids_is_refused_and_nothing_changes(units, name, why):
    s = Session()
    s.step(2)
    net, loss, updates = s.net, s.loss_value, s.updates
    assert not s.set_activation(units, name)
    assert s.message_kind == "error" and s.message.startswith(f"Could not change the activation: {why}")
    assert s.net is net and s.loss_value == loss and s.updates == updates


def test_the_loss_must_fit_the_new_activation():
    s = Session()
    s.loss = "cross_entropy"
    acts = s.net.activation
    assert not s.set_activation([5], "tanh")  # the sum unit has cross-entropy targets
    assert "cross-entropy targets need logistic or softmax units" in s.message
    assert s.net.activation == acts


def test_the_choice_stays_through_a_change_of_loss_and_a_document_but_the_setting_resets_it():
    s = Session()
    assert s.set_activation([3], "linear")
    s.loss = "cross_entropy"
    assert s.net.activation[3] == "linear" and s.net.loss == "cross_entropy"
    loaded = apply_document(Session(lesson="tied-weights"), to_document(s))
    assert loaded.net.activation == s.net.activation
    s.activation = "logistic"  # lesson-wide: every unit outside a softmax group
    assert set(s.net.activation) == {"logistic"}
