"""Shared geometry, styling and linking for the two pictures of the net (recurrent and unrolled).

Both pictures draw the same weights, so they share one rule for how a weight looks (colour by
sign or tie group, width by |w|), one rule for what the pass animation shows at a tick, and one
piece of browser code that lights a weight and all its T copies in both pictures at once.
Nothing here keeps state: every function maps arrays to arrays or builds fresh Bokeh objects.
"""
import re
from collections import namedtuple

import numpy as np
from bokeh.document.events import ColumnDataChangedEvent
from bokeh.models import CustomJS, CustomJSHover, CustomJSTransform, HoverTool, TapTool
from bokeh.transform import transform

from simulator.state import probe
from simulator.state.selection import pass_frame
from simulator.views import style
from simulator.views.text import esc

FONT = "13pt"        # labels on a projector
SMALL_FONT = "12pt"  # the smallest text we draw
EDGE_NAMES = ("network_edges", "unrolled_edges")  # the edge sources the link code lights
FADE = 0.18          # alpha of things the current frame is not about

# What the pictures show for the current (tick, time, case): see selection.pass_frame.
Frame = namedtuple("Frame", "phase upto start T case time")


def current_frame(session, selection):
    """The pass phase, its columns, and the case and time clipped to the batch shown (a typed one: probe.stack)."""
    seq = probe.stack(session, selection)[0]
    T = seq.T
    phase, upto, start = pass_frame(selection.tick, T)
    case = min(max(selection.case, 0), seq.B - 1)
    time = min(max(selection.time, 0), T)
    return Frame(phase, upto, start, T, case, time)


def frame_time(frame):
    """The time step the recurrent picture shows: the column the animation is working on."""
    if frame.phase == "forward":
        return frame.upto
    if frame.phase == "backward":
        return frame.start
    return frame.time


# -- placing units ------------------------------------------------------------------------------
def side_of(group):
    """-1 for input groups (drawn left / bottom), +1 for output groups (right / top), 0 else."""
    words = set(re.findall(r"[a-z]+", str(group).lower()))
    if words & {"in", "input", "inputs"}:
        return -1
    return 1 if words & {"out", "output", "outputs"} else 0


def row_order(groups):
    """Unit indices from bottom to top of the unrolled picture: inputs, hidden, outputs."""
    return sorted(range(len(groups)), key=lambda i: (side_of(groups[i]), i))


def recurrent_positions(groups):
    """(pos (N, 2), outward (N, 2)): inputs in a column on the left, outputs on the right,
    the others on a ring in the middle so that every connection between them is visible."""
    N = len(groups)
    pos, out = np.zeros((N, 2)), np.zeros((N, 2))
    sides = np.array([side_of(g) for g in groups])
    mid = np.flatnonzero(sides == 0)
    n = len(mid)
    radius = 0.0 if n <= 1 else (0.55 if n == 2 else 0.62 / np.sin(np.pi / n))
    for k, i in enumerate(mid):
        if n == 2:  # two hidden units: one above the other
            pos[i], out[i] = (0.0, 0.55 - 1.1 * k), (0.0, 1.0 - 2.0 * k)
        else:
            a = np.pi / 2 + 2 * np.pi * k / max(n, 1)
            pos[i] = radius * np.cos(a), radius * np.sin(a)
            out[i] = (np.cos(a), np.sin(a)) if n > 1 else (0.0, 1.0)
    for side in (-1, 1):
        idx = np.flatnonzero(sides == side)
        for k, i in enumerate(idx):
            pos[i] = side * (radius + 1.35), (len(idx) - 1) / 2 * 1.1 - 1.1 * k
            out[i] = (side, 0.0)
    return pos, out


def edge_list(C):
    """(i, j) of every connection j -> i that exists, as int arrays in row-major order."""
    i, j = np.nonzero(np.asarray(C) != 0)
    return i.astype(int), j.astype(int)


def _trim(points, centre, radius, from_start):
    """Drop the points of a path that lie inside a circle at one end, keeping at least two.

    Two are needed for the arrowhead's direction. Many units in one column (a document with 32
    inputs, or inputs added one by one) shrink the spacing below the circles' size, so a short
    path can lie wholly inside its end circles; it is then drawn as its two end-most points.
    """
    outside = np.hypot(*(points - centre).T) >= radius
    if from_start:
        k = int(np.argmax(outside)) if outside.any() else len(points)
        return points[min(k, len(points) - 2):]
    k = len(points) - int(np.argmax(outside[::-1])) if outside.any() else 0
    return points[:max(k, 2)]


def recurrent_paths(pos, out, i_idx, j_idx, radius, bend=0.14, samples=24, loop=0.24):
    """Curved paths j -> i that stop at the circles (radius (N,) in data units), with the
    arrowhead position and angle; a self-connection is a small loop on the unit's outer side.
    ``bend`` is one number or one per path (E,).

    Returns xs, ys (lists of arrays), head_x, head_y, head_angle (E,) and mid (E, 2): the point
    halfway along each path (where the link code's hit line sits).
    """
    xs, ys, hx, hy, ha, mid = [], [], [], [], [], []
    s = np.linspace(0.0, 1.0, samples)[:, None]
    for k, (i, j) in enumerate(zip(i_idx, j_idx)):
        if i == j:
            c = pos[i] + out[i] * (radius[i] + 0.55 * loop)
            back = np.arctan2(*(pos[i] - c)[::-1])
            a = back + np.linspace(0.0, 2 * np.pi, 2 * samples)
            pts = c + loop * np.c_[np.cos(a), np.sin(a)]
            pts = _trim(_trim(pts, pos[i], radius[i] * 1.05, True), pos[i], radius[i] * 1.12, False)
        else:
            p0, p2 = pos[j], pos[i]
            d = p2 - p0
            ctrl = (p0 + p2) / 2 + np.broadcast_to(bend, len(i_idx))[k] * np.array([-d[1], d[0]])  # left of j -> i
            pts = (1 - s) ** 2 * p0 + 2 * (1 - s) * s * ctrl + s ** 2 * p2  # quadratic Bezier
            pts = _trim(_trim(pts, p0, radius[j] * 1.05, True), p2, radius[i] * 1.12, False)
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        tip, before = pts[-1], pts[-2]
        hx.append(tip[0])
        hy.append(tip[1])
        ha.append(np.arctan2(tip[1] - before[1], tip[0] - before[0]))
        mid.append(pts[len(pts) // 2])
    return xs, ys, np.array(hx), np.array(hy), np.array(ha), np.array(mid).reshape(-1, 2)


# -- styling ------------------------------------------------------------------------------------
def tie_groups(net, i_idx, j_idx):
    """Tie group number (or -1) of each connection (i_idx[k], j_idx[k])."""
    table = np.full((net.N, net.N), -1, dtype=int)
    for g, group in enumerate(net.ties):
        for ref in group:
            if ref[0] == "W":
                table[int(ref[1]), int(ref[2])] = g
    return table[np.asarray(i_idx, dtype=int), np.asarray(j_idx, dtype=int)]


def tie_text(ties):
    """The tooltip's "tied" column: "no" or "group k" per connection."""
    return ["no" if g < 0 else f"group {g + 1}" for g in ties]


# -- how much a picture draws -------------------------------------------------------------------
#: Arrows the recurrent picture draws, and weight copies (T per weight) the unrolled one draws.
#: Every lesson fits (the robot writer: 256 arrows, 2,560 copies); a net at the caps has 5,184
#: connections and 311,040 copies, which took seconds of the shared event loop per Step and
#: megabytes per frame (issue 21). Beyond these, a picture draws the largest weights.
MAX_ARROWS = 600
MAX_COPIES = 3000


def drawn_edges(net, limit, keep=None):
    """(i, j) int arrays of the connections a picture draws, in row-major order: every one if
    there are at most ``limit``, else the ``limit`` with the largest |W| now, and ``keep`` (the
    selected weight) if it exists."""
    i, j = edge_list(net.C)
    if len(i) <= limit:
        return i, j
    order = np.argsort(-np.abs(net.W[i, j]), kind="stable")[:limit]
    if keep is not None:
        hit = np.flatnonzero((i == keep[0]) & (j == keep[1]))
        if len(hit) and hit[0] not in order:
            order[-1] = hit[0]
    order = np.sort(order)
    return i[order], j[order]


def drawn_note(net, drawn, what="weights"):
    """'' when a picture draws every connection, else a line saying which it draws."""
    total = int(np.count_nonzero(net.C))
    if drawn >= total:
        return ""
    return f"showing the {drawn} largest of {total} {what} (and the selected one)"


def sign_colours(values, ties=None):
    """POSITIVE/NEGATIVE by sign; a tied weight takes its tie group's colour instead."""
    cols = np.where(np.asarray(values) >= 0, style.POSITIVE, style.NEGATIVE).astype(object)
    if ties is not None:
        tied = ties >= 0
        cols[tied] = [style.TIE_COLOURS[g % len(style.TIE_COLOURS)] for g in ties[tied]]
    return cols


def by_sign(negative, positive, column="colour"):
    """A dataspec that is ``negative`` where ``column`` holds style.NEGATIVE, else ``positive``:
    worked out in the browser from the colour already sent (a line's dash, a square's hatch)."""
    code = f"return xs.map((c) => c === {style.NEGATIVE!r} ? {negative!r} : {positive!r})"
    return transform(column, CustomJSTransform(v_func=code))


def widths(values, scale, thin=1.2, thick=8.0):
    """Line widths from |value|: thin at 0, thick at |value| >= scale."""
    s = float(scale) if scale > 0 else 1.0
    return thin + (thick - thin) * np.clip(np.abs(values) / s, 0.0, 1.0)


def weight_scale(W):
    """The |w| drawn thickest: the largest weight, but at least 1 so small nets look thin."""
    return max(1.0, float(np.max(np.abs(W))) if np.size(W) else 1.0)


def grad_scale(values):
    m = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return m if m > 0 else 1.0


_GREYS = np.array([f"#{x:02x}{x:02x}{x:02x}" for x in range(256)], dtype=object)


def activity_fill(values, acts):
    """Greys for activities (white = bottom of the unit's range, black = top), per unit."""
    v = np.asarray(values, dtype=float)
    lo = np.where(np.asarray(acts) == "tanh", -1.0, 0.0)
    # A diverged net's NaN states are drawn white (nan_to_num): a NaN cast to int is undefined.
    f = np.clip(np.nan_to_num((v - lo) / (1.0 - lo)), 0.0, 1.0)
    return _GREYS[(255 - np.round(f * 255)).astype(int)]


def ink(fills):
    """Black or white text, whichever reads better on each fill colour (worked out once per
    distinct colour: a picture at the caps has thousands of cells but few colours)."""
    colours, where = np.unique(np.asarray(fills, dtype=object).ravel().astype(str), return_inverse=True)
    out = []
    for f in colours:
        r, g, b = (int(f[k:k + 2], 16) for k in (1, 3, 5))
        out.append("black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white")
    return np.array(out, dtype=object)[where.ravel()] if len(colours) else np.array([], dtype=object)


# "No value here" in a tooltip column (z at t = 0, a target where there is none, G at t = 0),
# shown as "—". Not NaN: Bokeh prints "NaN" for a NaN before any formatter sees it.
NO_VALUE = np.inf


def number_formatter():
    """Tooltip numbers formatted in the browser like style.fmt (4 significant digits, no
    trailing noise), "—" for NO_VALUE. Sending float arrays instead of strings keeps each
    frame's update small."""
    return CustomJSHover(code="return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '—';")


def tooltips(rows):
    """(tooltips, formatters) from (label, field, numeric?) rows."""
    fmt = number_formatter()
    tips = [(label, f"@{field}{{custom}}" if numeric else f"@{field}") for label, field, numeric in rows]
    return tips, {f"@{field}": fmt for _, field, numeric in rows if numeric}


def patch(source, columns):
    """Send only the columns whose values changed, in one event: in a document, the event
    ``source.data.update`` sends, without update comparing and validating every column again
    (0.25 -> 0.15 ms for a picture's two patches a frame)."""
    old = source.data
    changed = {key: new for key, new in columns.items()
               if (cur := old.get(key)) is None or len(cur) != len(new) or not _same(cur, new)}
    if changed and source.document is None:
        old.update(changed)
    elif changed:
        dict.update(old, changed)
        hint = ColumnDataChangedEvent(source.document, source, "data", cols=list(changed))
        source.trigger("data", old, old, hint=hint)
    return changed


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a.shape == b.shape and bool(np.all(a == b))


def style_figure(fig):
    """Projector-sized fonts and no chrome a student could drag by accident."""
    fig.title.text_font_size = FONT
    fig.toolbar_location = None
    fig.outline_line_color = None
    fig.background_fill_color = "white"
    for ax in fig.axis:
        ax.axis_label_text_font_size = FONT
        ax.major_label_text_font_size = SMALL_FONT
        ax.axis_label_text_font_style = "normal"


# -- the legend of both pictures ---------------------------------------------------------------
# An HTML legend rather than a Bokeh one: a Bokeh legend below a figure widens the figure to
# its own fixed width (it cannot wrap), which clipped the recurrent picture and pushed the
# unrolled one off the page. HTML wraps to whatever width the pictures row has.
def line_swatch(colour, width=4, dashed=False):
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (f'<line x1="2" y1="10" x2="28" y2="10" stroke="{colour}" stroke-width="{width}"{dash} '
            'stroke-linecap="butt"/>')


def dot_swatch(fill, line, line_width=1.5):
    return f'<circle cx="15" cy="10" r="7" fill="{fill}" stroke="{line}" stroke-width="{line_width}"/>'


def ring_swatch(fill, ring):
    return (f'<circle cx="15" cy="10" r="8.5" fill="none" stroke="{ring}" stroke-width="2.5"/>'
            f'<circle cx="15" cy="10" r="5.5" fill="{fill}" stroke="#555555" stroke-width="1"/>')


def band_swatch(colour, alpha=0.4):
    return f'<rect x="8" y="1" width="14" height="18" fill="{colour}" fill-opacity="{alpha}"/>'


def legend_html(entries):
    """A wrapping row of legend entries from (label, svg swatch) pairs."""
    out = []
    for label, swatch in entries:
        out.append(f'<span class="net-legend-entry"><svg width="30" height="20" viewBox="0 0 30 20" '
                   f'aria-hidden="true">{swatch}</svg>{esc(label)}</span>')
    return f'<div class="net-legend-row">{"".join(out)}</div>'


# -- linking the two pictures in the browser ----------------------------------------------------
# Each edge source has columns i, j (the weight W[i, j] it draws), sel (1 on the selected
# weight, set by the server), alpha0 (the alpha the server wants) and hl / alpha (what is
# drawn). Hovering an edge lights every edge with the same (i, j) in every source named in
# EDGE_NAMES and fades the rest; leaving it falls back to the selected weight. This runs in
# the browser alone (no server round trip) and writes the arrays in place, which Bokeh does
# not send back to the server.
_LINK_CODE = """
let key = null;
const hit = leaving ? null : cb_data;
if (hit != null && hit.index != null && hit.index.indices.length > 0) {
  const idx = hit.index.indices;
  const k = idx[idx.length - 1];  // the nearest line is the last one hit
  key = [me.data.i[k], me.data.j[k]];
}
for (const name of names) {
  let src = null;
  try { src = me.document.get_model_by_name(name); } catch (e) { src = null; }
  if (src == null) { continue; }
  const d = src.data, n = d.hl.length;
  let any = false, changed = false;
  for (let m = 0; m < n; m++) {
    const on = (key == null ? d.sel[m] > 0 : (d.i[m] == key[0] && d.j[m] == key[1])) ? 1 : 0;
    changed = changed || d.hl[m] != on;
    d.hl[m] = on;
    any = any || on > 0;
  }
  if (!changed) { continue; }  // mouse moves along one edge: nothing to redraw
  for (let m = 0; m < n; m++) {
    d.alpha[m] = (any && !d.hl[m]) ? d.alpha0[m] * 0.3 : d.alpha0[m];
  }
  src.change.emit();
}
"""


def link_callback(source, leaving=False):
    """The CustomJS for a HoverTool on ``source``'s edges; with ``leaving``, for the figure's
    mouseleave event (forget the hovered weight, show the selected one again)."""
    return CustomJS(args=dict(me=source, names=list(EDGE_NAMES), leaving=leaving), code=_LINK_CODE)


def highlight_columns(i_idx, j_idx, alpha0, weight):
    """Server-side sel / hl / alpha for the selected weight (same rule as the browser code)."""
    if weight is None:
        sel = np.zeros(len(i_idx))
    else:
        sel = ((i_idx == weight[0]) & (j_idx == weight[1])).astype(float)
    alpha = alpha0 * 0.3 if sel.any() else alpha0.copy()
    alpha[sel > 0] = alpha0[sel > 0]
    return dict(sel=sel, hl=sel.copy(), alpha=alpha, alpha0=alpha0)


def unit_label(names, i):
    return names[i] if i < len(names) else f"unit {i}"


def add_tools(fig, edges, hit, units, renderers, edge_tips, unit_tips):
    """The same interaction in both pictures: tooltips on edges and units, tap to select, and
    the browser-side link that lights a weight's copies in every figure sharing ``edges``."""
    for r in renderers:
        r.nonselection_glyph = None  # taps must not dim anything
        r.selection_glyph = None
    e_tips, e_fmt = tooltips(edge_tips)
    u_tips, u_fmt = tooltips(unit_tips)
    fig.add_tools(HoverTool(renderers=[hit], tooltips=e_tips, formatters=e_fmt, callback=link_callback(edges)),
                  HoverTool(renderers=[units], tooltips=u_tips, formatters=u_fmt),
                  TapTool(renderers=[hit, units]))
    fig.js_on_event("mouseleave", link_callback(edges, leaving=True))
