"""The Data place (issue 15, docs/data.md), below the grid in the "Inputs & targets" tab: a CSV
file of sequences loaded (a new net with H hidden units, or new data for the current net) or
pasted, a blank net, the train/test split and its cases (duplicate, delete, move to the other
side), the data downloaded as the same CSV, and the trained net run on a typed sequence.

Every change goes through simulator/document/case_edits.py, all or nothing like Load: a bad file
shows the reader's message (naming the line and column) here and in the status line, and the
session keeps what it had. Running a typed sequence changes nothing (simulator/state/probe.py).
"""
import io

import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Range1d
from bokeh.plotting import figure

from simulator import document
from simulator.document import case_edits as E
from simulator.document import cases as CS
from simulator.document import generators as G
from simulator.serving.assets import stylesheet
from simulator.state import caps, probe
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.link import LinkSync
from simulator.views.plotting import readable
from simulator.views.save_tool import add_save_tool
from simulator.views.share import DocumentInput
from simulator.views.style import fmt, soon
from simulator.views.text import esc, md
from simulator.views.throttle import Throttle

MODES = {"a new net": "new", "new data for this net": "data"}
EXAMPLE = "case,t,in:x,target:y,split\nc0,0,1,,train\nc0,1,0,,train\nc0,2,1,1,train\n"
LINK_NOTE = (f"The page's link carries data of your own while it fits ({caps.MAX_LINK_CHARS} characters); "
             "**Save state** keeps them in a document that Load, `bptt-sim train` and `bptt-sim serve` read. "
             "**Reset** or a new seed draws new weights and keeps your data; a new Steps T puts the host "
             "lesson's own data in their place (docs/data.md): download them first.")


class DataView(pn.viewable.Viewer):
    """Load, make, split, download and probe the cases of the session's net."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection)
    upload = param.ClassSelector(class_=DocumentInput, doc="The CSV file chooser (measures the file first).")
    link = param.ClassSelector(class_=LinkSync, doc="The page's link: its own_note (data too large) shows here.")
    task = param.Selector(objects=list(G.TASKS), default="echo", label="Built-in task",
                          doc="A task whose cases are generated (simulator/document/generators.py).")

    def __init__(self, **params):
        params.setdefault("upload", DocumentInput(accept=".csv,text/csv,text/plain", css_classes=["data-load"],
                                                  label=f"Load a CSV file of sequences (at most "
                                                        f"{caps.MAX_BYTES // 1_000_000} MB)"))
        super().__init__(**params)
        w = pn.widgets
        self.mode = w.RadioButtonGroup(options=MODES, value="new", css_classes=["data-mode"],
                                       description="A new net: the file's units, H hidden units, random weights. "
                                                   "New data: the same net and weights on the file's cases.")
        self.hidden = w.IntInput(label="Hidden units H", start=0, end=caps.MAX_UNITS, value=4, width=120,
                                 css_classes=["data-hidden"])
        self.paste = w.TextAreaInput(placeholder=EXAMPLE, height=110, sizing_mode="stretch_width",
                                     css_classes=["data-paste"])
        self.use_paste = w.Button(label="Use the pasted CSV", css_classes=["data-use-paste"])
        # value_input too: a browser's first value_input is "" until a key is pressed in the box
        self.inputs = w.TextInput(label="Inputs", value="a,b", value_input="a,b", width=120,
                                  css_classes=["data-inputs"])
        self.targets = w.TextInput(label="Targets", value="sum", value_input="sum", width=120,
                                   css_classes=["data-targets"])
        self.steps = w.IntInput(label="Steps T", start=1, end=caps.MAX_STEPS, value=6, width=90,
                                css_classes=["data-steps"])
        self.blank = w.Button(label="Make a blank net", css_classes=["data-blank"])
        self.task_select = w.Select.from_param(self.param.task, width=140, css_classes=["data-task"])
        self.task_param = w.TextInput(label="d", value="2", value_input="2", width=200, css_classes=["data-task-param"])
        self.n_cases = w.IntInput(label="Cases", start=1, end=caps.MAX_CASES, value=40, width=90,
                                  css_classes=["data-cases"])
        self.n_test = w.IntInput(label="of them test", start=0, end=caps.MAX_CASES, value=8, width=100,
                                 css_classes=["data-test"])
        self.task_steps = w.IntInput(label="Steps T", start=1, end=caps.MAX_STEPS, value=8, width=90,
                                     css_classes=["data-task-steps"])
        self.generate = w.Button(label="Generate cases", css_classes=["data-generate"])
        self.length = w.Button(label="Length test", css_classes=["data-length"],
                               description="Accuracy of this net on new cases of the task, longer than the "
                                           "trained ones.")
        self.length_source = ColumnDataSource(name="length_test_src", data=dict(steps=[], accuracy=[], text=[]))
        self.length_figure = self._length_figure()
        self.task_help = pn.pane.Markdown(self._task_help, sizing_mode="stretch_width",
                                          css_classes=["data-task-help"])
        self.summary = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["data-summary"])
        self.case = w.Select(label="Case", options={}, width=260, css_classes=["data-case"])
        self.buttons = {key: w.Button(label=label, css_classes=[f"data-{key}"], margin=(24, 4, 4, 4))
                        for key, label in (("add", "Add a case"), ("duplicate", "Duplicate"), ("delete", "Delete"),
                                           ("train", "Make it a train case"), ("test", "Make it a test case"))}
        self.download = w.FileDownload(callback=self._csv, filename="cases.csv", label="Download the data (CSV)",
                                       css_classes=["data-download"], width=220,
                                       description="Every case as case,t,in:...,target:...[,split] rows: "
                                                   "what Load here and bptt-sim new --data read back.")
        self.sequence = w.TextAreaInput(label="A sequence to run the net on", height=90, sizing_mode="stretch_width",
                                        css_classes=["data-sequence"])
        self.run_button = w.Button(label="Run the net", color="primary", css_classes=["data-run"])
        self.run_help = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["data-run-help"])
        self.outputs = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["data-outputs"])
        self.shown = pn.pane.Markdown("", css_classes=["data-typed-shown"], margin=(14, 5, 0, 5))
        self.back = w.Button(label="Back to the cases", css_classes=["data-back"], visible=False,
                             description="The pictures show the training cases again.")
        self.link_note = pn.pane.HTML("", css_classes=["data-link-note"], stylesheets=[stylesheet("share.css")])
        self.save = w.FileDownload(callback=self._document, filename="own-data.json", label="Save state (.json)",
                                   color="primary", css_classes=["data-save"], width=200,
                                   description="This net, its weights and data as a document (Load reads it).")
        self.link_row = pn.Row(self.link_note, self.save, visible=False, sizing_mode="stretch_width")
        self.feedback = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["data-message"],
                                     stylesheets=[stylesheet("share.css")])
        self.use_paste.on_click(lambda _e: soon(lambda: self.load(self.paste.value_input or "", "the pasted text")))
        self.blank.on_click(lambda _e: soon(self.make_blank))
        self.generate.on_click(lambda _e: soon(self.make_task))
        self.length.on_click(lambda _e: soon(self.length_test))
        self.run_button.on_click(lambda _e: soon(self.run))
        self.back.on_click(lambda _e: soon(self.back_to_cases))
        for key, button in self.buttons.items():
            button.on_click(lambda _e, key=key: soon(lambda: self.edit_case(key)))
        # The list and the test figures need not follow every frame: a big test set costs ~65 ms to score.
        self.redraw = Throttle(self._update, 1.0)
        self._update()
        self._on_link_note()

    # -- what the user does ---------------------------------------------------------------------
    @param.depends("upload.value", watch=True)
    def _on_upload(self):
        if self.upload.value is not None:  # with the document lock: the load redraws Bokeh sources (style.soon)
            data, name = self.upload.value, self.upload.filename or "the file"
            soon(lambda: self.load(data, name))

    @param.depends("upload.refused", watch=True)
    def _on_refused(self):
        """A file the browser did not send (too big or empty): refused with Load's words."""
        refused = self.upload.refused
        if refused:
            def refuse():
                if refused["size"] < 0:
                    raise ValueError("the file did not arrive whole; choose it again")
                caps.check_bytes(refused["size"], "the file")
            soon(lambda: self._said(self.session.attempt(refuse, f"Could not load {refused['name']}")))

    def load(self, data, name):
        """The CSV ``data`` as a new net or as new data for this net (the mode chosen)."""
        s = self.session
        if self.mode.value == "new":
            ok = E.new_net(s, data, self.hidden.value, name)
        else:
            ok = E.use_data(s, data, name)
        self._said(ok, f"Loaded {name}: " if ok else "")

    def make_blank(self):
        self._said(E.blank_net(self.session, self.inputs.value_input or "", self.hidden.value,
                               self.targets.value_input or "", self.steps.value))

    @param.depends("task", watch=True)
    def _on_task(self):
        name, bounds, _ = G.TASKS[self.task]
        value = "the cat sat on the mat" if bounds is None else str(bounds[1])
        self.task_param.param.update(name="text" if bounds is None else name, value=value, value_input=value)

    @param.depends("task")
    def _task_help(self):
        return f"*{self.task}*: {G.TASKS[self.task][2]}."

    def _task_args(self):
        text = self.task_param.value_input if self.task_param.value_input is not None else self.task_param.value
        if G.TASKS[self.task][1] is None:
            return text
        try:
            return int(str(text).strip())
        except ValueError:
            raise ValueError(f"{self.task}: expected a whole number for {G.TASKS[self.task][0]}; "
                             f"got {caps.quote(text)}") from None

    def make_task(self):
        """Cases of the chosen built-in task, loaded as the CSV file they are (mode and H as for a file)."""
        try:
            text = G.generate(self.task, self._task_args(), cases=self.n_cases.value, test=self.n_test.value,
                              steps=self.task_steps.value, seed=self.session.seed)
        except ValueError as exc:
            self._say(f"Could not generate the cases: {exc}", "error")
            return
        self.load(text, f"generated {self.task}")

    def length_test(self):
        """The net's accuracy on longer cases of the chosen task than it was trained on, as bars."""
        try:
            param_value = self._task_args()
            base = self.session.sequences.T
            result = G.length_test(self.session, self.task, param_value, G.lengths_for(self.task, param_value, base))
        except ValueError as exc:
            self._say(f"Could not run the length test: {exc}", "error")
            return
        steps = [n for n, _ in result]
        acc = [float("nan") if a is None else a for _, a in result]
        self.length_source.data = dict(steps=steps, accuracy=acc, text=[f"{100 * a:.4g} %" for a in acc])
        self.length_figure.x_range.update(start=min(steps) - 1, end=max(steps) + 1)
        what = "bits L" if self.task == "addition" else "steps T"
        self.length_figure.xaxis.axis_label = what
        self._say("Length test: " + ", ".join(f"{n}: {t}" for n, t in zip(steps, self.length_source.data["text"]))
                  + f" (trained on {'L = ' + str(param_value) if self.task == 'addition' else f'T = {base}'}).", "ok")

    def _length_figure(self):
        fig = figure(height=180, width=420, tools="", name="length_test_figure", y_range=Range1d(0, 1.05),
                     x_range=Range1d(0, 10), title="Accuracy on longer sequences")
        fig.vbar(x="steps", top="accuracy", width=0.8, source=self.length_source, color="#8a8a8a")
        fig.add_tools(HoverTool(tooltips=[("length", "@steps"), ("accuracy", "@text")]))
        fig.yaxis.axis_label = "fraction right"
        return add_save_tool(readable(fig), "length-test")

    def edit_case(self, key):
        """Duplicate, delete, or move to train/test the case chosen in the list."""
        k, s = self.case.value, self.session
        if k is None and key != "add":
            return
        if key == "add":
            ok = E.add_case(s)
        elif key == "duplicate":
            ok = E.duplicate_case(s, k)
        elif key == "delete":
            ok = E.delete_case(s, k)
        else:
            ok = E.set_split(s, k, key)
        self._said(ok)

    def run(self):
        """The net on the typed sequence: its outputs at every step (nothing else changes)."""
        try:
            result = probe.run(self.session, self.sequence.value_input or "")
        except ValueError as exc:
            self.outputs.object = ""
            self._say(f"Could not run the net: {exc}", "error")
            return
        self.outputs.object = outputs_table(result)
        self.selection.typed = result["run"]  # both pictures show its stack (state/probe.py stack)
        self._say(f"The net ran on {len(result['steps'])} steps (t = 0..{result['steps'][-1]}), shown in both "
                  "pictures; training and the data are unchanged.", "ok")

    def back_to_cases(self):
        self.selection.typed = None

    @param.depends("selection.typed", watch=True)
    def _on_typed(self):
        showing = probe.showing(self.session, self.selection)
        self.shown.object = ("**The pictures show your typed sequence** (case 0 of 1, no targets; they follow "
                             "training)." if showing else "")
        self.back.visible = showing

    def _said(self, ok, prefix=""):
        self._say(prefix + self.session.message, "ok" if ok else "error")

    def _say(self, text, kind):
        self.feedback.object = f'<div class="share-{kind}">{esc(text)}</div>'

    @param.depends("link.own_note", watch=True)
    def _on_link_note(self):
        note = self.link.own_note if self.link is not None else ""
        self.link_note.object = f'<div class="share-error">{esc(note)}</div>' if note else ""
        self.link_row.visible = bool(note)

    def _document(self):
        """The Save button's document (as the sidebar's Save state, with what is looked at)."""
        s, text = self.session, []
        if not s.attempt(lambda: text.append(document.dumps(document.to_document(
                s, document.view_of(s, self.selection)))), "Could not save"):
            self._say(s.message, "error")
            raise ValueError(s.message)
        return io.StringIO(text[0])

    def _csv(self):
        self.download.filename = f"{self.session.lesson}-cases.csv" if self.session.cases is None else "cases.csv"
        return io.StringIO(E.csv_text(self.session))

    # -- what it shows ----------------------------------------------------------------------------
    @param.depends("session.cases", "session.sequences", "session.gradients", watch=True)
    def _changed(self):
        self.redraw()

    def _update(self):
        s = self.session
        table = listing(s)
        options = {f"{k}: {label} ({split}, t = 0..{length})": k
                   for k, (label, split, length) in enumerate(zip(table["labels"], table["split"], table["lengths"]))}
        if list(self.case.options.values()) != list(options.values()) or list(self.case.options) != list(options):
            keep = self.case.value if self.case.value in options.values() else (0 if options else None)
            self.case.param.update(options=options, value=keep)
        self.summary.object = summary_text(s, table)
        self._on_typed()  # a new net of other units: the pictures are back on the cases
        inputs, outputs, t0 = probe.units(s)
        names = [md(n) for n in s.unit_names]  # a loaded document's names are text, never markup
        typed = ", ".join(names[i] for i in inputs)
        self.run_help.object = (f"Type one step per line, a value for each input unit ({typed}"
                                f"; `-` leaves it free), separated by commas or spaces; line 1 is step t = {t0}. "
                                f"One input unit: `0110` is a step per digit. The outputs shown: "
                                f"{', '.join(names[i] for i in outputs) or 'none'}." if inputs else
                                "This net's data clamp no unit: there is nothing to type.")

    def __panel__(self):
        load = pn.Column(
            pn.pane.Markdown("**Your own data** (docs/data.md): one row per case and step, "
                             "`case,t,in:<unit>,...,target:<unit>,...[,split]`. A bad file changes nothing; "
                             "the message names its line and column.", sizing_mode="stretch_width"),
            pn.Row(self.mode, self.hidden), self.upload, self.paste, self.use_paste,
            pn.pane.Markdown("**Or a blank net** with the H hidden units above and no cases yet (paint them in "
                             "the grid):", margin=(10, 5, 0, 5)),
            pn.Row(self.inputs, self.targets, self.steps,
                   pn.Column(pn.Spacer(height=18), self.blank)),
            sizing_mode="stretch_width")
        generated = pn.Column(
            pn.pane.Markdown("**Or cases of a built-in task** (made as a CSV file; mode and H as above):",
                             margin=(10, 5, 0, 5)),
            pn.Row(self.task_select, self.task_param, self.n_cases, self.n_test, self.task_steps,
                   pn.Column(pn.Spacer(height=18), self.generate)), self.task_help,
            pn.Row(self.length, pn.pane.Bokeh(self.length_figure)), sizing_mode="stretch_width")
        cases = pn.Column(self.summary, self.link_row, pn.Row(self.case, *self.buttons.values()), self.download,
                          sizing_mode="stretch_width")
        probing = pn.Column(pn.pane.Markdown("**Run the trained net on a new sequence**", margin=(10, 5, 0, 5)),
                            self.run_help, self.sequence, pn.Row(self.run_button, self.shown, self.back), self.outputs,
                            sizing_mode="stretch_width")
        return pn.Column(self.feedback, load, generated, cases, probing, sizing_mode="stretch_width",
                         css_classes=["data-view"])


def listing(session):
    """Labels, split, lengths, inputs and targets of the session's cases (a lesson's: as exported)."""
    own = CS.outline(session)  # cheap: no arrays copied (a list of 1000 cases redraws in ~10 ms)
    if own is None:
        t = CS.table_of(session)
        own = {"labels": list(t.labels), "split": list(t.splits), "lengths": list(t.lengths),
               "inputs": list(t.inputs), "targets": list(t.targets)}
    return own


def summary_text(session, table):
    """The split in words, with the test figures of a net of the user's own cases."""
    n_test = table["split"].count("test")
    n_train = len(table["split"]) - n_test
    if session.cases is None:
        head = (f"**The lesson's {n_train} cases**, all training cases. Load a CSV file or change a case "
                "below to make them your own.")
    else:
        head = (f"**{n_train} training and {n_test} test cases** (test cases are never trained on) · "
                f"inputs {', '.join(map(md, table['inputs'])) or 'none'} · targets {', '.join(map(md, table['targets'])) or 'none'}.")
        figures = CS.figures(session)
        parts = [f"error E on the test cases {fmt(figures['test_loss'])}"] if "test_loss" in figures else []
        parts += [f"{label} {100 * figures[key]:.4g} %" for key, label in (("accuracy", "training targets right"),
                                                                             ("test_accuracy", "test targets right"))
                  if key in figures]
        head += (" " + " · ".join(parts) + "." if parts else "") + "\n\n" + LINK_NOTE
    return head


def outputs_table(result):
    """An HTML table: per step t, the typed inputs and the output units' states."""
    ins, outs = result["inputs"], result["outputs"]
    head = "".join(f"<th>{esc(n)} (in)</th>" for n in ins) + "".join(f"<th>{esc(n)}</th>" for n in outs)
    rows = []
    for t, typed, states in zip(result["steps"], result["rows"], result["states"]):
        cells = [("" if typed is None or v is None else fmt(v)) for v in (typed or [None] * len(ins))]
        rows.append(f"<tr><td>{t}</td>" + "".join(f"<td>{c}</td>" for c in cells)
                    + "".join(f"<td>{fmt(v, 3)}</td>" for v in states) + "</tr>")
    return f'<table class="data-outputs-table"><tr><th>t</th>{head}</tr>{"".join(rows)}</table>'
