"""Links without a browser: settings and weights survive state -> query -> state; bad links are refused."""
import numpy as np
import pytest

from simulator import document as D
from simulator.serving.player import Player
from simulator.state.session import Session
from simulator.views.controls import TrainingControls
from simulator.views.link import decode_params, encode_params, link_document, link_of


def test_link_round_trip_after_training():
    """A trained session's query parameters rebuild the same settings, weights, loss and update count."""
    s = Session(lesson="tied-weights")
    s.param.update(seed=7, learning_rate=0.3, momentum=0.25)
    s.step(5)
    t = Session()
    D.apply_document(t, link_document(link_of(s)))
    assert (t.lesson, t.seed, t.learning_rate, t.momentum, t.steps, t.updates) == \
        (s.lesson, 7, 0.3, 0.25, s.steps, 5)
    assert np.array_equal(t.net.params(), s.net.params()) and t.loss_value == s.loss_value


def test_weights_encoding_is_exact_and_checked():
    """The weight encoding gives back the same float64 numbers and refuses anything else."""
    net = Session().net
    flat = decode_params(encode_params(net), net.N * net.N + 2 * net.N)
    assert np.array_equal(flat, net.params())
    with pytest.raises(ValueError, match="expected 47 numbers for this network; got more than 47"):
        decode_params(encode_params(net), 47)
    with pytest.raises(ValueError, match="not a weight encoding"):
        decode_params("not-base64!", 48)


def test_link_carries_activation_and_learned_h0():
    """Changed activation, learned initial states and clip come back from the link with the same loss."""
    s = Session()
    s.param.update(activation="tanh", loss="squared", learn_h0=True, clip=2.5)
    s.step(3)
    t = Session()
    D.apply_document(t, link_document(link_of(s)))
    assert (t.activation, t.loss, t.learn_h0, t.clip) == ("tanh", "squared", True, 2.5)
    assert np.array_equal(t.net.params(), s.net.params()) and t.loss_value == s.loss_value


def test_edited_structure_shares_settings_only():
    """With a unit added the link carries no weights (a file does), and it still opens."""
    s = Session()
    s.add_unit("hidden")
    query = link_of(s)
    assert query["w"] == ""
    assert link_document(query)["units"]["names"] == ["a", "b", "h1", "h2", "h3", "sum"]


def test_own_sentences_share_settings_only():
    """The robot writer on sentences of the user's (18 units, not 24) links without weights, and
    the link opens (its weights were refused: 'w: expected 624 numbers'); a file carries them."""
    s = Session(lesson="robot-writer")
    assert s.use_sentences("abc cab\nbad") and s.net.N == 18
    query = link_of(s)
    assert query["w"] == "" and query["T"] == "6"
    t = Session()
    D.apply_document(t, link_document(query))
    assert (t.lesson, t.steps, t.net.N, t.lesson_data) == ("robot-writer", 6, 24, {})


@pytest.mark.parametrize("query, message", [
    ({"act": "relu"}, "act:"),
    ({"h0": "maybe"}, "h0: expected true or false"),
    ({"lesson": "nope"}, "lesson: expected one of"),
    ({"seed": "x"}, "seed: expected an integer"),
    ({"seed": -1}, "seed:"),
    ({"T": 1000}, "T:"),
    ({"lr": "nan"}, "lr: expected a number"),
    ({"momentum": 1.5}, "momentum:"),
    ({"n": -3}, "training.updates"),
    ({"w": "eJxjYGBgAAAABAAB"}, "w: expected 48 numbers"),
])
def test_bad_links_refused(query, message):
    """Each bad query parameter is refused with a message naming it."""
    with pytest.raises(ValueError, match=message):
        link_document(query)


@pytest.mark.parametrize("rate", [0.3, 0.30000001, 0.123])
def test_rate_slider_follows_any_learning_rate(rate):
    """A learning rate from a link or a file shows on the rate slider (no endless correction)."""
    s = Session()
    controls = TrainingControls(session=s, player=Player(session=s))
    s.learning_rate = rate
    assert s.learning_rate == rate and controls.rate.value == rate
