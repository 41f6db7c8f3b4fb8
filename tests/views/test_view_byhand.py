"""ByHandView without a browser: the gradient check shows engine.finite_differences next to BPTT,
and the stack table and its CSV are session.gradients' numbers."""
import csv
import io

import numpy as np
import pytest

from engine import finite_differences
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import byhand
from simulator.views.byhand import ByHandView, parameter_labels, stack_csv


@pytest.fixture
def view():
    v = ByHandView(session=Session(), selection=Selection())
    v.__panel__()
    return v


def test_check_rows_are_finite_differences_and_bptt(view):
    """Every row of the check puts engine.finite_differences beside session.gradients for its parameter."""
    s = view.session
    s.step(5)
    view.run_check()
    net = s.net
    labels = parameter_labels(net, s.unit_names)
    numeric = np.concatenate([x.ravel() for x in finite_differences(net, s.sequences)])
    g = s.gradients
    analytic = np.concatenate([g.dW.ravel(), g.db.ravel(), g.dh0.ravel()])
    rows = view.check_source.data
    assert len(rows["parameter"]) == byhand.TOP_ROWS
    for name, a, f in zip(rows["parameter"], rows["bptt"], rows["numeric"]):
        k = labels.index(name)
        assert f == pytest.approx(numeric[k], rel=1e-12, abs=1e-15)
        assert a == pytest.approx(analytic[k], rel=1e-12, abs=1e-15)
    diffs = rows["abs_diff"]
    assert diffs == sorted(diffs, reverse=True)  # the biggest differences first


def test_check_agrees_and_reports_the_largest_relative_difference(view):
    """On the default lesson BPTT and finite differences agree to better than 1e-5, and the summary says so."""
    gc = view.run_check()
    assert gc.max_rel_diff < 1e-5
    assert f"{gc.max_rel_diff:.2e}" in view.summary.object and "agree" in view.summary.object


def test_check_is_cleared_when_the_net_changes(view):
    """After an update the old check no longer describes the net and is removed."""
    view.run_check()
    view.session.step(1)
    assert view.result is None and view.check_source.data["parameter"] == []
    assert "again" in view.summary.object


def test_big_nets_are_refused(view, monkeypatch):
    """Above the parameter limit the check does not run and says why."""
    monkeypatch.setattr(byhand, "MAX_CHECK_PARAMETERS", 10)
    assert view.run_check() is None
    assert "free parameters" in view.summary.object and view.check_source.data["parameter"] == []


def test_stack_table_is_the_selected_case(view):
    """The table holds s, z, g, d of the selected case for every (t, unit), and targets only where taught."""
    s = view.session
    s.step(3)
    view.selection.case = 4
    g, seq, N = s.gradients, s.sequences, s.net.N
    data = view.stack_source.data
    assert len(data["t"]) == (seq.T + 1) * N
    for row in (0, 7, len(data["t"]) - 1):
        t, i = data["t"][row], s.unit_names.index(data["unit"][row])
        assert (t, i) == divmod(row, N)
        assert data["s"][row] == g.states[4, t, i] and data["z"][row] == g.net_inputs[4, t, i]
        assert data["g"][row] == g.ds[4, t, i] and data["d"][row] == g.dz[4, t, i]
    taught = seq.M[4].ravel() > 0
    targets = np.array(data["target"])
    assert np.array_equal(np.isnan(targets), ~taught)
    assert np.array_equal(targets[taught], seq.Y[4].ravel()[taught])


def test_csv_equals_the_gradient_stacks(view):
    """The downloaded CSV parses back to exactly the session's stacks of the selected case."""
    s = view.session
    s.step(2)
    view.selection.case = 3
    text = view._csv_file().read()
    assert text == stack_csv(s, 3)
    rows = list(csv.DictReader(io.StringIO(text)))
    g, seq, N = s.gradients, s.sequences, s.net.N
    assert len(rows) == (seq.T + 1) * N
    for r in rows:
        t, i = int(r["t"]), s.unit_names.index(r["unit"])
        assert float(r["s"]) == g.states[3, t, i] and float(r["g"]) == g.ds[3, t, i]
        assert float(r["d"]) == g.dz[3, t, i] and float(r["z"]) == g.net_inputs[3, t, i]
        assert (r["target"] == "") == (seq.M[3, t, i] == 0)
        if r["target"]:
            assert float(r["target"]) == seq.Y[3, t, i]
    assert view.download.filename == f"stack-case3-update{s.updates}.csv"
