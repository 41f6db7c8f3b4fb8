"""The Settings column's training block and Inspect & edit's freeze switch (issue 16): widgets built
from the Session's params (simulator/state/training.py), so bounds and help text are declared once."""
import panel as pn


def training_settings(session):
    """A collapsed card of the learning rule, minibatches, decay, truncation and stopping rules."""
    p, wide = session.param, dict(sizing_mode="stretch_width")
    return pn.Card(
        pn.widgets.Select.from_param(p.optimizer, css_classes=["optimizer-select"], **wide),
        pn.widgets.IntInput.from_param(p.batch_size, css_classes=["batch-size-input"], **wide),
        pn.widgets.IntInput.from_param(p.truncate, css_classes=["truncate-input"], **wide),
        pn.widgets.FloatInput.from_param(p.weight_decay, step=0.001, css_classes=["decay-input"], **wide),
        pn.widgets.Checkbox.from_param(p.decay_all),
        pn.widgets.FloatInput.from_param(p.stop_at_loss, step=0.01, css_classes=["stop-loss-input"], **wide),
        pn.widgets.Checkbox.from_param(p.stop_when_right),
        pn.widgets.IntInput.from_param(p.stop_at_updates, css_classes=["stop-updates-input"], **wide),
        title="Training method", collapsed=True, css_classes=["training-card"], **wide)


def freeze_button(session, ref, *choices):
    """A button that freezes or frees the parameter ``ref()`` names; its label follows the choice
    widgets ``choices`` and the Session's frozen list. A frozen parameter's gradient is still shown."""
    label = pn.bind(lambda *_: "Unfreeze" if session.is_frozen(ref()) else "Freeze", *choices, session.param.frozen)
    button = pn.widgets.Button(label=label, width=90, margin=(23, 5, 5, 5), css_classes=["freeze-btn"],
                               description="Training leaves a frozen parameter alone; its gradient is still shown.")
    button.on_click(lambda _e: session.attempt(lambda: session.set_frozen(ref(), not session.is_frozen(ref())),
                                               "Could not freeze"))
    return button
