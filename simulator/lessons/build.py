"""A lesson's network from its plain data: units named in groups, connections between groups
(every connection takes one time step), activations, ties and spectral radii (see registry.py for
the keys). ``build_network`` turns a lesson into an engine.Network; nothing runs at import.
"""
import numpy as np

from engine import Network

#: The lessons whose recurrent blocks have a spectral radius (the radius setting's, in its messages).
RADIUS_LESSONS = ("vanishing-exploding",)


def unit_layout(lesson):
    """(names, group of each unit, index lists per group), in the lesson's group order."""
    names, groups, index = [], [], {}
    for group, members in lesson["groups"].items():
        index[group] = list(range(len(names), len(names) + len(members)))
        names += list(members)
        groups += [group] * len(members)
    return names, groups, index


def connection_mask(lesson):
    """C (N, N) from the lesson's [from_group, to_group] blocks; C[i, j] is j -> i."""
    names, _, index = unit_layout(lesson)
    C = np.zeros((len(names), len(names)))  # (N, N)
    for src, dst in lesson["connections"]:
        for g in (src, dst):
            if g not in index:
                raise ValueError(f"connection names unknown group {g!r}; groups are {', '.join(index)}")
        C[np.ix_(index[dst], index[src])] = 1
    return C


def activations(lesson):
    """One activation name per unit: the group's own, else the lesson's default."""
    _, groups, _ = unit_layout(lesson)
    table = lesson.get("activation", {})
    return [table.get(g, table.get("default", "logistic")) for g in groups]


def tie_refs(lesson):
    """The lesson's tie groups with unit names resolved to indices: [[("W", i, j), ...], ...]."""
    names = unit_layout(lesson)[0]

    def index(u):
        if isinstance(u, str):
            if u not in names:
                raise ValueError(f"tie names unknown unit {u!r}; units are {', '.join(names)}")
            return names.index(u)
        return int(u)
    return [[(ref[0], *(index(u) for u in ref[1:])) for ref in group] for group in lesson.get("ties", [])]


def check_radius(lesson, radius):
    """ValueError unless ``radius`` is None/0 or ``lesson`` has chains with a spectral radius."""
    if radius and not lesson.get("spectral_radius"):
        raise ValueError(f"radius {radius:g}: this lesson has no chain with a spectral radius; expected 0 (the "
                         f"radius is a setting of {', '.join(RADIUS_LESSONS)})")


def _rescale_recurrent(net, lesson, rng, radius=None):
    """Give each group named in lesson["spectral_radius"] the same random recurrent block
    direction, scaled to that spectral radius (or every one to ``radius``: the Session's radius
    setting, which Compare mode varies), so the blocks differ only in scale."""
    radii = lesson.get("spectral_radius")
    check_radius(lesson, radius)
    if not radii:
        return net
    if radius:
        radii = dict.fromkeys(radii, float(radius))
    index = unit_layout(lesson)[2]
    sizes = {len(index[g]) for g in radii}
    if len(sizes) != 1:
        raise ValueError(f"groups with a spectral radius must have equal sizes; got {sizes}")
    n = sizes.pop()
    R = rng.standard_normal((n, n))  # (n, n): one direction for every scaled block
    R /= np.max(np.abs(np.linalg.eigvals(R)))
    W = np.array(net.W)
    for g, rho in radii.items():
        W[np.ix_(index[g], index[g])] = rho * R
    return net.replace(W=W)


def build_network(lesson, rng, activation=None, loss=None, learn_h0=None, radius=None):
    """A fresh random Network for ``lesson``; the optional arguments override the lesson's
    (``radius``: every chain's spectral radius; None or 0 keeps the lesson's radii).

    Draws W from ``rng`` first (then, only for lessons with a ``spectral_radius``, one more
    block), so lessons without those keys draw exactly what they always drew.
    """
    acts = activations(lesson)
    if activation is not None:
        # One choice for every unit that is not in a softmax group: the softmax group is the
        # lesson's structure (one-of-n outputs), not a setting.
        acts = [a if a == "softmax" else activation for a in acts]
    scale = lesson["training"].get("weight_scale", 0.5)
    learn = lesson.get("learn_h0", False) if learn_h0 is None else learn_h0
    kwargs = {"bias": False} if lesson.get("bias") is False else {}
    net = Network.random(len(acts), rng, weight_scale=scale, connections=connection_mask(lesson),
                         activation=acts, loss=loss or lesson["loss"], learn_h0=learn, **kwargs)
    net = _rescale_recurrent(net, lesson, rng, radius)
    ties = tie_refs(lesson)
    return net.tie_groups(ties) if ties else net
