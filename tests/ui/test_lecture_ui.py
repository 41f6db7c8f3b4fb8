"""Lecture mode and By hand in headless Chromium: keys, large type, ?hide= links, the gradient check."""
import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from simulator.lessons.registry import REGISTRY

from .bokeh_helpers import column
from .conftest import shot, until
from .test_app_ui import status

pytestmark = pytest.mark.ui

# The computed font size (px) of the first element matching a selector, searched through shadow roots.
FONT_SIZE = """(sel) => { const find = (root) => { const el = root.querySelector(sel); if (el) return el;
  for (const h of root.querySelectorAll('*')) if (h.shadowRoot) { const f = find(h.shadowRoot); if (f) return f; }
  return null; };
  const el = find(document); return el ? parseFloat(getComputedStyle(el).fontSize) : null; }"""


def test_keys_play_step_and_move_cards(page):
    """Enter runs one update, Space starts and stops training, n and p move through the lesson's cards."""
    card = page.locator(".lecture-card")
    expect(card).to_contain_text("Point 1 of 4")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    page.keyboard.press(" ")
    expect(page.locator(".play-btn button")).to_contain_text("Pause")
    page.keyboard.press(" ")
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    page.keyboard.press("n")
    expect(card).to_contain_text("Point 2 of 4")
    expect(card).to_contain_text("two steps later")
    page.keyboard.press("p")
    expect(card).to_contain_text("Point 1 of 4")
    assert status(page)[0] >= 1
    shot(page, "lecture-keys")
    assert page.js_errors == []


def test_large_type_makes_the_status_larger(page):
    """Ticking Large type makes the status line's computed font size larger."""
    before = page.evaluate(FONT_SIZE, ".status")
    page.locator(".lecture-settings").get_by_text("Lecture mode").click()
    page.locator(".large-type-toggle input").check()
    page.wait_for_function(f"() => ({FONT_SIZE})('.status') > {before} * 1.15")
    after = page.evaluate(FONT_SIZE, ".status")
    assert after > before
    # Bokeh adds tooltips to <body>, outside the app's root: the :has() rule must reach them too.
    tooltip = page.evaluate("""() => { const d = document.createElement('div'); d.className = 'bk-Tooltip';
        document.body.appendChild(d); const px = parseFloat(getComputedStyle(d).fontSize); d.remove(); return px; }""")
    assert tooltip >= 20
    shot(page, "lecture-large-type")


def test_a_link_with_hide_opens_with_those_controls_hidden(browser, app_url):
    """?hide=[...] in the URL hides the settings and the detail tabs as the page opens."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    try:
        pg = context.new_page()
        pg.goto(app_url + "?hide=" + quote(json.dumps(["settings", "detail-tabs"])))
        pg.wait_for_selector(".status-line .status", timeout=30_000)
        expect(pg.locator(".detail-tabs")).to_be_hidden()
        expect(pg.locator(".lesson-select")).to_be_visible()
        expect(pg.locator(".play-btn button")).to_be_visible()
        expect(pg.locator(".bk-slider-title").filter(has_text="Momentum")).to_be_hidden()
        shot(pg, "lecture-hidden")
    finally:
        context.close()


def test_gradient_check_agrees(page):
    """The By hand tab's gradient check finds BPTT and finite differences within 1e-5 of each other."""
    page.locator(".detail-tabs").get_by_text("Gradient check & stack").click()
    page.locator(".gradcheck-btn button").click()
    summary = page.locator(".gradcheck-summary")
    expect(summary).to_contain_text("agree", timeout=20_000)
    assert float(page.locator(".gradcheck-summary .max-rel").inner_text()) < 1e-5
    assert len(column(page, "gradcheck_rows", "parameter")) == 8
    page.locator(".gradcheck-summary").scroll_into_view_if_needed()
    shot(page, "byhand-gradient-check")


def test_adder_cards_claim_only_what_the_read_out_shows(page, served):
    """Card 1 has selected h1 <- a as it opens; card 3 trains until the lesson's criterion and says
    whether it got there; card 4 quotes the read-out it ran; back and forward train no more."""
    s, sel = served[-1].session, served[-1].selection
    assert sel.weight == (s.unit_names.index("h1"), s.unit_names.index("a"))
    card, nxt = page.locator(".lecture-card"), page.locator(".card-next button")
    nxt.click()
    expect(card).to_contain_text("Point 2 of 4")
    nxt.click()
    expect(card).to_contain_text("Now at update")
    trained = s.updates
    lesson = REGISTRY[s.lesson]
    solved = lesson.solved(s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)
    expect(card).to_contain_text(f"update {trained},")
    expect(card).to_contain_text("reached." if solved else "not there yet")
    nxt.click()
    expect(card).to_contain_text(f"The read-out at update {trained}:")
    said = re.search(r"52 \+ 77 → (\d+) \((right|wrong)\)", card.locator(".card-action").inner_text())
    assert said, card.locator(".card-action").inner_text()
    readout = page.locator(".lesson-readout pre").inner_text()
    assert re.search(rf"a \+ b +[01]+ +\({said.group(1)}\) +{said.group(2)}", readout), readout
    page.locator("body").click(position={"x": 5, "y": 5})
    for key, point in (("p", 3), ("p", 2), ("n", 3)):
        page.keyboard.press(key)
        expect(card).to_contain_text(f"Point {point} of 4")
    expect(card).to_contain_text(f"Now at update {trained},")
    assert s.updates == trained, "going back and forward trained again"


def test_keys_leave_a_focused_control_alone(page, served):
    """Arrows on the focused learning-rate slider move the rate only, not the pass; Up during the
    forward pass stays on the column being built; PageDown/PageUp (a clicker) turn the cards."""
    s, sel = served[-1].session, served[-1].selection
    rate = s.learning_rate
    page.locator(".rate-slider .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    until(lambda: s.learning_rate != rate, message="the focused slider did not move")
    page.locator(".step-btn button").click()  # a later message: the key's, if sent, came before it
    expect(page.locator(".status-line .status")).to_contain_text("update 1 ")
    assert sel.tick == -1, "a key meant for the slider also stepped the pass"
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    until(lambda: sel.tick == 1 and sel.time == 1, message="→ did not tick the pass")
    times = []
    sel.param.watch(lambda e: times.append(e.new), "time")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("PageDown")  # card 2's action restarts the pass: read the time before it
    expect(page.locator(".lecture-card")).to_contain_text("Point 2 of 4")
    page.keyboard.press("PageUp")
    expect(page.locator(".lecture-card")).to_contain_text("Point 1 of 4")
    # The first move of the cursor is card 2's pass starting again at t = 0, not ↑ to the empty t = 2.
    assert times[:1] == [0], times
