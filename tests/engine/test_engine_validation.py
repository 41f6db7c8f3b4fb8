"""Bad input is refused early with a ValueError whose message names the argument at fault."""
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import (Momentum, Network, Sequences, Trainer, UnrolledNet, bptt, check_compatible,
                    clamp_pattern, config, finite_differences, target_pattern)
from problems import FAST

N, T, B = 3, 4, 2
GOOD_NET = dict(W=np.zeros((N, N)), b=np.zeros(N), h0=np.full(N, 0.5), connections=np.ones((N, N)))
GOOD_SEQ = dict(inputs=np.zeros((B, T + 1, N)), clamp=np.zeros((B, T + 1, N)),
                targets=np.zeros((B, T + 1, N)), target_mask=np.ones((B, T + 1, N)))


def raises_naming(name):
    """pytest.raises(ValueError) whose message contains ``name`` as a word."""
    return pytest.raises(ValueError, match=rf"(^|\W){re.escape(name)}(\W|$)")


def network(**changes):
    kw = {k: v.copy() for k, v in GOOD_NET.items()}
    kw.update(changes)
    return Network(**kw)


def sequences(**changes):
    kw = {k: v.copy() for k, v in GOOD_SEQ.items()}
    kw.update(changes)
    return Sequences(**kw)


def with_value(a, value, index=0):
    a = np.array(a, dtype=float)
    a.flat[index] = value
    return a


def as_strings(a):
    return np.asarray(a).astype(str)  # numeric text such as "0.0" is not a number array


def as_objects(a):
    return np.asarray(a).astype(object)


def test_the_good_inputs_are_accepted():
    """The baseline inputs the other tests corrupt are valid (so each failure below is the corruption's)."""
    assert np.isfinite(bptt(network(), sequences()).loss)
    ce = network(activation=["logistic", "softmax", "softmax"], loss="cross_entropy")
    assert np.isfinite(bptt(ce, sequences()).loss)


# -- Network ---------------------------------------------------------------------------------

@pytest.mark.parametrize("W", [
    np.zeros(3), np.zeros((3, 3, 1)), np.zeros((2, 3)), np.zeros((0, 0)), "abc", None, {"a": 1},
    [[1j, 0], [0, 0]], as_strings(np.zeros((3, 3))), as_objects(np.zeros((3, 3))), [[None, 1], [1, 1]],
    [[1, 2], [3]], with_value(np.zeros((3, 3)), np.nan), with_value(np.zeros((3, 3)), np.inf, 4),
    with_value(np.zeros((3, 3)), -np.inf, 8)], ids=repr)
def test_bad_W(W):
    """A W that is not a finite, square array of numbers is refused, naming W."""
    with raises_naming("W"):
        Network(W)


@pytest.mark.parametrize("name, bad", [
    (name, bad) for name in ("b", "h0") for bad in (
        np.zeros(N + 1), np.zeros((N, 1)), np.zeros(()), "x", as_strings(np.zeros(N)), as_objects(np.zeros(N)),
        with_value(np.zeros(N), np.nan), with_value(np.zeros(N), np.inf, 2), with_value(np.zeros(N), -np.inf, 1))])
def test_bad_bias_and_initial_states(name, bad):
    """b and h0 must be N finite numbers."""
    with raises_naming(name):
        network(**{name: bad})


@pytest.mark.parametrize("bad", [
    np.zeros((N, N + 1)), np.zeros(N), with_value(np.ones((N, N)), 0.5), with_value(np.ones((N, N)), 2, 3),
    with_value(np.ones((N, N)), -1, 5), with_value(np.ones((N, N)), np.nan), as_strings(np.ones((N, N)))])
def test_bad_connections(bad):
    """The connection mask must be an (N, N) array of 0 and 1."""
    with raises_naming("connections"):
        network(connections=bad)


@pytest.mark.parametrize("activation", ["relu", "", None, 5, ["logistic"] * (N - 1), ["logistic"] * (N + 1),
                                        ["logistic", "tanh", "sigmoid"], ["logistic", "tanh", 3]], ids=repr)
def test_bad_activation(activation):
    """An unknown activation name, or the wrong number of names, is refused."""
    with raises_naming("activation"):
        network(activation=activation)


@pytest.mark.parametrize("loss", ["mse", "cross-entropy", "", None, 1, ["squared"]], ids=repr)
def test_bad_loss(loss):
    """An unknown loss name is refused."""
    with raises_naming("loss"):
        network(loss=loss)


@pytest.mark.parametrize("learn_h0", [[True] * (N - 1), [0.5] * N, [2] * N, "yes", [[1, 0], [1]], [[True] * N]],
                         ids=repr)
def test_bad_learn_h0(learn_h0):
    """learn_h0 must be one bool or N bools."""
    with raises_naming("learn_h0"):
        network(learn_h0=learn_h0)


def test_nonzero_bias_with_biases_switched_off():
    """bias=False with a nonzero b is a contradiction and is refused."""
    with raises_naming("b"):
        network(b=[0, 0.1, 0], bias=False)


def test_too_many_units():
    """More units than config.MAX_UNITS are refused, naming W."""
    n = config.MAX_UNITS + 1
    with raises_naming("W"):
        Network(np.zeros((n, n)))
    with raises_naming("n_units"):
        Network.random(n, np.random.default_rng(0))


C_SPARSE = np.array([[1, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=float)


@pytest.mark.parametrize("ties, kw, pattern", [
    ([[("W", 0, 0), ("W", 1, 1)]], dict(W=np.diag([0.1, 0.2, 0.3])), "tied parameters must start equal"),
    ([[("W", 0, 1), ("W", 1, 1)]], dict(connections=C_SPARSE), r"\('W', 0, 1\) is an absent connection"),
    ([[("W", 0, 0), ("W", 1, 1)], [("W", 1, 1), ("W", 2, 2)]], {}, "two tie groups"),
    ([[("W", 0, 0), ("W", 0, 0)]], {}, "tie group"),
    ([[("W", 0, 0)]], {}, "a tie group needs at least two"),
    ([[("W", 0, 0), ("X", 1)]], {}, "a tied parameter must be"),
    ([[("W", 0, 0), ("W", 1)]], {}, r"\('W', 1\): indices"),
    ([[("W", 0, 0), ("W", 1, N)]], {}, r"\('W', 1, 3\): indices"),
    ([[("W", 0, 0), ("W", 1, 1.0)]], {}, r"\('W', 1, 1.0\): indices"),
    ([[("b", 0), ("b", 1)]], dict(bias=False), "cannot be tied: biases are switched off"),
    ([[("h0", 0), ("h0", 1)]], dict(learn_h0=False), "cannot be tied: that initial state is fixed"),
    ([("W", 0, 0), ("W", 1, 1)], {}, "a tied parameter must be"),  # the outer list forgotten
    (5, {}, "ties must be a sequence of groups"),
    ([5], {}, "ties must be a sequence of groups"),
], ids=lambda v: repr(v)[:40])
def test_bad_ties(ties, kw, pattern):
    """Tie groups must hold two or more distinct, existing, learnable parameters that start equal."""
    with pytest.raises(ValueError, match=pattern):
        network(ties=ties, **kw)


@pytest.mark.parametrize("rng", [None, 42, np.random.RandomState(0), "seed"], ids=repr)
def test_bad_rng(rng):
    """Network.random needs a numpy Generator, not a seed or the legacy RandomState."""
    with raises_naming("rng"):
        Network.random(3, rng)


@pytest.mark.parametrize("ref, value", [(("W", 0, 1), 1.0), (("W", 0, 0), np.nan), (("W", 0, 0), np.inf),
                                        (("W", 0, 0), "x"), (("b", 0), 1.0), (("Q", 0), 1.0)])
def test_bad_set(ref, value):
    """Network.set refuses absent connections, switched-off biases, bad references and non-finite values,
    and changes nothing."""
    net = network(connections=C_SPARSE, bias=False)
    before = net.params()
    with pytest.raises(ValueError):
        net.set(ref, value)
    np.testing.assert_array_equal(net.params(), before)


# -- Sequences -------------------------------------------------------------------------------

def test_no_arrays_at_all():
    """Sequences needs at least one array to know its shape."""
    with raises_naming("inputs"):
        Sequences()


@pytest.mark.parametrize("name", ["inputs", "clamp", "targets", "target_mask"])
@pytest.mark.parametrize("kind", ["nan", "inf", "-inf", "1d", "4d", "strings", "objects", "short", "wide"])
def test_bad_sequence_array(name, kind):
    """Each of the four arrays must be finite numbers of the same (B, T+1, N) or (T+1, N) shape."""
    a = GOOD_SEQ[name]
    bad = {"nan": lambda: with_value(a, np.nan, 7), "inf": lambda: with_value(a, np.inf, 3),
           "-inf": lambda: with_value(a, -np.inf), "1d": lambda: a.ravel(), "4d": lambda: a[None],
           "strings": lambda: as_strings(a), "objects": lambda: as_objects(a),
           "short": lambda: a[:, :-1], "wide": lambda: np.concatenate([a, a[:, :, :1]], axis=2)}[kind]()
    with raises_naming(name):
        sequences(**{name: bad})


@pytest.mark.parametrize("name", ["clamp", "target_mask"])
@pytest.mark.parametrize("value", [0.5, 2, -1, 1e-300])
def test_masks_must_be_zero_or_one(name, value):
    """Clamp and target masks hold only 0 and 1."""
    with raises_naming(name):
        sequences(**{name: with_value(GOOD_SEQ[name], value, 5)})


def test_a_single_row_has_no_steps():
    """T >= 1: a single row (the initial state alone) is refused."""
    with raises_naming("T"):
        Sequences(targets=np.zeros((1, N)))


@pytest.mark.parametrize("shape, size", [
    ((1, config.MAX_STEPS + 2, 1), f"T={config.MAX_STEPS + 1}"), ((config.MAX_CASES + 1, 2, 1), f"B={config.MAX_CASES + 1}"),
    ((1, 2, config.MAX_UNITS + 1), f"N={config.MAX_UNITS + 1}"), ((1, 2, 0), "N=0"), ((0, 2, 1), "B=0")])
def test_sizes_beyond_the_limits(shape, size):
    """Sizes beyond engine.config's limits are refused, naming the size."""
    with pytest.raises(ValueError, match=size):
        Sequences(target_mask=np.zeros(shape))


def test_stack_size_limit(monkeypatch):
    """B * (T+1) * N beyond config.MAX_STACK_CELLS is refused (limit lowered here to keep it cheap)."""
    monkeypatch.setattr(config, "MAX_STACK_CELLS", 100)
    Sequences(target_mask=np.zeros((2, 10, 5)))
    with pytest.raises(ValueError, match="cells"):
        Sequences(target_mask=np.zeros((3, 10, 5)))


# -- the pair, the optimiser, the helpers ----------------------------------------------------

def test_sizes_must_agree():
    """A Sequences with another N than the network is refused."""
    with pytest.raises(ValueError, match="N="):
        bptt(network(), Sequences(targets=np.zeros((B, T + 1, N + 1))))


@pytest.mark.parametrize("net, seq, name", [("net", None, "net"), (None, "seq", "seq")])
def test_wrong_types_for_bptt(net, seq, name):
    """bptt takes an engine.Network and an engine.Sequences."""
    net = network() if net is None else GOOD_NET
    seq = sequences() if seq is None else GOOD_SEQ
    with raises_naming(name):
        bptt(net, seq)


@pytest.mark.parametrize("act", ["tanh", "linear"])
def test_cross_entropy_targets_on_tanh_or_linear_units(act):
    """Cross-entropy targets on a tanh or linear unit are an error, in bptt and every other entry point."""
    net = network(activation=["logistic", act, "softmax"], loss="cross_entropy")
    M = np.zeros((B, T + 1, N)); M[:, -1, 1] = 1
    seq = sequences(target_mask=M)
    for call in (bptt, check_compatible, Trainer, UnrolledNet, finite_differences):
        with raises_naming("targets"):
            call(net, seq)


@pytest.mark.parametrize("value", [-0.1, 1.1, 5.0, -1e-12])
def test_cross_entropy_targets_outside_zero_one(value):
    """Cross-entropy targets outside [0, 1] are refused; the same value where the mask is 0 is ignored."""
    net = network(activation=["logistic", "softmax", "softmax"], loss="cross_entropy")
    Y = with_value(GOOD_SEQ["targets"], value, 4)
    with raises_naming("targets"):
        bptt(net, sequences(targets=Y))
    M = with_value(GOOD_SEQ["target_mask"], 0, 4)
    assert np.isfinite(bptt(net, sequences(targets=Y, target_mask=M)).loss)


@pytest.mark.parametrize("kw, name", [
    (dict(learning_rate=0), "learning_rate"), (dict(learning_rate=-1), "learning_rate"),
    (dict(learning_rate=np.nan), "learning_rate"), (dict(learning_rate=np.inf), "learning_rate"),
    (dict(learning_rate="fast"), "learning_rate"), (dict(learning_rate=None), "learning_rate"),
    (dict(momentum=1.0), "momentum"), (dict(momentum=-0.1), "momentum"), (dict(momentum=np.nan), "momentum"),
    (dict(momentum="x"), "momentum"), (dict(clip=0), "clip"), (dict(clip=-1), "clip"), (dict(clip=np.nan), "clip"),
    (dict(clip="x"), "clip")], ids=repr)
def test_bad_hyperparameters(kw, name):
    """Learning rate > 0, momentum in [0, 1) and clip > 0 (or None), each checked by name."""
    with raises_naming(name):
        Trainer(network(), sequences(), **kw)
    with raises_naming(name):
        Momentum(network()).set_hyper(**{"learning_rate": 0.1, "momentum": 0.0, **kw})


@pytest.mark.parametrize("call, name", [
    (lambda: clamp_pattern("sometimes", 3, 2), "mode"), (lambda: clamp_pattern("initial-subset", 3, 2), "units"),
    (lambda: clamp_pattern("every-step-subset", 3, 2, units=[2]), "units"),
    (lambda: target_pattern("never", 3, 2), "mode"), (lambda: target_pattern("last-k-all", 3, 2, last=5), "last"),
    (lambda: target_pattern("subset-every-step", 3, 2, units=[-1]), "units"),
    (lambda: clamp_pattern("initial-all", 0, 2), "T")])
def test_bad_patterns(call, name):
    """The lecture's clamp and target patterns refuse unknown modes and bad unit subsets."""
    with raises_naming(name):
        call()


# -- many bad inputs at once (hypothesis) ----------------------------------------------------

NET_ARGS = {"W": (N, N), "b": (N,), "h0": (N,), "connections": (N, N)}
MASKS = ("connections", "clamp", "target_mask")


@st.composite
def corruptions(draw):
    """One argument of Network or Sequences made bad in one of many ways."""
    name = draw(st.sampled_from(list(NET_ARGS) + list(GOOD_SEQ)))
    good = GOOD_NET[name] if name in NET_ARGS else GOOD_SEQ[name]
    kinds = ["value", "shape", "dtype"] + (["mask"] if name in MASKS else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "value":
        bad = good.astype(float).copy()
        bad.flat[draw(st.integers(0, bad.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif kind == "mask":
        bad = good.astype(float).copy()
        value = draw(st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v not in (0.0, 1.0)))
        bad.flat[draw(st.integers(0, bad.size - 1))] = value
    elif kind == "shape":
        # Any shape but the right one; a square W of another size is a valid W (b then disagrees).
        shape = draw(st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple).filter(
            lambda s: s != good.shape and not (name == "W" and len(s) == 2 and s[0] == s[1] > 0)))
        bad = np.zeros(shape)
    else:
        bad = draw(st.sampled_from([as_strings(good), as_objects(good), good.astype(complex), "text", None]))
        if bad is None and name in NET_ARGS and name != "W":
            bad = "text"  # None means "the default" for b, h0 and connections
        if bad is None and name in GOOD_SEQ:
            bad = as_strings(good)  # None means "not given" for the four sequence arrays
    return name, kind, bad


@FAST
@given(corruptions())
def test_many_bad_inputs_are_refused_by_name(case):
    """Random corruptions (non-finite values, wrong shapes, wrong dtypes, non-0/1 masks) of any argument
    raise a ValueError that names it."""
    name, kind, bad = case
    if name in NET_ARGS:
        build = lambda: network(**{name: bad})
    else:
        build = lambda: sequences(**{name: bad})
    with pytest.raises(ValueError) as info:
        build()
    msg = str(info.value)
    assert re.search(rf"(^|\W){re.escape(name)}(\W|$)", msg), (name, kind, msg)


@FAST
@given(st.sampled_from(["logistic", "softmax"]),
       st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not 0 <= v <= 1))
def test_many_cross_entropy_targets_outside_zero_one(act, value):
    """Any finite cross-entropy target outside [0, 1] is refused, naming targets."""
    net = network(activation=[act] * N, loss="cross_entropy")
    with raises_naming("targets"):
        bptt(net, sequences(targets=with_value(GOOD_SEQ["targets"], value, 9)))
