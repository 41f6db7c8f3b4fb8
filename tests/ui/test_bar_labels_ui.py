"""The G_t bar chart's axis in Chromium (issue 20, item 3): the last step's label and "sum = dW"
(and "tied: group sum") are apart at 1600 x 1000 and 1280 x 720. Label boxes come from the page:
each factor's centre through the frame's own scale, each label's width from the canvas's
measureText in the axis's own font."""
import pytest
from playwright.sync_api import expect

from .bokeh_helpers import settled

pytestmark = pytest.mark.ui

# [left, right] on the canvas of each x-axis label with text, and the frame's width.
LABELS = """() => {
  const doc = Bokeh.documents[0], fig = doc.get_model_by_name('gradient_bars_figure');
  const view = fig && fig.document.views_manager.find_one(fig);
  if (!view || !view.frame || fig.x_range.factors.length === 0) return null;
  const axis = fig.below[0], ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${axis.major_label_text_font_style} ${axis.major_label_text_font_size} ${axis.major_label_text_font}`;
  const over = axis.major_label_overrides instanceof Map ? axis.major_label_overrides : new Map(Object.entries(axis.major_label_overrides || {}));
  const out = [];
  for (const f of fig.x_range.factors) {
    const text = over.has(f) ? over.get(f) : f;
    if (!text.trim()) continue;
    const x = view.frame.x_scale.compute(fig.x_range.synthetic(f)), w = ctx.measureText(text).width;
    out.push([text, x - w / 2, x + w / 2]);
  }
  return {labels: out, frame: view.frame.bbox.width};
}"""


@pytest.mark.parametrize("lesson, size", [("vanishing-exploding", (1280, 720)), ("tied-weights", (1600, 1000)),
                                          ("binary-addition", (1280, 720))])
def test_the_last_steps_label_and_the_sums_are_apart(page, app_url, lesson, size):
    """No two axis labels overlap (2 px apart at least), the sums' labels included."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}?lesson={lesson}")
    expect(page.locator(".status-line .status")).to_be_visible()
    expect(page.locator(".lesson-loading-note")).to_be_hidden()  # the link's lesson is drawn
    m = settled(page, LABELS)
    labels = m["labels"]
    assert any(t.startswith("sum") for t, _, _ in labels)
    gaps = [(a[0], b[0], b[1] - a[2]) for a, b in zip(labels, labels[1:])]
    assert all(g >= 2 for _, _, g in gaps), [g for g in gaps if g[2] < 2]
    assert page.js_errors == []
