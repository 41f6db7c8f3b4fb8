"""Big and empty files through Load in Chromium (issue 21, item 5): the browser measures the file
and sends only its size, so the session lives on and says why; a good file still loads after."""
import pytest
from playwright.sync_api import expect

from simulator import document as D
from simulator.state import caps
from simulator.state.session import Session

pytestmark = pytest.mark.ui


def test_oversized_and_empty_files_keep_the_session(page, tmp_path):
    """A 16 MB file closed the websocket with no message (Bokeh's 20 MB message limit, base64):
    now it is refused with the normal message, as is an empty file, and the page goes on working."""
    big, empty, good = tmp_path / "big.json", tmp_path / "empty.json", tmp_path / "good.json"
    big.write_bytes(b" " * 16_000_000)
    empty.write_bytes(b"")
    trained = Session()
    trained.step(7)
    D.save(good, trained)
    upload = page.locator(".share-load input[type=file]")
    status = page.locator(".status-line .status")
    message = page.locator(".share-message")

    upload.set_input_files(str(big))
    expect(message).to_contain_text(f"Could not load big.json: the file is 16000000 bytes (16 MB); "
                                    f"the limit is {caps.MAX_BYTES} bytes")
    upload.set_input_files(str(empty))
    expect(message).to_contain_text("Could not load empty.json: the file is empty")

    upload.set_input_files(str(good))  # the same session, still connected, loads a good file
    expect(message).to_contain_text("Loaded good.json")
    expect(status).to_contain_text(f"update 7 · loss {trained.loss_value:.6g}")
    assert page.js_errors == []
