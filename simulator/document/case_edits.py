"""The app's Data place as plain functions of a Session (docs/data.md): a new net made from a CSV
file or blank, a CSV file as new data for the current net, a case duplicated, deleted or moved to
the other side of the split, and the trained net run on a sequence the user types.

Each change builds everything first (a bad file raises ValueError naming the line and column,
sequences_csv.py) and then shows it with Session.restore inside Session.attempt: all or nothing,
like Load. Own cases are shown by the host lesson (cases.HOST), whose read-outs fit any net.
"""
import dataclasses

import numpy as np

from engine import Sequences, bptt

from simulator.document import cases as CS
from simulator.document import sequences_csv as C
from simulator.document.format import SETTINGS
from simulator.state import caps
from simulator.state.caps import quote


def _apply(session, what, parts):
    """Show ``parts()`` (Session.restore's keyword arguments) all or nothing; True if it worked."""
    return session.attempt(lambda: session.restore(**parts()), what)


def new_net(session, data, hidden, name="the CSV file", seed=None):
    """A new net of ``hidden`` hidden units on the cases of the CSV ``data`` (bytes or text)."""
    seed = session.seed if seed is None else seed
    return _apply(session, "Could not use the data", lambda: CS.new_parts(C.read_csv(data, name), hidden, seed=seed))


def blank_net(session, inputs, hidden, targets, steps):
    """A new net with no cases yet: ``inputs`` and ``targets`` typed as ``a,b``, ``steps`` T."""
    def parts():
        return CS.new_parts(None, hidden, inputs=CS.names_list(inputs, "inputs"),
                            targets=CS.names_list(targets, "targets"), steps=steps, seed=session.seed)
    return _apply(session, "Could not make a blank net", parts)


def use_data(session, data, name="the CSV file"):
    """The cases of the CSV ``data`` as new data for the current net: same weights, same units."""
    return _apply(session, "Could not use the data", lambda: data_parts(session, C.read_csv(data, name)))


def data_parts(session, table, message=None):
    """Session.restore's arguments for ``table``'s cases on the session's current net and weights;
    ValueError if a column names a unit the net does not have or the engine refuses the pair."""
    names, net = list(session.unit_names), session.net
    for unit in table.units:
        if unit not in names:
            raise ValueError(f"the file names unit {quote(unit)}, which this net does not have; expected units "
                             f"among {', '.join(names)} (or make a new net from the file)")
    train = CS.arrays(table, names, "train") or (np.zeros((1, 2, len(names))),) * 4
    test = CS.arrays(table, names, "test")
    for where, arrays in (("the train cases", train), ("the test cases", test)):
        if arrays is not None:
            caps.check_shape(len(arrays[0]), arrays[0].shape[1] - 1, len(names), where)
            try:
                bptt(net, Sequences(*arrays))  # e.g. cross-entropy targets outside [0, 1]
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
    seq = Sequences(*train)
    cases = {"labels": list(table.labels), "lengths": list(table.lengths), "split": list(table.splits),
             "inputs": list(table.inputs), "targets": list(table.targets),
             "test": None if test is None else Sequences(*test), "shape": (seq.B, seq.T, net.N)}
    settings = {k: getattr(session, k) for k in SETTINGS} | {"steps": seq.T}
    return dict(lesson=CS.HOST, net=net, seq=seq, settings=settings, names=names, groups=list(session.unit_groups),
                updates=session.updates, history=list(session.history),
                velocity=session.trainer.optimiser.velocity.copy(), lesson_data=dict(session.lesson_data),
                task_info={}, cases=cases, message=message or CS.told(cases, names))


# -- one case -----------------------------------------------------------------------------------------
def _pick(table, rows, **changes):
    """The table of the cases ``rows`` (indices, in this order), with ``changes`` to its tuples."""
    rows = list(rows)
    picked = dict(labels=tuple(table.labels[k] for k in rows), splits=tuple(table.splits[k] for k in rows),
                  lengths=tuple(table.lengths[k] for k in rows),
                  **{a: getattr(table, a)[rows] for a in "XKYM"})
    return dataclasses.replace(table, **(picked | changes))


def _case(table, k):
    if not 0 <= k < len(table.labels):
        raise ValueError(f"expected a case number 0..{len(table.labels) - 1}; got {k}")
    return table.labels[k]


def add_case(session):
    """One more training case, as long as the training data (T) and empty: paint it in the grid."""
    def parts():
        table = CS.table_of(session)
        if len(table.labels) >= caps.MAX_CASES:
            raise ValueError(f"at most {caps.MAX_CASES} cases")
        n = len(table.labels) + 1
        while f"new {n}" in table.labels:
            n += 1
        T = max(session.sequences.T, table.X.shape[1] - 1)
        grown = [np.concatenate([np.pad(getattr(table, a), ((0, 0), (0, T + 1 - table.X.shape[1]), (0, 0))),
                                 np.zeros((1, T + 1, len(table.units)))]) for a in "XKYM"]
        out = dataclasses.replace(table, labels=(*table.labels, f"new {n}"), splits=(*table.splits, "train"),
                                  lengths=(*table.lengths, session.sequences.T), **dict(zip("XKYM", grown)))
        return data_parts(session, out, f"Added case 'new {n}' (training, t = 0..{session.sequences.T}): "
                                        "nothing clamped or taught yet; paint it in the grid.")
    return _apply(session, "Could not add a case", parts)


def duplicate_case(session, k):
    """Case ``k`` once more, just after it, labelled '<label> copy' (a number added if taken)."""
    def parts():
        table = CS.table_of(session)
        label = _case(table, k)
        if len(table.labels) >= caps.MAX_CASES:
            raise ValueError(f"at most {caps.MAX_CASES} cases")
        new, n = f"{label[:C.MAX_LABEL - 8]} copy", 2
        while new in table.labels:
            new, n = f"{label[:C.MAX_LABEL - 8]} copy {n}", n + 1
        rows = [*range(k + 1), k, *range(k + 1, len(table.labels))]
        out = _pick(table, rows)
        out = dataclasses.replace(out, labels=out.labels[:k + 1] + (new,) + out.labels[k + 2:])
        return data_parts(session, out, f"Case {quote(label)} duplicated as {quote(new)}.")
    return _apply(session, "Could not duplicate the case", parts)


def delete_case(session, k):
    """Case ``k`` removed (the last case may go too: a net with no cases, like a blank one)."""
    def parts():
        table = CS.table_of(session)
        label = _case(table, k)
        return data_parts(session, _pick(table, [j for j in range(len(table.labels)) if j != k]),
                          f"Case {quote(label)} deleted.")
    return _apply(session, "Could not delete the case", parts)


def set_split(session, k, split):
    """Case ``k`` made a train or a test case (test cases are never trained on)."""
    def parts():
        if split not in C.SPLITS:
            raise ValueError(f"expected train or test; got {quote(split)}")
        table = CS.table_of(session)
        label = _case(table, k)
        splits = table.splits[:k] + (split,) + table.splits[k + 1:]
        return data_parts(session, _pick(table, range(len(table.labels)), splits=splits),
                          f"Case {quote(label)} is a {split} case now.")
    return _apply(session, "Could not change the split", parts)


def csv_text(session):
    """The session's cases as the CSV text that Load (and ``bptt-sim new --data``) reads back."""
    return C.write_csv(CS.table_of(session))
