"""The command line, run as users run it: ``python -m simulator ...`` in a subprocess."""
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request

import numpy as np
import pytest

from engine import GradientCheck

from simulator import cli
from simulator import document as D
from simulator.serving import allocator
from simulator.state.session import Session
from test_package import start_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "simulator", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_train_lesson_json_and_document(tmp_path):
    """train prints one JSON object with loss, updates and held-out bit accuracy, and --out holds
    exactly the weights of the same training run in-process."""
    out = tmp_path / "adder.json"
    r = run("train", "binary-addition", "--updates", 20, "--seed", 5, "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    s = Session()
    s.seed = 5
    start = s.loss_value
    s.step(20)
    assert result["updates"] == 20 and result["seed"] == 5
    assert result["loss"] == pytest.approx(s.loss_value, rel=1e-12) and result["start_loss"] == pytest.approx(start, rel=1e-12)
    assert result["measures"] == json.loads(json.dumps(cli.measures(s)))  # the lesson's read-out of the same net
    assert 0.0 <= result["measures"]["bit_accuracy"] <= 1.0
    saved = D.load(out)
    assert saved.updates == 20 and np.array_equal(saved.net.W, s.net.W)


def test_train_continues_a_document(tmp_path):
    """Training a saved document goes on from its update count and weights."""
    s = Session(lesson="tied-weights")
    s.step(4)
    path = tmp_path / "tied.json"
    D.save(path, s)
    r = run("train", path, "--updates", 6, "--json")
    assert r.returncode == 0, r.stderr
    s.step(6)
    result = json.loads(r.stdout)
    assert result["updates"] == 10 and result["loss"] == pytest.approx(s.loss_value, rel=1e-12)
    assert "ties" in result["measures"]


def test_train_out_keeps_the_view(tmp_path):
    """train FILE --out OUT.json writes FILE's view section into OUT.json (the trained state opens
    where FILE did); a FILE without one gives an OUT.json without one."""
    s = Session(lesson="tied-weights")
    s.step(2)
    view = {"time": 1, "case": 3, "weight": [int(k) for k in np.argwhere(s.net.C)[0]], "unit": [2, 1],
            "tab": "Weight matrices", "large_type": True, "hidden": ["sidebar"]}
    for given in (view, None):
        path, out = tmp_path / "in.json", tmp_path / "out.json"
        D.save(path, s, view=given)
        r = run("train", path, "--updates", 3, "--out", out)
        assert r.returncode == 0, r.stderr
        trained = json.loads(out.read_text())
        assert trained["training"]["updates"] == 5
        assert trained.get("view") == json.loads(path.read_text()).get("view") == (given and {**D.VIEW_DEFAULTS, **given})


def test_train_human_summary():
    """Without --json, train prints the loss before and after and the held-out accuracy."""
    r = run("train", "binary-addition", "--updates", 3)
    assert r.returncode == 0, r.stderr
    assert "updates 0 -> 3" in r.stdout and "bit accuracy" in r.stdout


def test_check_prints_the_comparison():
    """check lists parameters with bptt and numeric gradients and the max abs/rel differences."""
    r = run("check", "binary-addition")
    assert r.returncode == 0, r.stderr
    assert "W[h" in r.stdout and "←" in r.stdout and "max abs difference" in r.stdout and "agree" in r.stdout
    r = run("check", "tied-weights", "--json")
    result = json.loads(r.stdout)
    s = Session(lesson="tied-weights")
    gc = GradientCheck(s.net, s.sequences, eps=1e-6)  # check's default eps, in-process
    assert result["max_abs_diff"] == pytest.approx(gc.max_abs_diff, rel=1e-9)
    assert result["max_rel_diff"] == pytest.approx(gc.max_rel_diff, rel=1e-9)
    assert result["agree"] and result["max_abs_diff"] < 1e-6


@pytest.mark.parametrize("args, message", [
    (("train", "no-such-lesson", "--updates", 1), "neither a lesson"),
    (("train", "missing.json", "--updates", 1), "missing.json: no such file"),
    (("check", "BAD", ), "document: missing key 'version'"),
    (("check", "TRUNCATED"), "not valid JSON"),
    (("train", "GOOD", "--updates", 1, "--seed", 3), "--seed applies to a lesson name"),
    (("train", "binary-addition", "--updates", "many"), "argument --updates"),
    (("serve", "BAD", "--port", 0), "document: missing key 'version'"),
])
def test_errors_are_one_line(args, message, tmp_path):
    """Bad input exits with status 2 and one line on stderr that says what was wrong, no traceback."""
    good = tmp_path / "good.json"
    D.save(good, Session())
    files = {"BAD": tmp_path / "bad.json", "TRUNCATED": tmp_path / "cut.json", "GOOD": good}
    files["BAD"].write_text('{"format": "bptt-sim"}')
    files["TRUNCATED"].write_text(good.read_text()[:5000])
    r = run(*[files.get(a, a) for a in args])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bptt-sim: error:") and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_serve_factory_starts_every_session_from_the_document(tmp_path, monkeypatch):
    """serve FILE builds each browser session's app from the document's state and view."""
    s = Session(lesson="learned-initial-state")
    s.step(3)
    path = tmp_path / "s.json"
    D.save(path, s, view={"time": 2, "large_type": True})
    seen = []
    import simulator.app
    monkeypatch.setattr(simulator.app, "create_app", lambda **kw: seen.append(kw) or "app")
    create = cli._factory(str(path))
    assert create() == "app" and create() == "app"
    first, second = seen[0]["session"], seen[1]["session"]
    assert first is not second and first.updates == 3 and np.array_equal(first.net.h0, s.net.h0)
    assert seen[0]["view"]["time"] == 2 and seen[0]["view"]["large_type"] is True  # and the file's view


def test_serve_prints_a_url_that_answers_and_ctrl_c_ends_it(tmp_path):
    """serve FILE --port 0 prints its URL with the port it got, once that port accepts: a
    connection made the moment the line is read succeeds, the page loads, and Ctrl+C (SIGINT)
    stops the server with exit 0 and no traceback."""
    path = tmp_path / "s.json"
    D.save(path, Session())
    proc, url = start_server([sys.executable, "-m", "simulator", "serve", str(path), "--port", "0"], cwd=ROOT)
    try:
        host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
        assert port != 0
        socket.create_connection((host, port), timeout=10).close()  # no retry: it must answer now
        page = urllib.request.urlopen(url, timeout=60).read().decode()
        assert "bptt-sim" in page
        if allocator.system_malloc_missing(os.environ, allocator.on_glibc()):
            # started again, same process, with the allocator that gives memory back (serving/allocator.py)
            assert b"PYTHONMALLOC=malloc" in open(f"/proc/{proc.pid}/environ", "rb").read().split(b"\0")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err and out == "", (out, err[-3000:])
