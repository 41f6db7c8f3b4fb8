"""The app: one SimulatorApp per browser session, composed of the views of one Session.

Serve it with ``bptt-sim serve``, ``python -m simulator`` or ``panel serve simulator/app.py``.
Everything mutable is built inside ``create_app()``: Panel shares imported modules between
all the students on a server, so nothing here may hold state at module level.
"""
import panel as pn
import param

from simulator import document
from simulator.serving.assets import global_css, stylesheet
from simulator.serving.gc_pauses import follow_session
from simulator.serving.keys import KeyboardShortcuts
from simulator.lessons.registry import LESSONS
from simulator.serving.css_values import CssValues
from simulator.serving.pacer import FramePacer
from simulator.serving.player import Player
from simulator.serving.scheduler import build_in_turn
from simulator.state.selection import DETAIL_TABS, TAB_TITLES, Selection, pass_frame
from simulator.state.session import Session
from simulator.views.controls import PassControls, StatusView, TrainingControls
from simulator.views.data import DataView
from simulator.views.byhand import ByHandView
from simulator.views.compare import compare_page
from simulator.views.curves import ErrorSplitView, LossCurveView
from simulator.views.equivalence import EquivalenceView
from simulator.views.gradients import ErrorByStepView, GradientBarsView
from simulator.views.grid import GridEditorView
from simulator.views.inspector import InspectorView
from simulator.views.lesson_panel import LessonPanelView
from simulator.views.lecture import LectureMode
from simulator.views.matrices import MatricesView
from simulator.views.network import RecurrentView
from simulator.views.link import LinkSync
from simulator.views.share import ShareView
from simulator.views.structure import StructureView
from simulator.views.style import soon
from simulator.views.text import esc
from simulator.views.theme import ThemePainter, follow_url, theme_chooser
from simulator.views.unrolled import UnrolledView

TITLE = "bptt-sim · training recurrent nets with backpropagation through time"
# The views of each detail tab (DETAIL_TABS order). A tab is laid out when first shown (the open
# one once the page has drawn: the lesson's pictures paint sooner), and its views are built then,
# except those that keep something of what happened while hidden, built with the app as before:
# the first tab's gradient bars and error split hold their y axis until it is much too loose
# (plotting.padded_range), the inspector's box holds the value of the weight when chosen, the
# read-out measures on each lesson change with its own random draws; the data place (issue 15,
# merged later) is kept as it was, not yet checked by tests/views/test_app_tabs.py's comparison.
TAB_VIEWS = ((("bars", GradientBarsView), ("error_steps", ErrorByStepView), ("equivalence", EquivalenceView)),
             (("matrices", MatricesView),), (("grid", GridEditorView), ("data", DataView)),
             (("inspector", InspectorView), ("structure", StructureView)), (("error_split", ErrorSplitView),),
             (("lesson_panel", LessonPanelView),), (("byhand", ByHandView),))
BUILT_AT_START = ("bars", "error_steps", "equivalence", "inspector", "structure", "error_split", "lesson_panel",
                  "data")
KEY_HELP = ("Keys: Space play/pause · Enter one update · ←/→ one tick of the pass · ↑/↓ time step · "
            "n/p or PageDown/PageUp next/previous card")


def _built_on_first_use(name, cls):
    """A detail tab's view as an attribute of the app, built on first use (its tab shown, or
    code asking for it) with the app's session and selection."""
    def get(self):
        if name not in self._tab_views:
            self._tab_views[name] = cls(session=self.session, selection=self.selection,
                                        **({"active": False} if cls is EquivalenceView else {}))
        return self._tab_views[name]
    return property(get, doc=f"This session's {cls.__name__}, built on first use.")


class _ReadoutOnUse:
    """The lesson read-out for the lecture's read-out card: the app's, built when first run."""

    def __init__(self, app):
        self.app = app

    def run(self):
        return self.app.lesson_panel.run()


class SimulatorApp(pn.viewable.Viewer):
    """A whole simulator for one session: state, player, views and their layout."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    player = param.ClassSelector(class_=Player)
    lesson_choice = param.Selector(objects=list(LESSONS), label="Lesson",
                                   doc="The lesson picked in the menu: the switch to it runs after the page shows it loading.")

    def __init__(self, **params):
        params.setdefault("session", Session())
        params.setdefault("selection", Selection())
        super().__init__(**params)
        if self.player is None:
            self.player = Player(session=self.session, selection=self.selection)
        s, sel = self.session, self.selection
        self.pacer = FramePacer()
        self.player.pacer = self.pacer  # training frames wait for the page to draw (pacer.py)
        self.css_values = CssValues(height=0, width=0, margin=0)  # cheaper paints (css_values.py)
        s.param.watch(self._on_diverged, "diverged")
        self.status = StatusView(session=s)
        self.training = TrainingControls(session=s, player=self.player)
        self.passes = PassControls(session=s, selection=sel, player=self.player)
        self.keys = KeyboardShortcuts(on_key=self.on_key, height=0, width=0, margin=0,
                                      keys=[*KeyboardShortcuts.param.keys.default, "n", "p", "PageDown", "PageUp"])
        views = dict(session=s, selection=sel)
        self.recurrent = RecurrentView(**views)
        self.unrolled = UnrolledView(**views, grouping=self.recurrent.grouping,  # one "Draw every unit" for both
                                     legend_entries=self.recurrent.legend_entries)  # and one legend
        self.loss_curve = LossCurveView(**views)
        self._tab_views = {}  # the detail tabs' views built so far (_built_on_first_use)
        for name in BUILT_AT_START:
            getattr(self, name)
        self.lecture = LectureMode(**views, player=self.player, readout=_ReadoutOnUse(self))
        # After the lecture: its first card selects a weight as a lesson opens; a link's view wins.
        self.loading_note = pn.pane.HTML("", visible=False, css_classes=["lesson-loading-note"])
        self._busy = []  # what a lesson switch covers until the new lesson is drawn (__panel__)
        # The URL carries state and view (read once, then followed); a link to another lesson is
        # opened once the page shows "Loading" over this one, as the Lesson menu does.
        self.link = LinkSync(session=s, selection=sel, loading=self._loading)
        self.data.link = self.link  # says there when a net's own data is too large for the link
        self.share = ShareView(**views, lecture=self.lecture, loading=self._loading)  # saves and loads the view options too
        self.painter, self.theme_select = ThemePainter(selection=sel, lecture=self.lecture), theme_chooser(sel)  # views/theme.py (large type too)
        follow_url(sel, s)  # ?theme=dark (after the other URL readers: a write before them lost ?hide=)
        self.lesson_choice = s.lesson
        self.lesson_select = pn.widgets.Select.from_param(self.param.lesson_choice, label="Lesson", css_classes=["lesson-select"],
                                                          options={v["title"]: k for k, v in LESSONS.items()})
        self.lesson_text = pn.pane.Markdown(self.lesson_markdown, css_classes=["lesson-text"],
                                            sizing_mode="stretch_width")

    bars, error_steps, equivalence, matrices, grid, data, inspector, structure, error_split, lesson_panel, byhand = (
        _built_on_first_use(name, cls) for views in TAB_VIEWS for name, cls in views)

    @param.depends("lesson_choice", watch=True)
    def _pick_lesson(self):
        """Show "Loading ..." over the old lesson's pictures, status and card first, then switch:
        building a large lesson takes a while, and meanwhile the new net beside the old unrolled
        picture and status misled (issue 20, item 16). All of the switch reaches the page at once."""
        if self.lesson_choice == self.session.lesson:
            return
        self._loading(LESSONS[self.lesson_choice]["title"])
        soon(self._switch_lesson)

    def _switch_lesson(self):
        # No pn.io.hold(): its combined events broke the page ("Offset is outside the bounds of the
        # DataView", Chromium); the changes of one callback reach the page together anyway.
        try:
            self.session.lesson = self.lesson_choice
        finally:
            self._loading(None)

    def _loading(self, title):
        """Say "Loading “title”…" over the old lesson's pictures, status and card (None: done).
        The Lesson menu, Load and a link to another lesson all pass through here."""
        self.loading_note.param.update(object=f"<strong>Loading “{esc(title)}”…</strong>" if title else "", visible=bool(title))
        for part in self._busy:
            part.loading = bool(title)

    @param.depends("session.lesson", watch=True)
    def _follow_lesson(self):
        self.lesson_choice = self.session.lesson  # a lesson loaded from a file or link shows in the menu

    @param.depends("session.lesson")
    def lesson_markdown(self):
        spec = self.session.lesson_spec
        points = "".join(f"\n- {p}" for p in spec.get("points", []))
        return f"### {spec['title']} (lecture {spec['lecture']})\n\n{spec['text']}\n{points}"

    def _on_diverged(self, event):
        if event.new:
            self.player.playing = False

    def on_key(self, key, shift=False):
        """Space play/pause, Enter one update, ←/→ a tick of the pass, ↑/↓ the time cursor."""
        soon(lambda: self._key(key))

    def _key(self, key):
        p, sel, T = self.player, self.selection, self.session.sequences.T
        if key == " ":
            p.playing = not p.playing
        elif key == "Enter":
            p.playing = False
            return p.step_once()  # a coroutine for a big net on a server (serving/offload.py)
        elif key in ("ArrowRight", "ArrowLeft"):
            p.playing = p.animating = False
            p.advance(1 if key == "ArrowRight" else -1)
        elif key in ("ArrowUp", "ArrowDown"):
            phase, upto, _ = pass_frame(sel.tick, T)
            top = upto if phase == "forward" else T  # columns past the one being built are empty yet
            sel.time = max(0, min(top, sel.time + (1 if key == "ArrowUp" else -1)))
        elif key in ("n", "p", "PageDown", "PageUp"):  # PageDown/PageUp: a presentation clicker
            self.lecture.forward() if key in ("n", "PageDown") else self.lecture.previous()

    def _tab_content(self, index):
        """What detail tab ``index`` shows: its views (built now if not yet) in their layout."""
        views = [getattr(self, name) for name, _ in TAB_VIEWS[index]]
        if index == 0:
            return wrapping(views[0], pn.Column(*views[1:]))
        if index == 2:
            return pn.Column(*views, sizing_mode="stretch_width")  # the data place below the grid
        if index == 3:
            return wrapping(*map(rows_wrap, views))
        return views[0]

    def _detail_tabs(self):
        """The detail tabs, each empty until first shown. Served, the open one is filled once the
        page has drawn (pn.state.onload): the student sees the lesson a second sooner, and the
        tabs sit below the pictures."""
        tabs = pn.Tabs(*[(title, pn.Column(sizing_mode="stretch_width", margin=0)) for title in TAB_TITLES],
                       dynamic=True, sizing_mode="stretch_width", css_classes=["detail-tabs"])
        ready = []  # [True] once the open tab may be filled (the page has drawn)

        def show(index):
            if not ready:
                return
            if not tabs[index].objects:
                content = pn.panel(self._tab_content(index))  # a layout (a Viewer draws itself in one)
                # Its figures reach the page after the painter's first paint: the theme's colours and
                # large type's fonts for them too, given before they are added (views/theme.py).
                self.painter.paint_part(content)
                tabs[index].objects = [content]
            # Only the open tab's views follow training; the others catch up when opened (with a
            # class on one server, hidden views' work would be paid by every session on every frame).
            for k, views in enumerate(TAB_VIEWS):
                for name, _ in views:
                    view = self._tab_views.get(name)
                    if isinstance(view, EquivalenceView):
                        view.active = k == index
                    elif hasattr(view, "redraw"):
                        view.redraw.shown = k == index

        def first_show():
            ready.append(True)
            show(tabs.active)
        tabs.param.watch(lambda e: show(e.new), "active")
        # The open tab is part of the view options (a saved document can open at it).
        tabs.active = DETAIL_TABS.index(self.selection.tab)
        tabs.param.watch(lambda e: setattr(self.selection, "tab", DETAIL_TABS[e.new]), "active")
        self.selection.param.watch(lambda e: setattr(tabs, "active", DETAIL_TABS.index(e.new)), "tab")
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            pn.state.onload(lambda: build_in_turn(doc, first_show))  # one session's tab a turn of the loop
        else:
            first_show()  # not served (tests, a notebook): no page to wait for
        return tabs

    def __panel__(self):
        css, layout = [stylesheet()], [stylesheet(), stylesheet("layout.css")]
        # Flex boxes that wrap (static/layout.css): a Row never wraps and widened the page.
        status = pn.Column(self.status, css_classes=["status-box"], stylesheets=[stylesheet("net_legend.css")])
        header = pn.FlexBox(pn.pane.HTML(f"<h1>{TITLE}</h1>", css_classes=["app-title"]), self.lesson_select,
                            self.loading_note, status, flex_wrap="wrap", align_items="center", sizing_mode="stretch_width",
                            css_classes=["app-header"], stylesheets=layout)
        # The loss curve sits under Play and Step, so the gradient views can follow the pictures
        # on the first screen (issue 20, item 7).
        loss_curve = pn.Column(self.loss_curve, sizing_mode="stretch_width")
        sidebar = pn.Column(rows_wrap(self.training), loss_curve, self.lesson_text, pn.pane.HTML(f"<small>{KEY_HELP}</small>"),
                            self.theme_select, self.share, sizing_mode="stretch_width", css_classes=["app-sidebar"], stylesheets=css)
        tabs = self._detail_tabs()
        pictures = pn.FlexBox(pn.Column(self.recurrent, sizing_mode="stretch_width", css_classes=["recurrent-picture"]),
                              pn.Column(self.unrolled, sizing_mode="stretch_width", css_classes=["unrolled-picture"]),
                              flex_wrap="wrap", sizing_mode="stretch_width", css_classes=["net-pictures"],
                              stylesheets=layout)
        main = pn.Column(self.lecture, rows_wrap(self.passes), pictures, self.recurrent.legend,  # one legend for both pictures
                         tabs, sizing_mode="stretch_width", css_classes=["app-main"],
                         stylesheets=[*css, stylesheet("net_legend.css")])  # net_legend.css: the opaque loading cover
        self._busy[:] = [status, main]
        for part in self._busy:  # a link to another lesson may be loading already (views/link.py)
            part.loading = self.loading_note.visible
        body = pn.FlexBox(sidebar, main, flex_wrap="wrap", sizing_mode="stretch_width", css_classes=["app-body"],
                          stylesheets=layout)
        root = pn.Column(header, body, self.keys, self.pacer, self.css_values, self.painter, sizing_mode="stretch_width",
                         css_classes=["bptt-app"])
        # What the lecturer may hide (?hide=[...] in a shared link keeps them hidden).
        self.lecture.attach(root, {"sidebar": sidebar, "settings": self.training.settings,
                                   "lesson-text": self.lesson_text, "lesson-select": self.lesson_select,
                                   "loss-curve": loss_curve, "detail-tabs": tabs})
        return root


def wrapping(*views):
    """Views side by side while each keeps its flex basis (static/layout.css), else one below the other."""
    return pn.FlexBox(*views, flex_wrap="wrap", sizing_mode="stretch_width", css_classes=["wrapping"],
                      stylesheets=[stylesheet("layout.css")])


def rows_wrap(view):
    """The view's layout with its rows of widgets wrapping on a narrow screen (static/layout.css):
    a Row never wraps, so its fixed-width widgets spilled over the next view or the page's edge."""
    layout = view.__panel__()
    layout.stylesheets = [*layout.stylesheets, stylesheet("layout.css")]
    return layout


def create_app(lesson=None, view=None, doc=None, **params):
    """Build a fresh app for one browser session (pass this function to ``pn.serve``).

    ``lesson`` is a lesson's short name (e.g. "binary-addition"); default: the default lesson.
    ``view``: a checked "view" section of a document (time step, selection, tab, lecture mode).
    ``doc``: a checked document to start from, with its view; one with a "compare" section opens
    Compare mode's page (views/compare.py).
    """
    pn.extension(notifications=False, global_css=global_css())
    args = pn.state.session_args or {}
    if "compare" in args or (doc is not None and "compare" in doc):  # Compare mode's own page (views/compare.py)
        query = {k: v[0].decode("utf-8", "replace") for k, v in args.items() if v}
        follow_session()
        return compare_page({"lesson": lesson, **query} if lesson is not None else query, doc=doc)
    if doc is not None:
        params.setdefault("session", document.session_from_document(doc, validated=True))
        view = doc.get("view")
    if lesson is not None:
        params.setdefault("session", Session(lesson=lesson))
    app = SimulatorApp(**params)
    if view is not None:
        document.apply_view(view, app.selection, app.lecture)
    # ?autoplay=1 starts training as the page opens (benchmarks/load_test.py: live sessions
    # without clicking). It costs no more than pressing Play, so a URL cannot do harm with it.
    if (pn.state.session_args or {}).get("autoplay") == [b"1"]:
        app.player.playing = True
    follow_session()  # keeps the garbage collector from pausing every session (gc_pauses.py)
    return app.__panel__()


if pn.state.served:
    # `panel serve simulator/app.py` runs this file once per session; prepare() (kernels,
    # TCP_NODELAY) does its work only the first time in a process.
    from simulator.serving.server import prepare
    prepare()
    create_app().servable(title="bptt-sim")
