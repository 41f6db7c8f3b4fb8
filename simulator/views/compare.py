"""Compare mode's page (issue 19): 2-4 runs of one lesson or document side by side.

Opened by a link ``?lesson=learned-initial-state&compare=learn_h0:false,true`` (app.py routes a
URL with ``compare=`` here) or by a lecture card that makes a comparison (views/lecture.py).
Each run has its column: the settings that differ highlighted, its own status line
``update <n> · loss <value>``, its recurrent picture and a link opening it on its own in the
single-run app. One Play/Step/Reset drives every run in lockstep; the loss curves overlay in one
plot and the selected weight's G_t bars stand side by side on one scale (compare_plots.py).
The runs share one Selection, so a weight clicked in one picture is selected in all of them.

Training never blocks the page: Play is the single-run app's Player (serving/player.py), one
periodic callback per page, whose frames step the Comparison instead of one Session; the frame
scheduler counts the page as k sessions' work (``runs``).
"""
import asyncio
import html
import io
from urllib.parse import urlencode

import panel as pn
import param

from simulator import document
from simulator.lessons.registry import DEFAULT_LESSON, LESSONS
from simulator.serving.assets import stylesheet
from simulator.serving.offload import heavy_session, off_loop, served_doc
from simulator.serving.pacer import FramePacer
from simulator.serving.player import Player
from simulator.state import caps
from simulator.state import compare as C
from simulator.state.selection import Selection
from simulator.state.training import TRAINING_SETTINGS, Training
from simulator.views import link as LK
from simulator.views.compare_plots import RUN_COLOURS, CompareBars, CompareCurves
from simulator.views.controls import StatusView
from simulator.views.network import RecurrentView
from simulator.views.plotting import weight_name
from simulator.views.style import soon


#: Most updates a link replays as its page opens (every run, in lockstep): 2 runs of binary addition
#: replay 5,000 in 2.3 s here, 4 runs in 4.2 s; served, in slices of ~50 ms (replay_async), so the
#: other sessions' frames go on (benchmarks/bench_compare_replay.py).
MAX_REPLAY = 5000


class ComparePlayer(Player):
    """The Player with every run in each frame: the same n updates in each run still training."""

    comparison = param.ClassSelector(class_=C.Comparison)

    @property
    def runs(self):
        """How many sessions' work a frame is (serving/scheduler.py counts it)."""
        return len(self.comparison.runs)

    def _step(self, n, after):
        c = self.comparison
        heavy = any(heavy_session(r) for r in c.runs)

        def then(computed):
            self._busy = False
            if isinstance(computed, Exception):
                raise computed
            ok = c.publish_step(computed)
            self.session = next((r for r, why in zip(c.runs, c.stopped) if not why), c.runs[0])  # sizes the frames
            return after(ok, n)

        self._busy = True
        return off_loop(lambda: c.compute_step(n), then, heavy)


def comparison_of_query(query, most=None):
    """The Comparison a page's query asks for: ``compare=`` settings (state/compare.py) on the
    state the link's other keys give (views/link.py: lesson, seed, lr, ..., w), replayed ``n``
    updates in lockstep (see replay); ValueError if not."""
    text = query.get("compare")
    settings = C.parse_compare(text, C.allowed_runs() if most is None else most)
    # n is the runs' count since the start (replayed), not the start's own count as in a single-run link.
    # Panel's Location writes back a URL's true/false as Python's True/False (``h0=False``).
    given = {k: v.lower() if isinstance(v, str) and v.lower() in ("true", "false") else v
             for k, v in query.items() if (k in LK.QUERY or k in TRAINING_SETTINGS) and k != "n"}
    if set(given) <= {"lesson"}:  # the lesson's own start (its runs say nothing about a loaded state)
        return replay(C.Comparison.of_lesson(given.get("lesson", DEFAULT_LESSON), settings, most), query)
    doc = LK.link_document(given)
    return replay(C.Comparison(lambda: document.session_from_document(doc, validated=True), settings, most), query)


def replay_count(query):
    """The link's ``n``: the updates to replay from the start (0 when absent); ValueError if it is
    not 0..MAX_REPLAY."""
    text = query.get("n")
    if text in (None, ""):
        return 0
    n = int(text) if isinstance(text, str) and text.isascii() and text.isdecimal() and len(text) < 10 else -1
    if not 0 <= n <= MAX_REPLAY:
        raise ValueError(f"n: expected the updates to replay, 0 to {MAX_REPLAY} (a link may not make the server train "
                         f"longer); got {caps.quote(text)}. Save the comparison and open it with bptt-sim serve FILE")
    return n


def replay(comparison, query):
    """The comparison after the link's ``n`` updates in lockstep from its start, at once: the same
    runs as when the link was written (lockstep makes them identical); ValueError if n is not
    0..MAX_REPLAY. A served page replays in slices instead (replay_async)."""
    for _ in comparison.replay(replay_count(query)):
        pass
    return comparison


async def replay_async(comparison, n, budget=C.REPLAY_SLICE):
    """Comparison.replay(n), back to the event loop after every slice of about ``budget`` seconds:
    at 5,000 updates of 4 runs the replay took the loop for seconds, and every other session's
    frames waited (docs/compare.md)."""
    for _ in comparison.replay(n, budget):
        await asyncio.sleep(0)
    return comparison


async def _show_after_replay(holder, comparison, n, doc):
    from panel.io.state import set_curdoc
    await replay_async(comparison, n)
    with set_curdoc(doc):
        holder.objects = [CompareView(comparison=comparison).__panel__()]


def start_keys(session):
    """The link keys (views/link.py) of a session as a start: its settings and weights, the
    training settings that are not the default; no update count, curve or view."""
    query = {key: v for key, v in LK.link_of(session).items() if v != "" and key not in ("n", "curve")}
    query.update({n: C.value_text(getattr(session, n)) for n in TRAINING_SETTINGS
                  if getattr(session, n) != Training.param[n].default})
    return query


def start_link(session, compare_text):
    """The query of a link opening Compare mode from ``session``'s very state with ``compare_text``
    (e.g. 'learning_rate:0.1,1.0'), or None when no link opens that start: a trained state, whose
    velocity and history no link carries, or one too long for a link."""
    keys = start_keys(session)
    query = {**keys, "compare": compare_text}
    if len(urlencode(query)) + 40 > caps.MAX_LINK_CHARS:
        return None
    try:
        doc = LK.link_document(keys)
    except ValueError:
        return None
    here = document.to_document(session)
    return query if {k: v for k, v in doc.items() if k != "view"} == {k: v for k, v in here.items() if k != "view"} \
        else None


def link_fits(comparison):
    """True if a link opens the comparison's very start (start_link)."""
    return start_link(comparison.base, comparison.query()) is not None


def query_of(comparison):
    """The query of a link that opens this comparison again as it stands: its start, ``compare=``
    and the updates ``n`` every run has made since (replayed as the page opens)."""
    return {**start_keys(comparison.base), "compare": comparison.query(),
            **({"n": str(comparison.updates)} if comparison.updates else {})}


def run_link(comparison, k):
    """A link (query string) to the single-run app showing run k on its own with its settings and
    weights (views/link.py), from the start when made before the runs train (as the page does)."""
    return "?" + urlencode(start_keys(comparison.runs[k]))


#: The keys a Compare page's URL may hold: a single-run link's, the training settings and compare.
KEYS = (*LK.QUERY, *TRAINING_SETTINGS, "compare")
_PageQuery = param.parameterized_class("_PageQuery", {k: param.String(default=None, allow_None=True) for k in KEYS})


class CompareLinkSync(LK.TrailingWrite, param.Parameterized):
    """Keeps a served Compare page's URL in step with its comparison, as LinkSync does the single
    app's: written at most every ``delay_ms`` after the runs step or Reset. When no link opens the
    start (a trained document's), only ``n`` is written: a reload opens that document again."""

    comparison = param.ClassSelector(class_=C.Comparison)
    delay_ms = param.Integer(default=400, doc="Trailing delay before the URL catches up with training.")

    def __init__(self, **params):
        super().__init__(**params)
        self.query, self._pending, self._served = _PageQuery(), False, False
        location = pn.state.location
        if location is None:  # not served (tests, notebooks): no URL to keep
            return
        location.sync(self.query, {k: k for k in KEYS})
        self._fits, self._served = link_fits(self.comparison), True
        self._write()

    @param.depends("comparison.updates", "comparison.runs", watch=True)
    def _schedule(self):
        self.write_soon()

    def _write(self):
        self._pending = False
        c = self.comparison
        self.query.param.update({**dict.fromkeys(KEYS, ""), **query_of(c)} if self._fits
                                else {"n": str(c.updates) if c.updates else ""})


class CompareView(pn.viewable.Viewer):
    """The whole Compare page: controls, the overlaid curves, the bars and a column per run."""

    comparison = param.ClassSelector(class_=C.Comparison)
    selection = param.ClassSelector(class_=Selection, doc="Shared by every run's picture.")
    player = param.ClassSelector(class_=ComparePlayer)
    weight = param.Selector(default=None, objects=[], label="Weight",
                            doc="The connection whose G_t bars are shown (selected in every run).")

    def __init__(self, **params):
        params.setdefault("selection", Selection())
        super().__init__(**params)
        c = self.comparison
        k = len(c.runs)
        if self.player is None:  # a frame's time budget and updates shared out among the k runs
            self.player = ComparePlayer(comparison=c, session=c.runs[0], selection=self.selection,
                                        budget=Player.param.budget.default / k,
                                        max_updates=max(1, Player.param.max_updates.default // k))
        self.link = CompareLinkSync(comparison=c)  # the URL follows the runs (served pages only)
        self.pacer = FramePacer()
        self.player.pacer = self.pacer
        self.curves = CompareCurves(comparison=c)
        self.bars = CompareBars(comparison=c, selection=self.selection)
        p = self.player
        self.play = pn.widgets.Toggle.from_param(p.param.playing, label=self.play_label, color="success",
                                                 css_classes=["compare-play"])
        self.step = pn.widgets.Button(label="Step", color="primary", css_classes=["compare-step"],
                                      description="One weight update in every run")
        self.reset = pn.widgets.Button(label="Reset", css_classes=["compare-reset"],
                                       description="Every run back to the start (same seed unless a run changes it)")
        self.save = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(document.dumps(document.comparison_document(c))),
            filename=f"compare-{c.base.lesson}.json", label="Save comparison (.json)", css_classes=["compare-save"],
            description="The start and every run's settings as a document: bptt-sim serve FILE opens it here again")
        self.step.on_click(lambda _: soon(p.step_once))
        self.reset.on_click(lambda _: soon(lambda: (p.stop(), c.reset())))
        names = c.runs[0].unit_names
        self._weights = {weight_name(names, i, j): (i, j) for i in range(len(names)) for j in range(len(names))
                         if c.runs[0].net.C[i, j]}
        self.param.weight.objects = list(self._weights)
        self.weight = next((n for n, w in self._weights.items() if w == self.bars.weight()), None)
        self.weight_select = pn.widgets.Select.from_param(self.param.weight, css_classes=["compare-weight"],
                                                          width=220)

    @param.depends("player.playing")
    def play_label(self):
        return "Pause ❚❚" if self.player.playing else "Play ▶"

    @param.depends("weight", watch=True)
    def _weight_chosen(self):
        w = self._weights.get(self.weight)
        if w is not None and self.selection.weight != w:
            self.selection.weight = w

    @param.depends("selection.weight", watch=True)
    def _weight_clicked(self):
        w = self.selection.weight
        name = next((n for n, v in self._weights.items() if v == w), None)
        if name is not None and name != self.weight:
            self.weight = name

    def title_html(self):
        c = self.comparison
        spec = c.base.lesson_spec
        differ = ", ".join(c.differing()) or "nothing"
        return (f"<h1>Compare: {html.escape(spec['title'])} (lecture {html.escape(str(spec['lecture']))})</h1>"
                f"<p class='compare-differ'>{len(c.runs)} runs from the same start, differing in "
                f"<mark>{html.escape(differ)}</mark>; Play, Step and Reset drive them all.</p>")

    def settings_html(self, k):
        """Run k's settings: those that differ highlighted, then the ones every run shares."""
        c = self.comparison
        run, differ = c.runs[k], c.differing()
        mine = "".join(f"<li class='differs'><mark>{n} = {html.escape(C.value_text(getattr(run, n)))}</mark></li>"
                       for n in differ)
        shared = ", ".join(f"{n} = {html.escape(C.value_text(getattr(run, n)))}" for n in C.SETTINGS if n not in differ)
        return (f"<h2 style='border-bottom: 4px solid {RUN_COLOURS[k]}'>Run {k + 1}</h2><ul>{mine}</ul>"
                f"<details><summary>Settings every run shares</summary><small>{shared}</small></details>"
                f"<a class='compare-open' href='{html.escape(run_link(c, k))}' target='_blank' rel='noopener'>"
                "Open this run on its own ↗</a>")

    def _column(self, k):
        c = self.comparison
        run = c.runs[k]
        # Made with the column, at the start (Reset builds new columns): the link opens the run from there.
        link = pn.pane.HTML(self.settings_html(k), css_classes=["compare-settings"], sizing_mode="stretch_width")
        return pn.Column(link, StatusView(session=run), RecurrentView(session=run, selection=self.selection),
                         css_classes=["compare-run", f"compare-run-{k}"], min_width=300,
                         sizing_mode="stretch_width", styles={"flex": "1 1 320px"})

    @param.depends("comparison.runs")
    def runs_panel(self):
        """A column per run, rebuilt when Reset builds new runs."""
        return pn.FlexBox(*[self._column(k) for k in range(len(self.comparison.runs))], flex_wrap="wrap",
                          sizing_mode="stretch_width", css_classes=["compare-runs"])

    def __panel__(self):
        controls = pn.Row(self.play, self.step, self.reset, self.weight_select, self.save,
                          css_classes=["compare-controls"])
        home = f"?lesson={self.comparison.base.lesson}"
        back = pn.pane.HTML(f"<a href='{html.escape(home)}'>← Back to the single-run simulator</a>")
        return pn.Column(pn.pane.HTML(self.title_html(), sizing_mode="stretch_width"), back, controls, self.curves,
                         self.bars, self.runs_panel, self.pacer, sizing_mode="stretch_width",
                         css_classes=["bptt-app", "compare-app"], stylesheets=[stylesheet()])


def refused(message, query):
    """The page for a comparison that could not be opened: why, and the lesson instead."""
    lesson = query.get("lesson") if query.get("lesson") in LESSONS else DEFAULT_LESSON
    return pn.Column(pn.pane.HTML(f"<h1>Could not open the comparison</h1><p class='compare-refused'>"
                                  f"{html.escape(message)}</p><a href='?lesson={lesson}'>Open the lesson instead</a>"),
                     css_classes=["bptt-app", "compare-app"], stylesheets=[stylesheet()])


def compare_page(query, most=None, doc=None):
    """The page for a query with ``compare=`` (or a checked document ``doc`` with a "compare"
    section, which the link does not override): the CompareView, or why it was refused. Served,
    a link's ``n`` is replayed after the page opens, in slices (replay_async), while the page
    says so: the build itself must not hold the event loop for the replay."""
    try:
        n = replay_count(query)
        comparison = comparison_of_query({**query, "n": ""}, most) if doc is None else \
            document.comparison_from_document(doc, validated=True, most=most)
    except ValueError as exc:
        return refused(str(exc), query if doc is None else {"lesson": doc["lesson"]})
    page = served_doc()
    if not n or page is None:
        return CompareView(comparison=replay(comparison, {"n": str(n)})).__panel__()
    holder = pn.Column(pn.pane.HTML(f"<p class='compare-replaying'>Replaying the link's {n} updates in every run "
                                    "from the start…</p>"), sizing_mode="stretch_width",
                       css_classes=["bptt-app", "compare-app"], stylesheets=[stylesheet()])
    # Once the page has loaded: the replay holds this session's document lock, and the browser's
    # first pull of the page waits for that lock (it would see nothing until the replay was done).
    pn.state.onload(lambda: page.add_next_tick_callback(lambda: _show_after_replay(holder, comparison, n, page)))
    return holder
