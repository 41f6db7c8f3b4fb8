"""Large nets drawn grouped: one node per group of units (the inputs, the hidden layer, a softmax
group), one arrow per pair of groups that has connections (issue 20, item 16).

The robot writer has 24 units and 256 connections: drawn unit by unit, both pictures were a
tangle a class could not read. Grouped, the recurrent picture shows inputs -> hidden -> outputs
and the hidden layer's loop, and the unrolled one three rows whose input row spells the
sentence. ``UnitGrouping.show_all`` (a checkbox beside the pictures) draws every unit again.

``grouped_model`` builds a session-like object from the session's arrays, so the two pictures
draw it with the code that draws a small net: a group's state is its units' mean, a block of
weights (or of G_t, dW) is drawn as their root mean square with the sign of their sum. Small
nets (every other lesson) are never grouped and draw exactly as before.
"""
from types import SimpleNamespace

import numpy as np
import param

from simulator.state import probe

#: A net is drawn grouped when it has more units or connections than this (and >= 2 groups).
GROUP_ABOVE_UNITS = 16
GROUP_ABOVE_CONNECTIONS = 120


class UnitGrouping(param.Parameterized):
    """Whether a large net's pictures show every unit (shared by both pictures)."""

    show_all = param.Boolean(default=False, label="Draw every unit",
                             doc="Draw a large net unit by unit instead of one node per group of units.")
    expanded = param.List(default=[], item_type=str, doc="Groups drawn unit by unit while the others stay one "
                                                         "node each (a click on a group's node opens it).")
    collapse = param.Action(lambda self: self.param.update(expanded=[]), label="Group the units again",
                            doc="Close every group opened by a click: one node per group again.")

    def __init__(self, **params):
        super().__init__(**params)
        self._made = (None, None)  # (the session's arrays it was made from, the grouped model)
        self._fixed = {}  # grouped_model's parts that change only with the structure and the cases

    def model(self, session, selection):
        """What the pictures draw: the session itself, or its grouped model (made once per change
        of the arrays shown, shared by both pictures), of a typed sequence while one is shown."""
        if self.show_all or not is_large(session.net, session.unit_groups):
            return session
        seq, grads = probe.stack(session, selection)
        made_from = (session.net, seq, grads, (tuple(session.unit_names), tuple(self.expanded)))
        old, model = self._made
        if old is None or any(a is not b for a, b in zip(old[:3], made_from[:3])) or old[3] != made_from[3]:
            model = grouped_model(SimpleNamespace(net=session.net, sequences=seq, gradients=grads,
                                                  unit_names=session.unit_names, unit_groups=session.unit_groups),
                                  self.expanded, cache=self._fixed)
            self._made = (made_from, model)
        return model

    def toggle(self, group):
        """Open a group's node into its units, or close it again."""
        self.expanded = [g for g in self.expanded if g != group] if group in self.expanded else [*self.expanded, group]


def group_members(groups):
    """(group names in first-seen order, list of member index arrays)."""
    names = list(dict.fromkeys(groups))
    return names, [np.flatnonzero(np.asarray(groups, dtype=object) == g) for g in names]


def is_large(net, groups):
    """Whether the net is large enough to be drawn grouped and has groups to draw."""
    big = net.N > GROUP_ABOVE_UNITS or int(np.count_nonzero(net.C)) > GROUP_ABOVE_CONNECTIONS
    return big and len(set(groups)) >= 2 and len(groups) == net.N


def _block(values, C, members):
    """(..., G, G): each block's root mean square over its connections, signed by their sum."""
    G = len(members)
    out = np.zeros(values.shape[:-2] + (G, G))
    for a, ia in enumerate(members):
        for b, jb in enumerate(members):
            i, j = np.nonzero(C[np.ix_(ia, jb)])
            if len(i) == 0:
                continue
            v = values[..., ia[i], jb[j]]  # (..., n): the block's connections
            with np.errstate(all="ignore"):
                out[..., a, b] = np.sign(v.sum(-1)) * np.sqrt((v * v).sum(-1) / len(i))
    return out


def _mean(values, members):
    """(..., G): the mean over each group's units of (..., N)."""
    with np.errstate(all="ignore"):
        return np.stack([values[..., m].mean(-1) for m in members], -1)


def _named(values, members, names, where):
    """(..., G) names: the member with the largest value where ``where`` (..., G) holds, else ''."""
    out = np.full(where.shape, "", dtype=object)
    for g, m in enumerate(members):
        top = np.asarray(names, dtype=object)[m][np.argmax(np.nan_to_num(values[..., m], nan=-np.inf), -1)]
        out[..., g] = np.where(where[..., g], top, "")
    return out


def _nodes(groups, unit_names, expanded):
    """(names, members, group per node, whether each node is a closed group): one node per group,
    and one per unit of each group in ``expanded``."""
    names, members, node_group = [], [], []
    for name, m in zip(*group_members(groups)):
        opened = name in expanded
        names += [unit_names[i] for i in m] if opened else [name]
        members += [np.array([i]) for i in m] if opened else [m]
        node_group += [name] * (len(m) if opened else 1)
    return names, members, node_group, np.array([g not in expanded for g in node_group], dtype=bool)


def grouped_model(session, expanded=(), cache=None):
    """A session-like namespace (net, sequences, gradients, unit_names, unit_groups) of the
    session's net with one unit per group (a group in ``expanded``: one per unit of it), plus
    ``members`` (index arrays), ``group_of`` (N,), ``node_group`` and ``is_group`` per node, and
    ``words``: per (case, time, group) the name of the input unit that is on (a clamped one-hot
    group) or of the most active unit (a group with targets), else '' (and for a single unit).
    ``cache`` (a dict the caller keeps) holds what depends only on the structure and the cases,
    about half of the work at the caps (~8 ms a frame): made again when they change."""
    net, seq, g = session.net, session.sequences, session.gradients
    unit_names = list(session.unit_names) if len(session.unit_names) == net.N else [f"u{i}" for i in range(net.N)]
    key = (np.asarray(net.C).tobytes(), tuple(net.activation), tuple(session.unit_groups), tuple(unit_names),
           tuple(expanded))
    if cache is not None and cache.get("seq") is seq and cache.get("key") == key:
        fixed = cache["fixed"]
    else:
        fixed = _fixed(net, seq, session.unit_groups, unit_names, expanded)
        if cache is not None:
            cache.update(seq=seq, key=key, fixed=fixed)
    f = SimpleNamespace(**fixed)
    C, members = f.C, f.members
    gnet = SimpleNamespace(N=len(f.names), C=f.Cg, W=_block(np.asarray(net.W), C, members), ties=(),
                           activation=f.activation)
    ggrads = SimpleNamespace(loss=g.loss, dW=_block(g.dW, C, members), dW_by_step=_block(g.dW_by_step, C, members),
                             states=_mean(g.states, members), net_inputs=_mean(g.net_inputs, members),
                             ds=_mean(g.ds, members), dz=_mean(g.dz, members))
    words = np.where(f.one_hot, f.input_words, _named(g.states, members, unit_names, f.shown_active))
    return SimpleNamespace(net=gnet, sequences=f.gseq, gradients=ggrads, unit_names=f.names, unit_groups=f.node_group,
                           members=members, group_of=f.group_of, words=words, targets=f.targets,
                           node_group=f.node_group, is_group=f.is_group)


def _fixed(net, seq, groups, unit_names, expanded):
    """The parts of grouped_model that depend on the structure and the cases, not on the weights."""
    names, members, node_group, is_group = _nodes(groups, unit_names, expanded)
    group_of = np.empty(net.N, dtype=int)
    for k, m in enumerate(members):
        group_of[m] = k
    C = np.asarray(net.C)
    Cg = np.array([[float(np.any(C[np.ix_(a, b)] != 0)) for b in members] for a in members])  # (G, G)
    acts = np.asarray(net.activation, dtype=object)
    K = np.stack([(seq.K[..., m] > 0).all(-1) for m in members], -1)  # (B, T+1, G): the whole group clamped
    M = np.stack([(seq.M[..., m] > 0).any(-1) for m in members], -1)
    gseq = SimpleNamespace(T=seq.T, B=seq.B, K=K.astype(float), M=M.astype(float), X=_mean(seq.X, members),
                           Y=_mean(seq.Y, members), target_units=np.array([seq.target_units[m].any() for m in members]))
    one_hot = K & is_group & np.stack([np.isclose(seq.X[..., m].sum(-1), 1.0) & (seq.X[..., m].max(-1) == 1)
                                       for m in members], -1)
    return dict(names=names, members=members, node_group=node_group, is_group=is_group, group_of=group_of, C=C,
                Cg=Cg, activation=["tanh" if np.any(acts[m] == "tanh") else acts[m[0]] for m in members],
                gseq=gseq, one_hot=one_hot, input_words=_named(seq.X, members, unit_names, one_hot),
                shown_active=M.any(1, keepdims=True) & ~K & is_group, targets=_named(seq.Y, members, unit_names, M))


def real_weight(model, i, j):
    """The session's weight (i, j) that the drawn arrow between nodes i and j is, or None when
    one end is a closed group (the arrow stands for a block of weights)."""
    members = getattr(model, "members", None)
    if members is None:
        return (i, j)  # the session itself: a unit per node
    if len(members[i]) != 1 or len(members[j]) != 1 or model.is_group[i] or model.is_group[j]:
        return None
    return int(members[i][0]), int(members[j][0])


def tap_node(grouping, model, k):
    """A click on drawn node ``k``: a closed group opens (None is returned), a unit gives its index
    in the session's net."""
    members = getattr(model, "members", None)
    if members is None:
        return k
    if model.is_group[k]:
        grouping.toggle(model.node_group[k])
        return None
    return int(members[k][0])


def group_pair(model, weight):
    """The (group, group) of a selected weight (i, j) in a grouped model, else None."""
    if weight is None:
        return None
    i, j = weight
    N = len(model.group_of)
    return (int(model.group_of[i]), int(model.group_of[j])) if 0 <= i < N and 0 <= j < N else None


def group_unit(model, unit):
    """The (t, group) of a selected unit (t, i) in a grouped model, else None."""
    if unit is None or not 0 <= unit[1] < len(model.group_of):
        return None
    return (unit[0], int(model.group_of[unit[1]]))


def detour_bends(pos, i_idx, j_idx, radius, bend=0.14, detour=-0.6):
    """(E,) bends for recurrent_paths: an arrow whose straight line would cross another node
    (inputs -> outputs past the hidden layer, all on one line) curves around it, below (the
    hidden layer's own loop is above it)."""
    out = np.full(len(i_idx), bend)
    for k, (i, j) in enumerate(zip(i_idx, j_idx)):
        if i == j:
            continue
        p0, d = pos[j], pos[i] - pos[j]
        s = np.clip(((pos - p0) @ d) / max(float(d @ d), 1e-12), 0.0, 1.0)  # (N,): nearest point on the line
        gap = np.hypot(*(pos - (p0 + s[:, None] * d)).T)
        others = np.ones(len(pos), dtype=bool)
        others[[i, j]] = False
        if np.any(others & (gap < 1.6 * radius)):
            out[k] = detour
    return out
