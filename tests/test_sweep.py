"""bptt-sim sweep (issue 14): each run is exactly train's training; outputs; bad input refused."""
import csv
import json
import subprocess
import sys

import pytest

from simulator import sweep as S
from simulator.cli import main


def train_json(capsys, *args):
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_run_is_exactly_train(capsys):
    run = S.run_one("temporal-xor", 3, {"learning_rate": 0.3}, 40)
    ref = train_json(capsys, "temporal-xor", "--seed", "3", "--updates", "40", "--set", "learning_rate=0.3")
    assert run["loss"] == ref["loss"] and run["solved"] == ref["solved"]


@pytest.mark.parametrize("args", [["--seeds", "x"], ["--seeds", "5-2"], ["--set", "lr=1"],
                                  ["--set", "momentum=0.5,abc"], ["--set", "learn_h0=maybe"]])
def test_bad_values_are_refused_in_one_line(args):
    p = subprocess.run([sys.executable, "-m", "simulator", "sweep", "temporal-xor", *args],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "error" in p.stderr


def test_sweep_on_a_local_cluster_writes_json_csv_and_page(tmp_path, capsys):
    out, page = tmp_path / "runs.csv", tmp_path / "sweep.html"
    assert main(["sweep", "temporal-xor", "--seeds", "2", "--updates", "30", "--workers", "1",
                 "--set", "learning_rate=0.2,0.3", "--json", "--out", str(out), "--plot", str(page)]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [(r["seed"], r["settings"]["learning_rate"]) for r in data["runs"]] == [(0, 0.2), (1, 0.2), (0, 0.3), (1, 0.3)]
    for r in data["runs"]:
        assert r["loss"] == S.run_one("temporal-xor", r["seed"], r["settings"], 30)["loss"]
    assert [s["runs"] for s in data["summary"]] == [2, 2]
    rows = list(csv.DictReader(out.open()))
    assert [float(r["loss"]) for r in rows] == [r["loss"] for r in data["runs"]]
    assert "Bokeh" in page.read_text() and "DataTable" in page.read_text()


@pytest.fixture
def dask_cluster(tmp_path):
    """A `dask scheduler` and one `dask worker` as processes on 127.0.0.1, killed in teardown."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--dashboard-address", ":0"], stderr=subprocess.DEVNULL)]
    procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
                                   "--nthreads", "1", "--no-dashboard"], stderr=subprocess.DEVNULL))
    try:
        yield address
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=30)


def test_sweep_on_a_scheduler_and_worker(dask_cluster, capsys):
    from distributed import Client
    with Client(dask_cluster, timeout=60) as client:
        client.wait_for_workers(1, timeout=60)
    assert main(["sweep", "temporal-xor", "--seeds", "2", "--updates", "20", "--scheduler", dask_cluster, "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["loss"] for r in data["runs"]] == [S.run_one("temporal-xor", s, {}, 20)["loss"] for s in (0, 1)]
