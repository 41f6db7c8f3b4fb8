"""The activation chooser of Inspect & edit (issue 16): it sets the chosen units' activation
through the Session, and a refusal shows the reason while the net stays as it was."""
from test_view_inspector import view  # noqa: F401  (the fixture: an InspectorView of the default lesson)


def test_the_chooser_sets_the_chosen_units_activation(view):
    s = view.session
    assert list(view.act_units.options) == list(s.unit_names)
    view.act_units.value, view.act_name.value = [2, 3], "tanh"
    view.apply_activation()
    assert s.net.activation[2:4] == ("tanh", "tanh") and not view.feedback.visible
    view.selection.unit = (1, 2)
    assert "tanh" in view.text.object  # the unit report names the unit's new activation


def test_a_refused_choice_shows_why_and_keeps_the_net(view):
    s = view.session
    net = s.net
    view.act_units.value, view.act_name.value = [5], "softmax"
    view.apply_activation()
    assert s.net is net and view.feedback.visible
    assert "a softmax group needs at least 2 units" in view.feedback.object


def test_the_chooser_follows_added_units(view):
    s = view.session
    assert s.add_unit("hidden")
    assert list(view.act_units.options) == list(s.unit_names)


def test_a_hostile_unit_name_is_text_in_the_chooser(view):
    s = view.session
    s.unit_names = ["<img src=x onerror=alert(1)>", *s.unit_names[1:]]
    assert "&lt;img src=x onerror=alert(1)&gt;" in view.act_units.options
