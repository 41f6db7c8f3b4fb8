"""Where the recurrent picture writes each unit's value: beside its circle, clear of the arrows.

Written below every circle, a value label lay across the arrows that leave a unit downwards or
pass under it (issue 20, item 15: in 7 of 8 lessons some label crossed an arrow). Each label is
now tried at points around its circle, nearest first, and put where its box meets no arrow, no
other circle and no label already placed, and stays inside the frame; failing that, where it
crosses the fewest arrows while inside the frame and clear of the other labels (a ring of units
in a narrow frame may leave no free place for the backward pass's wider "d ..." labels). Labels
keep their white box (network.py). Boxes are sized for the widest text a unit's label can hold
(``widest``), so they do not move while the numbers change. Pure geometry: arrays in, arrays out;
~0.1-0.2 s for the two ring lessons at a geometry build (a lesson switch, a resize), ~10 ms else.
"""
import numpy as np

from simulator.views.style import fmt

#: Directions tried around a circle, most readable first: below, above, then the sides.
ANGLES = np.deg2rad([-90, 90, -60, -120, 60, 120, -30, -150, 30, 150, 0, 180, -15, -165, 15, 165, -75, -105, 75, 105,
                     -45, -135, 45, 135])
#: Gaps (px) between a circle and its label tried in turn.
GAPS_PX = (3, 9, 16, 24, 34, 46)
CHAR_EM, LINE_EM = 0.6, 1.2  # a generous width per character and height per line, in ems


def widest(seq, grouped=False):
    """(forward, backward, target) (N,) characters of each unit's widest label line: its value
    as network.py writes it ("in 0.0513", "-0.53", "d -1.2e-05", a group's "mean -0.53") and its
    "target ..." line (0 for a unit without targets). The labels' places are chosen for these."""
    K, M = seq.K > 0, seq.M > 0
    N = K.shape[-1]
    clamped = [max((len(f"in {fmt(x, 3)}") for x in np.unique(seq.X[..., n][K[..., n]])), default=0) for n in range(N)]
    forward = np.array([c if K[..., n].all() else max(c, 8) for n, c in enumerate(clamped)])  # "-1.2e-05"
    target = np.array([max((len(f"target {fmt(y, 3)}") for y in np.unique(seq.Y[..., n][M[..., n]])), default=0)
                       for n in range(N)])
    if grouped:  # "mean -0.53", "top h", "target →r": short words, a mean's number
        forward, target = np.maximum(forward, 10), np.where(target > 0, 12, 0)
    return forward, np.full(N, 10), target


def label_size(chars, lines, font_px, ppu):
    """(w, h) in data units of a box holding ``lines`` lines of at most ``chars`` characters."""
    return np.c_[np.asarray(chars) * CHAR_EM * font_px, np.asarray(lines) * LINE_EM * font_px] / ppu


def segments(xs, ys):
    """(P, Q): the start and end points (S, 2) of every straight piece of the given paths."""
    P = [np.c_[x[:-1], y[:-1]] for x, y in zip(xs, ys) if len(x) > 1]
    Q = [np.c_[x[1:], y[1:]] for x, y in zip(xs, ys) if len(x) > 1]
    return (np.concatenate(P), np.concatenate(Q)) if P else (np.zeros((0, 2)), np.zeros((0, 2)))


def crossings(box, P, Q):
    """How many segments P -> Q meet the box (x0, x1, y0, y1)."""
    return int(crossings_many(np.asarray([box], dtype=float), P, Q)[0])


def crossings_many(boxes, P, Q):
    """(C,): how many segments P -> Q (S, 2) meet each box (C, 4) of x0, x1, y0, y1: Liang-Barsky
    clipping of every segment against every box at once."""
    x0, x1, y0, y1 = (boxes[:, k:k + 1] for k in range(4))  # (C, 1)
    d = Q - P
    t0, t1 = np.zeros((len(boxes), len(P))), np.ones((len(boxes), len(P)))
    inside = np.ones((len(boxes), len(P)), dtype=bool)
    for p, q in ((-d[:, 0], P[:, 0] - x0), (d[:, 0], x1 - P[:, 0]), (-d[:, 1], P[:, 1] - y0), (d[:, 1], y1 - P[:, 1])):
        flat = p == 0  # (S,): parallel to this edge: inside it or never
        inside &= ~(flat & (q < 0))
        r = q / np.where(flat, 1.0, p)
        t0 = np.where(~flat & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~flat & (p > 0), np.minimum(t1, r), t1)
    return np.count_nonzero(inside & (t0 <= t1), axis=1)


def place(pos, radius, sizes, paths, bounds, ppu):
    """(vx, vy): the top centre of each unit's label box (text_align center, baseline top).

    pos (N, 2) and radius (N,) give the circles; sizes (N, 2) the label boxes (label_size);
    paths the arrows as (xs, ys) lists; bounds (x0, x1, y0, y1) the frame, in data units.
    Labels are placed one by one; those that found no free place go first in a second and a
    third try (a label placed earlier may have taken their only room), and the best try is kept."""
    P = segments(*paths)
    order, best = list(range(len(pos))), None
    for _ in range(3):
        boxes, costs = _place_in_order(order, pos, radius, sizes, P, bounds, ppu)
        if best is None or sum(costs) < sum(best[1]):
            best = (boxes, costs)
        if not any(costs):
            break
        order = sorted(order, key=lambda n: -costs[n])  # stable: the rest keep their order
    boxes = best[0]
    return np.array([(b[0] + b[1]) / 2 for b in boxes]), np.array([b[3] for b in boxes])


def _place_in_order(order, pos, radius, sizes, segs, bounds, ppu):
    """(box per unit, cost per unit) placing the labels in ``order``, each at its cheapest point."""
    P, Q = segs
    boxes, costs, placed = [None] * len(pos), [0] * len(pos), np.zeros((0, 4))
    u = np.c_[np.cos(ANGLES), np.sin(ANGLES)]  # (A, 2)
    for n in order:
        (cx, cy), r, (w, h) = pos[n], radius[n], sizes[n]
        best = None
        for gap in GAPS_PX:  # the nearest ring of places that has a free one wins
            reach = r + gap / ppu + np.abs(u[:, 0]) * w / 2 + np.abs(u[:, 1]) * h / 2  # the box's edge clears the gap
            bx, by = cx + u[:, 0] * reach, cy + u[:, 1] * reach
            cand = np.c_[bx - w / 2, bx + w / 2, by - h / 2, by + h / 2]  # (A, 4)
            # A label cut by the frame's edge or lying on another is worse than one over an arrow
            # (its white box keeps it readable there): those count as many crossed pieces of arrow.
            cost = crossings_many(cand, P, Q)
            near = np.hypot(np.clip(pos[:, 0], cand[:, :1], cand[:, 1:2]) - pos[:, 0],
                            np.clip(pos[:, 1], cand[:, 2:3], cand[:, 3:4]) - pos[:, 1]) < radius  # (A, N)
            near[:, n] = False
            cost = cost + 10 * near.sum(1)
            cost = cost + 100 * ((cand[:, None, 0] < placed[None, :, 1]) & (placed[None, :, 0] < cand[:, None, 1])
                                 & (cand[:, None, 2] < placed[None, :, 3]) & (placed[None, :, 2] < cand[:, None, 3])).sum(1)
            cost = cost + 100 * ~((bounds[0] <= cand[:, 0]) & (cand[:, 1] <= bounds[1]) & (bounds[2] <= cand[:, 2])
                                  & (cand[:, 3] <= bounds[3]))
            k = int(np.argmin(cost))  # the first cheapest: the most readable direction
            if best is None or cost[k] < best[0]:
                best = (int(cost[k]), tuple(cand[k]))
            if best[0] == 0:
                break
        costs[n], boxes[n] = best
        placed = np.vstack([placed, best[1]])
    return boxes, costs
