"""`bptt-sim train`'s training options (issue 16): the app's and the document's names, the same
numbers as the Session, a stopping loss, and bad input refused in one line with exit 2."""
import json

import numpy as np
import pytest

import engine
from simulator import cli_train
from simulator.state.session import Session
from test_cli import run


def test_options_train_as_the_session_does(tmp_path):
    """--optimizer, --learning-rate, --batch-size, --weight-decay and --truncate give the weights a
    Session with those settings reaches (==), and the saved document holds the settings."""
    out = tmp_path / "t.json"
    r = run("train", "tied-weights", "--updates", 12, "--optimizer", "adam", "--learning-rate", 0.05,
            "--batch-size", 3, "--weight-decay", 0.01, "--truncate", 2, "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    s = Session(lesson="tied-weights")
    s.param.update(optimizer="adam", learning_rate=0.05, batch_size=3, weight_decay=0.01, truncate=2)
    s.step(12)
    assert (result["updates"], result["loss"]) == (12, s.loss_value)
    doc = json.loads(out.read_text())
    np.testing.assert_array_equal(np.asarray(doc["network"]["W"]), s.net.W)
    assert {k: doc["training"][k] for k in ("optimizer", "batch_size", "truncate")} == \
        {"optimizer": "adam", "batch_size": 3, "truncate": 2}


def test_stop_at_ends_training_at_the_loss_and_reports_the_updates():
    """--stop-at LOSS stops once the loss is at or below it: fewer updates than asked, exit 0."""
    r = run("train", "tied-weights", "--updates", 400, "--stop-at", 0.3, "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["updates"] < 400 and result["loss"] <= 0.3 and not result["diverged"]


@pytest.mark.parametrize("args, says", [
    (("--optimizer", "adagrad"), "invalid choice: 'adagrad'"),
    (("--learning-rate", -1), "learning_rate"),
    (("--weight-decay", -0.5), "weight_decay"),
    (("--truncate", 0), "--truncate: expected a whole number >= 1"),
    (("--batch-size", 99), "batch size 99 is larger than the 4 cases"),
])
def test_bad_options_are_refused_in_one_line(args, says):
    """Each bad option: exit 2, one line on stderr naming it."""
    r = run("train", "tied-weights", "--updates", 2, *args)
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_the_optimizer_names_are_the_engine_s():
    """cli_train writes engine.OPTIMIZERS out (to keep --help quick); the two agree."""
    assert cli_train.OPTIMIZERS == engine.OPTIMIZERS
