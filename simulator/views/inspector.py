"""The inspector: one unit's numbers at one time step, with the arithmetic written out, an
editor for typing an exact value into a weight, bias or initial state, and a chooser of the
activation of some units (logistic, tanh, linear, or a softmax group of two or more).

Every number comes from the Session's current Gradients (the engine's stacks s, a, z, g, d)
and Network; the sums written out are the forward pass of docs/model.md with the actual numbers
of the selected case, so a student can check z = sum_j w_ij s_j + b_i by hand.
"""
import numpy as np
import panel as pn
import param

from engine import ACTIVATIONS

from simulator.state.edits import param_value, ref_label
from simulator.state.selection import Selection
from simulator.state.session import Session

from simulator.views.style import fmt, soon
from simulator.views.text import choice_options, esc, md
from simulator.views.throttle import Throttle
from simulator.views.training_settings import freeze_button

F_TEXT = {"logistic": "1 / (1 + e<sup>−z</sup>)", "tanh": "tanh(z)", "linear": "z",
          "softmax": "e<sup>z</sup> / Σ<sub>group</sub> e<sup>z<sub>k</sub></sup>"}
F_PRIME = {"logistic": "a(1 − a)", "tanh": "1 − a²", "linear": "1"}


def _num(x):
    """A number inside a sum: negative numbers in brackets so '+ (-0.2)' reads clearly."""
    return f"({fmt(x)})" if x < 0 else fmt(x)


def _sum_text(products, tail=()):
    """'0.5×1 + (-0.2)×0 + 0.1' from [(w, s), ...] and extra terms (numbers or text)."""
    parts = [f"{_num(w + 0.0)}×{_num(s + 0.0)}" for w, s in products] + [v if isinstance(v, str) else _num(v) for v in tail]
    return " + ".join(parts) if parts else "0"


def unit_numbers(session, case, t, i):
    """Every number the inspector shows for unit i at step t of ``case``, from the session.

    Returns a dict: z, a, s, g, d, clamped, x, target, y, the forward terms [(j, w_ij, s_j)]
    over existing connections, the backward terms [(k, w_ki, d_k(t+1))], the bias, and the
    target term (1/B) dl/ds.
    """
    net, seq, gr = session.net, session.sequences, session.gradients
    B, T = seq.B, seq.T
    out = dict(z=float(gr.net_inputs[case, t, i]), a=float(gr.activations[case, t, i]),
               s=float(gr.states[case, t, i]), g=float(gr.ds[case, t, i]), d=float(gr.dz[case, t, i]),
               clamped=bool(seq.K[case, t, i]), x=float(seq.X[case, t, i]),
               target=bool(seq.M[case, t, i]), y=float(seq.Y[case, t, i]),
               bias=float(net.b[i]), act=net.activation[i])
    prev = gr.states[case, t - 1] if t >= 1 else None
    out["forward"] = [(j, float(net.W[i, j]), float(prev[j])) for j in range(net.N) if net.C[i, j]] if t else []
    nxt = gr.dz[case, t + 1] if t < T else None
    out["backward"] = [(k, float(net.W[k, i]), float(nxt[k])) for k in range(net.N) if net.C[k, i]] if t < T else []
    out["later"] = sum(w * d for _, w, d in out["backward"])
    out["target_term"] = _dl_ds(net.loss, out["act"], out["s"], out["y"]) / B if out["target"] else 0.0
    if out["target"]:
        out["l"] = _loss(net.loss, out["act"], out["s"], out["y"])
    # -0.0 + 0.0 is 0.0: a projector should not show "-0".
    return {k: v + 0.0 if isinstance(v, float) else v for k, v in out.items()}


def _loss(loss, act, s, y):
    """l(s, y) of docs/model.md "Error"."""
    if loss == "squared":
        return 0.5 * (s - y) ** 2
    xlogy = lambda a, b: 0.0 if a == 0 else a * np.log(b)
    if act == "softmax":
        return -xlogy(y, s)
    return -(xlogy(y, s) + xlogy(1 - y, 1 - s))


def _dl_ds(loss, act, s, y):
    """dl/ds in the division form the engine uses for g (exact wherever it is finite)."""
    if loss == "squared":
        return s - y
    if act == "softmax":
        return -y / s if y else 0.0
    return (-y / s if y else 0.0) + ((1 - y) / (1 - s) if y != 1 else 0.0)


def _loss_text(loss, act):
    if loss == "squared":
        return "½ (s − y)²", "s − y"
    if act == "softmax":
        return "−y log s", "−y / s"
    return "−(y log s + (1 − y) log(1 − s))", "−y / s + (1 − y) / (1 − s)"


class InspectorView(pn.viewable.Viewer):
    """The selected unit's numbers and arithmetic, and a box to type an exact parameter value."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)

    def __init__(self, **params):
        super().__init__(**params)
        self.text = pn.pane.HTML("", css_classes=["inspector-text"], sizing_mode="stretch_width")
        self.kind = pn.widgets.Select(label="Parameter", options={"weight W[i, j]": "W", "bias b[i]": "b",
                                                                "initial state h0[i]": "h0"},
                                      value="W", width=150, css_classes=["param-kind"])
        self.to_unit = pn.widgets.Select(label="unit i (to)", options={}, width=110, css_classes=["param-i"])
        self.from_unit = pn.widgets.Select(label="from unit j", options={}, width=110, css_classes=["param-j"],
                                           visible=pn.bind(lambda kind: kind == "W", self.kind))
        self.current = pn.pane.Markdown("", css_classes=["param-current"], margin=(18, 5, 0, 5))
        self.input = pn.widgets.TextInput(label="New value (Enter or Set)", placeholder="e.g. 0.5 or -1.2e-3",
                                          width=170, css_classes=["weight-input"])
        self.set_button = pn.widgets.Button(label="Set", color="primary", width=70, margin=(23, 5, 5, 5),
                                            css_classes=["weight-set"],
                                            description="Put this exact value into the chosen parameter "
                                                        "(and every parameter tied to it).")
        self.freeze = freeze_button(self.session, self.ref, self.kind, self.to_unit, self.from_unit)
        self.feedback = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["inspector-message"],
                                      sizing_mode="stretch_width")

        self.act_units = pn.widgets.MultiChoice(label="Units", options={}, width=240, css_classes=["act-units"])
        self.act_name = pn.widgets.Select(label="Activation", options=list(ACTIVATIONS), width=120,
                                          css_classes=["act-name"])
        self.act_button = pn.widgets.Button(label="Set activation", width=120, margin=(23, 5, 5, 5),
                                            css_classes=["act-set"],
                                            description="Give the chosen units this activation (all softmax units "
                                                        "form one group: choose two or more).")
        self.act_button.on_click(lambda _e: soon(self.apply_activation))
        self.set_button.on_click(lambda _e: soon(self.apply))
        self.input.param.watch(lambda _e: soon(self.apply), "enter_pressed")
        self.input.param.watch(self._sync_input, "value")
        self.kind.param.watch(self._on_choice, "value")
        self.to_unit.param.watch(self._on_choice, "value")
        self.from_unit.param.watch(self._on_choice, "value")
        self.session.param.watch(self._on_names, "unit_names")
        self.redraw = Throttle(self._update, 0)
        self.session.param.watch(self.redraw, ["gradients", "net", "sequences"])
        self.selection.param.watch(self._on_weight, "weight")
        self.selection.param.watch(self._on_unit, "unit")
        self.selection.param.watch(self._update, "case")
        self._on_names()
        found = np.argwhere(self.session.net.C != 0)
        if self.selection.weight is None and len(found):  # start on a weight that exists
            self.to_unit.value, self.from_unit.value = int(found[0][0]), int(found[0][1])
        self._on_weight()

    # -- the selected unit -----------------------------------------------------------------------
    def unit(self):
        """(case, t, i) of the selected unit, or None when nothing (valid) is selected."""
        sel, seq = self.selection.unit, self.session.sequences
        if sel is None:
            return None
        t, i = int(sel[0]), int(sel[1])
        if not (0 <= t <= seq.T and 0 <= i < seq.N):
            return None
        return min(max(self.selection.case, 0), seq.B - 1), t, i

    def unit_report(self):
        """The HTML the inspector shows for the selected unit."""
        where = self.unit()
        if where is None:
            return ("<p>Click a unit at some time step (in the unrolled net or the grid) to see its "
                    "net input, activity and error derivatives with the arithmetic written out.</p>")
        c, t, i = where
        s, net, seq = self.session, self.session.net, self.session.sequences
        names = [esc(n) for n in s.unit_names]
        n = unit_numbers(s, c, t, i)
        role = "clamped (input)" if n["clamped"] else ("with a target (output)" if n["target"] else "free (hidden)")
        head = (f"<p><b>{names[i]}</b> at <b>t = {t}</b>, case {c} · {esc(s.unit_groups[i])} unit, "
                f"{n['act']}, {role} at this step</p>")
        rows = []
        row = lambda label, *lines: rows.append(
            f"<tr><td><b>{label}</b></td><td>"
            + "<br>".join(f"<code>{ln}</code>" for ln in lines) + "</td></tr>")
        if t == 0:
            kind = "learned" if net.learn_h0[i] else "fixed"
            if n["clamped"]:
                row("state", f"s<sub>0</sub> = X = {fmt(n['s'])}  (the initial state is clamped)")
            else:
                row("state", f"s<sub>0</sub> = h0[{names[i]}] = {fmt(n['s'])}  ({kind} initial state)")
        else:
            terms = [f"W[{names[i]}←{names[j]}]·s<sub>{names[j]}</sub>" for j, _, _ in n["forward"]]
            tail = [n["bias"]] if net.bias else []
            sym = " + ".join(terms + ([f"b[{names[i]}]"] if net.bias else [])) or "0"
            row("net input", f"z = Σ<sub>j</sub> w<sub>ij</sub> s<sub>j</sub>(t−1) + b<sub>i</sub> = {sym}",
                f"  = {_sum_text([(w, v) for _, w, v in n['forward']], tail)}", f"  = {fmt(n['z'])}")
            row("activity", f"a = f(z) = {F_TEXT[n['act']]} = {fmt(n['a'])}")
            if n["clamped"]:
                row("state", f"s = X = {fmt(n['s'])}  (clamped: the state is set to the input; "
                             f"a = f(z) = {fmt(n['a'])} is not used)")
            else:
                row("state", f"s = f(z) = {fmt(n['s'])}")
        if n["target"]:
            l_txt, _ = _loss_text(net.loss, n["act"])
            row("target", f"y = {fmt(n['y'])}; error term l = {l_txt} = {fmt(n['l'])}")
        row(*self._backward_rows(n, t, i, names, seq.B))
        return head + "<table>" + "".join(rows) + "</table>"

    def _backward_rows(self, n, t, i, names, B):
        lines = []
        sym = [f"W[{names[k]}←{names[i]}]·d<sub>{names[k]}</sub>(t+1)" for k, _, _ in n["backward"]]
        nums = [(w, d) for _, w, d in n["backward"]]
        if n["target"]:
            _, dl = _loss_text(self.session.net.loss, n["act"])
            sym.append(f"(1/B)({dl})")
        tail = [f"(1/{B})×{_num(n['target_term'] * B)}"] if n["target"] else []
        lines.append(f"g = dE/ds = {' + '.join(sym) or '0 (nothing later depends on it)'}")
        if sym:
            lines.append(f"  = {_sum_text(nums, tail)}")
        lines.append(f"  = {fmt(n['g'])}")
        if t == 0:
            lines.append("no z at t = 0: the error stops at the initial state" +
                         ("" if n["clamped"] else f"; this case adds g = {fmt(n['g'])} to dE/dh0[{names[i]}]"))
        elif n["clamped"] and n["act"] != "softmax":
            lines.append("d = dE/dz = 0: a clamped unit's state takes no error")
        elif n["act"] == "softmax":
            lines.append(f"d = dE/dz = J<sub>softmax</sub>(z)<sup>T</sup> (g·(1 − K)) over the group = {fmt(n['d'])}")
        else:
            a = n["a"]
            fp = {"logistic": a * (1 - a), "tanh": 1 - a * a, "linear": 1.0}[n["act"]]
            lines.append(f"d = dE/dz = f′(z)·g = {F_PRIME[n['act']]}·g = {_num(fp)}×{_num(n['g'])} = {fmt(n['d'])}")
        return ("backward", *lines)

    # -- the parameter editor --------------------------------------------------------------------
    def ref(self):
        """The chosen parameter as ("W", i, j), ("b", i) or ("h0", i)."""
        i = self.to_unit.value
        if self.kind.value == "W":
            return ("W", i, self.from_unit.value)
        return (self.kind.value, i)

    def apply(self):
        """Put the typed value into the chosen parameter; a bad value keeps the old one and says why."""
        ok = self.session.set_parameter(self.ref(), self.input.value_input)
        self.feedback.param.update(object="" if ok else md(self.session.message), visible=not ok)
        self._show_current()

    def apply_activation(self):
        """Give the chosen units the chosen activation; a refusal keeps the net and says why."""
        ok = self.session.set_activation(list(self.act_units.value), self.act_name.value)
        self.feedback.param.update(object="" if ok else md(self.session.message), visible=not ok)

    def _sync_input(self, event):
        # Enter/blur (or code) set ``value``; keep ``value_input``, which apply() reads, the same.
        if self.input.value_input != event.new:
            self.input.value_input = event.new

    def _on_names(self, *_):
        opts = {n: k for k, n in enumerate(self.session.unit_names)}
        N = len(opts)
        i = self.to_unit.value if isinstance(self.to_unit.value, int) and self.to_unit.value < N else 0
        j = self.from_unit.value if isinstance(self.from_unit.value, int) and self.from_unit.value < N else 0
        self.to_unit.param.update(options=opts, value=i)
        self.from_unit.param.update(options=opts, value=j)
        # Choices.js reads labels as HTML; none chosen at first: its chips of chosen items carry
        # aria-selected without a role (axe: aria-allowed-attr), as the tie chooser's would.
        kept = [k for k in self.act_units.value if k < N]
        self.act_units.param.update(options=choice_options(opts), value=kept)
        self._update()

    def _on_weight(self, *_):
        w = self.selection.weight
        if w is not None and 0 <= w[0] < self.session.net.N and 0 <= w[1] < self.session.net.N:
            self.kind.value, self.to_unit.value, self.from_unit.value = "W", int(w[0]), int(w[1])
        self._on_choice()

    def _on_unit(self, *_):
        where = self.unit()
        if where is not None and self.kind.value != "W":
            self.to_unit.value = where[2]
        self._update()

    def _on_choice(self, *_):
        """A new parameter chosen: show its value and put it in the box, ready to edit."""
        self.feedback.visible = False
        v = self._show_current()
        text = "" if v is None else f"{v:.6g}"
        self.input.param.update(value=text, value_input=text)

    def _show_current(self):
        ref, net, names = self.ref(), self.session.net, self.session.unit_names
        if not all(isinstance(k, int) and 0 <= k < net.N for k in ref[1:]):
            self.current.object = ""
            return None
        label = md(ref_label(ref, names))
        if ref[0] == "W" and not net.C[ref[1], ref[2]]:
            self.current.object = f"{label}: no such connection"
            return None
        v = param_value(net, ref)
        note = "" if ref[0] != "h0" or net.learn_h0[ref[1]] else " (fixed)"
        self.current.object = f"{label} = **{fmt(v, 6)}**{note}"
        return v

    def _update(self, *_):
        self.text.object = self.unit_report()
        self._show_current()

    def __panel__(self):
        editor = pn.Row(self.kind, self.to_unit, self.from_unit, self.input, self.set_button, self.freeze, self.current,
                        sizing_mode="stretch_width")
        return pn.Column(pn.pane.Markdown("**Inspector**", margin=(0, 5)), self.text,
                         pn.pane.Markdown("**Type an exact value**", margin=(0, 5)), editor,
                         pn.pane.Markdown("**Activation of units**", margin=(0, 5)),
                         pn.Row(self.act_units, self.act_name, self.act_button, sizing_mode="stretch_width"),
                         self.feedback,
                         sizing_mode="stretch_width", css_classes=["inspector"])
