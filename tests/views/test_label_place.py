"""Value labels of the recurrent picture never cross an arrow (issue 20, item 15): every lesson's
default layout at three frame widths, as the page first shows it. A label's box is estimated from
its own text, 0.6 em a character and 1.2 em a line (12pt text), and checked against every straight
piece of every arrow."""
import numpy as np
import pytest

from simulator.lessons.registry import LESSONS
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import label_place
from simulator.views.network import RecurrentView

WIDTHS = (400, 560, 720)  # frame widths (px): a 1280 px screen's, the default, a projector's half


def label_boxes(view):
    """(x0, x1, y0, y1) of each label drawn (text_align center, text_baseline top), in data units."""
    d, ppu = view.units.data, view._geo["ppu"]
    font_px = float(gl.SMALL_FONT[:-2]) * 4 / 3
    boxes = []
    for x, y, text in zip(d["vx"], d["vy"], d["value"]):
        if text:
            lines = text.split("\n")
            w, h = max(map(len, lines)) * 0.6 * font_px / ppu, len(lines) * 1.2 * font_px / ppu
            boxes.append((x - w / 2, x + w / 2, y - h, y))
    return boxes


def crossing_labels(view):
    d = view.edges.data
    P, Q = label_place.segments(d["xs"], d["ys"])
    return sum(label_place.crossings(box, P, Q) > 0 for box in label_boxes(view))


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_no_value_label_crosses_an_arrow(lesson):
    """0 label boxes meet an arrow (on main, some did in 7 of the 8 lessons), and every box lies
    inside the frame. The backward pass's wider "d ..." labels are placed on their own and may
    still lie on an arrow where a ring of units leaves no free place (vanishing-exploding)."""
    view = RecurrentView(session=Session(lesson=lesson), selection=Selection())
    for width in WIDTHS:
        view._frame_w = width
        view._build_geometry(view._m.net, view._m.sequences)
        assert crossing_labels(view) == 0, (lesson, width)
        x, y = view.figure.x_range, view.figure.y_range
        for x0, x1, y0, y1 in label_boxes(view):
            assert x.start <= x0 and x1 <= x.end and y.start <= y0 and y1 <= y.end, (lesson, width)


def test_crossings_counts_segments_that_meet_a_box():
    """The clipping test itself: a segment through, one beside and one ending inside a unit box."""
    P = np.array([[-1.0, 0.5], [-1.0, 2.0], [0.5, 0.5]])
    Q = np.array([[2.0, 0.5], [2.0, 2.0], [3.0, 3.0]])
    assert label_place.crossings((0.0, 1.0, 0.0, 1.0), P, Q) == 2
    assert label_place.crossings((0.0, 1.0, 0.0, 1.0), P[1:2], Q[1:2]) == 0
