"""Caps held at every door (issue 21, items 4, 7, 8): documents, edits, the CLI and what the app
writes all keep to simulator/state/caps.py, and messages quote values briefly."""
import copy
import json
import subprocess
import sys

import numpy as np
import pytest

from simulator import cli
from simulator import document as D
from simulator.state import caps
from simulator.state.edits import MAX_EDIT_UNITS
from simulator.state.session import Session


def _doc(lesson="tied-weights"):
    return D.to_document(Session(lesson=lesson))


def _grown(N):
    """A valid-looking document of N units: the tied-weights net with N - 6 extra input units."""
    doc = _doc()
    extra = N - len(doc["units"]["names"])
    doc["units"]["names"] += [f"x{k}" for k in range(extra)]
    doc["units"]["groups"] += ["inputs"] * extra
    net = doc["network"]
    for key in ("W", "connections"):
        net[key] = [row + [0] * extra for row in net[key]] + [[0] * N for _ in range(extra)]
    net["W"] = [[float(x) for x in row] for row in net["W"]]
    for key, fill in (("b", 0.0), ("h0", 0.5), ("activation", "logistic"), ("learn_h0", False)):
        net[key] = net[key] + [fill] * extra
    for key in "XKYM":
        doc["data"][key] = [[step + [0] * extra for step in case] for case in doc["data"][key]]
    doc["training"]["velocity"] = [0.0] * (N * N + 2 * N)
    return doc


def test_the_documented_unit_cap_holds_for_documents():
    """72 units load; 73 are refused naming the cap (validation allowed 1024 before)."""
    assert D.session_from_document(_grown(caps.MAX_UNITS)).net.N == caps.MAX_UNITS
    with pytest.raises(ValueError, match=rf"^units\.names: at most {caps.MAX_UNITS} units .*; got 73$"):
        D.validate(_grown(caps.MAX_UNITS + 1))


def test_one_cap_for_documents_and_the_editor():
    assert MAX_EDIT_UNITS == caps.MAX_UNITS == 72
    assert Session.param.steps.bounds[1] == caps.MAX_STEPS
    assert (D.MAX_BYTES, D.MAX_CELLS, D.MAX_UPDATES) == (caps.MAX_BYTES, caps.MAX_CELLS, caps.MAX_UPDATES)


def test_cases_and_tie_references_are_capped():
    doc = _doc()
    B = caps.MAX_CASES + 1
    for key in "XKYM":
        doc["data"][key] = doc["data"][key][:1] * B
    with pytest.raises(ValueError, match=rf"^data\.X: shape \(B={B}, .*B <= {caps.MAX_CASES}"):
        D.validate(doc)
    doc = _doc()
    doc["network"]["ties"] = [[["b", 0], ["b", 1]]] * (caps.MAX_PARAMETERS // 2 + 1)
    with pytest.raises(ValueError, match=rf"^network\.ties: at most {caps.MAX_PARAMETERS} tied references"):
        D.validate(doc)


def test_version_must_be_the_integer_1():
    doc = _doc()
    doc["version"] = 1.0
    with pytest.raises(ValueError, match=r"^version: expected 1 .*got the number 1\.0$"):
        D.validate(doc)


def test_messages_say_nan_and_quote_at_most_80_characters():
    doc = _doc()
    doc["network"]["W"][0][0] = float("nan")
    with pytest.raises(ValueError, match=r"^network\.W\[0\]\[0\]: expected a finite number; got nan$"):
        D.validate(doc)
    doc = _doc()
    doc["lesson"] = "x" * 4_500_000
    with pytest.raises(ValueError) as err:
        D.validate(doc)
    assert len(str(err.value)) < 400 and str(err.value).endswith("...")
    assert caps.quote(np.float64("nan")) == "nan" and caps.quote(10 ** 5000) == "an integer of about 5001 digits"
    s = Session()
    s.set_parameter(("b", 0), "y" * 100_000)
    assert s.message_kind == "error" and len(s.message) < 250


def test_training_stops_at_the_update_cap():
    """At 2**53 - 1 updates the session trains no more and says why: its document still loads."""
    s = Session(lesson="tied-weights")
    s.param.update(updates=caps.MAX_UPDATES - 2)
    s.trainer.optimiser.updates = caps.MAX_UPDATES - 2
    assert s.step(5) and s.updates == caps.MAX_UPDATES  # two of the five, up to the cap
    assert not s.step(1) and s.updates == caps.MAX_UPDATES and "Training stops at update" in s.message
    assert D.session_from_document(D.parse(D.dumps(D.to_document(s)))).updates == caps.MAX_UPDATES


def test_a_long_history_is_thinned_so_the_document_loads():
    """A history of 300,000 updates (~8 MB of JSON) is written as 20,000 entries ending with the
    last, and the document loads again."""
    s = Session(lesson="tied-weights")
    n = 300_000
    s.param.update(updates=n, history=[(u, 1.0 / u) for u in range(1, n + 1)])
    doc = D.parse(D.dumps(D.to_document(s)))
    h = doc["training"]["history"]
    assert len(h) == caps.MAX_HISTORY and h[0] == [1, 1.0] and h[-1] == [n, 1.0 / n]
    assert D.session_from_document(doc).updates == n


def test_a_state_too_big_to_load_is_not_saved():
    doc = _doc()
    doc["lesson"] = "x" * (caps.MAX_BYTES + 1)
    with pytest.raises(ValueError, match=rf"^this state as a document is \d+ bytes .*the limit is {caps.MAX_BYTES} bytes"):
        D.dumps(doc)


def test_cli_refuses_a_big_file_before_parsing(tmp_path, capsys):
    """A file over the byte cap is refused by its size (it is never read or parsed)."""
    big = tmp_path / "big.json"
    big.write_bytes(b"[" * (caps.MAX_BYTES + 1))  # would take the parser down if it were read
    assert cli.main(["check", str(big)]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"is {caps.MAX_BYTES + 1} bytes" in err and "the limit is" in err
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert cli.main(["train", str(empty), "--updates", "1"]) == cli.EXIT_BAD_INPUT
    assert "is empty" in capsys.readouterr().err


def test_cli_check_prints_a_lone_surrogate_name(tmp_path):
    """A unit named "\\ud800" (valid JSON, not encodable) is printed escaped, not a crash."""
    doc = _doc()
    doc["units"]["names"][0] = "\ud800"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(doc), encoding="ascii")  # json.dumps escapes it as \ud800
    out = subprocess.run([sys.executable, "-m", "simulator", "check", str(path), "--all"], capture_output=True,
                         env={"PYTHONIOENCODING": "utf-8", **_env()}, timeout=300)
    assert out.returncode == 0, out.stderr.decode()
    assert b"\\ud800" in out.stdout and b"agree" in out.stdout


def _env():
    import os
    return {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}


def test_a_net_at_the_caps_is_refused_nowhere():
    """The largest document allowed (72 units) goes through parse, load and save unchanged."""
    doc = _grown(caps.MAX_UNITS)
    text = D.dumps(doc)
    assert D.to_document(D.session_from_document(D.parse(text))) == copy.deepcopy(doc)


def test_save_button_refuses_a_state_beyond_the_cap_with_a_message(monkeypatch):
    """The Save button gives no file it could not load again: the message says why."""
    from simulator.views.share import ShareView
    view = ShareView(session=Session(lesson="tied-weights"))
    monkeypatch.setattr(caps, "MAX_BYTES", 1000)
    with pytest.raises(ValueError):
        view._document()
    assert view.session.message.startswith("Could not save: this state as a document is ")
    assert "the limit is 1000 bytes" in view.feedback.object


def test_the_biggest_net_the_app_builds_saves_and_loads():
    """The robot writer on sentences using all 32 letters has 72 units: its document loads."""
    s = Session()
    letters = "abcdefghijklmnopqrstuvwxyz .,!?'"
    assert s.use_sentences(letters + "\n" + letters[::-1]), s.message
    assert s.net.N == caps.MAX_UNITS
    assert D.session_from_document(D.parse(D.dumps(D.to_document(s)))).net.N == caps.MAX_UNITS
