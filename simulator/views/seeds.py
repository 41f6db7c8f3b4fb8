"""The lesson panel's "10 seeds": the current lesson and settings trained from ten seeds at once,
every loss curve drawn thin (green: solved, red: not) and the fraction solved. The lecture's point
that a net can get stuck, made visible: the same net and settings, other random starting weights.

The runs are serving/runs.py's ``run_one`` (what ``bptt-sim sweep`` runs for each seed) in a
SeedPool of local processes; each result comes back to this session's document as a next-tick
callback, so the page never waits for them, and Cancel kills the processes. A class server runs
none unless the lecturer allows it (``bptt-sim serve --allow-seeds``): ten runs for every student
would take the cores that everyone's training needs.
"""
import html
import threading
from functools import partial

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from simulator import document
from simulator.lessons.registry import REGISTRY
from simulator.serving.offload import served_doc
from simulator.serving.runs import SeedPool, seeds_allowed, summary
from simulator.state.session import Session
from simulator.views.plotting import readable
from simulator.views.save_tool import add_save_tool
from simulator.views.style import soon

SEEDS = 10
SOLVED, STUCK = "#2ca02c", "#d62728"
OFF_NOTE = ("Running seeds is off on this class server: ten training runs for every student would take the "
            "cores that everyone's training needs. The lecturer can allow it: "
            "<code>bptt-sim serve --allow-seeds</code>.")


class SeedsView(pn.viewable.Viewer):
    """A button training the current settings from ten seeds in the background, and what they did."""

    session = param.ClassSelector(class_=Session)
    allowed = param.Boolean(default=None, allow_None=True,
                            doc="May this session run seeds here (None: as the server decided, serving/runs.py).")
    count = param.Integer(default=SEEDS, bounds=(1, 100), constant=True, doc="Seeds per batch.")
    runs = param.List(default=[], doc="The runs back so far (serving/runs.py's dicts), in the order they came.")
    seeds = param.List(default=[], doc="The seeds of the batch running or last run.")
    running = param.Boolean(default=False)
    ended = param.String(default="", doc="'' while running or done; 'cancelled' or why a run failed.")
    what = param.String(default="", doc="The lesson, seeds and updates of the batch, in words.")

    def __init__(self, **params):
        super().__init__(**params)
        if self.allowed is None:
            self.allowed = seeds_allowed(served=served_doc() is not None)
        self.pool, self._doc = None, served_doc()
        if self._doc is not None:  # a closed tab stops its runs
            self._doc.on_session_destroyed(lambda _: self.cancel())
        self.finished = threading.Event()  # set when a batch ends (tests wait on it)
        self.run_btn = pn.widgets.Button(label=f"Run {self.count} seeds", css_classes=["seeds-btn"],
                                         disabled=self.run_disabled)
        # soon: a click that comes while a widget change is pending (a tab just opened) runs
        # without the document lock, and start() redraws raw Bokeh sources (CI at 264f1bf).
        self.run_btn.on_click(lambda _: soon(self.start))
        self.cancel_btn = pn.widgets.Button(label="Cancel", css_classes=["seeds-cancel"], disabled=self.cancel_disabled)
        self.cancel_btn.on_click(lambda _: self.cancel())
        self.progress = pn.indicators.Progress(value=self.done_count, max=self.count, width=160, bar_color="success",
                                               visible=self.param.running, css_classes=["seeds-progress"])
        self.text = pn.pane.HTML(self.result_html, css_classes=["seeds-result"], sizing_mode="stretch_width")
        self.sources = {ok: ColumnDataSource(dict(xs=[], ys=[], seed=[]), name=f"seeds_{'solved' if ok else 'stuck'}")
                        for ok in (True, False)}
        fig = readable(figure(title="Loss of each seed's run (green: solved, red: not)", height=260,
                              sizing_mode="stretch_width", y_axis_type="log", x_axis_label="update",
                              y_axis_label="loss", name="seed_curves"))
        for ok, colour in ((False, STUCK), (True, SOLVED)):
            fig.multi_line("xs", "ys", source=self.sources[ok], color=colour, line_width=1, line_alpha=0.7)
        self.figure = add_save_tool(fig, "seeds")

    @param.depends("allowed", "running")
    def run_disabled(self):
        return not self.allowed or self.running

    @param.depends("running")
    def cancel_disabled(self):
        return not self.running

    @param.depends("runs")
    def done_count(self):
        return len(self.runs)

    @param.depends("allowed", "runs", "running", "ended", "what", "session.lesson")
    def result_html(self):
        if not self.allowed:
            return f'<p class="seeds-off">{OFF_NOTE}</p>'
        lesson = REGISTRY[self.session.lesson]
        solved = sum(r["solved"] for r in self.runs)
        if not self.seeds:
            return (f"<p>Trains this lesson with the current settings from {self.count} seeds (new random weights and cases "
                    f"each, as Reset with that seed), {lesson.budget:,} updates each, beside the page, and counts the "
                    f"runs where {html.escape(lesson.goal)}.</p>")
        head = f"<p>{html.escape(self.what)}</p>"
        if self.running:
            return head + f"<p>{len(self.runs)} of {len(self.seeds)} done, {solved} solved so far…</p>"
        if self.ended:
            return head + f"<p>Stopped ({html.escape(self.ended)}) after {len(self.runs)} of {len(self.seeds)}: " \
                          f"{solved} solved.</p>"
        stuck = sorted(r["seed"] for r in self.runs if not r["solved"])
        median = summary(self.runs)[0]["median_updates_to_solve"] if self.runs else None
        told = f" (median {median:,.0f} updates to get there)" if median is not None else ""
        rest = f" Not solved: seed{'s' if len(stuck) > 1 else ''} {', '.join(map(str, stuck))}." if stuck else ""
        return head + f'<p><b class="seeds-fraction">{solved}/{len(self.runs)} solved</b>{told}.{rest}</p>'

    def start(self):
        """Train the current lesson and settings from this seed and the next ones, off the page; False
        when it may not (a class server, or a batch still running)."""
        if self.run_disabled():
            return False
        s, lesson = self.session, REGISTRY[self.session.lesson]
        seeds = [(s.seed + k) % 2 ** 31 for k in range(self.count)]
        source = document.to_document(s)  # the lesson, its settings and the user's own data
        for src in self.sources.values():
            src.data = dict(xs=[], ys=[], seed=[])
        self.finished.clear()
        self.param.update(runs=[], seeds=seeds, running=True, ended="",
                          what=f"{lesson.spec['title']}, seeds {seeds[0]}–{seeds[-1]}, {lesson.budget:,} updates "
                               f"each, learning rate {s.learning_rate:g}, momentum {s.momentum:g}:")
        self.pool = SeedPool(source, seeds, lesson.budget, on_run=partial(self._later, self._got),
                             on_done=partial(self._later, self._done)).start()
        return True

    def cancel(self):
        if self.pool is not None:
            self.pool.cancel()

    def _later(self, show, value):
        """``show(value)`` on this session's document (from the pool's thread), or now without a server."""
        doc = self._doc
        if doc is None:
            return show(value)
        try:
            doc.add_next_tick_callback(partial(self._in_doc, doc, show, value))
        except Exception:  # the session is gone: nothing to show, nothing left to run for
            self.cancel()

    @staticmethod
    def _in_doc(doc, show, value):
        from panel.io.state import set_curdoc
        with set_curdoc(doc):
            show(value)

    def _got(self, run):
        if not self.running:
            return
        self.runs = [*self.runs, run]
        curve = run["curve"] or [[0, float("nan")]]
        ys = [max(p[1], 1e-12) if np.isfinite(p[1]) else float("nan") for p in curve]  # a log axis; gaps where it blew up
        self.sources[run["solved"]].stream(dict(xs=[[p[0] for p in curve]], ys=[ys], seed=[run["seed"]]))

    def _done(self, ended):
        self.pool = None
        self.param.update(running=False, ended=ended or "")
        self.finished.set()

    def __panel__(self):
        return pn.Column(pn.Row(self.run_btn, self.cancel_btn, self.progress), self.text, self.figure,
                         sizing_mode="stretch_width", css_classes=["seeds-panel"])
