"""A group of the robot writer opens on a click (issue 20, item 16): clicking the hidden group's node
in the recurrent picture draws its units in both pictures, and "Group the units again", reached
and pressed from the keyboard, closes it. States of the page's sources; no sleeps."""
import pytest
from playwright.sync_api import expect

from .bokeh_helpers import click_data, column
from .conftest import shot
from .test_large_net_ui import NAMES

pytestmark = pytest.mark.ui


def test_a_click_on_a_group_opens_it_and_the_keyboard_closes_it(page, app_url, served):
    page.goto(app_url + "?lesson=robot-writer")
    page.wait_for_function(f"() => ({NAMES})('network_units').join() === 'inputs,hidden,outputs'")
    expect(page.locator(".lesson-loading-note")).to_be_hidden()
    names = column(page, "network_units", "name")
    k = names.index("hidden")
    x, y = column(page, "network_units", "x")[k], column(page, "network_units", "y")[k]
    click_data(page, "network_figure", x, y)
    hidden = [n for n, g in zip(served[-1].session.unit_names, served[-1].session.unit_groups) if g == "hidden"]
    page.wait_for_function(f"() => ({NAMES})('network_units').join() === {['inputs', *hidden, 'outputs']!r}.join()")
    page.wait_for_function(f"() => ({NAMES})('unrolled_units').length === {len(hidden) + 2} * 11")
    shot(page, "robot-writer-hidden-opened")
    button = page.locator(".collapse-groups button")
    expect(button).to_be_visible()
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({NAMES})('network_units').join() === 'inputs,hidden,outputs'")
    expect(button).to_be_hidden()
    assert page.js_errors == []
