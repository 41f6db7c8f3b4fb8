"""Issue 16's pictures in Chromium, on one page: the gradient-norm plot under the loss curve grows
while Play trains and ends holding the session's norms; with "Truncate to h steps" set and a
weight selected, the unrolled picture marks the columns the cursor step's error reaches."""
import pytest
from playwright.sync_api import expect

from .bokeh_helpers import MODEL, click_data, column
from .conftest import shot, until

pytestmark = pytest.mark.ui

LENGTH = f"(n) => ({MODEL})(n).data['update'].length"


def test_norm_plot_grows_while_playing_and_truncation_marks_the_unrolled_columns(page, served):
    player = served[-1]
    s, sel = player.session, player.selection
    assert page.evaluate(LENGTH, "norm_src") == 0

    page.locator(".play-btn button").click()
    page.wait_for_function(f"() => ({LENGTH})('norm_src') >= 10", timeout=60_000)  # a cold numba cache compiles first
    page.locator(".play-btn button").click()
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    until(lambda: not player.playing and not player._busy, message="still training after Pause")
    expect(page.locator(".status-line .status")).to_contain_text(f"update {s.updates} ")
    page.wait_for_function(f"() => ({LENGTH})('norm_src') === {len(s.grad_norms)}", timeout=20_000)
    assert column(page, "norm_src", "update") == [u for u, _, _ in s.grad_norms]
    assert column(page, "norm_src", "norm") == [n for _, n, _ in s.grad_norms]

    h, t = 2, 6
    assert sel.weight is not None  # the lecture's first card selected one
    assert page.evaluate(f"() => ({MODEL})('unrolled_reach_bracket').visible") is False  # full BPTT: no marks
    page.locator(".training-card").get_by_text("Training method").click()
    box = page.locator(".truncate-input input")
    box.fill(str(h))
    box.press("Enter")
    until(lambda: s.truncate == h, message="the truncation did not reach the session")
    ts, ys = column(page, "unrolled_units", "t"), column(page, "unrolled_units", "y")
    click_data(page, "unrolled_figure", t, ys[ts.index(t)])  # a unit at step t: the time cursor goes there
    until(lambda: sel.time == t, message="the click did not move the time cursor")
    page.wait_for_function(f"() => ({MODEL})('unrolled_reach_bracket').visible", timeout=20_000)
    reached = column(page, "unrolled_reach", "reached")
    assert [c for c, r in enumerate(reached) if r] == list(range(t - h, t + 1))
    shade = column(page, "unrolled_reach", "shade")
    assert [c for c, a in enumerate(shade) if a == 0] == list(range(t - h, t + 1))
    shot(page, "train16-norms-and-truncation")

    edges = {c: column(page, "unrolled_edges", c) for c in ("i", "j", "t", "hxs", "hys")}
    e = next(k for k in range(len(edges["t"])) if (edges["i"][k], edges["j"][k]) == sel.weight and edges["t"][k] == t)
    click_data(page, "unrolled_figure", sum(edges["hxs"][e]) / 2, sum(edges["hys"][e]) / 2)  # the weight again: off
    until(lambda: sel.weight is None, message="the click did not clear the selected weight")
    page.wait_for_function(f"() => !({MODEL})('unrolled_reach_bracket').visible", timeout=20_000)
    assert not any(column(page, "unrolled_reach", "shade"))
    assert page.js_errors == []
