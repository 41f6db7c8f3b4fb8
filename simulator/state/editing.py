"""The Session's edits of the data and the structure (a mixin, so session.py stays readable).

Each method builds a new Network/Sequences with the pure functions of edits.py and installs them
with ``Session._install`` inside ``Session.attempt``: a ValueError leaves everything as it was
and says why. The Session stays the only writer of its state; this is part of its class.
"""
import numpy as np
import param

from engine import Sequences

from simulator.lessons import own_data as LD
from simulator.state import edits as E


class Editing:
    """Methods of Session (simulator/state/session.py) that edit data, structure and sentences."""

    def _data(self):
        s = self.sequences
        return s.X, s.K, s.Y, s.M

    def _edit_rng(self):
        """Random numbers for new weights, reproducible from the seed and the current size."""
        return np.random.default_rng([self.seed, self.net.N, int(self.net.C.sum()), self.updates])

    @property
    def _weight_scale(self):
        return self.lesson_spec["training"].get("weight_scale", 0.5)

    def _edited(self, net, seq, message, names=None, groups=None, structural=False):
        self._install(net, seq, names=names, groups=groups)
        if structural:
            self._good = None  # undo restores parameters of the same shape and ties only
        self.param.update(message=message, message_kind="info")

    def set_cell(self, case, t, i, kind, value=None):
        """Make unit i at step t of case ``case`` (None: every case) free, clamped or a target."""
        def apply():
            data = E.set_cell(*self._data(), case, t, i, kind, value)
            where = "every case" if case is None else f"case {case}"
            name = self.unit_names[i]
            what = "free (no clamp, no target)" if kind == "none" else f"{kind} {E.number(value):g}"
            self._edited(self.net, Sequences(*data), f"{name} at t={t} in {where}: {what}")
        return self.attempt(apply, "Could not set that cell")

    def apply_pattern(self, kind, mode, units=None, last=1, combine=False):
        """Replace the clamp or target mask of every case by one of the lecture's patterns (or,
        with ``combine``, add the pattern to it). Newly clamped cells keep their current state."""
        def apply():
            fill = self.gradients.states if kind == "clamp" else None
            data = E.apply_pattern(*self._data(), kind, mode, units=units, last=last, fill=fill, combine=combine)
            how = "added to the" if combine else "now the"
            self._edited(self.net, Sequences(*data), f"The {kind} pattern '{mode}' is {how} {kind}s of every case.")
        return self.attempt(apply, f"Could not apply the {kind} pattern")

    def add_unit(self, group="hidden"):
        """Add one unit to ``group``, connected like its other members."""
        def apply():
            net, data, names, groups, i = E.add_unit(self.net, self._data(), self.unit_names, self.unit_groups,
                                                     group, rng=self._edit_rng(), scale=self._weight_scale)
            self._edited(net, Sequences(*data), f"Added unit {names[i]} to {group}.", names, groups, True)
        return self.attempt(apply, "Could not add a unit")

    def remove_unit(self, i):
        """Remove unit i with its connections, its data and the ties that involve it."""
        def apply():
            net, data, names, groups = E.remove_unit(self.net, self._data(), self.unit_names, self.unit_groups, i)
            self._edited(net, Sequences(*data), f"Removed unit {self.unit_names[i]}.", names, groups, True)
        return self.attempt(apply, "Could not remove the unit")

    def toggle_connection(self, i, j):
        """Add the connection j -> i if it is absent (small random weight), remove it if present."""
        def apply():
            net = E.toggle_connection(self.net, i, j, rng=self._edit_rng(), scale=self._weight_scale)
            label = E.ref_label(("W", i, j), self.unit_names)
            what = "added" if net.C[i, j] else "removed"
            self._edited(net, self.sequences, f"Connection {label} {what}.", structural=True)
        return self.attempt(apply, "Could not change the connection")

    def set_activation(self, units, name):
        """Give the units ``units`` (indices) the activation ``name``: logistic, tanh, linear or
        softmax (one group of all softmax units). The lesson-wide Activation setting sets every unit
        again when it changes; a document keeps each unit's."""
        def apply():
            net = E.set_activation(self.net, units, name)
            which = ", ".join(self.unit_names[i] for i in units)
            self._edited(net, self.sequences, f"Activation of {which}: {name}.")
        return self.attempt(apply, "Could not change the activation")

    def tie(self, refs):
        """Tie two or more parameters: set them to their mean; training keeps them equal."""
        def apply():
            net = E.tie(self.net, refs)
            group = net.ties[-1]
            value = E.param_value(net, group[0])
            self._edited(net, self.sequences, f"Tied {E.tie_label(group, self.unit_names)}: all set to "
                         f"their mean {value:.4g}; training keeps them equal.", structural=True)
        return self.attempt(apply, "Could not tie those parameters")

    def untie(self, group_index):
        """Remove tie group ``group_index``; the values stay, but may now drift apart."""
        def apply():
            net = E.untie(self.net, group_index)  # checks group_index first
            label = E.tie_label(self.net.ties[group_index], self.unit_names)
            self._edited(net, self.sequences, f"Untied {label}.", structural=True)
        return self.attempt(apply, "Could not untie")

    # -- sentences of the user's ----------------------------------------------------------------
    def use_sentences(self, text):
        """Rebuild the lesson that learns typed sentences (its OwnData: lessons/own_data.py) on the
        sentences in ``text`` (one per line) and switch to it with fresh weights. Bad input leaves
        everything as it was and says why."""
        def apply():
            name, data, told = LD.from_text("sentences", text)
            with param.edit_constant(self):
                self.lesson_data = {**self.lesson_data, name: data}
            if self.lesson != name:
                self.lesson = name  # _on_lesson applies the defaults and resets
            else:
                self._lesson_defaults()
                self.reset()
            self.param.update(message=told, message_kind="info")
        return self.attempt(apply, "Could not use those sentences")
