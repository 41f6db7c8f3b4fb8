"""Exports without a browser: the CSVs parse back to the session's numbers, the .npz loads back to its net."""
import csv
import io
import json

import numpy as np

from simulator.document import export as export
from simulator.state.session import Session
from simulator.views.share import ShareView


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _float(cell):
    return np.nan if cell == "" else float(cell)


def test_loss_history_csv_is_the_history():
    """Every (update, loss) of the history comes back exactly from the CSV."""
    s = Session()
    s.step(7)
    rows = _rows(export.loss_history_csv(s))
    assert [(int(r["update"]), float(r["loss"])) for r in rows] == [(int(u), float(e)) for u, e in s.history]
    assert len(rows) == 7


def test_stack_csv_is_every_case_of_the_gradients():
    """The stack CSV holds z, s, g, d of every case, time and unit, equal to session.gradients' arrays."""
    s = Session()
    s.step(3)
    g, seq = s.gradients, s.sequences
    rows = _rows(export.all_stacks_csv(s))
    assert len(rows) == seq.B * (seq.T + 1) * seq.N
    shape = (seq.B, seq.T + 1, seq.N)
    for column, expected in (("z", g.net_inputs), ("s", g.states), ("g", g.ds), ("d", g.dz)):
        got = np.array([_float(r[column]) for r in rows]).reshape(shape)
        assert np.array_equal(got, np.asarray(expected), equal_nan=True), column
    assert [r["unit"] for r in rows[:seq.N]] == list(s.unit_names)
    assert {int(r["case"]) for r in rows} == set(range(seq.B))


def test_params_npz_loads_back():
    """np.load (no pickle) gives back W, b, h0, C, learn_h0, activations, loss and ties of the net."""
    s = Session(lesson="tied-weights")
    s.step(4)
    z = np.load(io.BytesIO(export.params_npz(s)))
    net = s.net
    assert np.array_equal(z["W"], net.W) and np.array_equal(z["b"], net.b) and np.array_equal(z["h0"], net.h0)
    assert np.array_equal(z["C"], net.C) and np.array_equal(z["learn_h0"], net.learn_h0)
    assert list(z["activations"]) == list(net.activation) and str(z["loss"]) == net.loss
    assert list(z["unit_names"]) == list(s.unit_names)
    ties = json.loads(str(z["ties"]))
    assert len(ties) == len(net.ties) > 0 and ties[0][0][0] == net.ties[0][0][0]


def test_share_view_export_buttons():
    """The sidebar's three export buttons produce the export functions' bytes, named after the state."""
    s = Session()
    view = ShareView(session=s)
    view.__panel__()
    s.step(2)
    assert view.exports["loss"].callback().getvalue() == export.loss_history_csv(s)
    assert view.exports["stack"].callback().getvalue() == export.all_stacks_csv(s)
    assert view.exports["params"].callback().getvalue() == export.params_npz(s)
    assert view.exports["params"].filename == "binary-addition-update2-params.npz"
