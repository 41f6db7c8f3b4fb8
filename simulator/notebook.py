"""The simulator in a Jupyter notebook, driven from Python.

    from simulator.notebook import App
    app = App("binary-addition")        # or App(document="adder.json"), at the document's view
    app                                 # the whole app in the cell's output
    app.session.step(100)               # the pictures follow, as if Step were pressed
    app.session.set_parameter(("W", 2, 0), "0.5")
    app.session.loss_value, app.session.net.W

``App`` calls ``pn.extension`` with the app's settings (Panel's notebook convention: once per
notebook, before the first display) and returns a SimulatorApp, whose ``session`` is the one
writer of the state, exactly as in the browser.
"""
import panel as pn

from simulator import document as D
from simulator.app import SimulatorApp
from simulator.serving.assets import global_css
from simulator.state.session import Session


def App(lesson=None, document=None):
    """A SimulatorApp for a lesson's short name or a saved document (a path or a dict), opened
    at the document's view (time step, selection, tab, lecture mode) if it has a "view" section,
    as the served app opens it."""
    pn.extension(notifications=False, global_css=global_css())  # the served app's CSS (create_app)
    view = None
    if document is not None:
        doc = D.validate(document) if isinstance(document, dict) else D.read(document)
        session, view = D.session_from_document(doc, validated=True), doc.get("view")
    else:
        session = Session(lesson=lesson) if lesson is not None else Session()
    app = SimulatorApp(session=session)
    if view is not None:
        D.apply_view(view, app.selection, app.lecture)
    return app
