"""The user's own data on the command line (issue 15): ``bptt-sim new`` from a CSV file or blank,
``train``/``check``/``export``/``serve`` on what it makes, the README's three commands, and bad
files refused with one line naming the line and column."""
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import Sequences, bptt

from simulator import cli
from simulator import document as D
from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from test_readme import shown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def echo_csv(cases=40, test=8, steps=8, delay=2, seed=0):
    """The echo task of docs/echo.csv: a random bit on x at every step, the target y at step t is
    the bit of step t - delay; the last ``test`` cases are test cases."""
    rng = np.random.default_rng(seed)
    lines = ["case,t,in:x,target:y,split"]
    for c in range(cases):
        bits = rng.integers(0, 2, steps + 1)
        split = "test" if c >= cases - test else "train"
        lines += [f"c{c},{t},{bits[t]},{bits[t - delay] if t >= delay else ''},{split}" for t in range(steps + 1)]
    return "\n".join(lines) + "\n"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "simulator", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_docs_echo_csv_is_the_echo_task():
    """docs/echo.csv, which the README and docs/data.md use, is what echo_csv() makes."""
    assert (ROOT / "docs" / "echo.csv").read_text() == echo_csv()


def test_new_train_check_export_on_the_echo_task(tmp_path):
    """new makes the document; train reaches test accuracy 1.0 on the 8 test cases it never saw,
    with exactly the figures of the same run in-process and of the engine on the test cases'
    own Sequences; check agrees; export writes the CSV it came from."""
    data = tmp_path / "echo.csv"
    data.write_text(echo_csv())
    r = run("new", "--data", data, "--hidden", 4, "--seed", 1, "--out", tmp_path / "echo.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{tmp_path / 'echo.json'}: Your own net: 1 inputs, 6 units, 32 training and 8 test")
    r = run("train", tmp_path / "echo.json", "--updates", 1000, "--out", tmp_path / "t.json", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    s = CS.new_session(read_csv(echo_csv()), hidden=4, seed=1)
    start = s.loss_value
    s.step(1000)
    assert got["start_loss"] == start and got["loss"] == s.loss_value and got["updates"] == 1000
    assert got["test_accuracy"] == 1.0 and got["accuracy"] == 1.0 and got["solved"] is True
    trained = D.load(tmp_path / "t.json")
    table = read_csv(echo_csv())
    test = Sequences(*(a[32:] for a in (table.X, table.K, table.Y, table.M)))  # x, y -> units 0 and 5
    full = [np.zeros((8, 9, 6)) for _ in range(4)]
    for f, a in zip(full, (test.X, test.K, test.Y, test.M)):
        f[..., [0, 5]] = a
    assert got["test_loss"] == float(bptt(trained.net, Sequences(*full)).loss) == CS.figures(s)["test_loss"]
    r = run("check", tmp_path / "t.json", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["agree"], r.stderr
    r = run("export", tmp_path / "t.json")
    assert r.returncode == 0 and r.stdout == echo_csv(), r.stderr
    assert run("export", tmp_path / "t.json", "--out", tmp_path / "back.csv").returncode == 0
    assert (tmp_path / "back.csv").read_text() == echo_csv()


def test_blank_net_trains_and_checks(tmp_path):
    """new --inputs a,b --hidden 3 --targets sum --steps T: a blank net that loads, trains and checks."""
    out = tmp_path / "blank.json"
    r = run("new", "--inputs", "a,b", "--hidden", 3, "--targets", "sum", "--steps", 6, "--out", out)
    assert r.returncode == 0, r.stderr
    s = D.load(out)
    assert s.unit_names == ["a", "b", "h1", "h2", "h3", "sum"] and s.steps == 6 and s.cases["split"] == []
    r = run("train", out, "--updates", 3, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["loss"] == 0.0, r.stderr
    assert run("check", out).returncode == 0


def test_export_of_a_lesson_is_its_data():
    """A lesson's data export as cases 0..B-1, every unit clamped or taught somewhere a column."""
    r = run("export", "temporal-xor")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "case,t,in:x,target:y" and len(lines) == 1 + 32 * 13
    from simulator.state.session import Session
    seq = Session(lesson="temporal-xor").sequences
    table = read_csv(r.stdout)
    assert np.array_equal(table.X[..., 0], seq.X[..., 0]) and np.array_equal(table.Y[..., 1], seq.Y[..., 5])


def test_serve_builds_the_app_of_an_own_net(tmp_path, monkeypatch):
    """serve DOC.json: each browser session's whole app (every view) is built on the document's net,
    which keeps its cases; a step and the status line work on it."""
    import simulator.app
    path = tmp_path / "echo.json"
    D.save(path, CS.new_session(read_csv(echo_csv()), hidden=4, seed=1))
    built = []

    class Recorded(simulator.app.SimulatorApp):
        def __init__(self, **params):
            super().__init__(**params)
            built.append(self)
    monkeypatch.setattr(simulator.app, "SimulatorApp", Recorded)
    page = cli._factory(str(path))()
    assert page is not None and len(built) == 1
    s = built[0].session
    assert s.unit_names == ["x", "h1", "h2", "h3", "h4", "y"] and s.cases["split"].count("test") == 8
    assert s.step(2) and s.status().startswith("update 2 · loss") and s.cases is not None


H = "case,t,in:x,target:y\n"
BAD = [  # (the file's text or bytes, the line printed after "bptt-sim: error: <path>: ")
    ("t,in:x,target:y\n", "line 1: missing column 'case'"),
    ("case,in:x,target:y\n", "line 1: missing column 't'"),
    (H + "a,0,one,\n", "line 2, column 3 ('in:x'): expected a number or an empty cell; got 'one'"),
    (H + "a,0.5,1,\n", "line 2, column 2 ('t'): expected an integer step 0..60; got '0.5'"),
    (H + "a,0,1,1\na,0,1,1\n", "line 3, column 2 ('t'): step 0 of case 'a' is repeated (first on line 2)"),
    ("case,t,input:x,target:y\n", "line 1, column 3: unknown column 'input:x'"),
    ("case,t,in:x\na,0,1\n", "line 1: no target:<unit> column"),
    (H + "a,0,1,\n", "line 1, column 4 ('target:y'): no targets at all"),
    (b"\x1f\x8b\x08\x00\x00\x00", "line 1, column 2: byte 0x8b is not UTF-8 text"),
    (H + "a,61,1,1\n", "line 2, column 2 ('t'): step 61 is past the limit of 60 steps"),
    (H + "".join(f"c{k},0,1,1\n" for k in range(1001)), "line 1002, column 1 ('case'): at most 1000 cases"),
    ("case,t," + ",".join(f"in:u{k}" for k in range(73)) + ",target:y\n", "line 1, column 75: at most 72 units"),
]


@pytest.mark.parametrize("data, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_files_are_one_line(data, message, tmp_path):
    """Every bad file: exit 2, one line ``bptt-sim: error: FILE: line L, column C ...``, no traceback,
    no document written."""
    path = tmp_path / "bad.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    r = run("new", "--data", path, "--hidden", 2, "--out", tmp_path / "out.json")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert lines[0].startswith(f"bptt-sim: error: {path}: {message}"), lines[0]
    assert "Traceback" not in r.stderr and not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("args, message", [
    (("--hidden", 2, "--out", "x.json"), "new needs --data FILE.csv, or --targets and --steps"),
    (("--data", "d.csv", "--inputs", "a", "--hidden", 2, "--out", "x.json"), "--data gives the inputs, targets"),
    (("--data", "nope.csv", "--hidden", 2, "--out", "x.json"), "nope.csv: no such file"),
    (("--targets", "y", "--steps", 3, "--hidden", 99, "--out", "x.json"), "--hidden: expected 0..72"),
    (("--inputs", "a,a", "--targets", "y", "--steps", 3, "--hidden", 1, "--out", "x.json"), "--inputs: 'a' is named"),
    (("--data", "big.csv", "--hidden", 2, "--out", "x.json"), "big.csv is 5000001 bytes"),
])
def test_bad_arguments_are_one_line(args, message, tmp_path):
    (tmp_path / "d.csv").write_text(H + "a,0,1,1\n")
    with open(tmp_path / "big.csv", "wb") as f:
        f.truncate(5_000_001)
    r = run("new", *args, cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"bptt-sim: error: {message}"), r.stderr


def test_readme_own_data_commands(tmp_path):
    """The README's three commands from docs/echo.csv to a trained net give its figures: the error
    from and to, every test case right, the test loss; the third serves the trained document."""
    section = README[README.index("## Your own data"):]
    section = section[:section.index("\n## ", 1)]
    commands = [line.strip() for line in re.findall(r"^ {4}(bptt-sim .+)$", section, re.M)]
    assert len(commands) == 3 and commands[0].startswith("bptt-sim new --data docs/echo.csv"), commands
    found = re.search(r"takes the error from ([\d.]+) to ([\d.]+) and gets every test case right "
                      r"\(`train --json` reports `test_accuracy` 1.0 and `test_loss` ([\d.e-]+)\)", " ".join(section.split()))
    assert found, "README.md: the own-data sentence with its figures"
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "echo.csv", tmp_path / "docs" / "echo.csv")
    assert run(*shlex.split(commands[0])[1:], cwd=tmp_path).returncode == 0
    r = run(*shlex.split(commands[1])[1:], "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    start, end, test_loss = found.groups()
    assert shown(start, got["start_loss"]) and shown(end, got["loss"]) and shown(test_loss, got["test_loss"]), got
    assert got["test_accuracy"] == 1.0
    serve = shlex.split(commands[2])
    assert serve[:2] == ["bptt-sim", "serve"] and (tmp_path / serve[2]).is_file()
    assert D.load(tmp_path / serve[2]).updates == got["updates"]
