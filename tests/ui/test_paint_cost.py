"""A training frame's paint in the page does not ask the page's CSS for values the app never sets
(static/css_values.js): BokehJS did so ~2,200 times a frame, each a forced style recalculation.
A count, not a timing; benchmarks/bench_ui.py measures the time."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

COUNT = """() => {
  if (!window.__gcs) {
    const read = window.getComputedStyle;
    window.__gcs = { n: 0 };
    window.getComputedStyle = function (...args) { window.__gcs.n += 1; return read.apply(this, args); };
  }
  window.__gcs.n = 0;
}"""
# Two animation frames after the status line changed: every picture of the Step has painted.
PAINTED = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(window.__gcs.n))))"


def test_a_step_paints_without_reading_css_per_visual(page):
    status = page.locator(".status-line .status").first
    counts = []
    for _ in range(4):
        before = status.inner_text()
        page.evaluate(COUNT)
        # Clicked from script: a pointer resting on Step shows its tooltip, a class change in the page
        # after which every value is read again, once (as a theme switch does).
        page.locator(".step-btn button").first.evaluate("(button) => button.click()")
        expect(status).not_to_have_text(before)
        counts.append(page.evaluate(PAINTED))
    # The script patches BokehJS at the first plot's paint: by now every picture has painted.
    installed = "() => Bokeh.Models.get('Plot').prototype.default_view.prototype.__bptt_css_values"
    assert page.evaluate(installed) is True, "static/css_values.js found nothing to patch in this BokehJS"
    # The first Step's pictures read each value once (one call per plot and value); later Steps
    # reuse them. Without the cache each Step made ~2,000 calls (the default lesson's six pictures).
    assert max(counts[1:]) <= 20, f"getComputedStyle calls per Step: {counts}"
    assert page.js_errors == []
