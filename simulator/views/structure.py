"""Editing the network's structure: add or remove units, add or remove connections, tie weights.

Lecture 7b: an RNN is a layered net that keeps reusing the same weights, and backprop "can
incorporate linear constraints between the weights": tied weights start equal and get the
sum of their gradients. Here the user can make such constraints between any parameters, and
grow or prune the net. Every change goes through a Session method (add_unit, remove_unit,
toggle_connection, tie, untie), which keeps the old network if the change is refused.
"""
import panel as pn
import param

from simulator.state.edits import param_value, ref_label, tie_label
from simulator.state.selection import Selection
from simulator.state.session import Session

from simulator.views.style import fmt, soon
from simulator.views.text import choice_options, md


class StructureView(pn.viewable.Viewer):
    """Buttons and choosers that change the units, connections and ties of the network."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.group = pn.widgets.Select(label="Group", options=["hidden"], value="hidden", width=120,
                                       css_classes=["add-unit-group"])
        self.add_button = pn.widgets.Button(label=pn.bind("Add {} unit".format, self.group), color="success",
                                            margin=(23, 5, 5, 5),
                                            css_classes=["add-unit"],
                                            description="A new unit in the group, connected like the group's "
                                                        "other units, with small random weights.")
        self.unit = pn.widgets.Select(label="Unit", options={}, width=120, css_classes=["remove-unit-choice"])
        self.remove_button = pn.widgets.Button(label="Remove unit", color="danger", margin=(23, 5, 5, 5),
                                               css_classes=["remove-unit"],
                                               description="Remove the unit, its connections, its clamps and "
                                                           "targets, and the ties that involve it.")
        self.source_unit = pn.widgets.Select(label="From unit j", options={}, width=120, css_classes=["connection-from"])
        self.target_unit = pn.widgets.Select(label="To unit i", options={}, width=120, css_classes=["connection-to"])
        self.toggle_button = pn.widgets.Button(label=pn.bind(self._toggle_label, self.target_unit, self.source_unit,
                                                             self.session.param.net, self.session.param.unit_names),
                                               color="primary",
                                               margin=(23, 5, 5, 5), css_classes=["toggle-connection"],
                                               description="Every connection has a time delay of 1: "
                                                           "unit j at t−1 feeds unit i at t.")
        self.tie_choice = pn.widgets.MultiChoice(label="Parameters to tie (two or more)", options={},
                                                 css_classes=["tie-choice"], sizing_mode="stretch_width")
        self.tie_button = pn.widgets.Button(label="Tie selected weights", color="primary",
                                            margin=(23, 5, 5, 5), css_classes=["tie-weights"],
                                            description="Set them to their mean; training then gives each "
                                                        "the sum of their gradients, so they stay equal.")
        self.tie_group = pn.widgets.Select(label="Tie group", options={}, css_classes=["untie-choice"],
                                           sizing_mode="stretch_width")
        self.untie_button = pn.widgets.Button(label="Untie", color="default", margin=(23, 5, 5, 5),
                                              css_classes=["untie"],
                                              description="Remove the constraint; the values stay as they are.")
        self.ties_text = pn.pane.Markdown(self.ties_markdown, css_classes=["ties-text"], sizing_mode="stretch_width")
        self.feedback = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["structure-message"],
                                      sizing_mode="stretch_width")

        self.add_button.on_click(lambda _e: soon(self.add))
        self.remove_button.on_click(lambda _e: soon(self.remove))
        self.toggle_button.on_click(lambda _e: soon(self.toggle))
        self.tie_button.on_click(lambda _e: soon(self.tie))
        self.untie_button.on_click(lambda _e: soon(self.untie))
        self.session.param.watch(self._update, ["net", "unit_names"])
        self.selection.param.watch(self._on_unit, "unit")
        self.selection.param.watch(self._on_weight, "weight")
        self._update()
        self._on_unit()
        self._on_weight()

    # -- actions ----------------------------------------------------------------------------------
    def add(self):
        self._done(self.session.add_unit(self.group.value))

    def remove(self):
        self._done(self.session.remove_unit(self.unit.value))

    def toggle(self):
        self._done(self.session.toggle_connection(self.target_unit.value, self.source_unit.value), clear=False)

    def tie(self):
        self._done(self.session.tie(list(self.tie_choice.value)), clear=False)

    def untie(self):
        if self.tie_group.value is None:
            return self._report(False, "There are no tied parameters to untie.")
        self._done(self.session.untie(self.tie_group.value), clear=False)

    def _done(self, ok, clear=True):
        """Report the outcome; after a unit is added or removed, indices shift, so the
        selections that name units by index are cleared rather than left pointing elsewhere."""
        self._report(ok, self.session.message)
        if ok and clear:
            self.selection.param.update(unit=None, weight=None)
        if ok:
            self.tie_choice.value = []

    def _report(self, ok, message):
        self.feedback.param.update(object="" if ok else md(message), visible=not ok)

    # -- keeping the choosers in step with the network ------------------------------------------
    def _update(self, *_):
        net, names, groups = self.session.net, self.session.unit_names, self.session.unit_groups
        opts = {n: k for k, n in enumerate(names)}
        for w in (self.unit, self.source_unit, self.target_unit):
            keep = w.value if isinstance(w.value, int) and w.value < net.N else 0
            w.param.update(options=opts, value=keep)
        group_names = list(dict.fromkeys(["hidden", *groups]))
        self.group.param.update(options=group_names,
                                value=self.group.value if self.group.value in group_names else "hidden")
        tied = {r for g in net.ties for r in g}
        refs = [("W", i, j) for i in range(net.N) for j in range(net.N) if net.C[i, j]]
        refs += [("b", i) for i in range(net.N)] if net.bias else []
        refs += [("h0", i) for i in range(net.N) if net.learn_h0[i]]
        choices = choice_options({ref_label(r, names): r for r in refs if r not in tied})
        self.tie_choice.param.update(options=choices, value=[r for r in self.tie_choice.value if r in choices.values()])
        labels = {f"{k + 1}: {tie_label(g, names)}": k for k, g in enumerate(net.ties)}
        self.tie_group.param.update(options=labels, value=next(iter(labels.values()), None))

    @param.depends("session.net", "session.unit_names")
    def ties_markdown(self):
        net, names = self.session.net, self.session.unit_names
        lines = [f"{k + 1}. {md(tie_label(g, names))} = {fmt(param_value(net, g[0]))}" for k, g in enumerate(net.ties)]
        return ("**Tied parameters** (each group stays equal):\n\n" + "\n".join(lines)
                if lines else "No tied parameters. The T copies of each weight in the "
                "unrolled net are always tied; here you can tie more.")

    @staticmethod
    def _toggle_label(i, j, net, names):
        unit = lambda k: isinstance(k, int) and not isinstance(k, bool) and 0 <= k < net.N
        if not (unit(i) and unit(j)):  # a value the choosers do not offer: toggle() says why
            raise param.Skip  # keep the last label
        return f"{'Remove' if net.C[i, j] else 'Add'} connection {ref_label(('W', i, j), names)}"

    def _on_unit(self, *_):
        sel = self.selection.unit
        if sel is not None and 0 <= sel[1] < self.session.net.N:
            self.unit.value = int(sel[1])

    def _on_weight(self, *_):
        w, N = self.selection.weight, self.session.net.N
        if w is not None and 0 <= w[0] < N and 0 <= w[1] < N:
            self.target_unit.value, self.source_unit.value = int(w[0]), int(w[1])

    def __panel__(self):
        return pn.Column(
            pn.pane.Markdown("**Structure**: units, connections (each with a delay of one step) and ties",
                             margin=(0, 5)),
            pn.Row(self.group, self.add_button, pn.Spacer(width=20), self.unit, self.remove_button),
            pn.Row(self.source_unit, self.target_unit, self.toggle_button),
            pn.Row(self.tie_choice, self.tie_button, sizing_mode="stretch_width"),
            pn.Row(self.tie_group, self.untie_button, sizing_mode="stretch_width"),
            self.ties_text, self.feedback, sizing_mode="stretch_width", css_classes=["structure-editor"])
