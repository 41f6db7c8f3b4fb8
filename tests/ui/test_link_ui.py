"""The two pictures of the net linked in Chromium: hovering a weight in one lights it in both."""
import pytest

from .bokeh_helpers import settled

pytestmark = pytest.mark.ui

# Page position of the middle of edge k of a figure, with the weight (i, j) it draws.
WHERE = """([fig, src, k]) => { const doc = Bokeh.documents[0], f = doc.get_model_by_name(fig),
    s = doc.get_model_by_name(src); let v = null; for (const r of Bokeh.index) v = v || r.owner.get_one(f);
    const m = Math.floor(s.data.xs[k].length / 2), box = v.el.getBoundingClientRect();
    return [box.left + v.frame.x_scale.compute(s.data.xs[k][m]), box.top + v.frame.y_scale.compute(s.data.ys[k][m]),
            s.data.i[k], s.data.j[k]]; }"""
EDGE_4 = f"() => {{ try {{ return ({WHERE})(['network_figure', 'network_edges', 4]); }} catch (e) {{ return null; }} }}"
# The weights (i, j) an edge source draws lit (hl) or selected on the server (sel).
LIT = """([src, col]) => { const d = Bokeh.documents[0].get_model_by_name(src).data; const out = [];
    for (let m = 0; m < d[col].length; m++) if (d[col][m] > 0) out.push([d.i[m], d.j[m]]); return out; }"""


def test_hover_in_one_picture_lights_the_weight_in_both(page):
    """Hovering a recurrent arrow lights its T copies in the unrolled picture; clicking it selects it on the server."""
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('unrolled_edges')?.data.i.length > 0")
    # The figure is first drawn for an assumed width, then rebuilt for the width the browser
    # reports: a point taken before that lands on another arrow by the time of the click.
    x, y, i, j = settled(page, EDGE_4)
    page.mouse.move(x, y)
    page.wait_for_function(f"() => ({LIT})(['unrolled_edges', 'hl']).length > 0")
    T = max(page.evaluate("() => Array.from(Bokeh.documents[0].get_model_by_name('unrolled_edges').data.t)"))
    assert page.evaluate(LIT, ["network_edges", "hl"]) == [[i, j]]
    assert page.evaluate(LIT, ["unrolled_edges", "hl"]) == [[i, j]] * T
    # Taken again: content arriving above the figure may have moved it since the hover.
    x, y, *ij = settled(page, EDGE_4)
    assert ij == [i, j]
    page.mouse.click(x, y)
    page.wait_for_function(f"() => ({LIT})(['unrolled_edges', 'sel']).length > 0")
    assert page.evaluate(LIT, ["unrolled_edges", "sel"]) == [[i, j]] * T, "the server selected the clicked weight"
    assert page.js_errors == []
