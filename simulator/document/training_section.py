"""The training section's keys for the learning rule, minibatches, decay, truncation, stopping,
frozen parameters and the optimizer's state (issue 16; docs/document-format.md). Every one is
optional and written only when it differs from its default, so a document without them is one
of momentum, all cases and full BPTT, as documents always were.
"""
import numpy as np

from engine.config import STATE_ARRAYS
from simulator.document import json_checks as J
from simulator.state import caps
from simulator.state.training import TRAINING_SETTINGS, Training

COUNTS = ("k", "epoch", "position")


def _default(name):
    return Training.param[name].default


def section(session):
    """The keys of the session's training section beyond the always-present ones."""
    out = {}
    for name in TRAINING_SETTINGS:
        value = getattr(session, name)
        if value != _default(name):
            out[name] = value.item() if isinstance(value, np.generic) else value
    if session.frozen:
        out["frozen"] = [[r[0], *(int(k) for k in r[1:])] for r in session.frozen]
    if session.grad_norms:  # thinned like the loss history, so a long run's document stays small
        out["grad_norms"] = [[int(u), float(n), bool(c)] for u, n, c in caps.thin_history(session.grad_norms)]
    if session.divergences:
        out["divergences"] = [int(u) for u in session.divergences]
    state = session.trainer.state_dict()
    kept = {k: int(state[k]) for k in COUNTS if state[k]}
    kept.update({k: np.asarray(state[k], dtype=float).tolist() for k in STATE_ARRAYS[state["optimizer"]]
                 if k != "velocity"})  # momentum's v is training.velocity, as always
    if kept:
        out["optimizer_state"] = kept
    return out


def check(tr, N, B):
    """What the schema cannot say: finite numbers, a batch within the cases, frozen references to
    units of the net, the state's arrays one per parameter and only the rule's own."""
    for name in ("weight_decay", "stop_at_loss"):
        if name in tr:
            J.number(tr[name], f"training.{name}")
    if tr.get("batch_size", 0) > B:
        raise ValueError(f"training.batch_size: expected 0 (all cases) or at most the {B} cases of data; "
                         f"got {tr['batch_size']}")
    for r, ref in enumerate(tr.get("frozen", ())):
        for k in ref[1:]:
            if k >= N:
                raise ValueError(f"training.frozen[{r}]: unit index {k} is outside 0..{N - 1}")
    _records(tr)
    state = tr.get("optimizer_state", {})
    rule = tr.get("optimizer", _default("optimizer"))
    for name in ("m", "v", "r"):
        if name in state:
            if name not in STATE_ARRAYS[rule]:
                raise ValueError(f"training.optimizer_state.{name}: expected only with an optimizer that keeps it "
                                 f"(m and v: adam, r: rmsprop); the optimizer is {rule}")
            J.numbers(state[name], f"training.optimizer_state.{name}", (N * N + 2 * N,))
    if state.get("position", 0) > B:
        raise ValueError(f"training.optimizer_state.position: expected at most the {B} cases of data; "
                         f"got {state['position']}")


def _records(tr):
    """grad_norms' updates rising within 1..training.updates with finite norms, divergences within
    0..training.updates and not falling (the schema says what each entry is)."""
    updates, last = tr["updates"], 0
    for k, (u, norm, _) in enumerate(tr.get("grad_norms", ())):
        if not last < u <= updates:
            raise ValueError(f"training.grad_norms[{k}][0]: expected an update number in {last + 1}..{updates} "
                             f"(after the entry before, at most training.updates); got {u}")
        J.number(norm, f"training.grad_norms[{k}][1]")
        last = u
    last = 0
    for k, u in enumerate(tr.get("divergences", ())):
        if not last <= u <= updates:
            raise ValueError(f"training.divergences[{k}]: expected an update count in {last}..{updates} "
                             f"(not below the entry before, at most training.updates); got {u}")
        last = u


def settings(tr):
    """The Session settings of the section (defaults where absent; frozen as tuples), and the
    gradient-norm records, which Session.restore sets with them."""
    out = {name: tr.get(name, _default(name)) for name in TRAINING_SETTINGS}
    out["frozen"] = [tuple(r) for r in tr.get("frozen", ())]
    out["grad_norms"] = [(int(u), float(n), bool(c)) for u, n, c in tr.get("grad_norms", ())]
    out["divergences"] = [int(u) for u in tr.get("divergences", ())]
    return out


def state(tr, N):
    """The Trainer.state_dict() the section describes (zeros for arrays it leaves out)."""
    kept, rule = tr.get("optimizer_state", {}), tr.get("optimizer", _default("optimizer"))
    out = dict(optimizer=rule, velocity=tr["velocity"], updates=tr["updates"], **{k: kept.get(k, 0) for k in COUNTS})
    out.update({k: kept.get(k, np.zeros(N * N + 2 * N)) for k in STATE_ARRAYS[rule] if k != "velocity"})
    return out
