"""Issue 3 in the browser: both pictures, typed weights, invalid input, painting the grid."""

import pytest
from playwright.sync_api import expect

from .bokeh_helpers import click_data, column
from .conftest import shot
from .test_app_ui import status

pytestmark = pytest.mark.ui


def weights_of(page, source, i, j):
    rows = zip(column(page, source, "i"), column(page, source, "j"), column(page, source, "w"))
    return [w for a, b, w in rows if (a, b) == (i, j)]


def test_both_pictures_render_every_unit_and_copy(page):
    """The recurrent net shows N units; the unrolled net shows T+1 columns of them and T copies of each weight."""
    names = column(page, "network_units", "x")
    cells = column(page, "unrolled_units", "t")
    assert len(names) == 6 and sorted(set(cells)) == list(range(11))
    copies = weights_of(page, "unrolled_edges", 2, 0)  # W[h1 <- a]
    assert len(copies) == 10 and len(set(copies)) == 1
    assert weights_of(page, "network_edges", 2, 0) == copies[:1]


def test_typing_a_weight_changes_it_in_both_pictures(page):
    """An exact value typed for W[h1←a] appears in the recurrent arrow and in all T copies."""
    box = page.locator(".weight-input input")
    page.locator(".bk-tab").filter(has_text="Unit arithmetic & edit").click()
    box.fill("1.75")
    box.press("Enter")
    page.wait_for_function("""() => { const d = Bokeh.documents[0].get_model_by_name('network_edges').data;
        for (let k = 0; k < d.i.length; k++) if (d.i[k] == 2 && d.j[k] == 0) return d.w[k] == 1.75; return false; }""")
    assert weights_of(page, "network_edges", 2, 0) == [1.75]
    assert weights_of(page, "unrolled_edges", 2, 0) == [1.75] * 10
    shot(page, "03-typed-weight")


def test_invalid_weight_shows_a_message_and_keeps_the_old_value(page):
    """Typing 'abc' is refused with a message saying what is expected; the weight is unchanged."""
    page.locator(".bk-tab").filter(has_text="Unit arithmetic & edit").click()
    before = weights_of(page, "network_edges", 2, 0)
    box = page.locator(".weight-input input")
    box.fill("abc")
    box.press("Enter")
    expect(page.locator(".inspector-message")).to_contain_text("not a number")
    assert weights_of(page, "network_edges", 2, 0) == before
    assert weights_of(page, "unrolled_edges", 2, 0) == before * 10
    shot(page, "04-invalid-weight")


def test_painting_a_clamp_cell_changes_the_forward_pass(page):
    """Clamping h1 at t = 3 to 1 with the grid's brush changes the stack of states and the loss."""
    _, loss0 = status(page)
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    page.locator(".grid-brush").get_by_text("Clamp").click()
    expect(page.locator(".grid-value input")).to_have_value("1")  # the brush paints the value 1
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('grid_figure') !== null")
    click_data(page, "grid_figure", 2, 3)  # x = unit h1, y = t 3
    expect(page.locator(".status-line .status")).not_to_contain_text(f"loss {loss0:.6g}", timeout=15_000)
    states = dict(zip(zip(column(page, "unrolled_units", "t"), column(page, "unrolled_units", "i")),
                      column(page, "unrolled_units", "text")))
    assert states[(3, 2)] in ("1", "1.0", "in 1")
    shot(page, "05-painted-clamp")
