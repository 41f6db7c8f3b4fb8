"""Save and load: download the current state as a document, upload one to continue from it.

The document is simulator/document/format.py's JSON, with the view options (time step, selected weight
and unit, case, open tab, lecture mode) in its "view" section. An upload is checked completely
before the session is touched (document.apply_document), so a bad file leaves everything as it
was and the reason shows here and in the status line. Below them, exports for other tools
(simulator/document/export.py): the loss history and the whole stack as CSV, the parameters as .npz, and
a hint where the pictures' own PNG and SVG buttons are (views/save_tool.py).
"""
import base64
import binascii
import io
from urllib.parse import urlencode

import panel as pn
import param
from panel.custom import JSComponent

from simulator import document

from simulator.document import export as export
from simulator.serving.assets import stylesheet
from simulator.serving.offload import HEAVY_BYTES, off_loop_soon
from simulator.state import caps
from simulator.state.selection import Selection
from simulator.state.compare import compare_text
from simulator.state.session import Session
from simulator.views.compare import start_link
from simulator.views.lecture import LectureMode
from simulator.views.style import soon
from simulator.views.text import esc

LIMIT_TEXT = f"{document.MAX_BYTES // 1_000_000} MB"


class DocumentInput(JSComponent):
    """A file chooser that measures the file in the browser and sends it only if it is within
    the byte cap. Bokeh's FileInput sends any file whole over the websocket, and one of 16 MB or
    more (base64: over Bokeh's 20 MB message limit) closed the socket: the tab lost its session
    with no message. Here a file too big or empty sends only its name and size, and the view
    says why it was refused. ``value`` (bytes) and ``filename`` are set like FileInput's."""

    value = param.Parameter(default=None, doc="The chosen file's bytes (set after ``filename``).")
    filename = param.String(default=None, allow_None=True)
    refused = param.Dict(default=None, allow_None=True, doc="{'name', 'size'} of a file not sent.")
    accept = param.String(default=".json,application/json")
    max_bytes = param.Integer(default=caps.MAX_BYTES)
    label = param.String(default="Load state (.json)")

    _rename = {"value": None, "filename": None, "refused": None}

    _esm = """
export function render({ model }) {
  const input = document.createElement("input")
  input.type = "file"
  input.accept = model.accept
  input.title = model.label
  input.addEventListener("change", () => {
    const file = input.files[0]
    input.value = ""  // the same file chosen again loads again
    if (!file) return
    if (file.size === 0 || file.size > model.max_bytes) {
      model.send_msg({name: file.name, size: file.size})
      return
    }
    const reader = new FileReader()
    reader.onload = () => {
      const url = reader.result
      model.send_msg({name: file.name, size: file.size, data: url.slice(url.indexOf(",") + 1)})
    }
    reader.readAsDataURL(file)
  })
  return input
}
"""

    def _handle_msg(self, msg):
        name = str(msg.get("name", ""))[:caps.QUOTE_CHARS] or "the file"
        data = msg.get("data")
        if not isinstance(data, str):
            self.refused = {"name": name, "size": int(msg.get("size") or 0)}
            return
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            self.refused = {"name": name, "size": -1}
            return
        same = raw == self.value
        self.param.update(filename=name, value=raw)
        if same:  # a value equal to the last one sends no event; a second load must still load
            self.param.trigger("value")


def offer_comparison(session, name, section):
    """HTML offering a loaded document's "compare" section (issue 19) as Compare mode's page: a
    link from the state just loaded when one carries it, else how to serve the file; "" if none."""
    if not section:
        return ""
    settings = section["settings"]
    query = start_link(session, compare_text(settings))
    how = (f"<a class='share-compare' href='?{esc(urlencode(query))}' target='_blank' rel='noopener'>"
           "open it as a comparison ↗</a>" if query else
           f"no link carries its start (trained, or too large for a link); open it as a comparison with "
           f"<code>bptt-sim serve {esc(name)}</code>")
    return f"<br>This file holds a comparison of {len(next(iter(settings.values())))} runs: {how}"


class ShareView(pn.viewable.Viewer):
    """A Save button (the state as a .json document) and a file chooser that loads one."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection, doc="What is looked at: saved, and set by a load.")
    lecture = param.ClassSelector(class_=LectureMode, doc="Large type and hidden controls: saved, and set by a load.")
    loading = param.Callable(default=None, doc="loading(name) says the page is loading a file over the old pictures, "
                                               "loading(None) that it is done (app.py); None: nothing shown.")

    def __init__(self, **params):
        super().__init__(**params)
        self.download = pn.widgets.FileDownload(
            callback=self._document, filename="bptt-sim.json", label="Save state (.json)", color="primary",
            css_classes=["share-save"], sizing_mode="stretch_width",
            description="Download the whole state (network, weights, data, settings, update count) and what "
                        "you are looking at (time step, selection, tab, lecture mode) as a document you can "
                        "load here again or train with `bptt-sim train FILE`.")
        self.upload = DocumentInput(css_classes=["share-load"], sizing_mode="stretch_width",
                                    label=f"Load a saved document (at most {LIMIT_TEXT}); a bad file changes nothing.")
        # Exports for other tools (simulator/document/export.py); each is computed when its button is pressed.
        self.exports = {
            "loss": pn.widgets.FileDownload(
                callback=lambda: self._named(self.exports["loss"], "-loss.csv",
                                             lambda: io.StringIO(export.loss_history_csv(self.session))), label="Loss history (CSV)",
                css_classes=["export-loss"], sizing_mode="stretch_width",
                description="E after every weight update so far, as update,loss rows."),
            "stack": pn.widgets.FileDownload(
                callback=lambda: self._named(self.exports["stack"], "-stack.csv",
                                             lambda: io.StringIO(export.all_stacks_csv(self.session))),
                label="Stack of states and gradients (CSV)", css_classes=["export-stack"], sizing_mode="stretch_width",
                description="For every case, time and unit: z, s, the target, g = dE/ds and d = dE/dz."),
            "params": pn.widgets.FileDownload(
                callback=lambda: self._named(self.exports["params"], "-params.npz",
                                             lambda: io.BytesIO(export.params_npz(self.session))), label="Parameters (.npz)",
                css_classes=["export-params"], sizing_mode="stretch_width",
                description="W, b, h0, connections, learned h0, activations, loss and ties for numpy.load."),
        }
        self.pictures = pn.pane.HTML(
            "<small>Pictures: point at one for its save buttons at its right edge, PNG and SVG "
            "(sharp at any size, for slides and papers).</small>", margin=(0, 10), css_classes=["export-pictures"])
        self.feedback = pn.pane.HTML("", css_classes=["share-message"], sizing_mode="stretch_width", margin=(0, 10),
                                     stylesheets=[stylesheet("share.css")])
        self.upload.param.watch(self._on_upload, "value")
        self.upload.param.watch(self._on_refused, "refused")

    def _named(self, button, suffix, make):
        """Name the file after the state at the moment of the click (a folder of saved states stays
        readable). Renaming on every update instead cost ~12 ms a frame while training."""
        button.filename = f"{self.session.lesson}-update{self.session.updates}{suffix}"
        return make()

    def _document(self):
        """FileDownload's callback: runs when the button is pressed, so it saves the state then."""
        s = self.session
        view = None if self.selection is None else document.view_of(s, self.selection, self.lecture)
        text = []  # what the app writes must load again: a state beyond the byte cap is not saved
        if not s.attempt(lambda: text.append(document.dumps(document.to_document(s, view))), "Could not save"):
            self._say(s.message, "error")
            raise ValueError(s.message)  # no download; the message above says why
        return self._named(self.download, ".json", lambda: io.StringIO(text[0]))

    def _on_upload(self, event):
        data, name = event.new, self.upload.filename or "the file"
        if data is None:
            return
        s = self.session

        def read():  # JSON, checks, arrays and a first BPTT: off the event loop for a big file
            doc = document.parse(data)
            return doc, document.build(doc)

        def install(read_back):
            def load():
                if isinstance(read_back, Exception):
                    raise read_back
                document.apply_document(s, read_back[0], validated=True, built=read_back[1],
                                        selection=self.selection, lecture=self.lecture)

            # A load that fails puts back the session and what is looked at (Session.attempt).
            looked = [o for o in (self.selection, self.lecture) if o is not None]
            try:
                if s.attempt(load, f"Could not load {name}", also=looked):
                    self._say(f"Loaded {name}: update {s.updates}, loss {s.loss_value:.6g}.", "ok",
                              offer_comparison(s, name, read_back[0].get("compare")))
                else:
                    self._say(s.message, "error")
            finally:
                if self.loading is not None:
                    self.loading(None)

        if self.loading is None:
            return off_loop_soon(read, install, heavy=len(data) >= HEAVY_BYTES)
        # "Loading" reaches the page first (this callback's changes), the file's net after it
        # (issue 20, item 1): a large lesson's net took seconds beside the old pictures.
        self.loading(name)
        soon(lambda: off_loop_soon(read, install, heavy=len(data) >= HEAVY_BYTES))

    def _on_refused(self, event):
        """A file the browser did not send: too big, empty, or garbled on the way."""
        if not event.new:
            return
        name, size = event.new["name"], event.new["size"]

        def refuse():
            if size < 0:
                raise ValueError("the file did not arrive whole; choose it again")
            caps.check_bytes(size, "the file")
        self.session.attempt(refuse, f"Could not load {name}")
        self._say(self.session.message, "error")

    def _say(self, text, kind, more=""):
        self.feedback.object = f'<div class="share-{kind}">{esc(text)}{more}</div>'

    def __panel__(self):
        return pn.Column(pn.pane.HTML("<b>Save / load</b>", margin=(5, 10, 0, 10)), self.download, self.upload,
                         self.feedback, pn.pane.HTML("<b>Export</b>", margin=(5, 10, 0, 10)),
                         *self.exports.values(), self.pictures, sizing_mode="stretch_width",
                         css_classes=["share-view"])
