"""The Settings column's training card and Inspect & edit's freeze button without a browser
(issue 16): the widgets write the Session's settings; the button freezes the chosen parameter."""
import numpy as np

from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.controls import TrainingControls
from simulator.views.inspector import InspectorView


def card_widgets(controls):
    card = controls.settings[-1]
    return {w.css_classes[0] if w.css_classes else w.name: w for w in card}


def test_training_card_widgets_set_the_session():
    """Choosing Adam, a batch size and a truncation in the card sets the Session and its trainer."""
    s = Session()
    controls = TrainingControls(session=s, player=Player(session=s))
    controls.__panel__()
    w = card_widgets(controls)
    w["optimizer-select"].value = "adam"
    w["batch-size-input"].value = 8
    w["truncate-input"].value = 2
    assert (s.optimizer, s.batch_size, s.truncate) == ("adam", 8, 2)
    assert (s.trainer.optimiser.optimizer, s.trainer.batch_size, s.trainer.truncate) == ("adam", 8, 2)
    w["batch-size-input"].value = 500  # more than the 256 cases: put back, with the reason
    assert s.batch_size == 8 and w["batch-size-input"].value == 8 and "larger than the 256 cases" in s.message


def test_freeze_button_freezes_the_chosen_parameter_and_relabels():
    """Freeze holds the chosen weight through training (its gradient still shown); the label says
    Unfreeze for it and Freeze for another parameter."""
    s = Session()
    v = InspectorView(session=s, selection=Selection())
    v.__panel__()
    v.kind.value, v.to_unit.value, v.from_unit.value = "W", 3, 0
    assert v.freeze.label == "Freeze"
    v.freeze.clicks += 1
    assert s.frozen == [("W", 3, 0)] and v.freeze.label == "Unfreeze"
    before = s.net.W[3, 0]
    s.step(4)
    assert s.net.W[3, 0] == before and s.gradients.dW[3, 0] != 0
    v.kind.value = "b"
    assert v.freeze.label == "Freeze"
    v.kind.value = "W"
    v.freeze.clicks += 1
    assert s.frozen == [] and v.freeze.label == "Freeze"
    assert np.isfinite(s.loss_value)
