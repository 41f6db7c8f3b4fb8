"""The other lessons in the browser: each loads from the menu, trains, and its read-out shows its point."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_lessons_ui import STATUS, open_readout

pytestmark = pytest.mark.ui

CASES = [  # title in the menu, what the read-out must say after some training
    ("Attractors", re.compile(r"Largest distance in the 10 steps after T \(no targets there\): 0\.0")),
    ("Three ways to give input", re.compile(r"every-step-subset\s+loss")),
    ("Weight constraints", re.compile(r"each receives the summed gradient")),
    ("Temporal XOR", re.compile(r"of the targets on the right side of 0\.5")),
    ("Vanishing and exploding gradients", re.compile(r"small: spectral radius 0\.\d+.*large: spectral radius 1\.", re.S)),
]


UPDATES = 100


def step_exactly(page, n):
    """Take exactly ``n`` updates with the Enter key (one update each), so the read-out is the same on a
    fast or a loaded machine: Play until "update >= n" trained anywhere from n to 1,000+ updates
    depending on load, and the vanishing-exploding read-out changes with that count."""
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(n):
        page.keyboard.press("Enter")
    expect(page.locator(STATUS)).to_contain_text(f"update {n} ", timeout=60_000)


@pytest.mark.parametrize("title, says", CASES, ids=[c[0].split()[0].lower() for c in CASES])
def test_lesson_loads_trains_and_reads_out(page, title, says):
    """Switching to the lesson, training exactly 100 updates and pressing 'Measure now' shows the lesson's measure."""
    open_readout(page, title)
    step_exactly(page, UPDATES)
    page.locator(".measure-btn button").click()
    expect(page.locator(".lesson-readout")).to_contain_text(says, timeout=20_000)
    page.locator(".lesson-readout").scroll_into_view_if_needed()
    shot(page, f"lessons-more-{title.split()[0].lower()}")
