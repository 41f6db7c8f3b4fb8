"""Colours and number formats shared by every picture, so one sign means one colour everywhere."""
import numpy as np

POSITIVE = "#c0392b"   # positive weights and derivatives (warm)
NEGATIVE = "#2c6fbb"   # negative weights and derivatives (cool)
NEUTRAL = "#bbbbbb"
CLAMP = "#27ae60"      # clamped units: inputs
TARGET = "#8e44ad"     # units with a target: outputs
HIGHLIGHT = "#f39c12"  # the selected weight and its T copies
# POSITIVE and NEGATIVE differ for every common colour vision (simulated deuteranopia and
# protanopia keep them apart) but not in greyscale, where both are mid-grey: a negative line is
# also dashed and a negative square hatched (tests/views/test_theme.py measures all three).
NEGATIVE_DASH = "10 9"  # px: long enough gaps to survive a thick line's round caps
NEGATIVE_HATCH = "right_diagonal_line"
TIE_COLOURS = ("#e67e22", "#16a085", "#d35400", "#7f8c8d", "#2980b9", "#c71585")


def signed_colour(values, scale=None):
    """Hex colours from white (0) to POSITIVE / NEGATIVE at |value| = scale (default max |v|)."""
    v = np.asarray(values, dtype=float)
    s = float(np.max(np.abs(v))) if scale is None else float(scale)
    x = np.clip(np.abs(v) / s, 0, 1) if s > 0 else np.zeros_like(v)
    out = []
    for val, f in zip(v.ravel(), x.ravel()):
        base = POSITIVE if val >= 0 else NEGATIVE
        r, g, b = (int(base[k:k + 2], 16) for k in (1, 3, 5))
        mix = lambda c: int(round(255 + (c - 255) * f))
        out.append(f"#{mix(r):02x}{mix(g):02x}{mix(b):02x}")
    return out


def activity_colour(values, activation="logistic"):
    """Greys for activities: white at the bottom of the unit's range, black at the top."""
    v = np.asarray(values, dtype=float)
    lo, hi = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
    f = np.clip((v - lo) / (hi - lo), 0, 1)
    return [f"#{c:02x}{c:02x}{c:02x}" for c in (255 - np.round(f * 255)).astype(int)]


def fmt(x, digits=4):
    """A number as people read it on a projector: 4 significant digits, no noise."""
    return f"{x:.{digits}g}"


def tint(colour, f):
    """``colour`` mixed with white: f = 0 is white, f = 1 the colour itself (cell backgrounds)."""
    r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    mix = lambda c: int(round(255 + (c - 255) * f))
    return f"#{mix(r):02x}{mix(g):02x}{mix(b):02x}"


def soon(action):
    """Run ``action`` (a model edit from a button or Enter) with the Bokeh document locked.

    Panel defers a click that arrives while a widget change is still pending (e.g. Set right
    after typing) into a coroutine that runs without the document lock; an edit made there
    that redraws a raw Bokeh ColumnDataSource raises "_pending_writes should be non-None".
    Scheduling it as a next-tick callback takes the lock. Without a server (tests) it runs now.
    """
    import panel as pn  # here, so that importing the colours does not import panel
    pn.state.execute(action, schedule=True)


def after_widgets(action):
    """Run ``action`` (a raw Bokeh event's handler) once the page's widget changes that arrived
    before the event have been applied.

    Panel applies a widget change 50 ms after it arrives (its debounce), but Bokeh runs a
    figure's Tap at once: "Clamp" then a click on the grid painted with the old brush (or
    inspected) whenever the click came within 50 ms, or later on a loaded server. Panel's own
    widget events wait for those changes the same way (``Reactive._server_event``).
    """
    import panel as pn
    doc = pn.state.curdoc
    pending = pn.state._change_callbacks.get(doc, {}) if doc is not None and doc.session_context else {}
    if not pending:
        action()
        return

    async def flush():
        for change in list(pending.values()):
            await change()  # each removes itself; one already run by Panel returns at once
        doc.add_next_tick_callback(action)  # the model edit takes the document lock

    pn.state.execute(flush, schedule=True)
