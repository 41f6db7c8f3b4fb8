"""Save and load: download the current state as a document, upload one to continue from it.

The document is simulator/document/format.py's JSON, with the view options (time step, selected weight
and unit, case, open tab, lecture mode) in its "view" section. An upload is checked completely
before the session is touched (document.apply_document), so a bad file leaves everything as it
was and the reason shows here and in the status line. Below them, exports for other tools
(simulator/document/export.py): the loss history and the whole stack as CSV, the parameters as .npz, and
a hint where the pictures' own PNG and SVG buttons are (views/save_tool.py).
"""
import html
import io

import panel as pn
import param

from simulator import document

from simulator.document import export as export
from simulator.serving.assets import stylesheet
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lecture import LectureMode

LIMIT_TEXT = f"{document.MAX_BYTES // 1_000_000} MB"


class ShareView(pn.viewable.Viewer):
    """A Save button (the state as a .json document) and a file chooser that loads one."""

    session = param.ClassSelector(class_=Session)
    selection = param.ClassSelector(class_=Selection, doc="What is looked at: saved, and set by a load.")
    lecture = param.ClassSelector(class_=LectureMode, doc="Large type and hidden controls: saved, and set by a load.")

    def __init__(self, **params):
        super().__init__(**params)
        self.download = pn.widgets.FileDownload(
            callback=self._document, filename="bptt-sim.json", label="Save state (.json)", color="primary",
            css_classes=["share-save"], sizing_mode="stretch_width",
            description="Download the whole state (network, weights, data, settings, update count) and what "
                        "you are looking at (time step, selection, tab, lecture mode) as a document you can "
                        "load here again or train with `bptt-sim train FILE`.")
        self.upload = pn.widgets.FileInput(
            accept=".json,application/json", css_classes=["share-load"], sizing_mode="stretch_width",
            description=f"Load a saved document (at most {LIMIT_TEXT}); a bad file changes nothing.")
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

    def _named(self, button, suffix, make):
        """Name the file after the state at the moment of the click (a folder of saved states stays
        readable). Renaming on every update instead cost ~12 ms a frame while training."""
        button.filename = f"{self.session.lesson}-update{self.session.updates}{suffix}"
        return make()

    def _document(self):
        """FileDownload's callback: runs when the button is pressed, so it saves the state then."""
        s = self.session
        view = None if self.selection is None else document.view_of(s, self.selection, self.lecture)
        return self._named(self.download, ".json", lambda: io.StringIO(document.dumps(document.to_document(s, view))))

    def _on_upload(self, event):
        data, name = event.new, self.upload.filename or "the file"
        if data is None:
            return
        s = self.session

        def load():
            document.apply_document(s, document.parse(data), validated=True, selection=self.selection,
                                    lecture=self.lecture)

        if s.attempt(load, f"Could not load {name}"):
            self._say(f"Loaded {name}: update {s.updates}, loss {s.loss_value:.6g}.", "ok")
        else:
            self._say(s.message, "error")

    def _say(self, text, kind):
        self.feedback.object = f'<div class="share-{kind}">{html.escape(text)}</div>'

    def __panel__(self):
        return pn.Column(pn.pane.HTML("<b>Save / load</b>", margin=(5, 10, 0, 10)), self.download, self.upload,
                         self.feedback, pn.pane.HTML("<b>Export</b>", margin=(5, 10, 0, 10)),
                         *self.exports.values(), self.pictures, sizing_mode="stretch_width",
                         css_classes=["share-view"])
