"""Exports for other tools: the loss history and the stack as CSV, the parameters as .npz.

Pure functions of a Session, so the Save/load sidebar (views/share.py), a notebook and tests
all get the same bytes. Numbers are written with repr (the shortest text that reads back to
the same float), so a spreadsheet or numpy reproduces exactly what the simulator shows.
Pictures are exported in the browser instead (each figure's SaveTool, views/save_tool.py).
"""
import io
import json

import numpy as np

STACK_COLUMNS = ("t", "unit", "z", "s", "target", "g", "d")


def stack_rows(session, case):
    """The selected case's stack as columns: one row per (t, unit), t = 0..T (docs/model.md's s, g, d)."""
    g, seq, names = session.gradients, session.sequences, session.unit_names
    T1, N = seq.T + 1, seq.N
    t = np.repeat(np.arange(T1), N)
    i = np.tile(np.arange(N), T1)
    taught = seq.M[case].ravel() > 0
    return {
        "t": t.tolist(),
        "unit": [names[k] for k in i],
        "z": g.net_inputs[case].ravel().tolist(),
        "s": g.states[case].ravel().tolist(),
        # Units without a target at this step have none: NaN shows as an empty cell and CSV field.
        "target": np.where(taught, seq.Y[case].ravel(), np.nan).tolist(),
        "g": g.ds[case].ravel().tolist(),
        "d": g.dz[case].ravel().tolist(),
    }


def stack_csv(session, case):
    """The stack table of ``case`` as CSV text, full precision (repr) so a spreadsheet can redo the sums."""
    rows = stack_rows(session, case)
    out = io.StringIO()
    out.write(",".join(STACK_COLUMNS) + "\n")
    for k in range(len(rows["t"])):
        cells = []
        for c in STACK_COLUMNS:
            v = rows[c][k]
            cells.append("" if isinstance(v, float) and np.isnan(v) else repr(v) if isinstance(v, float) else str(v))
        out.write(",".join(cells) + "\n")
    return out.getvalue()


def loss_history_csv(session):
    """``update,loss`` rows, one per recorded weight update (Session.history)."""
    lines = ["update,loss"] + [f"{int(u)},{float(e)!r}" for u, e in session.history]
    return "\n".join(lines) + "\n"


def all_stacks_csv(session):
    """The stack table (stack_csv: t, unit, z, s, target, g, d) of every case, with
    a leading ``case`` column: the whole batch's states and derivatives in one file."""
    out = []
    for case in range(session.sequences.B):
        header, *rows = stack_csv(session, case).splitlines()
        if case == 0:
            out.append("case," + header)
        out.extend(f"{case},{row}" for row in rows)
    return "\n".join(out) + "\n"


def params_npz(session):
    """The network as an .npz archive: W, b, h0, C (connections), learn_h0, bias, activations,
    loss, unit_names and ties (a JSON string). Plain arrays only: np.load works with the
    default allow_pickle=False."""
    net = session.net
    ties = [[[r[0], *(int(k) for k in r[1:])] for r in group] for group in net.ties]
    buf = io.BytesIO()
    np.savez(buf, W=np.asarray(net.W, dtype=float), b=np.asarray(net.b, dtype=float),
             h0=np.asarray(net.h0, dtype=float), C=np.asarray(net.C, dtype=int),
             learn_h0=np.asarray(net.learn_h0, dtype=bool), bias=np.asarray(bool(net.bias)),
             activations=np.asarray(list(net.activation), dtype=str), loss=np.asarray(str(net.loss)),
             unit_names=np.asarray(list(session.unit_names), dtype=str), ties=np.asarray(json.dumps(ties)))
    return buf.getvalue()
