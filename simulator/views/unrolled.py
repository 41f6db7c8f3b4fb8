"""UnrolledView: the recurrent net unrolled in time, the layered net with T copies of W.

Lecture 7b: "the recurrent net is just a layered net that keeps reusing the same weights".
Column t holds the N units at time t (x = t, y = unit); copy t of the weights joins column
t - 1 to column t, so a weight appears T times, drawn alike in every column. The pass
animation fills the columns: the forward pass builds the stack of activities from left to
right, the backward pass peels it from right to left and shows each unit's error derivative
d_t and each copy's gradient G_t; "summed" is the moment the T copies' gradients are added.

With "Truncate to h steps" set and a weight selected, the columns the error of the time cursor's
step t reaches under BPTT(h) (t - h .. t, docs/model.md "Truncated BPTT") stay clear inside a
dashed bracket and the others are greyed: the unrolled picture of why truncation forgets.

The figure takes the rest of the pictures row; the browser reports its frame width
(inner_width) and the circles are resized to fit T + 1 columns in it. Its legend is the one
under both pictures (RecurrentView.legend).
"""
import time as _time

import numpy as np
import panel as pn
import param
from bokeh.models import BoxAnnotation, ColumnDataSource, FixedTicker, Range1d, Title
from bokeh.plotting import figure

from simulator.state import probe
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import grouping as gp
from simulator.views import style
from simulator.views.save_tool import add_save_tool
from simulator.views.network import UNIT_TIPS

ROW_PX = 62    # height of one unit's row (px)
FRAME_W = 560  # frame width assumed until the browser reports the real one (px)
X_PAD = 0.8    # data units beyond the first and the last column: room for a target's ring
RING_EXTRA = 14  # a target ring's diameter beyond its circle's (px)
OUT_OF_REACH = 0.22  # grey over the columns a truncated error does not reach
MIN_W = 280    # the figure's narrowest width (px): a phone's
EDGE_TIPS = [("weight", "label", False), ("W", "w", True), ("copy", "copy", False),
             ("this copy's gradient G_t", "G", True), ("the shown case's share", "share", True),
             ("dE/dW = Σ_t G_t", "dw", True), ("tied", "tie", False)]


def reached_columns(t, h, T):
    """Which of the columns 0..T the error of step t reaches under BPTT(h) (h 0: full BPTT): the
    states s_(t-h) .. s_t, down to s_0 when t - h <= 0 (docs/model.md "Truncated BPTT")."""
    cols = np.arange(T + 1)
    return (cols >= (max(0, t - h) if h else 0)) & (cols <= t)


class UnrolledView(pn.viewable.Viewer):
    """The T+1 columns of units and the T copies of every weight between them."""

    session = param.ClassSelector(class_=Session, doc="The model whose unrolled net is drawn.")
    selection = param.ClassSelector(class_=Selection, doc="Time, case, selected weight/unit, pass tick.")
    legend_entries = param.ClassSelector(class_=ColumnDataSource, doc="The net legend's entries (RecurrentView's): "
                                                                      "saved below the picture.")
    grouping = param.ClassSelector(class_=gp.UnitGrouping, doc="Whether a large net shows every unit (the "
                                                                   "recurrent picture's checkbox).")

    def __init__(self, **params):
        params.setdefault("grouping", gp.UnitGrouping())
        super().__init__(**params)
        self._m = self.session  # what is drawn: the session, or its net with one node per group (grouping.py)
        self._key = self._reach_key = None
        self._frame_w = FRAME_W  # frame width the circles were sized for (px)
        self.last_update_ms = 0.0
        self.edges = ColumnDataSource(name="unrolled_edges")
        self.cells = ColumnDataSource(name="unrolled_units")
        self.reach = ColumnDataSource(name="unrolled_reach", data=dict(t=[], reached=[], shade=[], bottom=[], top=[]))
        self.figure = self._build_figure()
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width", min_width=MIN_W)
        self.refresh()
        self.session.param.watch(self.refresh, ["gradients", "net", "sequences", "unit_names", "unit_groups",
                                                "truncate"])
        self.selection.param.watch(self.refresh, ["time", "case", "weight", "unit", "tick", "typed"])
        self.edges.selected.on_change("indices", self._on_edge_tap)
        self.cells.selected.on_change("indices", self._on_cell_tap)
        self.figure.on_change("inner_width", self._on_resize)

    def __panel__(self):
        return self._pane

    @param.depends("grouping.show_all", "grouping.expanded", watch=True)
    def _on_show_all(self):
        self.refresh()

    # -- building (once) ------------------------------------------------------------------------
    def _build_figure(self):
        fig = figure(name="unrolled_figure", sizing_mode="stretch_width", min_width=MIN_W, frame_height=360, tools=[],
                     x_range=Range1d(-0.6, 1.6), y_range=Range1d(-0.7, 1.7), title="", frame_align=False)
        gl.style_figure(fig)
        fig.grid.visible = False
        fig.xaxis.axis_label = "time step t   (copy t of W joins t − 1 to t)"
        # A short headline and a detail line: a Bokeh title cannot wrap, and the figure may be narrow.
        self.subtitle = Title(text="", text_font_size=gl.SMALL_FONT, text_font_style="normal")
        fig.add_layout(self.subtitle, "above")
        fig.yaxis.axis_label = "unit"
        fig.xaxis.ticker = FixedTicker(ticks=[0, 1])
        fig.yaxis.ticker = FixedTicker(ticks=[0, 1])
        fig.yaxis.major_label_text_font_size = gl.FONT
        self.time_band = BoxAnnotation(name="unrolled_time_band", left=-0.45, right=0.45,
                                       fill_color=style.HIGHLIGHT, fill_alpha=0.16, line_alpha=0, level="underlay")
        self.pass_band = BoxAnnotation(name="unrolled_pass_band", left=0, right=0, visible=False,
                                       fill_alpha=0, line_color="#555555", line_dash="dashed", line_width=2, level="underlay")
        fig.add_layout(self.time_band)
        fig.add_layout(self.pass_band)
        fig.vbar(x="t", width=1.0, bottom="bottom", top="top", source=self.reach, fill_color="#8c8c8c",
                 fill_alpha="shade", line_alpha=0, level="underlay")
        self.reach_bracket = BoxAnnotation(name="unrolled_reach_bracket", visible=False, fill_alpha=0,
                                           line_color="#333333", line_dash="dashed", line_width=2, level="underlay")
        fig.add_layout(self.reach_bracket)
        glow = fig.multi_line("xs", "ys", source=self.edges, line_color=style.HIGHLIGHT, line_width="glow_w",
                              line_alpha="hl", line_cap="round")
        lines = fig.multi_line("xs", "ys", source=self.edges, line_color="colour", line_width="width",
                               line_alpha="alpha", line_dash=gl.by_sign(style.NEGATIVE_DASH, "solid"))
        # Invisible wide middles of the edges: what hover and tap hit, away from the crowded units.
        hit = fig.multi_line("hxs", "hys", source=self.edges, line_width=12, line_alpha=0.0)
        fig.scatter("x", "y", source=self.cells, size="ring_size", fill_color="ring_fill", line_color=style.TARGET,
                    line_width=3, fill_alpha="ring_alpha", line_alpha="ring_alpha")
        cells = fig.scatter("x", "y", source=self.cells, size="size", fill_color="fill", line_color="line",
                            line_width="lw", fill_alpha="calpha", line_alpha="calpha")
        fig.text("x", "y", text="text", source=self.cells, text_color="ink", text_align="center",
                 text_baseline="middle", text_font_size=gl.SMALL_FONT, text_font_style="bold")
        gl.add_tools(fig, self.edges, hit, cells, (glow, lines, hit, cells), EDGE_TIPS, UNIT_TIPS)
        return add_save_tool(fig, "unrolled-network", legend=self.legend_entries)

    def _build_geometry(self, net, seq):
        """Columns, rows, the T copies of every edge and the axes: only when the structure changes."""
        names, groups = self._names(net), self._groups(net)
        N, T = net.N, seq.T
        rows = gl.row_order(groups)
        y_of = np.empty(N)
        y_of[rows] = np.arange(N)
        i_idx, j_idx = gl.drawn_edges(net, max(1, gl.MAX_COPIES // T), self._weight())
        E = len(i_idx)
        t_e = np.repeat(np.arange(1, T + 1), E)  # (T*E,): copy t joins column t-1 to t
        i_e, j_e = np.tile(i_idx, T), np.tile(j_idx, T)
        y0, y1 = y_of[j_e], y_of[i_e]
        xs = [np.array([t - 1.0, t]) for t in t_e]
        ys = [np.array([a, b]) for a, b in zip(y0, y1)]
        hxs = [np.array([t - 0.75, t - 0.25]) for t in t_e]
        hys = [np.array([a + 0.25 * (b - a), a + 0.75 * (b - a)]) for a, b in zip(y0, y1)]
        t_c, i_c = np.repeat(np.arange(T + 1), N), np.tile(np.arange(N), T + 1)  # cells, t-major
        ties = gl.tie_groups(net, i_e, j_e)  # fixed until the structure (ties included) changes
        note = "" if self._m is not self.session else gl.drawn_note(net, E)  # grouped: the legend says it
        self._geo = dict(i=i_e, j=j_e, t=t_e, tc=t_c, ic=i_c, E=E, ties=ties, note=note)
        row_px = float(np.clip(620 / N, 24, ROW_PX))  # many units: shorter rows, smaller circles
        self._geo["row_px"] = row_px
        size = self._cell_size(T)
        fig = self.figure
        fig.x_range.update(start=-X_PAD, end=T + X_PAD)
        fig.y_range.update(start=-0.65, end=N - 0.35)
        fig.frame_height = int(round((N + 0.3) * row_px))
        step = max(1, int(np.ceil((T + 1) / 21)))
        fig.xaxis.ticker.ticks = list(range(0, T + 1, step))
        fig.yaxis.ticker.ticks = list(range(N))
        fig.yaxis.major_label_overrides = {int(y_of[i]): gl.unit_label(names, i) for i in range(N)}
        labels = [f"W[{i},{j}]: {gl.unit_label(names, j)} → {gl.unit_label(names, i)}" for i, j in zip(i_e, j_e)]
        copies = [f"copy {t} of {T} (t = {t - 1} → {t})" for t in t_e]
        self.edges.data = dict(i=i_e, j=j_e, t=t_e, xs=xs, ys=ys, hxs=hxs, hys=hys, label=labels, copy=copies,
                               tie=gl.tie_text(ties), **self._edge_style(net, seq))
        self.cells.data = dict(x=t_c.astype(float), y=y_of[i_c], i=i_c, t=t_c, name=[gl.unit_label(names, i) for i in i_c],
                               size=np.full(len(t_c), size), ring_size=np.full(len(t_c), size + RING_EXTRA),
                               **self._cell_style(net, seq))

    def _cell_size(self, T):
        """Circle diameter (px) that fits T + 1 columns in the frame and a row, with a target's ring
        (RING_EXTRA px wider, 3 px line) inside the frame in the first and the last column (kept in _geo)."""
        ppu = self._frame_w / (T + 2 * X_PAD)  # pixels per time step
        size = float(np.clip(min(0.9 * ppu, 2 * X_PAD * ppu - RING_EXTRA - 4, 0.72 * self._geo["row_px"]), 6, 32))
        self._geo["size"] = size
        return size

    def _on_resize(self, attr, old, new):
        """The browser laid the figure out: resize the circles for the frame's real width."""
        if new is None or new <= 0 or abs(new - self._frame_w) < 2:
            return
        self._frame_w = int(new)
        seq = probe.stack(self._m, self.selection)[0]
        size = self._cell_size(seq.T)
        n = len(self.cells.data["x"])
        # One data message, and no pn.io.hold(): inside a Bokeh callback at page load, the held
        # changes never reached the browser.
        gl.patch(self.cells, dict(size=np.full(n, size), ring_size=np.full(n, size + RING_EXTRA),
                                  **self._cell_style(self._m.net, seq)))

    # -- one refresh per change ------------------------------------------------------------------
    def refresh(self, *events):
        """Recompute the style columns (and the geometry if the structure changed)."""
        start = _time.perf_counter()
        s = self.session
        self._m = self.grouping.model(s, self.selection)
        net, seq = self._m.net, probe.stack(self._m, self.selection)[0]  # a typed sequence, while shown
        key = (net.N, seq.T, net.C.tobytes(), tuple(self._m.unit_groups), tuple(self._m.unit_names),
               net.ties, self._drawn_for(), self._m is s, s.net.C.tobytes())
        with pn.io.hold():
            if key != self._key:
                self._key = None  # set once built: a build that failed is redone on the next change
                self._build_geometry(net, seq)
                self._key = key
            else:
                gl.patch(self.edges, self._edge_style(net, seq))
                gl.patch(self.cells, self._cell_style(net, seq))
            self._bands(gl.current_frame(self._m, self.selection))
            self._reach(net.N, seq.T)
        self.last_update_ms = (_time.perf_counter() - start) * 1e3

    def _drawn_for(self):
        """The selected weight, when the picture draws only some weights (a new one redraws them
        so that it is drawn); None otherwise."""
        T = probe.stack(self._m, self.selection)[0].T
        return self._weight() if np.count_nonzero(self._m.net.C) > max(1, gl.MAX_COPIES // T) else None

    def _weight(self):
        """The selected weight as drawn: its (group, group) edges when the net is drawn grouped."""
        w = self.selection.weight
        return w if self._m is self.session else gp.group_pair(self._m, w)

    def _names(self, net):
        names = list(self._m.unit_names)
        return names if len(names) == net.N else [f"u{i}" for i in range(net.N)]

    def _groups(self, net):
        groups = list(self._m.unit_groups)
        return groups if len(groups) == net.N else ["hidden"] * net.N

    def _bands(self, f):
        self.time_band.update(left=f.time - 0.45, right=f.time + 0.45)
        active = {"forward": f.upto, "backward": f.start}.get(f.phase)
        self.pass_band.visible = active is not None
        if active is not None:
            self.pass_band.update(left=active - 0.5, right=active + 0.5)
        self.figure.title.text, self.subtitle.text = {
            "complete": (f"Unrolled in time: case {f.case}, t = 0 … {f.T}", "every column t uses the same weights W"),
            "forward": (f"Forward pass: stack built up to t = {f.upto}", "activities s_t, column by column"),
            "backward": (f"Backward pass: peeling t = {f.T} … {f.start}", "circles: d_t = dE/dz   edges: G_t (all cases)"),
            "summed": ("Summed: G_1 + … + G_T = dW", "the T copies' gradients add up (left picture)"),
        }[f.phase]
        if self._geo["note"]:
            self.subtitle.text += f"   ({self._geo['note']})"
        self.subtitle.text += probe.note(self.session, self.selection)

    def _reach(self, N, T):
        """The columns the error of the cursor's step reaches under the truncation (always in the
        data; drawn only with truncation set and a weight selected)."""
        h, t = self.session.truncate, min(self.selection.time, T)
        reached = reached_columns(t, h, T)
        shown = bool(h) and self.selection.weight is not None
        first = int(np.argmax(reached))
        if shown:
            self.subtitle.text += (f"   BPTT({h}): the error at t = {t} reaches columns {first} … {t} "
                                   "(greyed: out of its reach)")
        if self._reach_key == (h, t, T, N, shown):
            return  # a training frame: nothing here changes
        self._reach_key = (h, t, T, N, shown)
        self.reach.data = dict(t=list(range(T + 1)), reached=reached.tolist(),
                               shade=np.where(shown & ~reached, OUT_OF_REACH, 0.0), bottom=np.full(T + 1, -0.65),
                               top=np.full(T + 1, N - 0.35))
        self.reach_bracket.update(visible=shown, left=first - 0.5, right=t + 0.5)

    def _edge_style(self, net, seq):
        """Colour/width/alpha of every copy for the current frame, and its tooltip numbers."""
        f = gl.current_frame(self._m, self.selection)
        g = probe.stack(self._m, self.selection)[1]
        i, j, t = self._geo["i"], self._geo["j"], self._geo["t"]
        w = net.W[i, j]
        G = g.dW_by_step[t - 1, i, j]  # (T*E,): G_t[i, j] of each copy
        share = g.dz[f.case, t, i] * g.states[f.case, t - 1, j]  # this case's d_t[i] s_(t-1)[j]
        ties = self._geo["ties"]
        width = gl.widths(w, gl.weight_scale(net.W), thick=6.0)
        colour = gl.sign_colours(w, ties)
        alpha0 = np.where(w != 0, 0.6, 0.3)
        grad = np.zeros(len(t), dtype=bool)
        if f.phase == "forward":
            alpha0 = np.where(t <= f.upto, alpha0, 0.05)
        elif f.phase in ("backward", "summed"):
            grad = t >= f.start
            gw = gl.widths(G, gl.grad_scale(g.dW_by_step), thick=6.0)
            width = np.where(grad, gw, width)
            colour = np.where(grad, gl.sign_colours(G), colour)
            alpha0 = np.where(grad, 0.9, gl.FADE)
        return dict(colour=colour, width=width, glow_w=width + 8, w=w, G=G, share=share, dw=g.dW[i, j],
                    **gl.highlight_columns(i, j, alpha0, self._weight()))

    def _cell_style(self, net, seq):
        """Fill, rings, input values and tooltips of the (T+1) x N cells for the current frame."""
        f = gl.current_frame(self._m, self.selection)
        g, c = probe.stack(self._m, self.selection)[1], f.case
        t, i = self._geo["tc"], self._geo["ic"]
        s, z, ds, dz = (a[c].ravel() for a in (g.states, g.net_inputs, g.ds, g.dz))  # t-major like the cells
        K, M, X, Y = (a[c].ravel() for a in (seq.K, seq.M, seq.X, seq.Y))
        K, M = K > 0, M > 0
        acts = np.asarray(net.activation, dtype=object)[i]
        fill = gl.activity_fill(s, acts)
        calpha = np.ones(len(t))
        built = np.ones(len(t), dtype=bool)
        if f.phase == "forward":
            built = t <= f.upto
        elif f.phase in ("backward", "summed"):
            err = (t >= f.start) & (t >= 1)
            fill = np.where(err, np.array(style.signed_colour(dz, gl.grad_scale(g.dz[c])), dtype=object), fill)
            calpha = np.where(err, 1.0, 0.35)
        fill = np.where(built, fill, "#ffffff")
        line = np.where(built, np.where(K, style.CLAMP, "#555555"), "#cccccc").astype(object)
        lw = np.where(K & built, 3.5, 1.2)
        sel = self.selection.unit if self._m is self.session else gp.group_unit(self._m, self.selection.unit)
        if sel is not None:
            hit = (t == sel[0]) & (i == sel[1])
            line[hit], lw[hit] = style.HIGHLIGHT, 5.0
        room = (self._geo["size"] + 4) / 9  # characters of 12pt bold that fit inside a circle
        text = [style.fmt(x, 2) if k else "" for x, k in zip(X, K & built)]
        if self._m is not self.session:  # a group: the letter that is on, or its most active unit (an opened one's units: as above)
            words = np.where(built & (f.phase == "complete" or f.phase == "forward"), self._m.words[c].ravel(), "")
            text = np.where(self._m.is_group[i], words, np.asarray(text, dtype=object)).tolist()
        text = [v if len(v) <= room else "" for v in text]  # else only in the tooltip
        return dict(fill=fill, line=line, lw=lw, calpha=calpha, text=text, ink=gl.ink(fill),
                    ring_fill=gl.activity_fill(np.where(M, Y, 0.0), acts), ring_alpha=(M & built).astype(float),
                    role=np.where(K, "clamped input", np.where(M, "has a target", "hidden")).tolist(),
                    z=np.where(t > 0, z, gl.NO_VALUE), s=s.copy(), target=np.where(M, Y, gl.NO_VALUE), g=ds.copy(),
                    d=np.where(t > 0, dz, gl.NO_VALUE))

    # -- clicks -------------------------------------------------------------------------------------
    def _on_edge_tap(self, attr, old, new):
        k = new[-1] if new else None
        weight = None if k is None else gp.real_weight(self._m, int(self.edges.data["i"][k]), int(self.edges.data["j"][k]))
        if weight is None:  # a group's edge stands for many weights: none is chosen
            self.edges.selected.indices = []
            return
        self.edges.selected.indices = []
        self.selection.weight = None if self.selection.weight == weight else weight

    def _on_cell_tap(self, attr, old, new):
        if not new:
            return
        k = new[-1]
        self.cells.selected.indices = []
        t = int(self.cells.data["t"][k])
        # The unit clicked at step t: the time cursor (and the recurrent picture) go to t with it.
        unit = gp.tap_node(self.grouping, self._m, int(self.cells.data["i"][k]))  # a group's node opens instead
        self.selection.param.update(time=t, **({} if unit is None else {"unit": (t, unit)}))
