"""ShareView without a browser: the download is the current document; uploads load or are refused."""
import json

import numpy as np
import panel as pn

from simulator import document as D
from simulator.session import Session
from simulator.views.share import ShareView


def test_download_is_the_current_state():
    """The Save button's file is the document of the state at the moment it is pressed."""
    s = Session()
    view = ShareView(session=s)
    view.__panel__()
    s.step(4)
    doc = json.loads(view._document().getvalue())
    assert doc["training"]["updates"] == 4 and doc["network"]["W"] == s.net.W.tolist()
    assert view.download.filename == "binary-addition-update4.json"  # named when pressed


def test_upload_loads_a_document():
    """Uploading a saved document puts its weights and update count into the session."""
    src = Session(lesson="tied-weights")
    src.step(6)
    s = Session()
    view = ShareView(session=s)
    view.upload.filename = "tied.json"
    view.upload.value = D.dumps(D.to_document(src)).encode()
    assert s.lesson == "tied-weights" and s.updates == 6 and np.array_equal(s.net.W, src.net.W)
    assert "Loaded tied.json: update 6" in view.feedback.object


def test_bad_upload_changes_nothing():
    """A truncated file is refused with a visible message and the state stays as it was."""
    s = Session()
    s.step(2)
    W = s.net.W.copy()
    view = ShareView(session=s)
    view.upload.filename = "cut.json"
    view.upload.value = D.dumps(D.to_document(s)).encode()[:100]
    assert s.updates == 2 and np.array_equal(s.net.W, W)
    assert "share-error" in view.feedback.object and "not valid JSON" in view.feedback.object
    assert s.message_kind == "error" and "Could not load cut.json" in s.message
    big = b" " * (D.MAX_BYTES + 1)
    view.upload.value = big
    assert "limit is 5000000 bytes" in view.feedback.object and s.updates == 2
