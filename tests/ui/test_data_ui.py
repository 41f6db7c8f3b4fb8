"""The Data place in Chromium (issue 15): a CSV file of sequences uploaded through the real page
becomes a net that trains with its test cases drawn as a second curve; the trained net runs on a
typed sequence; bad files are refused with their line and column and the page keeps its state."""
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from simulator.document import cases as CS
from simulator.document import generators as G
from simulator.state import probe
from simulator.views.style import fmt

from .bokeh_helpers import MODEL, column
from .conftest import shot, until

pytestmark = pytest.mark.ui

ECHO = Path(__file__).resolve().parents[2] / "docs" / "echo.csv"
STATUS = ".status-line .status"


def open_data(page):
    page.locator(".bk-tab").filter(has_text="Inputs & targets").click()
    expect(page.locator(".data-view")).to_be_visible()


def upload(page, path):
    page.locator(".data-load input[type=file]").set_input_files(str(path))


def train(page, session, at_least):
    """Play until the server's session has made at least ``at_least`` updates, then pause; returns
    when the page shows the paused count."""
    page.locator(".play-btn button").click()
    until(lambda: session.updates >= at_least, timeout=120, message=f"{at_least} updates were not made")
    page.locator(".play-btn button").click()
    expect(page.locator(".play-btn button")).to_contain_text("Play")
    until(lambda: page.locator(STATUS).inner_text().startswith(f"update {session.updates} "))


def test_uploaded_csv_trains_and_draws_the_test_curve(page, served):
    """docs/echo.csv through the file chooser: a new net with its 32 training and 8 test cases; after
    training, the dashed test curve's last point is the server's error on the test cases, lower
    than where it started, and the title says it."""
    open_data(page)
    upload(page, ECHO)
    expect(page.locator(".data-message")).to_contain_text("Loaded echo.csv: Your own net: 1 inputs, 6 units, "
                                                          "32 training and 8 test cases.")
    expect(page.locator(".data-summary")).to_contain_text("32 training and 8 test cases")
    session = served[-1].session
    assert session.cases["split"].count("test") == 8 and session.sequences.B == 32
    train(page, session, 100)
    test_loss = CS.figures(session)["test_loss"]
    title = lambda: page.evaluate(f"(n) => ({MODEL})(n).title.text", "loss_figure")  # noqa: E731
    until(lambda: title().endswith(f"on the test cases: {fmt(test_loss)}"), message="the title names the test error")
    losses = column(page, "loss_test_src", "loss")
    updates = column(page, "loss_test_src", "update")
    assert updates[-1] == session.updates and updates[0] == 0
    assert losses[-1] == pytest.approx(test_loss, abs=1e-9) and losses[-1] < losses[0]
    shot(page, "data-01-test-curve")
    assert page.js_errors == []


def test_trained_net_runs_on_a_typed_sequence(page, served):
    """After training, a typed bit string runs through the net: the table shows, per step, the
    typed input and the output the server's net computes, and training is untouched."""
    open_data(page)
    upload(page, ECHO)
    expect(page.locator(".data-message")).to_contain_text("Loaded echo.csv")
    session = served[-1].session
    train(page, session, 50)
    before = (session.updates, float(session.gradients.loss))
    page.locator(".data-sequence textarea").fill("0110100")
    page.locator(".data-run button").click()
    expect(page.locator(".data-message")).to_contain_text("The net ran on 7 steps (t = 0..6)")
    expected = probe.run(session, "0110100")
    rows = page.locator(".data-outputs-table tr")
    expect(rows).to_have_count(8)
    for t in range(7):
        cells = rows.nth(t + 1).locator("td")
        expect(cells).to_have_text([str(t), "0110100"[t], fmt(expected["states"][t, 0], 3)])
    assert (session.updates, float(session.gradients.loss)) == before
    page.locator(".data-sequence textarea").fill("01x")
    page.locator(".data-run button").click()
    expect(page.locator(".data-message")).to_contain_text(
        "Could not run the net: line 1, value 1 (x): expected a number or -; got '01x'")
    assert page.js_errors == []


BAD = [
    ("no-t.csv", b"case,in:x,target:y\na,1,0\n", "line 1: missing column 't'"),
    ("word.csv", b"case,t,in:x,target:y\na,0,1,\na,1,one,1\n",
     "line 3, column 3 ('in:x'): expected a number or an empty cell; got 'one'"),
    ("half.csv", b"case,t,in:x,target:y\na,0,1,\na,2.5,0,1\n",
     "line 3, column 2 ('t'): expected an integer step 0..60; got '2.5'"),
    ("again.csv", b"case,t,in:x,target:y\na,0,1,\na,1,0,1\na,1,1,0\n",
     "line 4, column 2 ('t'): step 1 of case 'a' is repeated (first on line 3)"),
    ("kind.csv", b"case,t,in:x,out:y\na,0,1,1\n", "line 1, column 4: unknown column 'out:y'"),
    ("none.csv", b"case,t,in:x,target:y\na,0,1,\na,1,0,\n", "line 1, column 4 ('target:y'): no targets at all"),
    ("picture.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "line 1, column 1: byte 0x89 is not UTF-8 text"),
    ("late.csv", b"case,t,in:x,target:y\na,61,1,1\n", "line 2, column 2 ('t'): step 61 is past the limit of 60 steps"),
    ("wide.csv", b"case,t," + b",".join(b"in:u%d" % k for k in range(72)) + b",target:y\n",
     "line 1, column 75: at most 72 units; this column names unit 73"),
    ("long.csv", b"case,t,in:x,target:y\n" + b"".join(b"c%d,%d,1,1\n" % (k // 61, k % 61) for k in range(61_001)),
     "line 61002: at most 61000 rows"),
]


def test_bad_files_are_refused_and_change_nothing(page, served, tmp_path):
    """Each bad file of issue 15's list, chosen in the page: the message names its line and column,
    in the Data place and in the status line, and the lesson, its data and the count stay."""
    open_data(page)
    page.locator(".step-btn button").click()
    expect(page.locator(STATUS)).to_contain_text("update 1 ")
    session = served[-1].session
    state = page.locator(STATUS).inner_text().splitlines()[0]
    data = session.sequences
    for name, content, message in BAD:
        path = tmp_path / name
        path.write_bytes(content)
        upload(page, path)
        expect(page.locator(".data-message")).to_contain_text(f"Could not use the data: {name}: {message}")
        expect(page.locator(".message").first).to_contain_text(message)
        assert page.locator(STATUS).inner_text().splitlines()[0] == state
        assert session.cases is None and session.sequences is data and session.lesson == "binary-addition"
    big = tmp_path / "big.csv"
    big.write_bytes(b"case,t,in:x,target:y\n" + b" " * 6_000_000)
    upload(page, big)
    expect(page.locator(".data-message")).to_contain_text(
        f"Could not load big.csv: the file is {big.stat().st_size} bytes")
    assert session.cases is None and session.sequences is data
    shot(page, "data-02-refused")
    assert page.js_errors == []


def test_new_data_for_this_net_keeps_the_weights_and_downloads_as_csv(page, served, tmp_path):
    """'New data for this net' puts the file's cases on the current weights; the download is the
    same CSV text the server writes, and it loads again to the same cases."""
    open_data(page)
    upload(page, ECHO)
    expect(page.locator(".data-message")).to_contain_text("Loaded echo.csv")
    session = served[-1].session
    weights = session.net.params().copy()
    page.locator(".data-mode button").filter(has_text="new data for this net").click()
    other = tmp_path / "other.csv"
    other.write_text("case,t,in:x,target:y,split\np,0,1,,train\np,1,0,1,train\nq,0,0,,test\nq,1,1,0,test\n")
    upload(page, other)
    expect(page.locator(".data-message")).to_contain_text("Loaded other.csv: Your own net: 1 inputs, 6 units, "
                                                          "1 training and 1 test cases.")
    np.testing.assert_array_equal(session.net.params(), weights)
    with page.expect_download() as info:
        page.locator(".data-download button").click()
    text = Path(info.value.path()).read_text()
    assert text == other.read_text()


def test_generated_task_and_its_length_test(page, served):
    """Generate echo cases in the page, train, and run the length test: the bars are the server's
    accuracy of the net on echo cases up to three times as long as the trained ones."""
    open_data(page)
    page.locator(".data-generate button").click()
    expect(page.locator(".data-message")).to_contain_text("Loaded generated echo: Your own net: 1 inputs, 6 units, "
                                                          "32 training and 8 test cases.")
    session = served[-1].session
    train(page, session, 200)
    page.locator(".data-length button").click()
    expect(page.locator(".data-message")).to_contain_text("Length test: 4: ")
    want = G.length_test(session, "echo", 2, G.lengths_for("echo", 2, 8))
    assert column(page, "length_test_src", "steps") == [n for n, _ in want]
    assert column(page, "length_test_src", "accuracy") == [a for _, a in want]
    shot(page, "data-03-length-test")
    assert page.js_errors == []


def test_blank_net_and_pasted_csv(page, served):
    """A blank net from the boxes as they open (a, b; H = 4; sum; T = 6), then a pasted CSV as new
    data for it: the same net with the pasted cases."""
    open_data(page)
    page.locator(".data-blank button").click()
    expect(page.locator(".data-message")).to_contain_text("Your own net: 2 inputs, 7 units, 0 training and 0 test")
    session = served[-1].session
    assert session.unit_names == ["a", "b", "h1", "h2", "h3", "h4", "sum"] and session.steps == 6
    page.locator(".data-mode button").filter(has_text="new data for this net").click()
    page.locator(".data-paste textarea").fill("case,t,in:a,in:b,target:sum\nz,0,1,1,\nz,1,0,0,\nz,2,,,0\n")
    page.locator(".data-use-paste button").click()
    expect(page.locator(".data-message")).to_contain_text("Loaded the pasted text: Your own net: 2 inputs, 7 units, "
                                                          "1 training and 0 test cases.")
    expect(page.locator(".data-summary")).to_contain_text("1 training and 0 test cases")
    assert session.cases["labels"] == ["z"] and session.steps == 2
