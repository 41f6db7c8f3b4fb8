"""Where the recurrent picture writes each unit's value: beside its circle, clear of the arrows.

Written below every circle, a value label lay across the arrows that leave a unit downwards or
pass under it (issue 20, item 15: in 7 of 8 lessons some label crossed an arrow). Each label is
now tried at points around its circle, nearest first, and put where its box meets no arrow, no
other circle and no label already placed, and stays inside the frame; failing that, where it meets
the fewest. Labels keep their white box (network.py), so an arrow drawn later still reads under it.
Pure geometry: arrays in, arrays out.
"""
import numpy as np

#: Directions tried around a circle, most readable first: below, above, then the sides.
ANGLES = np.deg2rad([-90, 90, -60, -120, 60, 120, -30, -150, 30, 150, 0, 180, -15, -165, 15, 165, -75, -105, 75, 105])
#: Gaps (px) between a circle and its label tried in turn.
GAPS_PX = (3, 14, 30, 50)
CHAR_EM, LINE_EM = 0.6, 1.2  # a generous width per character and height per line, in ems


def label_size(chars, lines, font_px, ppu):
    """(w, h) in data units of a box holding ``lines`` lines of at most ``chars`` characters."""
    return np.c_[np.asarray(chars) * CHAR_EM * font_px, np.asarray(lines) * LINE_EM * font_px] / ppu


def segments(xs, ys):
    """(P, Q): the start and end points (S, 2) of every straight piece of the given paths."""
    P = [np.c_[x[:-1], y[:-1]] for x, y in zip(xs, ys) if len(x) > 1]
    Q = [np.c_[x[1:], y[1:]] for x, y in zip(xs, ys) if len(x) > 1]
    return (np.concatenate(P), np.concatenate(Q)) if P else (np.zeros((0, 2)), np.zeros((0, 2)))


def crossings(box, P, Q):
    """How many segments P -> Q meet the box (x0, x1, y0, y1) (Liang-Barsky clipping)."""
    x0, x1, y0, y1 = box
    d = Q - P
    t0, t1 = np.zeros(len(P)), np.ones(len(P))
    inside = np.ones(len(P), dtype=bool)
    for p, q in ((-d[:, 0], P[:, 0] - x0), (d[:, 0], x1 - P[:, 0]), (-d[:, 1], P[:, 1] - y0), (d[:, 1], y1 - P[:, 1])):
        flat = p == 0
        inside &= ~(flat & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(flat, 0.0, q / np.where(flat, 1.0, p))
        t0 = np.where(~flat & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~flat & (p > 0), np.minimum(t1, r), t1)
    return int(np.count_nonzero(inside & (t0 <= t1)))


def _meets_circle(box, centre, r):
    x0, x1, y0, y1 = box
    nx, ny = np.clip(centre[0], x0, x1), np.clip(centre[1], y0, y1)
    return np.hypot(nx - centre[0], ny - centre[1]) < r


def _overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def place(pos, radius, sizes, paths, bounds, ppu):
    """(vx, vy): the top centre of each unit's label box (text_align center, baseline top).

    pos (N, 2) and radius (N,) give the circles; sizes (N, 2) the label boxes (label_size);
    paths the arrows as (xs, ys) lists; bounds (x0, x1, y0, y1) the frame, in data units."""
    P, Q = segments(*paths)
    placed, vx, vy = [], np.zeros(len(pos)), np.zeros(len(pos))
    for n, ((cx, cy), r, (w, h)) in enumerate(zip(pos, radius, sizes)):
        best = None
        for k, (gap, a) in enumerate((g, a) for g in GAPS_PX for a in ANGLES):
            u = np.array([np.cos(a), np.sin(a)])
            reach = r + gap / ppu + abs(u[0]) * w / 2 + abs(u[1]) * h / 2  # the box's edge just clears the gap
            bx, by = cx + u[0] * reach, cy + u[1] * reach
            box = (bx - w / 2, bx + w / 2, by - h / 2, by + h / 2)
            cost = crossings(box, P, Q)
            cost += sum(_meets_circle(box, c, rr) for m, (c, rr) in enumerate(zip(pos, radius)) if m != n)
            cost += sum(_overlaps(box, o) for o in placed)
            cost += not (bounds[0] <= box[0] and box[1] <= bounds[1] and bounds[2] <= box[2] and box[3] <= bounds[3])
            if best is None or cost < best[0]:
                best = (cost, box)
            if cost == 0:
                break
        box = best[1]
        placed.append(box)
        vx[n], vy[n] = (box[0] + box[1]) / 2, box[3]
    return vx, vy
