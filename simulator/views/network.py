"""RecurrentView: the recurrent net as lecture 7b draws it, units and delay-1 connections.

Each unit is a circle filled with its state s_t at the shown time step (the time cursor, or
the column the pass animation is working on); each connection j -> i is an arrow whose colour
is the sign of W[i, j] (or its tie group's colour) and whose thickness is |W[i, j]|. Every
arrow takes one time step: the state at t feeds the net input at t + 1. During the backward
pass the circles show the error derivatives d_t and the arrows this step's contribution G_t;
once the contributions are summed the arrows show dW. Hovering an arrow lights that weight
here and all its T copies in the unrolled picture (graph_layout's link code, in the browser).

The figure stretches between MIN_W and MAX_W to share the row with the unrolled picture; the
browser reports the frame's width (inner_width) and the geometry is rebuilt for it, so the
graph always fits inside the frame with equal scales on both axes. The legend (``legend``,
one for both pictures) is HTML below the row: a Bokeh legend cannot wrap and widened the figure.
"""
import time as _time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Range1d, Title
from bokeh.plotting import figure

from simulator.serving.assets import stylesheet
from simulator.state import probe
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import grouping as gp
from simulator.views import label_place
from simulator.views import style
from simulator.views.bar_axis import font_px
from simulator.views.save_tool import add_save_tool

UNIT_PX, RING_PX = 48, 66  # circle and target-ring diameters (px)
LABEL_MIN_PX = 30          # circles at least this big keep their value labels (smaller: crowded, tooltips only)
FRAME_W = 560            # frame width assumed until the browser reports the real one (px)
MIN_W, MAX_W = 280, 720  # the figure's width range (px): a phone's width up to a projector's half
BORDER = 10              # min_border left and right: figure width = frame width + 2 * BORDER
MIN_H, MAX_H = 300, 560  # frame height range (px)
GROUP_SCALE = 1.7        # a group's node is this much larger than a unit's: its name fits inside

UNIT_TIPS = [("unit", "name", False), ("role", "role", False), ("time step t", "t", False),
             ("net input z", "z", True), ("state s", "s", True), ("target y", "target", True),
             ("g = dE/ds", "g", True), ("d = dE/dz", "d", True)]
EDGE_TIPS = [("weight", "label", False), ("W", "w", True), ("dE/dW = Σ_t G_t", "dw", True),
             ("G_t at the shown step", "G", True), ("tied", "tie", False)]


class RecurrentView(pn.viewable.Viewer):
    """The recurrent net at one time step, with weights drawn as arrows of one time step."""

    session = param.ClassSelector(class_=Session, doc="The model whose net is drawn.")
    selection = param.ClassSelector(class_=Selection, doc="Time, case, selected weight/unit, pass tick.")
    grouping = param.ClassSelector(class_=gp.UnitGrouping, doc="Whether a large net shows every unit (shared "
                                                                   "with the unrolled picture).")

    def __init__(self, **params):
        params.setdefault("grouping", gp.UnitGrouping())
        super().__init__(**params)
        self._m = self.session    # what is drawn: the session, or its net with one node per group (grouping.py)
        self._key = None          # structure the geometry was built for
        self._frame_w = FRAME_W   # frame width the geometry was built for (px)
        self.last_update_ms = 0.0  # server time of the last refresh (shown by the tests)
        self.edges = ColumnDataSource(name="network_edges")
        self.units = ColumnDataSource(name="network_units")
        # The legend's entries, for the save buttons of both pictures (the page shows self.legend).
        self.legend_entries = ColumnDataSource(name="net_legend_entries", data=dict(label=[], swatch=[]))
        self.figure = self._build_figure()
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width", min_width=MIN_W, max_width=MAX_W)
        # Shown only for a net drawn grouped: small nets draw exactly as before.
        self.show_all_box = pn.widgets.Checkbox.from_param(self.grouping.param.show_all, visible=False,
                                                           css_classes=["show-all-units"], margin=(0, 10))
        # A click on a group's node opens it into its units (issue 20, item 16); this closes them all.
        self.collapse_button = pn.widgets.Button.from_param(self.grouping.param.collapse, visible=False,
                                                            css_classes=["collapse-groups"], margin=(0, 10))
        self.legend = pn.pane.HTML("", name="net_legend", css_classes=["net-legend"], sizing_mode="stretch_width",
                                   stylesheets=[stylesheet("net_legend.css")], margin=(0, 10))
        self.refresh()
        self.session.param.watch(self.refresh, ["gradients", "net", "sequences", "unit_names", "unit_groups"])
        self.selection.param.watch(self.refresh, ["time", "case", "weight", "unit", "tick", "typed"])
        self.edges.selected.on_change("indices", self._on_edge_tap)
        self.units.selected.on_change("indices", self._on_unit_tap)
        self.figure.on_change("inner_width", self._on_resize)

    def __panel__(self):
        return pn.Column(self.show_all_box, self.collapse_button, self._pane, sizing_mode="stretch_width", margin=0)

    @param.depends("grouping.show_all", "grouping.expanded", watch=True)
    def _on_show_all(self):
        self.refresh()

    # -- building (once) --------------------------------------------------------------------
    def _build_figure(self):
        fig = figure(name="network_figure", sizing_mode="stretch_width", min_width=MIN_W, max_width=MAX_W,
                     frame_height=380, height=None, tools=[], x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                     title="", x_axis_type=None, y_axis_type=None, min_border_left=BORDER,
                     min_border_right=BORDER, frame_align=False)
        gl.style_figure(fig)
        fig.grid.visible = False
        # Short lines (bold headline, what the marks mean, the delay rule): a Bokeh title cannot
        # wrap, and the figure may be only MIN_W wide.
        fig.add_layout(Title(text="Every arrow takes one time step:\ns_t feeds z_(t+1).",
                             text_font_size=gl.SMALL_FONT, text_font_style="italic"), "above")
        self.subtitle = Title(text="", text_font_size=gl.SMALL_FONT, text_font_style="normal")
        fig.add_layout(self.subtitle, "above")
        glow = fig.multi_line("xs", "ys", source=self.edges, line_color=style.HIGHLIGHT,
                              line_width="glow_w", line_alpha="hl", line_cap="round")
        lines = fig.multi_line("xs", "ys", source=self.edges, line_color="colour", line_width="width",
                               line_alpha="alpha", line_cap="round", line_dash=gl.by_sign(style.NEGATIVE_DASH, "solid"))
        fig.scatter("ax", "ay", source=self.edges, marker="triangle", size="head", angle="angle",
                    fill_color="colour", line_color="colour", fill_alpha="alpha", line_alpha="alpha")
        # Wide invisible copies of the arrows: what hover and tap hit (a thin line is hard to hit).
        hit = fig.multi_line("xs", "ys", source=self.edges, line_width=14, line_alpha=0.0)
        fig.scatter("x", "y", source=self.units, size="ring_size", fill_color="ring_fill", line_color=style.TARGET,
                    line_width=3, fill_alpha="ring_alpha", line_alpha="ring_alpha")
        circles = fig.scatter("x", "y", source=self.units, size="size", fill_color="fill",
                              line_color="line", line_width="lw")
        fig.text("x", "y", text="name", source=self.units, text_color="ink", text_align="center",
                 text_baseline="middle", text_font_size=gl.FONT, text_font_style="bold")
        self.value_text = fig.text("vx", "vy", text="value", source=self.units, text_align="center", text_baseline="top",
                                   text_font_size=gl.SMALL_FONT, text_color="#222222",
                                   background_fill_color="white", background_fill_alpha=0.92).glyph  # readable over the arrows
        # Large type (views/theme.py) grows the labels: their places are worked out again for the new size.
        self.value_text.on_change("text_font_size", lambda attr, old, new: self._key is not None and self._rebuild())
        gl.add_tools(fig, self.edges, hit, circles, (glow, lines, hit, circles), EDGE_TIPS, UNIT_TIPS)
        return add_save_tool(fig, "recurrent-network", legend=self.legend_entries)

    def _build_geometry(self, net, seq):
        """Unit positions, arrow paths and plot ranges: only when the structure changes."""
        names, groups = self._names(net), self._groups(net)
        grouped = self._m is not self.session
        pos, out = gl.recurrent_positions(groups)
        if grouped:
            pos[:, 0] *= 1.5  # room between the large group nodes for the arrows
        lo, hi = pos.min(axis=0) - 0.8, pos.max(axis=0) + 0.8
        frame_w = self._frame_w
        ppu = min(frame_w / (hi - lo)[0], MAX_H / (hi - lo)[1])  # pixels per data unit, equal on both axes
        if 0.62 * ppu >= LABEL_MIN_PX:  # value labels shown: room for two lines below the lowest circles
            lo[1] -= 2.5 * self._label_px() / ppu
            ppu = min(frame_w / (hi - lo)[0], MAX_H / (hi - lo)[1])
        span = hi - lo
        height = int(np.clip(span[1] * ppu, MIN_H, MAX_H))  # whole pixels, so the y scale equals the x scale
        (cx, cy), (w, h) = (hi + lo) / 2, (frame_w / ppu / 2, height / ppu / 2)
        self.figure.frame_height = height
        self.figure.x_range.update(start=cx - w, end=cx + w)
        self.figure.y_range.update(start=cy - h, end=cy + h)
        # Many units: smaller; a group's node (not an opened group's units) larger.
        unit_px = float(np.clip(0.62 * ppu, 18, UNIT_PX)) * np.where(self._m.is_group if grouped else False, GROUP_SCALE, 1.0)
        ring_px = unit_px * RING_PX / UNIT_PX
        radius = np.where(seq.target_units, ring_px, unit_px) / 2 / ppu
        i_idx, j_idx = gl.drawn_edges(net, gl.MAX_ARROWS, self._weight())
        bend = gp.detour_bends(pos, i_idx, j_idx, radius) if grouped else 0.14
        xs, ys, hx, hy, ha, _ = gl.recurrent_paths(pos, out, i_idx, j_idx, radius, bend=bend)
        back = 5 / ppu  # the triangle's centre sits a little behind the tip
        ties = gl.tie_groups(net, i_idx, j_idx)  # fixed until the structure (ties included) changes
        note = "" if grouped else gl.drawn_note(net, len(i_idx), "arrows")  # grouped: the legend says it
        self._geo = dict(pos=pos, radius=radius, ppu=ppu, i=i_idx, j=j_idx, labels=unit_px.min() >= LABEL_MIN_PX and lo[1] < pos[:, 1].min() - 0.8, ties=ties,
                         note=note)
        E = len(i_idx)
        labels = [f"W[{i},{j}]: {gl.unit_label(names, j)} → {gl.unit_label(names, i)}" for i, j in zip(i_idx, j_idx)]
        if grouped:
            members = self._m.members
            real = [gp.real_weight(self._m, i, j) for i, j in zip(i_idx, j_idx)]  # an opened group's units' arrows
            labels = [f"{names[i]} ← {names[j]}: {np.count_nonzero(self.session.net.C[np.ix_(members[i], members[j])])}"
                      " weights, drawn as their rms" if w is None else f"W[{w[0]},{w[1]}]: {names[j]} → {names[i]}"
                      for w, i, j in zip(real, i_idx, j_idx)]
        self.edges.data = dict(i=i_idx, j=j_idx, xs=xs, ys=ys, ax=hx - back * np.cos(ha), ay=hy - back * np.sin(ha),
                               angle=ha - np.pi / 2, label=labels, tie=gl.tie_text(ties), **self._edge_style(net, E))
        self._geo["label_at"] = self._label_points(seq, pos, radius, ppu, (xs, ys))
        self.units.data = dict(x=pos[:, 0], y=pos[:, 1],
                               name=list(names), size=np.broadcast_to(unit_px, net.N).copy(), ring_size=np.broadcast_to(ring_px, net.N).copy(),
                               **self._unit_style(net, seq))
        self._set_legend(any(r[0] == "W" for g in net.ties for r in g), grouped)

    def _label_points(self, seq, pos, radius, ppu, paths):
        """Where each unit's value label goes, outside the backward pass and in it (its "d ..."
        labels are wider): below its circle, or beside it where no arrow, circle or other label
        is in its way (label_place; a label shown may never cross an arrow)."""
        if not self._geo["labels"]:
            below = (pos[:, 0], pos[:, 1] - radius - 0.08)
            return {False: below, True: below}
        font_px = self._label_px()
        *values, target = label_place.widest(seq, self._m is not self.session)
        r = self.figure
        bounds = (r.x_range.start, r.x_range.end, r.y_range.start, r.y_range.end)
        return {backward: label_place.place(pos, radius, label_place.label_size(
                    np.maximum(chars, target), np.where(target > 0, 2, 1), font_px, ppu), paths, bounds, ppu)
                for backward, chars in zip((False, True), values)}

    def _label_px(self):
        """The value labels' font size in pixels, as drawn now (large type grows it)."""
        return font_px(getattr(self.value_text, "text_font_size", None) or gl.SMALL_FONT)

    def _set_legend(self, tied, grouped=False):
        entries = [
            ("positive (W, G or d)", gl.line_swatch(style.POSITIVE)),
            ("negative (dashed); thickness = size", gl.line_swatch(style.NEGATIVE, dashed=True)),
            ("selected weight: lit here and in all T copies", gl.line_swatch(style.HIGHLIGHT, 8)),
            ("clamped input (its value shown)", gl.dot_swatch("white", style.CLAMP, 3)),
            ("output: ring = target, fill = activity", gl.ring_swatch("#888888", style.TARGET)),
            ("fill = activity: white low … black high", gl.dot_swatch("#444444", "#777777")),
            *([("tied weights share a colour", gl.line_swatch(style.TIE_COLOURS[0]))] if tied else []),
            ("time cursor (unrolled)", gl.band_swatch(style.HIGHLIGHT)),
            *([("group of units (mean); arrow: rms of its weights",
                gl.dot_swatch("#bbbbbb", "#555555", 3))] if grouped else []),
        ]
        text = gl.legend_html(entries)
        if self.legend.object != text:
            self.legend.object = text
            self.legend_entries.data = dict(label=[e[0] for e in entries], swatch=[e[1] for e in entries])

    def _on_resize(self, attr, old, new):
        """The browser laid the figure out: rebuild the geometry for the frame's real width."""
        if new is None or new <= 0 or abs(new - self._frame_w) < 2:
            return  # also stops a resize -> rebuild -> resize loop
        self._frame_w = int(new)
        self._rebuild()

    def _rebuild(self):
        # No pn.io.hold() here: inside a Bokeh callback at page load, the held changes never
        # reached the browser (seen in Chromium: the old ranges stayed). Resizes are rare.
        self._build_geometry(self._m.net, self._m.sequences)

    # -- one refresh per change -----------------------------------------------------------------
    def refresh(self, *events):
        """Recompute the style columns (and the geometry if the structure changed)."""
        start = _time.perf_counter()
        s = self.session
        self._m = self.grouping.model(s, self.selection)
        self.show_all_box.visible = gp.is_large(s.net, s.unit_groups)
        self.collapse_button.visible = self.show_all_box.visible and bool(self.grouping.expanded) and not self.grouping.show_all
        net, seq = self._m.net, self._m.sequences
        key = (net.N, net.C.tobytes(), tuple(self._m.unit_groups), tuple(self._m.unit_names),
               seq.target_units.tobytes(), net.ties, self._m is s, s.net.C.tobytes(),
               self.selection.weight if np.count_nonzero(net.C) > gl.MAX_ARROWS else None)  # gl.drawn_edges
        with pn.io.hold():
            if key != self._key:
                self._key = None  # set once built: a build that failed is redone on the next change
                self._build_geometry(net, seq)
                self._key = key
            else:
                gl.patch(self.edges, self._edge_style(net, len(self._geo["i"])))
                gl.patch(self.units, self._unit_style(net, seq))
        self.last_update_ms = (_time.perf_counter() - start) * 1e3

    def _names(self, net):
        names = list(self._m.unit_names)
        return names if len(names) == net.N else [f"u{i}" for i in range(net.N)]

    def _groups(self, net):
        groups = list(self._m.unit_groups)
        return groups if len(groups) == net.N else ["hidden"] * net.N

    def _weight(self):
        """The selected weight as drawn: its (group, group) arrow when the net is drawn grouped."""
        w = self.selection.weight
        return w if self._m is self.session else gp.group_pair(self._m, w)

    def _edge_style(self, net, E):
        """Colour, width and alpha of every arrow for the current frame, and its tooltip text."""
        f = gl.current_frame(self._m, self.selection)
        grads = probe.stack(self._m, self.selection)[1]  # a typed sequence's, while one is shown
        i, j = self._geo["i"], self._geo["j"]
        W, dW = net.W[i, j], grads.dW[i, j]
        ties = self._geo["ties"]
        t = gl.frame_time(f)
        G = grads.dW_by_step[t - 1][i, j] if t >= 1 else np.full(E, gl.NO_VALUE)
        if f.phase == "backward":
            shown, scale = G, gl.grad_scale(grads.dW_by_step[:, i, j])
            title = f"Backward pass at t = {t}"
            detail = f"circles: d_{t} = dE/dz_{t}   arrows: G_{t} = d_{t} s_{t - 1}ᵀ"
        elif f.phase == "summed":
            shown, scale = dW, gl.grad_scale(dW)
            title, detail = "Summed over time: dW = G_1 + … + G_T", "arrows: dW, one gradient per weight"
        else:
            shown, scale = W, gl.weight_scale(net.W)
            title = (f"Forward pass: building t = {t}" if f.phase == "forward"
                     else f"Time step t = {t}, case {f.case}")
            detail = f"circles: activities s_{t}   arrows: weights W"
        if self._geo["note"]:
            detail += f"   ({self._geo['note']})"
        detail += probe.note(self.session, self.selection)
        self.figure.title.text, self.subtitle.text = title, detail
        width = gl.widths(shown, scale)
        alpha0 = np.where(np.abs(shown) > 0, 0.9, 0.35)
        cols = gl.sign_colours(shown, ties if f.phase in ("complete", "forward") else None)
        return dict(colour=cols, width=width, glow_w=width + 9, head=8 + 1.6 * width, w=W, dw=dW, G=G,
                    **gl.highlight_columns(i, j, alpha0, self._weight()))

    def _unit_style(self, net, seq):
        """Fill, rings and value labels of the units at the shown time step."""
        f = gl.current_frame(self._m, self.selection)
        seq, g = probe.stack(self._m, self.selection)  # a typed sequence's, while one is shown
        c, t, N = f.case, gl.frame_time(f), net.N
        s, z, ds, dz = g.states[c, t], g.net_inputs[c, t], g.ds[c, t], g.dz[c, t]
        K, M, X, Y = seq.K[c, t] > 0, seq.M[c, t] > 0, seq.X[c, t], seq.Y[c, t]
        if f.phase == "backward":
            fill = np.array(style.signed_colour(dz, gl.grad_scale(g.dz[c])), dtype=object)
            value = [f"d {style.fmt(v, 2)}" for v in dz]
        else:
            fill = gl.activity_fill(s, net.activation)
            value = [f"in {style.fmt(x, 3)}" if k else style.fmt(v, 2) for v, x, k in zip(s, X, K)]
        if self._m is not self.session:  # a group: the letter that is on, or the most active unit
            words, whole = self._m.words[c, t], self._m.is_group  # an opened group's units: as a small net's
            Y = [y if w else v for y, v, w in zip(self._m.targets[c, t], Y, whole)]
            if f.phase != "backward":
                value = [(f"in {w}" if k else f"top {w}") if w else (v if k or not g else f"mean {v}")
                         for w, k, v, g in zip(words, K, value, whole)]
        value = [v + (f"\ntarget {y if isinstance(y, str) else style.fmt(y, 3)}" if m else "")
                 for v, y, m in zip(value, Y, M)]
        if not self._geo["labels"]:
            value = [""] * N  # crowded: the numbers are in the tooltips
        line = np.where(K, style.CLAMP, "#555555").astype(object)
        lw = np.where(K, 4.0, 1.5)
        unit = self.selection.unit if self._m is self.session else gp.group_unit(self._m, self.selection.unit)
        if unit is not None and unit[0] == t and 0 <= unit[1] < N:
            line[unit[1]], lw[unit[1]] = style.HIGHLIGHT, 5.0
        role = np.where(K, "clamped input", np.where(M, "has a target", "hidden")).astype(object)
        vx, vy = self._geo["label_at"][f.phase == "backward"]
        return dict(fill=fill, ink=gl.ink(fill), line=line, lw=lw, value=value, vx=vx, vy=vy,
                    ring_fill=gl.activity_fill(np.where(M, seq.Y[c, t], 0.0), net.activation), ring_alpha=M.astype(float),
                    role=role, t=np.full(N, t), z=z if t > 0 else np.full(N, gl.NO_VALUE), s=s.copy(),
                    target=np.where(M, seq.Y[c, t], gl.NO_VALUE), g=ds.copy(), d=dz if t > 0 else np.full(N, gl.NO_VALUE))

    # -- clicks -------------------------------------------------------------------------------
    def _on_edge_tap(self, attr, old, new):
        k = new[-1] if new else None  # the nearest arrow is the last one hit
        weight = None if k is None else gp.real_weight(self._m, int(self.edges.data["i"][k]), int(self.edges.data["j"][k]))
        if weight is None:  # a group's arrow stands for many weights: none is chosen
            self.edges.selected.indices = []
            return
        self.edges.selected.indices = []  # so that a second click on the same arrow registers
        self.selection.weight = None if self.selection.weight == weight else weight

    def _on_unit_tap(self, attr, old, new):
        self.units.selected.indices = []
        if not new:
            return
        t = gl.frame_time(gl.current_frame(self.session, self.selection))
        unit = gp.tap_node(self.grouping, self._m, int(new[-1]))  # a group's node opens instead
        if unit is not None:
            self.selection.unit = (t, unit)
