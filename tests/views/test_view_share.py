"""ShareView without a browser: the download is the current document; uploads load or are refused."""
import json

import numpy as np

from simulator import document as D
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lecture import LectureMode
from simulator.views.share import ShareView


def share_view(session):
    """A ShareView with the Selection and LectureMode it saves and restores, as the app makes it."""
    sel = Selection()
    lecture = LectureMode(session=session, selection=sel, player=Player(session=session, selection=sel))
    return ShareView(session=session, selection=sel, lecture=lecture)


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


def test_save_and_load_carry_the_view():
    """Save writes the time step, selection, tab and lecture mode; loading that file into another
    app's ShareView shows the same view."""
    s = Session()
    view = share_view(s)
    view.selection.param.update(time=3, weight=(2, 0), unit=(1, 4), tab="By hand", theme="dark")
    view.lecture.param.update(large_type=True, hidden=["settings"], card=2)
    text = view._document().getvalue()
    assert json.loads(text)["view"] == {"time": 3, "case": 0, "weight": [2, 0], "unit": [1, 4], "tab": "By hand",
                                        "large_type": True, "hidden": ["settings"], "card": 2, "theme": "dark"}
    other = share_view(Session(lesson="attractors"))
    other.upload.filename = "view.json"
    other.upload.value = text.encode()
    sel, lecture = other.selection, other.lecture
    assert (sel.time, sel.weight, sel.unit, sel.tab, lecture.large_type, lecture.hidden, lecture.card) == \
        (3, (2, 0), (1, 4), "By hand", True, ["settings"], 2)
    assert other.session.lesson == "binary-addition" and "Loaded view.json" in other.feedback.object


def test_a_bad_view_changes_nothing():
    """A document whose view names a time step beyond T is refused whole: state and view stay."""
    s = Session()
    view = share_view(s)
    doc = D.to_document(Session(lesson="tied-weights"))
    doc["view"] = {"time": 99}
    view.upload.filename = "far.json"
    view.upload.value = D.dumps(doc).encode()
    assert s.lesson == "binary-addition" and view.selection.time == 0
    assert "view.time: expected a time step in 0..2; got 99" in view.feedback.object
