"""The lesson read-outs measure what they claim, checked on hand-built nets and trained lessons."""
import numpy as np
import pytest

from engine import Network, Sequences, bptt
from simulator.lessons import attractors as AT
from simulator.lessons import binary_addition as BA
from simulator.lessons import readouts as R
from simulator.lessons import registry as L
from simulator.lessons import robot_writer as RW
from simulator.lessons import tied_weights as TW
from simulator.lessons import vanishing_exploding as VE
from simulator.state.session import Session


@pytest.fixture(scope="module")
def adder():
    """The binary-addition lesson trained to 100% on held-out pairs (seed 12, 400 updates)."""
    s = Session(lesson="binary-addition")
    s.step(400)
    return s


def test_held_out_pairs_are_new_and_start_with_the_lecture():
    """Held-out pairs begin with 52+77 and 38+166, repeat nothing and avoid the training pairs."""
    train = [(52, 77), (1, 2), (3, 4)]
    pairs = BA.held_out_pairs(train, 8, 100, np.random.default_rng(0))
    assert pairs[:2] == [(52, 77), (38, 166)]  # the lecture's pairs are always tested
    assert len(pairs) == 102 and len(set(pairs)) == 102 and not set(pairs[2:]) & set(train)
    assert len(BA.held_out_pairs([], 2, 100, np.random.default_rng(0), extra=())) == 16  # all 2-bit pairs


def test_format_addition_prints_the_bits_msb_first():
    """The printout shows a, b and the net's sum in binary, most significant bit first, with a verdict."""
    text = BA.format_addition(52, 77, [1, 0, 0, 0, 0, 0, 0, 1, 0], 8)
    assert text.splitlines() == ["a       00110100  (52)", "b       01001101  (77)",
                                 "a + b  010000001  (129)  right"]
    assert "wrong (should be 129)" in BA.format_addition(52, 77, [0] * 9, 8)


def test_trained_adder_adds_the_lecture_examples(adder):
    """The trained net's sum bits for 52+77 and 38+166 are exactly 129 and 204."""
    res = BA.addition_results(adder.net, [(52, 77), (38, 166)], 8)
    assert res["sums"] == [129, 204] and res["bit_accuracy"] == 1.0
    assert res["predicted"][0].tolist() == [1, 0, 0, 0, 0, 0, 0, 1, 0]  # 129, LSB first


def test_untrained_adder_is_not_perfect():
    """Before training the same measure reports mistakes (the accuracy test can fail)."""
    s = Session(lesson="binary-addition")
    res = BA.addition_results(s.net, BA.held_out_pairs(s.task_info, 8, 50, np.random.default_rng(1)), 8)
    assert res["pair_accuracy"] == 0.0 and res["bit_accuracy"] == pytest.approx(0.48504273504273504, rel=1e-9)


def test_trained_adder_hidden_states_form_the_addition_automaton(adder):
    """Clustered hidden states are pure automaton states whose transitions are binary addition's."""
    a = BA.addition_automaton(adder.net, adder.task_info, 8, np.random.default_rng(0))
    assert a["purity"] == 1.0 and a["consistent"] == 1.0 and a["k"] == 6  # addition's 4 states, some in 2 patterns
    assert len(a["transitions"]) == 16  # 4 states x 4 input columns, all seen
    for (carry, _), (x, y) in a["transitions"]:
        total = x + y + carry
        assert a["transitions"][((carry, _), (x, y))] == (total // 2, total % 2)
    assert "carry 0 bit 0 --11--> carry 1 bit 0" in a["table"].splitlines()
    four = BA.addition_automaton(adder.net, adder.task_info, 8, np.random.default_rng(0), k=4)
    assert four["k"] == 4 and len(four["centres"]) == 4


def test_kmeans_finds_separated_clusters_reproducibly():
    """k-means with a seeded rng recovers three well separated blobs, the same way every time."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [5, 5], [0, 5]])
    points = np.concatenate([c + 0.1 * rng.standard_normal((20, 2)) for c in centres])
    found, assign, inertia = R.kmeans(points, 3, np.random.default_rng(1))
    assert all(len(set(assign[k * 20:(k + 1) * 20])) == 1 for k in range(3)) and len(set(assign)) == 3
    assert np.allclose(np.sort(found, axis=0), np.sort(centres, axis=0), atol=0.1)
    blobs = [points[assign == assign[k * 20]].mean(axis=0) for k in range(3)]  # converged: each centre its blob's mean
    np.testing.assert_allclose([found[assign[k * 20]] for k in range(3)], blobs, rtol=1e-12, atol=1e-15)
    assert inertia == pytest.approx(1.0348861225774706, rel=1e-9)
    again = R.kmeans(points, 3, np.random.default_rng(1))
    assert np.array_equal(again[1], assign) and again[2] == inertia


def _flip_flop():
    """Units (in a, in b, out a, out b): input a makes output b likely and vice versa."""
    W = np.zeros((4, 4))
    W[3, 0] = W[2, 1] = 10.0
    return Network(W, connections=(W != 0), activation=["logistic"] * 2 + ["softmax"] * 2, loss="cross_entropy")


def test_write_feeds_its_own_letters_back():
    """A net that answers a with b and b with a writes abab... from a."""
    assert RW.write(_flip_flop(), "ab", "a", 5) == "ababa"
    assert RW.write(_flip_flop(), "ab", "bb", 4) == "bbab"  # a longer start is kept as given
    with pytest.raises(ValueError, match="not in the alphabet"):
        RW.write(_flip_flop(), "ab", "c", 3)
    with pytest.raises(ValueError, match="alphabet has 3"):
        RW.write(_flip_flop(), "abc", "a", 3)


def test_write_with_temperature_samples_reproducibly():
    """Sampling is repeatable with the same rng, needs an rng, and a high temperature strays from argmax."""
    net = _flip_flop()
    one = RW.write(net, "ab", "a", 40, temperature=20.0, rng=np.random.default_rng(5))
    assert one == RW.write(net, "ab", "a", 40, temperature=20.0, rng=np.random.default_rng(5))
    assert one != "ab" * 20 and set(one) <= {"a", "b"}
    assert RW.write(net, "ab", "a", 40, temperature=0.05, rng=np.random.default_rng(5)) == "ab" * 20
    with pytest.raises(ValueError, match="rng"):
        RW.write(net, "ab", "a", 3, temperature=1.0)


def test_trained_robot_writes_its_sentence():
    """After 50 updates the robot writes 'hello world' from 'h'; untrained it does not."""
    s = Session(lesson="robot-writer")
    alphabet = s.task_info["alphabet"]
    assert RW.write(s.net, alphabet, "h", 11) != "hello world"
    s.step(50)  # measured: right from update 30
    assert RW.write(s.net, alphabet, "h", 11) == "hello world"
    assert L.readout("robot-writer", s.net, s.lesson_spec, s.task_info, s.sequences)["right"]


def test_attractor_settles_and_stays():
    """Trained, every start ends within 0.1 of its pattern in the last steps and 10 steps beyond; untrained, not."""
    s = Session(lesson="attractors")
    d0 = AT.attractor_distances(s.net, s.sequences)
    assert d0.shape == (s.sequences.B, s.steps + 11) and d0[:, -1].max() > 1
    s.step(100)
    d = AT.attractor_distances(s.net, s.sequences)
    T, k = s.steps, s.task_info["last"]
    assert d[:, T - k + 1:].max() < 0.1 and (d[:, 0] == 2).sum() == 16  # 16 starts one flip (-1 <-> 1) away
    r = L.readout("attractors", s.net, s.lesson_spec, s.task_info, s.sequences)
    assert r["distance_after"] == pytest.approx(d[:, T + 1:].max())


def test_spectral_radius_of_a_block():
    """The spectral radius is max |eigenvalue|, of the whole W or of one group's block."""
    W = np.diag([0.5, -2.0, 0.1])
    W[0, 1] = 7.0  # triangular: eigenvalues stay the diagonal
    assert VE.spectral_radius(W) == pytest.approx(2.0)
    assert VE.spectral_radius(W, [0, 2]) == pytest.approx(0.5)


@pytest.mark.parametrize("w", [0.5, 1.5])
def test_error_by_step_scales_by_the_recurrent_weight(w):
    """In a linear chain with self-weight w the error at each earlier step is w times the later one."""
    # units: x (clamped at t = 0), u (self-loop w), y (reads u, target at T)
    W = np.array([[0, 0, 0], [1.0, w, 0], [0, 1.0, 0]])
    net = Network(W, connections=(W != 0), activation="linear", bias=False)
    T = 8
    X, K, Y, M = (np.zeros((T + 1, 3)) for _ in range(4))
    X[0, 0], K[0, 0], Y[T, 2], M[T, 2] = 1.0, 1, 5.0, 1
    e = VE.error_by_step(bptt(net, Sequences(X, K, Y, M)), [1])
    assert e[0] == 0 and e[T] == 0  # nothing computes s_0; u at T reaches no target
    np.testing.assert_allclose(e[1:T - 1] / e[2:T], w, rtol=1e-12)


def test_tie_report_sums_the_gradients():
    """Each tied weight receives the sum of the group's own gradients, and the values are equal."""
    s = Session(lesson="tied-weights")
    s.step(5)
    (group,) = TW.tie_report(s.net, s.gradients)
    assert group["values"][0] == group["values"][1]
    assert group["gradients"][0] != group["gradients"][1]
    assert group["summed"] == pytest.approx(sum(group["gradients"]), rel=1e-12) == group["applied"]
    assert group["summed"] == pytest.approx(-0.0011892624700617822, rel=1e-9)


@pytest.mark.parametrize("name", list(L.LESSONS))
def test_readout_for_every_lesson(name):
    """readout() gives each lesson its own measures, straight from a fresh Session."""
    s = Session(lesson=name)
    r = L.readout(name, s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)
    expected = {"binary-addition": "automaton", "robot-writer": "written", "attractors": "distance_last",
                "learned-initial-state": "error_at_t0", "tied-weights": "ties",
                "vanishing-exploding": "spectral_radius"}.get(name, "loss_by_step")
    assert expected in r
    if name == "vanishing-exploding":
        assert r["spectral_radius"] == pytest.approx({"small": 0.7, "large": 1.3}, rel=1e-12)
    if name == "learned-initial-state":
        assert r["error_at_t0"] == pytest.approx(0.25, rel=1e-12)
