"""The training controls say what they are and what they did (issue 20): the Activation and Loss
selectors name the lesson's functions, and Undo says which update it went back to and shows it."""
import re

import pytest
from playwright.sync_api import expect

from simulator.lessons.registry import DEFAULT_LESSON, LESSONS

from .bokeh_helpers import click_data, column
from .conftest import until
from .test_app_ui import status

pytestmark = pytest.mark.ui


def page_y(page, selector):
    """Top of the element in the page (not the viewport: a click may scroll)."""
    return page.locator(selector).bounding_box()["y"] + page.evaluate("() => window.scrollY")


def test_selectors_name_the_function_and_undo_says_where_it_went(page):
    expect(page.locator(".activation-select option:checked")).to_have_text("logistic (lesson's)")
    expect(page.locator(".loss-select option:checked")).to_have_text(f"{LESSONS[DEFAULT_LESSON]['loss']} (lesson's)")
    page.locator(".step-btn button").click()
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    loss1 = status(page)[1]
    page.locator(".step-btn button").click()
    expect(page.locator(".status-line .status")).to_contain_text("update 2 ")
    tabs_y = page_y(page, ".detail-tabs")
    page.locator(".undo-btn button").click()
    message = page.locator(".message")
    expect(message).to_contain_text("Undo: back to update 1, loss")
    assert page_y(page, ".detail-tabs") == tabs_y, "the message moved the page"
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    assert status(page)[1] == loss1  # the same 6 significant digits the status showed at update 1
    page.locator(".reset-btn button").click()
    expect(page.locator(".status-line .status")).to_contain_text("update 0 ")
    page.locator(".undo-btn button").click()
    expect(message).to_contain_text(re.compile(r"Nothing to undo yet \(Reset"))


def test_slow_speed_runs_one_update_a_frame(page, served):
    """The Speed selector's slow setting makes each training frame one update, so a class sees
    the error fall step by step (at full speed a frame runs up to 50)."""
    s, player = served[-1].session, served[-1]
    page.locator(".speed-select select").select_option("Slow: 4 updates a second")
    until(lambda: player.period == 250, message="the speed did not reach the Player")
    counts = []
    s.param.watch(lambda e: counts.append(e.new - e.old), "updates")
    page.locator(".play-btn button").click()
    expect(page.locator(".status-line .status")).to_contain_text("update 3 ")
    page.locator(".play-btn button").click()
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    assert counts and set(counts) == {1}, counts


def test_clicking_a_unit_at_step_t_moves_the_time_cursor_there(page, served):
    """A unit clicked in the unrolled picture at t = 3 is selected and the time cursor goes to 3."""
    sel = served[-1].selection
    ts, ys, units = (column(page, "unrolled_units", k) for k in ("t", "y", "i"))
    k = ts.index(3)
    click_data(page, "unrolled_figure", 3, ys[k])
    until(lambda: sel.unit == (3, units[k]), message="the click did not select the unit")
    assert sel.time == 3
    expect(page.locator(".time-slider")).to_contain_text("3")


def test_detail_tabs_have_tab_roles_and_keys(page):
    """The detail tabs are a tablist of tabs (keyboards, screen readers): → and Enter move between them."""
    expect(page.get_by_role("tab", name="Weight matrices")).to_have_attribute("aria-selected", "false")
    first = page.get_by_role("tab", name="Gradients over time")
    expect(first).to_have_attribute("aria-selected", "true")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Weight matrices")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".bk-tab.bk-active")).to_have_text("Weight matrices")


# Bokeh builds the tab headers anew whenever a tab's content arrives from the server (the open tab
# is filled once the page has drawn); this does the same to the detail tabs, then focuses the
# first new header at once, before anything has marked it.
REBUILD_AND_FOCUS = """() => {
  for (const m of Bokeh.documents[0].all_models) {
    if (!(m.css_classes || []).includes("detail-tabs")) continue;
    for (const r of Bokeh.index) {
      const v = r.owner.get_one(m);
      if (v && v._update_headers) { v._update_headers(); v.header_els[0].focus(); return v.header_els.length; }
    }
  }
  return 0;
}"""


def test_tab_keys_work_on_headers_bokeh_has_just_rebuilt(page):
    """An arrow on a just-rebuilt header moves the tab: in CI the first → after the page opened
    did nothing, because the keys were listened for on the headers Bokeh had replaced."""
    expect(page.get_by_role("tab", name="Gradients over time")).to_have_attribute("aria-selected", "true")
    assert page.evaluate(REBUILD_AND_FOCUS) > 1
    page.keyboard.press("ArrowRight")
    expect(page.locator(".bk-tab.bk-active")).to_have_text("Weight matrices")
    expect(page.get_by_role("tab", name="Weight matrices")).to_have_attribute("aria-selected", "true")
