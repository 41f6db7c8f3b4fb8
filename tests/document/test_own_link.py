"""A net of the user's own data in the page's link (issue 15, simulator/document/own_link.py and
views/link.py ``own``): state -> query -> state gives the same net, weights and cases; a bad or
oversize ``own`` is refused with its reason (the default lesson stays); too much data for a link
leaves ``own`` out and says so (own_note)."""
import base64
import json
import zlib

import numpy as np
import pytest

from simulator import document as D
from simulator.document import case_edits as E
from simulator.document import cases as CS
from simulator.document import generators as G
from simulator.document import own_link as O
from simulator.document.sequences_csv import read_csv
from simulator.lessons.registry import DEFAULT_LESSON
from simulator.state import caps
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.link import link_document, link_of

from test_cases import TEXT  # a, b (test) and c, of different lengths


def opened(query):
    """A fresh page's session after opening ``query`` (as LinkSync does), and whether it opened."""
    t, sel = Session(), Selection()
    ok = t.attempt(lambda: D.apply_document(t, link_document(query), selection=sel), "Could not open the link",
                   also=[sel])
    return t, sel, ok


def same_cases(a, b):
    for name in ("labels", "split", "lengths", "inputs", "targets"):
        assert a.cases[name] == b.cases[name]
    for k in "XKYM":
        assert np.array_equal(getattr(a.sequences, k), getattr(b.sequences, k))
        assert np.array_equal(getattr(a.cases["test"], k), getattr(b.cases["test"], k))


def test_own_data_round_trip_after_training():
    s, sel = CS.new_session(read_csv(TEXT), hidden=3, seed=4), Selection()
    s.step(6)
    sel.param.update(time=1, case=1)
    query = link_of(s, sel)
    assert query["own"] and query["w"] and len("&".join(f"{k}={v}" for k, v in query.items())) <= caps.MAX_LINK_CHARS
    t, tsel, ok = opened(query)
    assert ok, t.message
    assert (t.lesson, list(t.unit_names), list(t.unit_groups), t.updates, t.seed) == \
        (CS.HOST, list(s.unit_names), list(s.unit_groups), 6, 4)
    assert np.array_equal(t.net.params(), s.net.params()) and np.array_equal(t.net.C, s.net.C)
    assert t.loss_value == s.loss_value and (tsel.time, tsel.case) == (1, 1)
    same_cases(t, s)
    assert link_of(t, tsel)["own"] == query["own"]  # the opened page writes the same link


def test_a_blank_net_and_its_painted_case_round_trip():
    s = Session()
    assert E.blank_net(s, "a,b", 2, "sum", 5) and E.add_case(s)
    assert s.set_cell(0, 2, s.unit_names.index("a"), "clamp", 1)
    t, _, ok = opened(link_of(s))
    assert ok, t.message
    assert t.cases["labels"] == ["new 1"] and np.array_equal(t.sequences.K, s.sequences.K)
    assert np.array_equal(t.net.params(), s.net.params())


def test_without_w_the_weights_are_drawn_from_the_seed():
    s = CS.new_session(read_csv(TEXT), hidden=3, seed=4)
    made = s.net.params()
    s.step(3)
    query = link_of(s)
    del query["w"]
    t, _, ok = opened(query)
    assert ok and np.array_equal(t.net.params(), made) and t.cases is not None


def test_a_lessons_link_has_no_own_data():
    assert link_of(Session())["own"] == ""


def _packed(doc_or_bytes):
    raw = doc_or_bytes if isinstance(doc_or_bytes, bytes) else json.dumps(doc_or_bytes).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def _tampered(change):
    doc = O.link_document(CS.new_session(read_csv(TEXT), hidden=1, seed=0))
    change(doc)
    return _packed(doc)


@pytest.mark.parametrize("own, message", [
    ("not base64 at all!", "own: not data made by this app (base64url of a zlib-compressed document)"),
    (base64.urlsafe_b64encode(b"plain bytes").decode(), "own: not data made by this app"),
    ("A" * (caps.MAX_LINK_CHARS + 1), f"own: expected at most {caps.MAX_LINK_CHARS} characters of base64url"),
    (_packed(b"{\"format\": "), "own: document is not valid JSON"),
    (_packed(D.to_document(Session(lesson="tied-weights"))), "own: expected a net of your own data"),
    (_tampered(lambda d: d["cases"]["labels"].__setitem__(2, "a")), "own: cases.labels[2]: 'a' appears twice"),
    (_tampered(lambda d: d["data"]["K"][0][0].__setitem__(0, 7)), "own: data.K"),
])
def test_bad_own_is_refused_and_the_default_lesson_stays(own, message):
    t, _, ok = opened({"own": own, "n": "3"})
    assert not ok and t.message.startswith(f"Could not open the link: {message}"), t.message
    assert t.lesson == DEFAULT_LESSON and t.cases is None and t.updates == 0


def test_a_document_past_the_byte_cap_inside_own_is_refused(monkeypatch):
    monkeypatch.setattr(O, "MAX_INFLATED", 100)
    own = link_of(CS.new_session(read_csv(TEXT), hidden=1, seed=0))["own"]
    t, _, ok = opened({"own": own})
    assert not ok and "own: the document inside is larger than 100 bytes" in t.message, t.message


def test_too_much_data_for_a_link_says_so_and_leaves_it_out():
    s = CS.new_session(read_csv(G.generate("echo", 2, cases=600, test=8, steps=12, seed=1)), hidden=4, seed=1)
    cache = {}
    query = link_of(s, Selection(), cache)
    assert query["own"] == "" and query["w"] == ""
    assert cache["note"].startswith("This net's data is too large for a link") and "use Save" in cache["note"]
    t, _, ok = opened(query)  # the host lesson on its own data, not an error
    assert ok and t.lesson == CS.HOST and t.cases is None


def test_the_encoding_is_made_again_only_when_the_data_change(monkeypatch):
    s, cache = CS.new_session(read_csv(TEXT), hidden=2, seed=1), {}
    made = []
    encode = O.encode
    monkeypatch.setattr(O, "encode", lambda session: made.append(1) or encode(session))
    first = link_of(s, None, cache)
    s.step(2)
    second = link_of(s, None, cache)
    assert len(made) == 1 and first["own"] == second["own"] and first["w"] != second["w"]
    assert E.set_split(s, 0, "test")
    link_of(s, None, cache)
    assert len(made) == 2
