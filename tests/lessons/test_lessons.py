"""Every lesson builds, trains to its golden numbers with its seed, and replays exactly.

The golden numbers were measured through Session (the app's own path: weights drawn first,
then the cases) and are kept next to each lesson in its module, simulator/lessons/<name>.py. A seeded
run is deterministic, so they are asserted to 1e-9; the bounds beside them (about 3x above the trained
loss, far below the untrained one) say what each lesson shows.
"""
import numpy as np
import pytest

from engine import Sequences, bptt
from simulator.lessons import binary_addition as BA
from simulator.lessons import registry as L
from simulator.lessons import robot_writer as RW
from simulator.lessons import vanishing_exploding as VE
from simulator.lessons import tasks as tasks
from simulator.state.session import Session

NAMES = ["binary-addition", "robot-writer", "attractors", "learned-initial-state", "input-modes",
         "tied-weights", "temporal-xor", "vanishing-exploding"]

# lesson: (updates, loss bound, untrained loss, loss after that many updates), with the lesson's seed:
GOLDEN = {
    "binary-addition": (500, 0.01, 1.2060023973477867, 0.0027459563458942142),
    "robot-writer": (200, 1.0, 23.221488027674045, 0.4783751901720503),
    "attractors": (50, 0.01, 13.44004218016692, 0.0008752336139440491),
    # with h0 fixed the t = 0 error stays 0.25
    "learned-initial-state": (100, 0.26, 1.7505779802473533, 0.2503311615048846),
    "input-modes": (300, 0.02, 0.7762322399142718, 0.006720638244389988),
    "tied-weights": (300, 0.03, 0.7009696461603335, 0.020221185668870906),
    "temporal-xor": (300, 0.03, 6.929370297642479, 0.007897807724456661),
    # the large chain's output learns, the small chain's cannot (its error stays 0.32 of the 0.45)
    "vanishing-exploding": (500, 0.17, 0.45108743612967606, 0.16080063497070704),
}
EXACT = 1e-9  # relative: a seeded run gives the same numbers every time


def test_the_lessons_are_the_eight_named_in_the_issue():
    """LESSONS holds exactly the eight short names, binary addition first and default."""
    assert list(L.LESSONS) == NAMES
    assert L.DEFAULT_LESSON == "binary-addition"


@pytest.mark.parametrize("name", NAMES)
def test_lesson_is_complete_data(name):
    """Each lesson has a title, lecture, text, 2-4 one-sentence points and a valid task and network."""
    spec = L.LESSONS[name]
    for key in ("title", "lecture", "text", "groups", "connections", "activation", "loss", "T", "task", "training"):
        assert key in spec, key
    assert 2 <= len(spec["points"]) <= 4 and all(p.endswith(".") for p in spec["points"])
    names, _, _ = L.unit_layout(spec)
    net = L.build_network(spec, np.random.default_rng(0))
    (X, K, Y, M), _ = tasks.make_task(spec["task"], spec["T"], np.random.default_rng(0))
    assert X.shape[1:] == (spec["T"] + 1, len(names)) == K.shape[1:] == Y.shape[1:] == M.shape[1:]
    assert net.N == len(names) and M.sum() > 0
    bptt(net, Sequences(X, K, Y, M))  # compatible (e.g. cross-entropy only on logistic/softmax units)


@pytest.mark.parametrize("name", NAMES)
def test_golden_loss(name):
    """After k updates with the lesson's seed the loss is the golden one, below the stated bound
    (and started at the golden untrained loss, above it)."""
    updates, bound, untrained, trained = GOLDEN[name]
    s = Session(lesson=name)
    assert s.loss_value == pytest.approx(untrained, rel=EXACT) and untrained > bound
    assert s.step(updates)
    assert s.updates == updates and s.loss_value == pytest.approx(trained, rel=EXACT) and trained < bound


def test_binary_addition_adds_held_out_numbers():
    """Seed 12 gets every bit of the lecture's pairs and 256 random held-out pairs right within 400 updates."""
    s = Session(lesson="binary-addition")
    held = BA.held_out_pairs(s.task_info, 8, 256, np.random.default_rng(12345))
    assert held[:2] == [(52, 77), (38, 166)] and not set(held) & set(s.task_info)
    first = None
    for update in range(50, 401, 50):
        s.step(50)
        if BA.addition_results(s.net, held, 8)["pair_accuracy"] == 1.0:
            first = update
            break
    assert first == 150
    res = BA.addition_results(s.net, held[:2], 8)
    assert res["sums"] == [129, 204]


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_weights(name):
    """Two sessions with the same seed have identical weights after the same training."""
    a, b = Session(lesson=name), Session(lesson=name)
    a.step(30)
    b.step(30)
    assert np.array_equal(a.net.params(), b.net.params())
    c = Session(lesson=name)
    c.seed = a.seed + 1
    c.step(30)
    assert not np.array_equal(a.net.params(), c.net.params())


def test_session_switches_through_every_lesson():
    """One Session switches to every lesson in turn, rebuilds its units and steps."""
    s = Session()
    for name in NAMES[1:] + NAMES[:1]:
        s.lesson = name
        spec = L.LESSONS[name]
        assert s.unit_names == L.unit_layout(spec)[0] and s.steps == spec["T"]
        assert s.seed == spec["training"]["seed"] and s.updates == 0
        assert s.step(10) and s.updates == 10 and s.message_kind != "error"


def test_learned_initial_state_needs_learned_h0():
    """With h0 fixed at 0.5 the t = 0 error stays 0.25 whatever W learns; learning h0 removes it."""
    s = Session(lesson="learned-initial-state")
    assert not s.learn_h0 and np.all(s.net.h0 == 0.5)
    s.step(1000)
    g = s.gradients
    assert g.loss_by_step[0] == pytest.approx(0.25, abs=1e-12)  # 2 outputs x 1/2 (0.5 - y)^2
    assert g.loss == pytest.approx(0.2501627554699801, rel=EXACT)
    rest = g.loss_by_step[1:].sum()
    assert rest == pytest.approx(0.0001627554699801821, rel=EXACT) and rest < 0.01  # the rest is learnable
    dh0 = np.abs(g.dh0[2:]).min()
    assert dh0 == pytest.approx(0.5010041501980556, rel=EXACT) and dh0 > 0.4  # the gradient is there, but h0 is fixed
    s.learn_h0 = True  # the lecture's toggle: the same weights, h0 now learned from 0.5
    assert s.step(100) and s.loss_value == pytest.approx(5.562318584722075e-05, rel=EXACT) and s.loss_value < 0.001
    assert s.net.h0[2:] == pytest.approx([0.9985511139038212, 0.0014493099482501058], rel=EXACT)
    assert np.all(np.abs(s.net.h0[2:] - [1, 0]) < 0.05)


@pytest.mark.parametrize("mode,updates,bound,losses", [
    ("initial-all", 500, 0.01, (0.7327525900963837, 0.001660543812533729)),
    ("initial-subset", 500, 0.01, (0.7457133531741418, 0.0011525485063492164)),
    ("every-step-subset", 300, 0.02, (0.7762322399142718, 0.006720638244389988))])
def test_input_modes_each_learn(mode, updates, bound, losses):
    """The same net learns XOR with its input given in each of the lecture's three ways."""
    spec = L.lesson("input-modes")
    spec["task"]["mode"] = mode
    rng = np.random.default_rng(spec["training"]["seed"])
    net = L.build_network(spec, rng)
    (X, K, Y, M), _ = tasks.make_task(spec["task"], spec["T"], rng)
    expected = {"initial-all": K[:, 0].all() and not K[:, 1:].any(),
                "initial-subset": K[:, 0, :2].all() and not K[:, 0, 2:].any() and not K[:, 1:].any(),
                "every-step-subset": K[:, :, :2].all() and not K[:, :, 2:].any()}
    assert expected[mode]
    from engine import Trainer
    seq = Sequences(X, K, Y, M)
    trainer = Trainer(net, seq, spec["training"]["learning_rate"], spec["training"]["momentum"])
    before = bptt(net, seq).loss
    trainer.step(updates)
    after = bptt(net, seq).loss
    assert (before, after) == pytest.approx(losses, rel=EXACT) and before > bound > after


def test_tied_weights_stay_equal():
    """The lesson's two tied weights start equal and stay equal through training."""
    s = Session(lesson="tied-weights")
    names = s.unit_names
    i, j, k, m = names.index("h1"), names.index("a"), names.index("h2"), names.index("b")
    assert s.net.ties == ((("W", i, j), ("W", k, m)),)
    s.step(300)
    assert s.net.W[i, j] == s.net.W[k, m] and abs(s.net.W[i, j]) > 1  # it moved, together
    assert s.net.W[i, j] == pytest.approx(4.803341023264837, rel=EXACT)


def test_ties_by_index_or_name_are_the_same():
    """A lesson may name tied weights by unit name or by index."""
    spec = L.lesson("tied-weights")
    by_name = L.tie_refs(spec)
    spec["ties"] = [[["W", 2, 0], ["W", 3, 1]]]
    assert L.tie_refs(spec) == by_name == [[("W", 2, 0), ("W", 3, 1)]]
    spec["ties"] = [[["W", "h9", "a"], ["W", "h2", "b"]]]
    with pytest.raises(ValueError, match="h9"):
        L.tie_refs(spec)


def test_vanishing_exploding_blocks_have_the_stated_radius():
    """The small and large recurrent blocks differ only in scale: spectral radius 0.7 and 1.3."""
    spec = L.LESSONS["vanishing-exploding"]
    s = Session(lesson="vanishing-exploding")
    _, _, index = L.unit_layout(spec)
    small, large = index["small"], index["large"]
    assert VE.spectral_radius(s.net.W, small) == pytest.approx(0.7)
    assert VE.spectral_radius(s.net.W, large) == pytest.approx(1.3)
    assert np.allclose(s.net.W[np.ix_(small, small)] / 0.7, s.net.W[np.ix_(large, large)] / 1.3)
    es, el = VE.error_by_step(s.gradients, small), VE.error_by_step(s.gradients, large)
    T = s.steps
    # Going back from step T-1 to step 1 the error shrinks in one chain and grows in the other.
    assert es[1] < es[T - 1] / 10 and el[1] > el[T - 1] * 10
    assert [es[1], es[T - 1], el[1], el[T - 1]] == pytest.approx(
        [0.00019075615761735424, 0.012098462329000107, 0.5026576819202004, 0.016428427119350074], rel=EXACT)



def test_vanishing_exploding_criterion_needs_both_chains():
    """The criterion holds while the error shrinks back through the small chain and grows back
    through the large one; with the two chains' recurrent blocks swapped it fails."""
    spec = L.LESSONS["vanishing-exploding"]
    s = Session(lesson="vanishing-exploding")
    assert L.solved("vanishing-exploding", s.net, spec, s.task_info, s.sequences)
    small, large = L.unit_layout(spec)[2]["small"], L.unit_layout(spec)[2]["large"]
    W = np.array(s.net.W)
    W[np.ix_(small, small)], W[np.ix_(large, large)] = W[np.ix_(large, large)], W[np.ix_(small, small)]
    assert not L.solved("vanishing-exploding", s.net.replace(W=W), spec, s.task_info, s.sequences)

def test_robot_writer_lesson_for_a_typed_sentence():
    """A lesson built from another sentence has one unit per letter and learns to write it."""
    spec = RW.robot_writer_lesson(["a cab"], hidden=6)
    assert spec["groups"]["inputs"] == ["\u2423", "a", "b", "c"] and spec["T"] == 4
    rng = np.random.default_rng(0)
    net = L.build_network(spec, rng)
    (X, K, Y, M), info = tasks.make_task(spec["task"], spec["T"], rng)
    from engine import Trainer
    Trainer(net, Sequences(X, K, Y, M), 0.5, 0.5).step(100)
    assert RW.write(net, info["alphabet"], "a", 5) == "a cab"


def test_lesson_returns_a_private_copy():
    """lesson(name) is a deep copy: editing it leaves the shared LESSONS alone."""
    spec = L.lesson("robot-writer")
    spec["task"]["sentences"].append("changed")
    assert L.LESSONS["robot-writer"]["task"]["sentences"] == ["hello world"]
    with pytest.raises(ValueError, match="unknown lesson"):
        L.lesson("nope")


# -- the task generators -------------------------------------------------------------------------
def test_addition_case_targets_the_sum_two_steps_late():
    """52 + 77: a and b clamped LSB first, the sum unit's targets at steps 2..10 are the bits of 129."""
    X, K, Y, M = tasks.addition_case(52, 77, 8)
    assert X.shape == (11, 6) and K[:, :2].all() and not K[:, 2:].any()
    assert list(X[:8, 0]) == list(tasks.bits_of(52, 8)) and list(X[:8, 1]) == list(tasks.bits_of(77, 8))
    assert list(Y[2:11, 5]) == list(tasks.bits_of(129, 9)) and M[:, 5].sum() == 9 and M[:2].sum() == 0


def test_binary_addition_keeps_held_out_pairs_out():
    """The training pairs never include the held-out pairs, and the generator refuses T < 3."""
    _, pairs = tasks.binary_addition(np.random.default_rng(0), T=3, cases=200, held_out=[[0, 0], [1, 1]])
    assert len(pairs) == 200 and not {(0, 0), (1, 1)} & set(pairs)
    with pytest.raises(ValueError, match="T >= 3"):
        tasks.binary_addition(np.random.default_rng(0), T=2)


def test_robot_writer_targets_are_the_next_letter():
    """Letter t is clamped one-hot at step t and the softmax target at t is letter t (from t = 1)."""
    (X, K, Y, M), info = tasks.robot_writer(None, T=4, sentences=["abca"], hidden=2)
    A, out = 3, 5
    assert info["alphabet"] == "abc" and X.shape == (1, 5, 8) and not info["cut"]
    assert [int(np.argmax(X[0, t, :A])) for t in range(4)] == [0, 1, 2, 0] and K[0, :, :A].all()
    assert [int(np.argmax(Y[0, t, out:])) for t in range(1, 4)] == [1, 2, 0] and M[0, 0].sum() == 0
    (X, K, Y, M), info = tasks.robot_writer(None, T=2, sentences=["abca"], hidden=2)
    assert info["cut"] and info["steps_needed"] == 3
    (X, _, _, M), _ = tasks.robot_writer(None, T=6, sentences=["abca"], hidden=2)
    assert X[0, 4:].sum() == 0 and M[0, 4:].sum() == 0  # padding: inputs 0, no targets
    with pytest.raises(ValueError, match="not in the alphabet"):
        tasks.robot_writer(None, T=4, sentences=["abz"], alphabet="ab")


def test_attractor_cases_start_one_flip_away():
    """Every start is its pattern or the pattern with one unit flipped; targets only in the last k rows."""
    (X, K, Y, M), info = tasks.attractors(None, T=5, patterns=["1100", "0011"], last=2, low=-1)
    assert X.shape == (10, 6, 4) and K[:, 0].all() and not K[:, 1:].any()
    flips = (X[:, 0] != Y[:, 5]).sum(1)
    assert sorted(flips) == [0, 0] + [1] * 8 and set(np.unique(X[:, 0])) == {-1.0, 1.0}
    assert M[:, 4:].all() and not M[:, :4].any() and np.array_equal(Y[:, 4], Y[:, 5])


def test_fixed_sequence_starts_at_t0():
    """The output pattern is a target from row 0, where only the initial state can meet it."""
    (X, K, Y, M), _ = tasks.fixed_sequence(None, T=3, pattern=["10", "01"], outputs=2, hidden=1)
    assert K.sum() == 0 and M[0, :, 1:].all() and not M[0, :, 0].any()
    assert Y[0, :, 1:].tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]


@pytest.mark.parametrize("kind", ["xor", "delay", "latch"])
def test_memory_targets(kind):
    """Temporal XOR, delay line and latch targets, recomputed from the clamped bits."""
    (X, K, Y, M), info = tasks.memory(np.random.default_rng(3), T=12, kind=kind, cases=8, hidden=3)
    n_in = 2 if kind == "latch" else 1
    assert K[:, :, :n_in].all() and not K[:, :, n_in:].any()
    x, y = X[:, :, 0], Y[:, :, -1]
    for c in range(8):
        held = 0
        for t in range(13):
            if kind == "xor" and t >= 3:
                assert y[c, t] == (x[c, t - 2] != x[c, t - 3]) and M[c, t, -1]
            if kind == "delay" and t >= 2:
                assert y[c, t] == x[c, t - 2]
            if kind == "latch":
                held = 1 if X[c, t, 0] else (0 if X[c, t, 1] else held)
                if t + 2 <= 12:
                    assert y[c, t + 2] == held and M[c, t + 2, -1]
    assert M[:, :2].sum() == 0
    with pytest.raises(ValueError, match="lags"):
        tasks.memory(np.random.default_rng(0), T=12, lags=(1, 2))


def test_remember_first_and_feedforward_xor():
    """The 7d task clamps x only at t = 0 with targets only at T; the tied-weights net is a T = 2 feedforward net."""
    (X, K, Y, M), info = tasks.remember_first(np.random.default_rng(0), T=5, cases=4, chains=2, size=3)
    assert X.shape == (4, 6, 9) and K[:, 0, 0].all() and K.sum() == 4
    assert np.array_equal(Y[:, 5, 7], info["values"]) and M.sum() == 8 and M[:, 5, 7:].all()
    (X, K, Y, M), _ = tasks.feedforward_xor(None, T=2, hidden=3)
    assert Y[:, 2, 5].tolist() == [0, 1, 1, 0] and K[:, 0, :2].all() and K.sum() == 8
    with pytest.raises(ValueError, match="T must be 2"):
        tasks.feedforward_xor(None, T=3)


def test_session_refuses_a_T_the_task_cannot_use():
    """Setting T below what binary addition needs leaves the session as it was, with the reason."""
    s = Session()
    s.steps = 2
    assert s.steps == 10 and s.message_kind == "error" and "T >= 3" in s.message
    with pytest.raises(ValueError, match="unknown task"):
        tasks.make_task({"name": "nope"}, 3, np.random.default_rng(0))


def test_robot_writer_session_accepts_another_T():
    """Changing T of the robot writer pads or cuts the sentence instead of failing."""
    s = Session(lesson="robot-writer")
    s.steps = 14
    assert s.steps == 14 and s.sequences.T == 14 and s.message_kind != "error"
    s.steps = 5
    assert s.sequences.T == 5 and s.task_info["cut"]


def test_lesson_can_switch_biases_off():
    """A lesson with "bias": False builds a net whose biases are off and stay 0."""
    spec = L.lesson("temporal-xor")
    spec["bias"] = False
    net = L.build_network(spec, np.random.default_rng(0))
    assert not net.bias and not net.b.any()
    assert L.build_network(L.LESSONS["temporal-xor"], np.random.default_rng(0)).bias
