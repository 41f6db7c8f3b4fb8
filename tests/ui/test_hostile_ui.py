"""Hostile names and typed values in the real page (issue 21): nothing a user supplies runs as script.

A document whose unit names are HTML, script and Markdown payloads is loaded through the app's
own Load; then every tab is opened, the pickers are opened, the pictures are hovered and payloads
are typed into the boxes that echo what they are given. No payload may run (``window.__pwned``
stays unset, no dialog opens), no element of the page (shadow roots included) may carry one as
markup, and the names must read as typed.
"""
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from simulator import document as D
from simulator.state.selection import TAB_TITLES
from simulator.state.session import Session

from .bokeh_helpers import click_data, column, hover_data
from .conftest import shot

pytestmark = pytest.mark.ui

PAYLOADS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>",
            '"><svg onload=window.__pwned=1>', "[x](javascript:window.__pwned=1)",
            "<a href=javascript:window.__pwned=1>x", "*b* | `c` $$x$$ a&lt;b"]

# Every element of the page, shadow roots included, that carries a payload as script: an on*
# attribute, a URL attribute, or a <script> element (other attributes, e.g. Choices.js's
# data-value, hold the text as data).
MARKUP = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) {
        const v = (a.value || '').toLowerCase();
        const url = ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc'].includes(a.name);
        if ((a.name.startsWith('on') || url) && v.includes('__pwned'))
          found.push(el.tagName + ' ' + a.name + '=' + a.value);
      }
      if (el.tagName === 'SCRIPT' && el.textContent.includes('__pwned')) found.push('SCRIPT ' + el.textContent);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}"""


def hostile_document(names, path, indent=None):
    """The default lesson's state under ``names``, saved at ``path``. The page sends a file only if
    its bytes differ from the last one, so examples that repeat names differ in ``indent``."""
    doc = D.to_document(Session())
    doc["units"]["names"] = list(names)
    path.write_text(json.dumps(doc, indent=indent))
    return path


def watch(page):
    """Record every dialog (and dismiss it): alert(), confirm() or print() from a payload."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def assert_nothing_ran(page, dialogs):
    assert page.evaluate("() => window.__pwned") is None, "a payload ran"
    assert dialogs == []
    assert page.evaluate(MARKUP) == []


def load(page, path):
    page.locator(".share-load input[type=file]").set_input_files(str(path))
    expect(page.locator(".share-message")).to_contain_text(f"Loaded {path.name}")


def open_tab(page, name):
    page.locator(".bk-tab").filter(has_text=name).click()
    expect(page.locator(".bk-tab.bk-active")).to_have_text(name)


def hover_units(page, figure, source, xs="x", ys="y"):
    for x, y in zip(column(page, source, xs), column(page, source, ys)):
        hover_data(page, figure, x, y)


def test_hostile_names_stay_text_everywhere(page, tmp_path):
    """Payload names in every tab, picker, tooltip and message: none runs, and each reads as typed."""
    dialogs = watch(page)
    load(page, hostile_document(PAYLOADS, tmp_path / "hostile.json"))
    table = page.locator(".equivalence-table")
    for name in PAYLOADS:
        expect(table).to_contain_text(f"b[{name}]")
    hover_units(page, "network_figure", "network_units")
    expect(page.locator(".bk-Tooltip").filter(has_text=PAYLOADS[-1]).first).to_be_attached()
    for tab in TAB_TITLES:
        open_tab(page, tab)
        if tab == "Inputs & targets":
            page.locator(".grid-units .choices").click()
            expect(page.locator(".grid-units .choices__item--choice").filter(has_text=PAYLOADS[0])).to_be_visible()
            page.keyboard.press("Escape")
            hover_units(page, "grid_figure", "grid_cells")
            page.locator(".grid-value input").fill(PAYLOADS[1])
            page.locator(".grid-brush button").filter(has_text="Target").click()
            # the brush's help line changes with it; click once the grid has moved for it
            expect(page.locator(".grid-help")).to_contain_text("give it a target")
            click_data(page, "grid_figure", 3, 1)
            expect(page.locator(".grid-message")).to_contain_text(f"{PAYLOADS[1]!r} is not a number")
            page.locator(".grid-brush button").filter(has_text="Inspect").click()
        if tab == "Unit arithmetic & edit":
            page.locator(".tie-choice .choices").click()
            choice = page.locator(".tie-choice .choices__item--choice").filter(has_text=f"W[{PAYLOADS[2]}←{PAYLOADS[0]}]")
            expect(choice).to_be_visible()
            choice.click()
            box = page.locator(".weight-input input")
            box.fill(PAYLOADS[0])
            box.press("Enter")
            expect(page.locator(".inspector-message")).to_contain_text(f"{PAYLOADS[0]!r} is not a number")
        assert_nothing_ran(page, dialogs)
    expect(page.locator(".message").first).to_contain_text("is not a number")
    shot(page, "hostile-names")
    assert_nothing_ran(page, dialogs)
    assert page.js_errors == []


def test_refused_hostile_file_name_and_group_stay_text(page, tmp_path):
    """A file named like markup, with a group that is a payload, is refused and quoted as text."""
    dialogs = watch(page)
    path = tmp_path / "x.json"
    doc = D.to_document(Session())
    doc["units"]["groups"][2] = PAYLOADS[2]
    path.write_text(json.dumps(doc))
    named = tmp_path / '<img src=x onerror="window.__pwned=1">.json'
    named.write_text(path.read_text())
    page.locator(".share-load input[type=file]").set_input_files(str(named))
    expect(page.locator(".share-message")).to_contain_text(f"Could not load {named.name}")
    expect(page.locator(".share-message")).to_contain_text(PAYLOADS[2])
    assert_nothing_ran(page, dialogs)


FRAGMENTS = ["<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>", "<svg onload=window.__pwned=1>",
             "javascript:window.__pwned=1", '"', "'", ">", "<", "&amp;", "*", "_", "|", "`", "$$", "[x](", ")", "\\", "#", " "]
NAME = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map(lambda parts: "".join(parts)[:40])


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAME, min_size=6, max_size=6, unique=True), typed=NAME)
def test_generated_names_and_typed_values_never_run(page, tmp_path_factory, names, typed):
    """Generated payload names (loaded through Load into one page) and a generated typed value: none
    runs, no element carries one, the table and the inspector's message show them as typed."""
    dialogs = getattr(page, "dialogs", None) or watch(page)
    page.dialogs = dialogs
    k = next(COUNT)
    path = hostile_document(names, tmp_path_factory.mktemp("names") / f"names{k}.json", indent=k)
    load(page, path)
    table = page.locator(".equivalence-table")  # redrawn at most twice a second: wait for it
    for n in names:
        expect(table).to_contain_text(f"b[{n}]")
    if page.locator(".bk-tab.bk-active").inner_text() != "Unit arithmetic & edit":
        open_tab(page, "Unit arithmetic & edit")
    box = page.locator(".weight-input input")
    box.fill(typed)
    box.press("Enter")
    expect(page.locator(".inspector-message")).to_contain_text(f"{typed!r} is not a number")
    open_tab(page, TAB_TITLES[0])
    assert_nothing_ran(page, dialogs)


COUNT = itertools.count()
