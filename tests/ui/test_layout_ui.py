"""The pictures row in headless Chromium: the recurrent net on the left and the unrolled net on
the right fit the page side by side, with nothing clipped, at a projector's common widths."""
import pytest

from .bokeh_helpers import settled
from .conftest import shot

pytestmark = pytest.mark.ui

# Measures both figures (their boxes on the page), whether every unit, ring, number and arrow
# of the recurrent graph lies inside its frame, and its scales (equal once the server has
# rebuilt the geometry for the frame width the browser reported); null until both exist.
# bokeh_helpers.settled() waits until it stops changing (the browser lays out, reports the
# frame width, the server rebuilds the geometry for it, the browser lays out again).
SETTLED = """() => {
  const doc = Bokeh.documents[0];
  const view = (name) => { const m = doc.get_model_by_name(name); let v = null;
    for (const r of Bokeh.index) { v = v || r.owner.get_one(m); } return v; };
  const net = view('network_figure'), unr = view('unrolled_figure');
  if (net == null || unr == null) { return null; }
  const box = (v) => { const b = v.el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const f = net.frame.bbox, xs = net.frame.x_scale, ys = net.frame.y_scale;
  const u = doc.get_model_by_name('network_units').data, e = doc.get_model_by_name('network_edges').data;
  const outside = [];
  for (let k = 0; k < u.x.length; k++) {
    const r = Math.max(u.size[k], u.ring_alpha[k] > 0 ? u.ring_size[k] : 0) / 2;
    const x = xs.compute(u.x[k]), y = ys.compute(u.y[k]);
    const lines = u.value[k] ? u.value[k].split('\\n').length : 0, below = ys.compute(u.vy[k]) + 18 * lines;
    if (x - r < f.x0 || x + r > f.x1 || y - r < f.y0 || Math.max(y + r, below) > f.y1) { outside.push(u.name[k]); }
  }
  for (let k = 0; k < e.xs.length; k++) {
    for (let m = 0; m < e.xs[k].length; m++) {
      const x = xs.compute(e.xs[k][m]), y = ys.compute(e.ys[k][m]);
      if (x < f.x0 || x > f.x1 || y < f.y0 || y > f.y1) { outside.push(e.label[k]); break; }
    }
  }
  const now = {net: box(net), unrolled: box(unr), outside, viewport: [window.innerWidth, window.innerHeight],
               page_width: document.documentElement.scrollWidth,
               px_per_unit: [xs.compute(1) - xs.compute(0), ys.compute(0) - ys.compute(1)],
               ranges: [net.model.x_range.start, net.model.x_range.end, net.model.frame_height]};
  return now;
}"""


def settled_layout(page):
    return settled(page, SETTLED)


@pytest.mark.parametrize("width", [1600, 1280])
def test_pictures_fit_side_by_side(page, width):
    """Both pictures lie inside the viewport, left and right without overlapping, the page does not
    scroll sideways, and the recurrent graph lies wholly inside its frame."""
    page.set_viewport_size({"width": width, "height": 1100})
    m = settled_layout(page)
    (nl, nt, nr, nb), (ul, ut, ur, ub) = m["net"], m["unrolled"]
    for name, (l, t, r, b) in (("recurrent", m["net"]), ("unrolled", m["unrolled"])):
        assert 0 <= l < r <= width and 0 <= t < b, f"{name} picture at {width}px: {(l, t, r, b)}"
    assert nr <= ul + 0.5, f"the recurrent picture must end where the unrolled one starts: {nr} > {ul}"
    assert ur - ul >= 380, f"the unrolled picture is too narrow to read: {ur - ul:.0f}px"
    assert m["page_width"] <= width, f"the page scrolls sideways: {m['page_width']}px > {width}px"
    assert m["outside"] == [], f"clipped by the recurrent frame at {width}px: {m['outside']}"
    px, py = m["px_per_unit"]
    assert abs(px - py) <= 0.01 * py, f"the geometry must be rebuilt for the real frame width: {px:.1f} vs {py:.1f} px/unit"
    shot(page, f"layout-{width}")
    assert page.js_errors == []
