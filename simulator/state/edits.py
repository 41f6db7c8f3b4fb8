"""Edits of the training data and of the network's structure, as pure functions.

Each function takes the current arrays (or Network) and returns new ones, or raises a
ValueError that says what was expected; nothing is modified in place, so the Session can
install the result or keep the old state (``Session.attempt``). At the end, ``snapshot``,
``put_back`` and ``announce``: the session's state before an edit, put back when applying the edit fails (all or
nothing, even when a view cannot draw the result). No panel here.

The data arrays are X, K, Y, M of shape (B, T+1, N) (docs/model.md, "One training case"). A cell
(case, t, i) is shown in the grid editor as one of three roles: nothing, clamped (an input at
that step, with value X) or target (with value Y). The model allows a cell to be both, but a
clamped state takes no error, so its target teaches nothing; the edits here keep the roles
exclusive (the latest edit wins) so that the grid always says what a cell is for.
"""
import math
import re

import numpy as np
import param

from engine import ACTIVATIONS, DEFAULT_H0, Network
from engine.patterns import CLAMP_MODES, TARGET_MODES, clamp_pattern, target_pattern

from simulator.state import caps

KINDS = ("none", "clamp", "target")
#: Largest network the editor grows: the same cap as documents and links (simulator/state/caps.py).
MAX_EDIT_UNITS = caps.MAX_UNITS
#: Longest unit or group name: labels stay readable in the pictures (the document format's limit).
MAX_NAME = 40
#: A group name is a label of words ("hidden", "small out"), so an editor can make new groups
#: and a document can carry them, while no name can pass for markup or a path.
GROUP_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9 _-]*[A-Za-z0-9_-])?")


# -- checking arguments ------------------------------------------------------------------------
def number(value, label="value"):
    """A finite float from a number or its text ("0.5", "-1e-3"), or a ValueError."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{label} must be a number; got {caps.quote(value)}")
    try:
        v = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: float(10**400)
        raise ValueError(f"{label}: {caps.quote(value)} is not a number; type a decimal number such as 0.5 or -1.2e-3") from None
    if not math.isfinite(v):
        raise ValueError(f"{label}: {caps.quote(value)} is not a finite number; type a decimal number such as 0.5")
    return v


def index(value, size, label):
    """An integer in 0..size-1, or a ValueError naming ``label``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{label} must be an integer in 0..{size - 1}; got {caps.quote(value)}")
    if not 0 <= int(value) < size:
        raise ValueError(f"{label} must be in 0..{size - 1}; got {value}")
    return int(value)


def group_name(value, where="group"):
    """``value`` if it is a group name (GROUP_NAME, at most MAX_NAME characters), else a ValueError."""
    if not (isinstance(value, str) and len(value) <= MAX_NAME and GROUP_NAME.fullmatch(value)):
        raise ValueError(f"{where}: expected a group name such as 'hidden' (a letter, then letters, digits, "
                         f"spaces, - or _, at most {MAX_NAME} characters); got {caps.quote(value)}")
    return value


def _data(arrays):
    """Copies of (X, K, Y, M) as float arrays of one shape (B, T+1, N)."""
    if len(arrays) != 4:
        raise ValueError(f"expected the four arrays X, K, Y, M; got {len(arrays)}")
    out = tuple(np.array(a, dtype=np.float64) for a in arrays)
    if out[0].ndim != 3 or any(a.shape != out[0].shape for a in out):
        raise ValueError(f"X, K, Y, M must all be (B, T+1, N); got shapes {[a.shape for a in out]}")
    return out


def _units(units, N):
    if units is None:
        return None
    if isinstance(units, (str, bytes)) or not hasattr(units, "__iter__"):
        raise ValueError(f"units must be a list of unit indices in 0..{N - 1}; got {caps.quote(units)}")
    return [index(u, N, "unit") for u in units]


# -- the data: one cell, or one of the lecture's patterns ---------------------------------------
def set_cell(X, K, Y, M, case, t, i, kind, value=None):
    """(X, K, Y, M) with cell (case, t, i) set to nothing, a clamp or a target with ``value``.

    ``case`` None sets the cell in every case. "clamp" makes unit i an input at step t (its
    state is set to ``value``); "target" gives it the desired activity ``value``; "none"
    clears both. The role set replaces the other one (see the module docstring).
    """
    X, K, Y, M = _data((X, K, Y, M))
    B, T1, N = X.shape
    c = slice(None) if case is None else index(case, B, "case")
    t = index(t, T1, "time step t")
    i = index(i, N, "unit")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {caps.quote(kind)}")
    v = 0.0 if kind == "none" else number(value, f"the {kind} value")
    K[c, t, i] = 1.0 if kind == "clamp" else 0.0
    M[c, t, i] = 1.0 if kind == "target" else 0.0
    X[c, t, i] = v if kind == "clamp" else 0.0
    Y[c, t, i] = v if kind == "target" else 0.0
    return X, K, Y, M


def apply_pattern(X, K, Y, M, kind, mode, units=None, last=1, fill=None, combine=False):
    """(X, K, Y, M) with the clamp or target mask of every case replaced by a lecture pattern
    (or, with ``combine``, the pattern added to the mask already there).

    ``kind`` is "clamp" (mode in engine.CLAMP_MODES) or "target" (mode in TARGET_MODES);
    ``units`` are the subset's indices and ``last`` is k of "last-k-all". Values are kept: a
    cell that stays marked keeps its X or Y. A cell newly clamped takes its value from
    ``fill`` (B, T+1, N) when given (the Session passes the current states, so clamping a
    unit first freezes it at what it was doing) and otherwise keeps X. Newly marked cells
    lose the other role.
    """
    X, K, Y, M = _data((X, K, Y, M))
    B, T1, N = X.shape
    units = _units(units, N)
    if "subset" in str(mode) and not units:
        raise ValueError(f"the pattern {caps.quote(mode)} needs a subset of units; choose one or more units first")
    if kind == "clamp":
        if mode not in CLAMP_MODES:
            raise ValueError(f"unknown clamp pattern {caps.quote(mode)}; expected one of {', '.join(CLAMP_MODES)}")
        new = np.broadcast_to(clamp_pattern(mode, T1 - 1, N, units), X.shape).copy()
        if combine:
            new = np.maximum(new, K)
        if fill is not None:
            fill = np.asarray(fill, dtype=np.float64)
            if fill.shape != X.shape:
                raise ValueError(f"fill must have shape {X.shape}; got {fill.shape}")
            fresh = (new == 1) & (K == 0)
            X[fresh] = fill[fresh]
        K = new
        M[new == 1] = 0.0
    elif kind == "target":
        if mode not in TARGET_MODES:
            raise ValueError(f"unknown target pattern {caps.quote(mode)}; expected one of {', '.join(TARGET_MODES)}")
        k = index(last, T1 + 1, "k (the number of last steps)") if mode == "last-k-all" else 1
        new = np.broadcast_to(target_pattern(mode, T1 - 1, N, units, k), X.shape).copy()
        if combine:
            new = np.maximum(new, M)
        M = new
        K[new == 1] = 0.0
    else:
        raise ValueError(f"kind must be 'clamp' or 'target'; got {caps.quote(kind)}")
    return X, K, Y, M


# -- the structure: units, connections, ties -----------------------------------------------------
def _build(net, W, b, h0, C, acts, learn, ties):
    return Network(W, b=b, h0=h0, connections=C, activation=list(acts), loss=net.loss,
                   learn_h0=np.asarray(learn, dtype=bool), bias=net.bias, ties=ties)


def _ref_units(ref):
    return ref[1:]


def _remap_ties(ties, keep, new_index):
    """Tie groups without the refs ``keep`` rejects, indices renumbered; groups of < 2 dropped."""
    out = []
    for group in ties:
        refs = [(r[0], *(new_index(k) for k in _ref_units(r))) for r in group if keep(r)]
        if len(refs) >= 2:
            out.append(tuple(refs))
    return tuple(out)


def add_unit(net, arrays, names, groups, group="hidden", rng=None, scale=0.5):
    """Grow the net by one unit in ``group``, connected like the group's last member.

    Returns (net, (X, K, Y, M), names, groups, i) where i is the new unit's index: it is put
    after its group's last member (groups stay together in the pictures). It copies that
    member's row and column of C (so a hidden unit gets the hidden units' inputs and
    outputs, its own self-loop included), activation and learned-h0 flag; its new weights
    are U(-scale, scale) from ``rng`` (0 without one), its bias 0, its h0 the default 0.5.
    It is neither clamped nor taught in any case. A group with no members yet is created at
    the end, unconnected and logistic.
    """
    X, K, Y, M = _data(arrays)
    N, names, groups = net.N, list(names), list(groups)
    if len(names) != N or len(groups) != N:
        raise ValueError(f"need {N} unit names and groups; got {len(names)} and {len(groups)}")
    group_name(group)
    if N >= MAX_EDIT_UNITS:
        raise ValueError(f"the editor stops at {MAX_EDIT_UNITS} units so the pictures stay readable")
    members = [k for k, g in enumerate(groups) if g == group]
    p = members[-1] + 1 if members else N  # position of the new unit
    old = np.r_[0:p, p + 1:N + 1]  # where the old units go
    C = np.zeros((N + 1, N + 1))
    C[np.ix_(old, old)] = net.C
    W = np.zeros((N + 1, N + 1))
    W[np.ix_(old, old)] = net.W
    if members:
        q = members[-1]  # the template, still at index q < p
        C[p, old], C[old, p], C[p, p] = net.C[q], net.C[:, q], net.C[q, q]
        act, learn = net.activation[q], bool(net.learn_h0[q])
    else:
        act, learn = "logistic", False
    if rng is not None:
        fresh = np.zeros_like(C, dtype=bool)
        fresh[p, :] = fresh[:, p] = True
        W[fresh] = rng.uniform(-scale, scale, size=int(fresh.sum()))
    W = W * C
    b = np.insert(net.b, p, 0.0)
    h0 = np.insert(net.h0, p, DEFAULT_H0)
    acts = list(net.activation[:p]) + [act] + list(net.activation[p:])
    learn_h0 = np.insert(net.learn_h0, p, learn)
    ties = _remap_ties(net.ties, lambda r: True, lambda k: k + (k >= p))
    name = new_unit_name(names, groups, group)
    new = _build(net, W, b, h0, C, acts, learn_h0, ties)
    data = tuple(np.insert(a, p, 0.0, axis=2) for a in (X, K, Y, M))
    return new, data, names[:p] + [name] + names[p:], groups[:p] + [group] + groups[p:], p


def new_unit_name(names, groups, group):
    """A fresh name for a unit of ``group``: its last member's letters and the next free number,
    the letters shortened if need be to keep the name within MAX_NAME characters."""
    members = [n for n, g in zip(names, groups) if g == group]
    stem = (members[-1].rstrip("0123456789") if members else group[:1]) or "u"
    k = 1
    while f"{stem[:MAX_NAME - len(str(k))]}{k}" in names:
        k += 1
    return f"{stem[:MAX_NAME - len(str(k))]}{k}"


def remove_unit(net, arrays, names, groups, i):
    """Shrink the net by unit i: its row and column of W and C, its data and the ties touching it.

    Returns (net, (X, K, Y, M), names, groups). Tied parameters that involve unit i leave
    their group; a group left with fewer than two members is dropped. The last unit cannot
    be removed.
    """
    X, K, Y, M = _data(arrays)
    N, names, groups = net.N, list(names), list(groups)
    if len(names) != N or len(groups) != N:
        raise ValueError(f"need {N} unit names and groups; got {len(names)} and {len(groups)}")
    i = index(i, N, "unit")
    if N == 1:
        raise ValueError("a network needs at least one unit; this is the last one")
    keep = np.r_[0:i, i + 1:N]
    sub = np.ix_(keep, keep)
    ties = _remap_ties(net.ties, lambda r: i not in _ref_units(r), lambda k: k - (k > i))
    new = _build(net, net.W[sub], net.b[keep], net.h0[keep], net.C[sub],
                 [a for k, a in enumerate(net.activation) if k != i], net.learn_h0[keep], ties)
    data = tuple(np.delete(a, i, axis=2) for a in (X, K, Y, M))
    return new, data, names[:i] + names[i + 1:], groups[:i] + groups[i + 1:]


def toggle_connection(net, i, j, rng=None, scale=0.5):
    """Add the connection j -> i if it is absent, remove it if present. Returns the new Network.

    A removed connection's weight becomes 0 (docs/model.md: an absent connection has weight 0)
    and leaves its tie group; an added one starts at U(-scale, scale) from ``rng``, or 0.
    """
    N = net.N
    i, j = index(i, N, "to-unit i"), index(j, N, "from-unit j")
    C, W = np.array(net.C), np.array(net.W)
    if C[i, j]:
        C[i, j], W[i, j] = 0.0, 0.0
        ties = _remap_ties(net.ties, lambda r: tuple(r) != ("W", i, j), lambda k: k)
    else:
        C[i, j] = 1.0
        W[i, j] = rng.uniform(-scale, scale) if rng is not None else 0.0
        ties = net.ties
    return _build(net, W, net.b, net.h0, C, net.activation, net.learn_h0, ties)


def tie(net, refs):
    """A Network with the parameters ``refs`` tied (each ("W", i, j), ("b", i) or ("h0", i)).

    They are set to their mean first, so they start equal and stay equal (lecture 7b:
    "if the weights started off satisfying the constraints, they will continue to").
    """
    if isinstance(refs, (str, bytes)) or not hasattr(refs, "__iter__"):
        raise ValueError(f"refs must be a list of parameter references such as ('W', 2, 0); got {caps.quote(refs)}")
    group = []
    for r in refs:
        if not isinstance(r, (tuple, list)) or not r:
            raise ValueError(f"each reference must look like ('W', i, j), ('b', i) or ('h0', i); got {caps.quote(r)}")
        group.append((r[0], *(int(k) if isinstance(k, np.integer) else k for k in r[1:])))
    if len(group) < 2:
        raise ValueError("choose at least two parameters to tie together")
    if any(group.count(r) > 1 for r in group):  # not set(group): a bad ref may hold a list
        raise ValueError(f"each parameter can appear only once in a tie; got {group}")
    for k, existing in enumerate(net.ties):
        both = [r for r in group if r in existing]
        if both:
            raise ValueError(f"{both[0]!r} is already in tie group {k + 1}; a parameter can be in only "
                             "one tie group (untie that group first)")
    return net.tie_groups([group])


def untie(net, group_index):
    """A Network without tie group number ``group_index``; the values stay as they are."""
    if not net.ties:
        raise ValueError("there are no tied parameters to untie")
    k = index(group_index, len(net.ties), "tie group")
    return net.replace(ties=tuple(g for n, g in enumerate(net.ties) if n != k))


def set_activation(net, units, name):
    """``net`` with the activation ``name`` (one of ACTIVATIONS) on ``units`` (unit indices). All
    softmax units form one group, normalised together (docs/model.md), so the result has either
    none or at least two; whether the loss fits the new units the engine says when it is installed."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {caps.quote(name)}")
    units = _units(units, net.N)
    if not units:
        raise ValueError("choose at least one unit to give the activation")
    acts = list(net.activation)
    for i in units:
        acts[i] = name
    if acts.count("softmax") == 1:
        raise ValueError("a softmax group needs at least 2 units (all softmax units are normalised together, "
                         "and one alone is always 1); choose two or more units for softmax together")
    return net.replace(activation=acts)


# -- names for people ------------------------------------------------------------------------------
def ref_label(ref, names):
    """How a parameter reads on screen: W[h1←a] is the weight from a to h1, b[h1], h0[h1]."""
    if ref[0] == "W":
        return f"W[{names[ref[1]]}←{names[ref[2]]}]"
    return f"{ref[0]}[{names[ref[1]]}]"


def param_value(net, ref):
    """The current value of ("W", i, j), ("b", i) or ("h0", i)."""
    return float(net.W[ref[1], ref[2]] if ref[0] == "W" else (net.b if ref[0] == "b" else net.h0)[ref[1]])


def tie_label(group, names):
    return " = ".join(ref_label(r, names) for r in group)


# -- all or nothing: the state before an edit, put back if applying the edit fails -----------------
def snapshot(session, *others):
    """The param values of ``session`` and ``others`` (what is looked at: a Selection, a
    LectureMode) and the numbers of the session's net (Session.set_parameter changes it in place).
    The session's private state is its own to keep (Session.attempt)."""
    values = [(obj, {k: v for k, v in obj.param.values().items() if k != "name"}) for obj in (session, *others)]
    return values, session.net, session.net.params()


def put_back(saved):
    """Put every value back as ``snapshot`` found it without telling any watcher, so a view that
    fails to redraw cannot leave the state half restored. Returns [(object, names changed)] for
    ``announce``."""
    values, net, params = saved
    changes = []
    for obj, old in values:
        changed = [k for k, v in old.items() if getattr(obj, k) is not v]
        with param.parameterized.discard_events(obj), param.edit_constant(obj):
            obj.param.update({k: old[k] for k in changed})
        changes.append((obj, changed))
    if not np.array_equal(net.params(), params, equal_nan=True):
        net.assign(params)
        if "net" not in changes[0][1]:
            changes[0][1].append("net")
    return changes


def announce(changes):
    """Tell the watchers (the views) what ``put_back`` changed."""
    for obj, changed in changes:
        if changed:
            obj.param.trigger(*changed)
