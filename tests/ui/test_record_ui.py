"""Record: the stage's Record button and a picture's Record tool film what the page shows as a WebM
video made in the browser (static/record.js), downloaded under the lesson's and picture's name."""
import math
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

EBML, DOC_TYPE, SEGMENT, CLUSTER, TIMECODE = 0x1A45DFA3, 0x4282, 0x18538067, 0x1F43B675, 0xE7
SIMPLE_BLOCK, BLOCK_GROUP, BLOCK = 0xA3, 0xA0, 0xA1
TRACKS, TRACK_ENTRY, VIDEO, PIXEL_WIDTH, PIXEL_HEIGHT = 0x1654AE6B, 0xAE, 0xE0, 0xB0, 0xBA
# walked into; a recorder writes some of unknown size
MASTERS = {EBML, SEGMENT, CLUSTER, BLOCK_GROUP, TRACKS, TRACK_ENTRY, VIDEO}
# The pictures a recording films, in CSS pixels: the width and height of the box around them.
EXTENT = """(names) => {
  const boxes = names.map((n) => Bokeh.documents[0].get_model_by_name(n)).map((fig) =>
    fig.document.views_manager.find_one(fig).canvas_view.el.getBoundingClientRect());
  return {width: Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left)),
          height: Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top)),
          ratio: window.devicePixelRatio || 1};
}"""
# A recording's canvas (of ``picture``, filming the figures ``names``) is the pictures and, below them,
# the legend's height, and that strip has the legend drawn (pixels other than the background), once
# the legend's image loaded.
LEGEND_FILMED = """([picture, names]) => {
  const rec = [...window.bpttRecord.recordings.values()].find((r) => r.picture === picture);
  const ratio = window.devicePixelRatio || 1, top = Math.ceil((%s)(names).height * ratio);
  if (!rec || !rec.canvas || rec.canvas.height < top + 20 * ratio) return false;
  const strip = rec.canvas.getContext("2d").getImageData(0, top, rec.canvas.width, rec.canvas.height - top).data;
  let ink = 0;
  for (let k = 0; k < strip.length; k += 4)
    if (Math.abs(strip[k] - strip[0]) + Math.abs(strip[k + 1] - strip[1]) + Math.abs(strip[k + 2] - strip[2]) > 60) ink++;
  return ink > 200;
}""" % EXTENT
STAGE = ["network_figure", "unrolled_figure"]
# The live view's frames: the animation frames in which a picture repainted (counted from now on).
COUNT_PAINTS = """(names) => {
  const counter = {frames: 0, pending: false};
  for (const n of names) {
    const fig = Bokeh.documents[0].get_model_by_name(n);
    fig.document.views_manager.find_one(fig).repainted.connect(() => {
      if (counter.pending) return;
      counter.pending = true;
      counter.frames++;
      requestAnimationFrame(() => { counter.pending = false; });
    });
  }
  window.testPicturesPainted = counter;
}"""
# The legend's height in CSS pixels (save_tool.py's LEGEND_SVG): 12 plus 26 a row of entries.
LEGEND_ROW, LEGEND_PAD = 26, 12


def _vint(data, pos, keep_marker):
    """An EBML variable-length integer at ``pos``: (value, its length in bytes)."""
    first = data[pos]
    assert first, f"no EBML length marker at byte {pos}"
    length = 9 - first.bit_length()
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for b in data[pos + 1:pos + length]:
        value = (value << 8) | b
    return value, length


def ebml_elements(data):
    """The file's non-master elements as (id, payload, cluster timecode), in order."""
    found, pos, cluster_time = [], 0, 0
    while pos < len(data):
        eid, n = _vint(data, pos, keep_marker=True)
        size, m = _vint(data, pos + n, keep_marker=False)
        pos += n + m
        if eid in MASTERS:
            continue  # its children follow (an unknown size is all ones: we never skip a master)
        assert size != (1 << (7 * m)) - 1, f"element {eid:#x} of unknown size"
        payload = bytes(data[pos:pos + size])
        if eid == TIMECODE:
            cluster_time = int.from_bytes(payload, "big")
        found.append((eid, payload, cluster_time))
        pos += size
    return found


def frame_times(data):
    """The time (ms) of each video block: its cluster's timecode plus the block's own offset."""
    times = []
    for eid, payload, cluster_time in ebml_elements(data):
        if eid in (SIMPLE_BLOCK, BLOCK):
            _, n = _vint(payload, 0, keep_marker=False)  # the track number
            times.append(cluster_time + int.from_bytes(payload[n:n + 2], "big", signed=True))
    return times


def check_webm(path):
    """The file is WebM (EBML header, DocType webm) with more than one distinct frame; returns the
    frames' times (ms) and the video's (width, height) in pixels."""
    data = open(path, "rb").read()
    assert data[:4] == b"\x1a\x45\xdf\xa3", data[:4]
    elements = ebml_elements(data)
    doc_types = [p for eid, p, _ in elements if eid == DOC_TYPE]
    assert doc_types == [b"webm"]
    times = frame_times(data)
    assert len(set(times)) > 1, times
    sizes = [[int.from_bytes(p, "big") for eid, p, _ in elements if eid == kind] for kind in (PIXEL_WIDTH, PIXEL_HEIGHT)]
    assert [len(sizes[0]), len(sizes[1])] == [1, 1], sizes  # one video track
    return times, (sizes[0][0], sizes[1][0])


def check_legend_below(size, extent):
    """The video (``size``, pixels) is the filmed pictures' box (``extent``, CSS pixels) and, below it,
    the legend: as wide as the pictures, and taller than them by a legend of one or more rows."""
    ratio = extent["ratio"]
    assert size[0] == 2 * math.ceil(extent["width"] * ratio / 2), (size, extent)  # even sides for VP8/VP9
    legend_px = size[1] - extent["height"] * ratio
    rows = round((legend_px / ratio - LEGEND_PAD) / LEGEND_ROW)
    # within 2 px: the box's fractional height, then the video's height rounded up to even
    assert rows >= 1 and abs(legend_px - (LEGEND_PAD + rows * LEGEND_ROW) * ratio) <= 2, (size, extent)


def test_stage_and_picture_record_webm(page, served):
    """During the slow-motion pass, the stage's Record button (pressed with the keyboard) shows a
    running clock, and pressed again downloads a WebM of several frames named after the lesson,
    the pictures and the update, showing the nets' legend below both pictures, at the frame rate
    the pictures repainted at; a picture's own Record tool, reached with Tab, does the same for
    that picture, and Enter on it records without also training (the page's Enter key)."""
    session = served[-1].session
    page.locator(".pass-speed select").select_option(label="0.15 s a tick")
    page.locator(".slow-btn button").click()
    button, clock = page.locator(".record-stage .record-btn"), page.locator(".record-stage .record-clock")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text(re.compile("^Record"))
    expect(button).to_have_attribute("title", re.compile("video"))
    page.evaluate(COUNT_PAINTS, STAGE)
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text(re.compile("Stop"))
    page.wait_for_function(LEGEND_FILMED, arg=["recurrent-and-unrolled", STAGE])  # the nets' legend below both
    expect(clock).to_have_text(re.compile(r"recording 0:0[2-9]"))  # the recorder's own clock: ~2 s filmed
    extent, painted = page.evaluate(EXTENT, STAGE), page.evaluate("() => window.testPicturesPainted.frames")
    with page.expect_download() as info:
        button.click()
    video = info.value
    assert video.suggested_filename == f"{session.lesson}-recurrent-and-unrolled-update{session.updates}.webm"
    times, size = check_webm(video.path())
    check_legend_below(size, extent)
    # The live view's frame rate: a frame for each frame the pictures repainted in (a recorder
    # under load may drop a few), and no more than those and one each half second of stillness.
    frames, seconds = len(set(times)), (max(times) - min(times)) / 1000
    assert 0.6 * painted <= frames <= painted + 2 * seconds + 3, (frames, painted, seconds)
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(clock).to_have_text("")

    # From the keyboard: Tab from the stage's button onto the recurrent picture, then along its
    # toolbar (PNG, SVG, Record), which shows while focus is in the picture; Enter presses.
    button.focus()
    focused = page.locator('.bk-ClickButton[title^="Record this picture"]:focus')
    for _ in range(8):  # four: the picture, its PNG, SVG and Record
        page.keyboard.press("Tab")
        # The page shows a toolbar in a timer after the Tab (static/record.js); Chromium runs
        # input before timers, so a second Tab sent at once could pass the toolbar still hidden.
        # A person's next key comes long after; here, wait for the page's timers queued so far.
        page.evaluate("() => new Promise((done) => setTimeout(done, 0))")
        if focused.count():
            break
    expect(focused).to_have_count(1)
    record = page.locator(".bk-ClickButton[aria-pressed]")  # the one Record tool shown so far
    expect(record).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(record).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(LEGEND_FILMED, arg=["recurrent-network", STAGE[:1]])  # the legend under it, as in its PNG
    extent = page.evaluate(EXTENT, STAGE[:1])
    badge = page.locator(".bptt-record-badge")
    expect(badge).to_contain_text(re.compile(r"recording recurrent-network 0:0[1-9]"))
    with page.expect_download() as info:
        badge.locator("button").click()
    video = info.value
    assert video.suggested_filename == f"{session.lesson}-recurrent-network-update{session.updates}.webm"
    check_legend_below(check_webm(video.path())[1], extent)
    expect(badge).to_have_count(0)
    expect(record).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".status-line .status")).to_contain_text(f"update {session.updates} ")  # Enter did not train
    assert page.js_errors == []


def test_record_says_when_the_browser_cannot(browser, app_url):
    """Without MediaRecorder the stage's Record button is disabled and says why, rather than failing silently."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    context.add_init_script("delete window.MediaRecorder")
    page = context.new_page()
    try:
        page.goto(app_url)
        button = page.locator(".record-stage .record-btn")
        expect(button).to_be_disabled()
        expect(button).to_have_text(re.compile("not in this browser"))
        expect(page.locator(".record-stage .record-clock")).to_contain_text("cannot record video")
    finally:
        context.close()


def test_recording_updates_names_the_first_and_last(page, served):
    """A recording during which the net was updated is named with the update shown when it started
    and the one shown when it stopped (a slow-motion pass shows one update: test above)."""
    session = served[-1].session
    status, button = page.locator(".status-line .status"), page.locator(".record-stage .record-btn")
    expect(status).to_contain_text("update 0 ")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    for n in (1, 2, 3):
        page.locator(".step-btn button").click()
        expect(status).to_contain_text(f"update {n} ")
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename == f"{session.lesson}-recurrent-and-unrolled-update0-3.webm"
    check_webm(info.value.path())
    assert page.js_errors == []
