"""Edits of the data and the structure: the pure functions of simulator/state/edits.py and the
Session methods that install their results (or keep the old state and say why)."""
import numpy as np
import pytest

from engine import Network, Sequences, bptt, clamp_pattern, target_pattern
from simulator.state import edits as E
from simulator.lessons.registry import LESSONS
from simulator.state.session import Session

B, T, N = 3, 4, 4
NAMES = ["x", "h1", "h2", "y"]
GROUPS = ["inputs", "hidden", "hidden", "outputs"]


def data(seed=0):
    """A small batch: x clamped at every step, y taught from t = 2 (values random)."""
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(0, 1, (B, T + 1, N)), rng.uniform(0, 1, (B, T + 1, N))
    K, M = np.zeros((B, T + 1, N)), np.zeros((B, T + 1, N))
    K[:, :, 0] = 1
    M[:, 2:, 3] = 1
    return X, K, Y, M


def network(**kw):
    C = np.zeros((N, N))
    C[1:3, 0:3] = 1  # x, h1, h2 -> h1, h2
    C[3, 1:3] = 1    # h1, h2 -> y
    W = np.random.default_rng(1).uniform(-1, 1, (N, N))
    return Network(W, b=[0.1, 0.2, 0.3, 0.4], h0=[0.5, 0.4, 0.6, 0.5], connections=C, **kw)


# -- set_cell ------------------------------------------------------------------------------------
def test_set_cell_clamp_sets_value_and_clears_target():
    """Clamping a taught cell sets K and X there and removes the target, in that case only."""
    X, K, Y, M = data()
    X2, K2, Y2, M2 = E.set_cell(X, K, Y, M, 1, 3, 3, "clamp", "0.25")
    assert (K2[1, 3, 3], X2[1, 3, 3], M2[1, 3, 3], Y2[1, 3, 3]) == (1, 0.25, 0, 0)
    assert M2[0, 3, 3] == 1 and M2[2, 3, 3] == 1  # other cases untouched
    assert M[1, 3, 3] == 1  # the input arrays are not modified


def test_set_cell_target_and_none():
    """A target cell gets M and Y; 'none' clears both roles and both values."""
    X, K, Y, M = data()
    X2, K2, Y2, M2 = E.set_cell(X, K, Y, M, 0, 1, 0, "target", 0.75)
    assert (K2[0, 1, 0], M2[0, 1, 0], Y2[0, 1, 0]) == (0, 1, 0.75)
    X3, K3, Y3, M3 = E.set_cell(X2, K2, Y2, M2, 0, 1, 0, "none")
    assert (K3[0, 1, 0], M3[0, 1, 0], X3[0, 1, 0], Y3[0, 1, 0]) == (0, 0, 0, 0)


def test_set_cell_every_case():
    """case=None sets the cell in every case of the batch."""
    X2, K2, _, _ = E.set_cell(*data(), None, 0, 2, "clamp", -1)
    assert np.all(K2[:, 0, 2] == 1) and np.all(X2[:, 0, 2] == -1)


@pytest.mark.parametrize("case,t,i,kind,value,words", [
    (3, 0, 0, "clamp", 1, "case must be in 0..2"),
    (0, 5, 0, "clamp", 1, "time step t must be in 0..4"),
    (0, 0, -1, "clamp", 1, "unit must be in 0..3"),
    (0, 0, 4, "clamp", 1, "unit must be in 0..3"),
    (0, 1.5, 0, "clamp", 1, "must be an integer"),
    (True, 0, 0, "clamp", 1, "must be an integer"),
    (0, 0, 0, "input", 1, "kind must be one of none, clamp, target"),
    (0, 0, 0, "clamp", "abc", "is not a number"),
    (0, 0, 0, "target", "", "is not a number"),
    (0, 0, 0, "target", None, "is not a number"),
    (0, 0, 0, "clamp", "nan", "not a finite number"),
    (0, 0, 0, "clamp", float("inf"), "not a finite number"),
])
def test_set_cell_rejects_bad_input(case, t, i, kind, value, words):
    """Out-of-range indices, unknown kinds and non-numbers raise a ValueError that says so."""
    with pytest.raises(ValueError, match=words):
        E.set_cell(*data(), case, t, i, kind, value)


def test_set_cell_rejects_mismatched_arrays():
    """Arrays of different shapes are refused."""
    X, K, Y, M = data()
    with pytest.raises(ValueError, match=r"\(B, T\+1, N\)"):
        E.set_cell(X, K[:, :2], Y, M, 0, 0, 0, "none")


# -- apply_pattern -----------------------------------------------------------------------------
@pytest.mark.parametrize("mode,units", [("initial-all", None), ("initial-subset", [1, 2]),
                                        ("every-step-subset", [0, 3])])
def test_clamp_patterns_match_engine(mode, units):
    """Each clamp pattern gives every case the engine's mask and takes targets off clamped cells."""
    X, K, Y, M = data()
    X2, K2, Y2, M2 = E.apply_pattern(X, K, Y, M, "clamp", mode, units=units)
    want = clamp_pattern(mode, T, N, units)
    assert all(np.array_equal(K2[c], want) for c in range(B))
    assert not np.any((K2 == 1) & (M2 == 1))
    np.testing.assert_array_equal(M2[K2 == 0], M[K2 == 0])  # targets elsewhere kept
    np.testing.assert_array_equal(X2, X)  # values kept when no fill is given


@pytest.mark.parametrize("mode,units,last", [("final-all", None, 1), ("last-k-all", None, 3),
                                             ("subset-every-step", [1], 1)])
def test_target_patterns_match_engine(mode, units, last):
    """Each target pattern gives every case the engine's mask, keeps Y and unclamps taught cells."""
    X, K, Y, M = data()
    X2, K2, Y2, M2 = E.apply_pattern(X, K, Y, M, "target", mode, units=units, last=last)
    want = target_pattern(mode, T, N, units, last)
    assert all(np.array_equal(M2[c], want) for c in range(B))
    np.testing.assert_array_equal(Y2, Y)
    assert not np.any((K2 == 1) & (M2 == 1))


def test_clamp_pattern_fills_new_cells_only():
    """Newly clamped cells take the fill value; cells clamped before keep their X."""
    X, K, Y, M = data()
    fill = np.full(X.shape, 0.123)
    X2, K2, _, _ = E.apply_pattern(X, K, Y, M, "clamp", "initial-all", fill=fill)
    assert np.all(X2[:, 0, 1:] == 0.123)
    np.testing.assert_array_equal(X2[:, 0, 0], X[:, 0, 0])  # x was already clamped at t = 0


@pytest.mark.parametrize("kind,mode,kw,words", [
    ("clamp", "final-all", {}, "unknown clamp pattern"),
    ("target", "initial-all", {}, "unknown target pattern"),
    ("input", "initial-all", {}, "kind must be 'clamp' or 'target'"),
    ("clamp", "initial-subset", {}, "needs a subset of units"),
    ("target", "subset-every-step", {"units": []}, "needs a subset of units"),
    ("clamp", "every-step-subset", {"units": [4]}, "unit must be in 0..3"),
    ("clamp", "every-step-subset", {"units": ["h1"]}, "must be an integer"),
    ("target", "last-k-all", {"last": 0}, "last must be in 1..T\\+1"),
    ("target", "last-k-all", {"last": 9}, "k \\(the number of last steps\\) must be in"),
    ("target", "last-k-all", {"last": "2"}, "must be an integer"),
    ("clamp", "initial-all", {"fill": np.zeros((1, 1, 1))}, "fill must have shape"),
])
def test_apply_pattern_rejects_bad_input(kind, mode, kw, words):
    """Unknown patterns, missing or bad units, a bad k or fill raise a clear ValueError."""
    with pytest.raises(ValueError, match=words):
        E.apply_pattern(*data(), kind, mode, **kw)


# -- add_unit / remove_unit ------------------------------------------------------------------------
def test_add_hidden_unit_copies_its_groups_connections():
    """A new hidden unit goes after h2 with h2's row and column of C, zero weights without rng."""
    net = network()
    new, arrays, names, groups, p = E.add_unit(net, data(), NAMES, GROUPS)
    assert (p, new.N, names, groups) == (3, 5, ["x", "h1", "h2", "h3", "y"], GROUPS[:3] + ["hidden", "outputs"])
    old = [0, 1, 2, 4]
    np.testing.assert_array_equal(new.W[np.ix_(old, old)], net.W)
    np.testing.assert_array_equal(new.C[3, old], net.C[2])
    np.testing.assert_array_equal(new.C[old, 3], net.C[:, 2])
    assert new.C[3, 3] == net.C[2, 2] == 1
    assert np.all(new.W[3, :] == 0) and np.all(new.W[:, 3] == 0)
    assert (new.b[3], new.h0[3]) == (0.0, 0.5)
    assert all(np.all(a[:, :, 3] == 0) for a in arrays)  # neither clamped nor taught
    np.testing.assert_array_equal(arrays[0][:, :, old], data()[0])


def test_add_unit_with_zero_weights_keeps_the_loss():
    """A unit added with zero weights changes no other unit, so E stays the same."""
    net, arrays = network(), data()
    new, arrays2, *_ = E.add_unit(net, arrays, NAMES, GROUPS)
    assert bptt(new, Sequences(*arrays2)).loss == pytest.approx(bptt(net, Sequences(*arrays)).loss, rel=1e-12)


def test_add_unit_random_weights_only_on_connections():
    """With an rng the new connections get U(-scale, scale) weights; absent ones stay 0."""
    new, *_ = E.add_unit(network(), data(), NAMES, GROUPS, rng=np.random.default_rng(0), scale=0.3)
    w = np.concatenate([new.W[3], new.W[:, 3]])
    c = np.concatenate([new.C[3], new.C[:, 3]])
    assert np.all(w[c == 0] == 0) and np.all(np.abs(w[c == 1]) <= 0.3) and np.any(w[c == 1] != 0)


def test_add_unit_renumbers_ties_and_names_new_groups():
    """Ties after the insertion point shift by one; an unknown group gets an unconnected unit at the end."""
    net = network().tie_groups([[("W", 3, 1), ("W", 3, 2)]])
    new, *_ = E.add_unit(net, data(), NAMES, GROUPS)
    assert new.ties == ((("W", 4, 1), ("W", 4, 2)),)
    new2, _, names, groups, p = E.add_unit(net, data(), NAMES, GROUPS, group="context")
    assert (p, names[-1], groups[-1]) == (4, "c1", "context")
    assert new2.C[4].sum() == 0 and new2.C[:, 4].sum() == 0


@pytest.mark.parametrize("group", ["", 3, "   ", " hidden", "hidden ", "x" * 41, "h?", "<b>", "2nd", None])
def test_add_unit_rejects_bad_group(group):
    """A group that is not a name a document can carry (simulator.state.edits.GROUP_NAME) is refused."""
    with pytest.raises(ValueError, match="group: expected a group name such as 'hidden'"):
        E.add_unit(network(), data(), NAMES, GROUPS, group=group)


def test_every_lesson_group_is_a_group_name():
    """The lessons' own groups pass the rule that new groups must pass."""
    for lesson in LESSONS.values():
        for group in lesson["groups"]:
            assert E.group_name(group) == group


def test_add_unit_stops_at_the_limit():
    """The editor refuses to grow the net beyond MAX_EDIT_UNITS units."""
    n = E.MAX_EDIT_UNITS
    net = Network(np.zeros((n, n)))
    arrays = tuple(np.zeros((1, 2, n)) for _ in range(4))
    with pytest.raises(ValueError, match="stops at"):
        E.add_unit(net, arrays, [f"u{k}" for k in range(n)], ["hidden"] * n)


def test_remove_unit_drops_its_rows_data_and_ties():
    """Removing h1 removes its row, column and data; ties touching it lose it, the others renumber."""
    net = network().tie_groups([[("W", 3, 1), ("W", 3, 2)], [("W", 2, 0), ("W", 2, 2), ("W", 1, 1)]])
    new, arrays, names, groups = E.remove_unit(net, data(), NAMES, GROUPS, 1)
    keep = [0, 2, 3]
    assert new.N == 3 and names == ["x", "h2", "y"] and groups == ["inputs", "hidden", "outputs"]
    np.testing.assert_array_equal(new.W, net.W[np.ix_(keep, keep)])
    np.testing.assert_array_equal(new.C, net.C[np.ix_(keep, keep)])
    np.testing.assert_array_equal(arrays[2], data()[2][:, :, keep])
    assert new.ties == ((("W", 1, 0), ("W", 1, 1)),)  # the first group fell below two members


@pytest.mark.parametrize("i,words", [(4, "unit must be in 0..3"), (-1, "unit must be in 0..3"),
                                     ("h1", "must be an integer"), (None, "must be an integer")])
def test_remove_unit_rejects_bad_index(i, words):
    """Indices out of range or not integers are refused."""
    with pytest.raises(ValueError, match=words):
        E.remove_unit(network(), data(), NAMES, GROUPS, i)


def test_remove_last_unit_is_refused():
    """A one-unit network keeps its unit."""
    with pytest.raises(ValueError, match="at least one unit"):
        E.remove_unit(Network(np.zeros((1, 1))), tuple(np.zeros((1, 2, 1)) for _ in range(4)), ["u"], ["hidden"], 0)


# -- connections and ties ----------------------------------------------------------------------
def test_toggle_connection_off_and_on():
    """Removing a connection zeroes its weight and unties it; adding one back starts at 0 or random."""
    net = network().tie_groups([[("W", 1, 0), ("W", 2, 0)], [("W", 3, 1), ("W", 3, 2), ("W", 1, 1)]])
    off = E.toggle_connection(net, 1, 0)
    assert off.C[1, 0] == 0 and off.W[1, 0] == 0
    assert off.ties == ((("W", 3, 1), ("W", 3, 2), ("W", 1, 1)),)
    on = E.toggle_connection(off, 1, 0)
    assert on.C[1, 0] == 1 and on.W[1, 0] == 0
    rnd = E.toggle_connection(off, 1, 0, rng=np.random.default_rng(3), scale=0.2)
    assert 0 < abs(rnd.W[1, 0]) <= 0.2


def test_toggle_absent_connection_keeps_the_loss():
    """A connection added with weight 0 changes no number of the forward pass."""
    net, seq = network(), Sequences(*data())
    assert bptt(E.toggle_connection(net, 0, 3), seq).loss == pytest.approx(bptt(net, seq).loss, rel=1e-12)


@pytest.mark.parametrize("i,j", [(4, 0), (0, -1), (0.0, 1)])
def test_toggle_connection_rejects_bad_indices(i, j):
    """Connections between units that do not exist are refused."""
    with pytest.raises(ValueError, match="unit"):
        E.toggle_connection(network(), i, j)


def test_tie_sets_the_mean_and_untie_keeps_values():
    """Tied weights become their mean; untying keeps the values and removes the constraint."""
    net = network()
    mean = (net.W[1, 0] + net.W[2, 0] + net.W[3, 1]) / 3
    tied = E.tie(net, [("W", 1, 0), ["W", np.int64(2), 0], ("W", 3, 1)])
    assert tied.ties == ((("W", 1, 0), ("W", 2, 0), ("W", 3, 1)),)
    assert tied.W[1, 0] == tied.W[2, 0] == tied.W[3, 1] == pytest.approx(mean)
    free = E.untie(tied, 0)
    assert free.ties == () and free.W[2, 0] == tied.W[2, 0]


@pytest.mark.parametrize("refs,words", [
    ([("W", 1, 0)], "at least two"),
    ([("W", 1, 0), ("W", 1, 0)], "only once"),
    ([("W", 0, 3), ("W", 1, 0)], "absent connection"),
    ([("h0", 1), ("h0", 2)], "fixed, not learned"),
    ([("W", 1, 0), ("W", 9, 0)], "indices must be"),
    ([("v", 1), ("b", 2)], "must be"),
    ("W10", "refs must be a list"),
    ([3, 4], "each reference must look like"),
])
def test_tie_rejects_bad_refs(refs, words):
    """Too few, repeated, absent, fixed or malformed parameters cannot be tied."""
    with pytest.raises(ValueError, match=words):
        E.tie(network(), refs)


def test_tie_refuses_a_parameter_tied_twice_and_bad_untie():
    """A parameter can be in one tie group only; untie needs an existing group."""
    net = E.tie(network(), [("b", 1), ("b", 2)])
    with pytest.raises(ValueError, match="already in tie group 1"):
        E.tie(net, [("b", 2), ("b", 3)])
    with pytest.raises(ValueError, match="tie group must be in 0..0"):
        E.untie(net, 1)
    with pytest.raises(ValueError, match="no tied parameters"):
        E.untie(network(), 0)


def test_labels():
    """Parameters read as W[to←from], b[unit] and h0[unit]."""
    assert E.ref_label(("W", 3, 1), NAMES) == "W[y←h1]"
    assert E.tie_label((("b", 1), ("h0", 2)), NAMES) == "b[h1] = h0[h2]"
    assert E.new_unit_name(NAMES, GROUPS, "hidden") == "h3"


# -- the Session methods -----------------------------------------------------------------------
@pytest.fixture
def session():
    return Session()


def test_session_set_cell_recomputes_gradients(session):
    """Setting a cell installs new data and the loss is bptt's on them at once."""
    session.set_cell(0, 4, 2, "target", "1")
    seq = session.sequences
    assert seq.M[0, 4, 2] == 1 and seq.Y[0, 4, 2] == 1
    assert session.gradients.loss == pytest.approx(bptt(session.net, seq).loss, rel=1e-12)
    assert session.message_kind == "info" and "h1" in session.message


def test_session_bad_edits_change_nothing(session):
    """Each refused edit keeps net, data and loss, and puts the reason in message."""
    session.loss = "cross_entropy"  # a target of 2 is refused by this loss (the lesson's is squared)
    net, seq, loss = session.net, session.sequences, session.gradients.loss
    attempts = [lambda: session.set_cell(0, 99, 0, "clamp", 1), lambda: session.set_cell(0, 1, 5, "target", "2"),
                lambda: session.set_cell(0, 1, 5, "target", "abc"), lambda: session.apply_pattern("clamp", "bogus"),
                lambda: session.remove_unit(17), lambda: session.toggle_connection(0, 6),
                lambda: session.tie([("W", 2, 0)]), lambda: session.untie(0), lambda: session.add_unit("")]
    for attempt in attempts:
        assert attempt() is False
        assert session.message_kind == "error" and session.message
        assert session.net is net and session.sequences is seq and session.gradients.loss == loss


def test_session_cross_entropy_target_out_of_range_is_explained(session):
    """A target of 2 on a cross-entropy net is refused with the engine's reason."""
    session.loss = "cross_entropy"
    assert not session.set_cell(0, 3, 5, "target", 2)
    assert "[0, 1]" in session.message


def test_session_structure_edits(session):
    """Add, remove, toggle, tie and untie install consistent nets, names and data."""
    assert session.add_unit()
    assert session.unit_names == ["a", "b", "h1", "h2", "h3", "h4", "sum"] and session.net.N == 7
    assert session.sequences.N == 7 and session.gradients.states.shape[2] == 7
    assert session.remove_unit(0)
    assert session.unit_names[0] == "b" and session.net.N == 6
    assert session.toggle_connection(0, 0) and session.net.C[0, 0] == 1
    assert session.tie([("W", 1, 0), ("W", 2, 0)]) and len(session.net.ties) == 1
    assert session.net.W[1, 0] == session.net.W[2, 0]
    session.step(3)
    assert session.net.W[1, 0] == session.net.W[2, 0]  # tied weights stay equal
    assert session.untie(0) and session.net.ties == ()


def test_session_apply_pattern_clamps_at_current_state(session):
    """Adding 'initial states of all units' clamps each at its current state: the loss is unchanged."""
    before, K = session.gradients.loss, session.sequences.K.copy()
    assert session.apply_pattern("clamp", "initial-all", combine=True)
    assert np.all(session.sequences.K[:, 0, :] == 1)
    np.testing.assert_array_equal(session.sequences.K[:, 1:], K[:, 1:])
    assert session.gradients.loss == pytest.approx(before, rel=1e-12)


def test_session_apply_pattern_replaces_by_default(session):
    """Without combine the pattern is the whole clamp mask: the inputs are no longer clamped at t >= 1."""
    assert session.apply_pattern("clamp", "initial-all")
    assert np.all(session.sequences.K[:, 0, :] == 1) and not session.sequences.K[:, 1:].any()
    assert "now the clamps" in session.message


def test_combine_adds_the_pattern_to_the_mask():
    """combine=True keeps the old marks and adds the pattern's."""
    X, K, Y, M = data()
    _, _, _, M2 = E.apply_pattern(X, K, Y, M, "target", "final-all", combine=True)
    np.testing.assert_array_equal(M2, np.maximum(M, target_pattern("final-all", T, N)))
    assert np.all(M2[:, -1, :] == 1) and np.all(M2[:, 2:, 3] == 1)


def test_session_undo_after_structure_change_is_safe(session):
    """After a unit is added, undo has nothing of the old shape to restore and says so."""
    session.step(2)
    session.add_unit()
    session.undo()
    assert session.net.N == 7 and "Nothing to undo" in session.message
