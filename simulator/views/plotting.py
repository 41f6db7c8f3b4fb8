"""Small helpers shared by the gradient, matrix and curve views: readable figures, unit and
weight names, and axis ranges that change rarely (BROWSER.md: every range change is a redraw,
and an automatic range makes the browser send a patch back for every streamed update)."""
import numpy as np
from bokeh.models import FixedTicker

def readable(fig):
    """Fonts big enough for a projector, no toolbar clutter (shared by the views in this package)."""
    fig.title.text_font_size = "14px"
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_label_text_font_size = "13px"
        axis.major_label_text_font_size = "12px"
        axis.axis_label_text_font_style = "normal"
    fig.toolbar_location = None
    fig.outline_line_color = None
    return fig


def weight_name(names, i, j):
    """'h1←a': the connection from unit j to unit i, named as the pictures name units."""
    return f"{names[i]}←{names[j]}"


def first_connection(C):
    """The first existing connection (i, j) in row order, or None in a net without any."""
    found = np.argwhere(np.asarray(C) != 0)
    return None if len(found) == 0 else (int(found[0][0]), int(found[0][1]))


def padded_range(rng, lo, hi, pad=0.18):
    """Set a Range1d to contain [lo, hi] and 0 with room for labels, but only when it must
    change a lot: the browser redraws the axis on every change (BROWSER.md: few range updates)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or 1.0
    want = (lo - pad * span if lo < 0 else 0.0, hi + pad * span if hi > 0 else 0.0)
    if want == (0.0, 0.0):
        want = (-1.0, 1.0)
    start, end = rng.start, rng.end
    fits = start <= want[0] and want[1] <= end
    too_loose = (end - start) > 3 * (want[1] - want[0])
    if not fits or too_loose:
        rng.update(start=want[0], end=want[1])


NICE = (1.0, 2.0, 5.0)


def nice_log_bounds(lo, hi):
    """Bounds from the 1-2-5 series just outside [lo, hi] (lo, hi > 0): they change only when
    the data cross one of those values, so a log axis moves a few times per run."""
    def below(v):
        k = np.floor(np.log10(v))
        return max(m * 10 ** k for m in NICE if m * 10 ** k <= v * (1 + 1e-12))
    def above(v):
        k = np.floor(np.log10(v))
        return min(m * 10 ** q for q in (k, k + 1) for m in NICE if m * 10 ** q >= v * (1 - 1e-12))
    start, end = below(lo / 1.2), above(hi * 1.2)  # room for the markers at the ends
    return float(start), float(end if end > start else above(start * 1.01))


def log_ticks(start, end, most=6):
    """Tick values for a log axis, at most ``most`` of them (a chart 260 px tall has room for
    about six labels): the densest of 1..9, 1-2-5, 1-3 or 1 per decade, else every k-th decade,
    that stays within ``most``, so labels never pile up (Bokeh's own log ticker crowds a short range)."""
    k0, k1 = int(np.floor(np.log10(start))), int(np.ceil(np.log10(end)))

    def ticks(mults, every=1):
        values = [m * 10.0 ** k for k in range(k0, k1 + 1) if k % every == 0 for m in mults]
        return [float(f"{t:.12g}") for t in values if start * (1 - 1e-9) <= t <= end * (1 + 1e-9)]
    for mults in (range(1, 10), NICE, (1, 3), (1,)):
        if len(ticks(mults)) <= most:
            return ticks(mults)
    every = 2
    while len(ticks((1,), every)) > most:
        every += 1
    return ticks((1,), every)


def log_range(rng, axis, values):
    """Fit a log-axis Range1d (and its axis's ticks) to the positive finite ``values``, touching
    the models only when the bounds change. Returns False when no value is positive."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return False
    start, end = nice_log_bounds(v.min(), v.max())
    if (rng.start, rng.end) != (start, end):
        rng.update(start=start, end=end)
        # Change the ticker's ticks, never the ticker: a new model makes Bokeh walk the whole
        # document for references (measured: 9 ms per call while training).
        if isinstance(axis.ticker, FixedTicker):
            axis.ticker.ticks = log_ticks(start, end)
        else:
            axis.ticker = FixedTicker(ticks=log_ticks(start, end))
    return True


def columns(rows, *names):
    """The first fields of ``rows`` (tuples of numbers) as float64 columns named ``names``. A curve's new
    points then leave a frame as one binary buffer per column; as lists, Bokeh encodes them
    number by number (two curves of ~150 updates a frame: ~600 numbers, most of a frame's
    message-making time)."""
    if not len(rows):
        return {name: np.zeros(0) for name in names}
    table = np.array(rows, dtype=float).reshape(len(rows), -1)
    return {name: np.ascontiguousarray(table[:, k]) for k, name in enumerate(names)}


class ThinnedCurve:
    """A line's source showing every ``stride``-th entry of a growing record (the loss history,
    the gradient norms), at most ``most`` points: the stride doubles, and the line is redrawn
    whole from the record, each time it would hold more. Play adds ~750 points a second to the
    default lesson's curves; unthinned, the server copied and the page repainted every point of
    the line on every frame, more with each minute of a lecture. Entries k with k % stride == 0
    are shown, so a thinned line still starts at the first entry; its end may lag the newest
    entry by up to stride - 1 updates (the loss curve's marker shows the current E)."""

    def __init__(self, source, names, most=4_000):
        self.source, self.names, self.most, self.stride = source, names, most, 1

    def show(self, record, start):
        """Show ``record``, of which ``record[:start]`` is shown already (``start = 0``: draw it anew)."""
        if start == 0:
            self.stride = 1
        if start == 0 or -(-len(record) // self.stride) > self.most:
            while -(-len(record) // self.stride) > self.most:
                self.stride *= 2
            self.source.data = columns(record[::self.stride], *self.names)
            return
        first = -(-start // self.stride) * self.stride  # the first multiple of stride from start
        picked = record[first::self.stride]
        if picked:
            self.source.stream(columns(picked, *self.names))
