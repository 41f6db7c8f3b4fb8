"""All or nothing: a failure while applying an edit, a load or a setting puts the session back."""
import pytest

from simulator.state.session import Session


class FailingView:
    """Stands in for a view whose redraw fails on the new state (the recurrent picture raised
    IndexError for a column of 29 inputs): armed, it raises on any change it watches."""

    def __init__(self, session):
        self.armed, self.calls = False, 0
        session.param.watch(self, ["net", "sequences", "gradients", "unit_names", "lesson"])

    def __call__(self, *events):
        if self.armed:
            self.calls += 1
            raise IndexError("index -2 is out of bounds for axis 0 with size 1")


def state_of(s):
    """Everything a student could see change, as plain comparable values."""
    seq = s.sequences
    return dict(params=s.net.params().tolist(), C=s.net.C.tolist(), ties=s.net.ties, acts=list(s.net.activation),
                names=list(s.unit_names), groups=list(s.unit_groups), updates=s.updates, history=list(s.history),
                data=[a.tolist() for a in (seq.X, seq.K, seq.Y, seq.M)], loss=float(s.gradients.loss),
                settings={k: getattr(s, k) for k in ("lesson", "seed", "steps", "learning_rate", "momentum", "clip",
                                                     "activation", "loss", "learn_h0")},
                lesson_data=dict(s.lesson_data), trainer_net=s.trainer.net is s.net)


EDITS = {
    "add a unit": lambda s: s.add_unit("inputs"),
    "remove a unit": lambda s: s.remove_unit(2),
    "toggle a connection": lambda s: s.toggle_connection(2, 5),
    "tie": lambda s: s.tie([("W", 2, 0), ("W", 3, 1)]),
    "set a cell": lambda s: s.set_cell(0, 1, 3, "target", "0.25"),
    "apply a pattern": lambda s: s.apply_pattern("clamp", "initial-all"),
    "type a value": lambda s: s.set_parameter(("W", 2, 0), "0.125"),  # changes the net in place
    "use sentences": lambda s: s.use_sentences("abc cab"),  # changes the lesson too
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_whose_redraw_fails_changes_nothing(edit):
    """If anything fails while an edit is applied (here a view's redraw), the session is put back
    exactly as it was, says so, and goes on working; the same edit then works once the view can draw."""
    s = Session()
    s.step(3)
    view = FailingView(s)
    before = state_of(s)
    view.armed = True
    assert EDITS[edit](s) is False and view.calls >= 1
    view.armed = False
    assert state_of(s) == before
    assert s.message_kind == "error" and s.message.startswith("Could not") and "nothing was changed" in s.message
    assert s.step(1) and s.updates == 4  # the restored trainer trains the restored net
    assert EDITS[edit](s) is True


def test_a_load_whose_redraw_fails_changes_nothing():
    """A document of another lesson, with other settings, that a view cannot draw: the lesson, the
    settings, the weights and the history all stay as they were."""
    from simulator import document
    other = Session(lesson="attractors", seed=7)
    other.step(2)
    doc = document.to_document(other)
    s = Session()
    s.step(3)
    view = FailingView(s)
    before = state_of(s)
    view.armed = True
    assert not s.attempt(lambda: document.apply_document(s, doc), "Could not load the file")
    view.armed = False
    assert state_of(s) == before and s.message.startswith("Could not load the file")
    assert s.attempt(lambda: document.apply_document(s, doc), "Could not load the file") and s.lesson == "attractors"


def test_a_setting_whose_redraw_fails_is_put_back():
    """A new T that a view cannot draw: T goes back, and so do the data."""
    s = Session()
    view = FailingView(s)
    before = state_of(s)
    view.armed = True
    s.steps = 14
    view.armed = False
    assert s.steps == before["settings"]["steps"] and state_of(s) == before
    assert s.message_kind == "error"


def test_a_refused_edit_restores_nothing_it_did_not_change():
    """A plain refusal (ValueError before anything changed) tells no view to redraw."""
    s = Session()
    view = FailingView(s)
    view.armed = True  # any redraw would raise
    assert not s.set_parameter(("W", 2, 0), "abc") and view.calls == 0
    assert s.message.startswith("Could not set W[h1←a]:") and "not a number" in s.message
