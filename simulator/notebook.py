"""The simulator in a Jupyter notebook, driven from Python.

    from simulator.notebook import App
    app = App("binary-addition")        # or App(document="adder.json")
    app                                 # the whole app in the cell's output
    app.session.step(100)               # the pictures follow, as if Step were pressed
    app.session.set_parameter(("W", 2, 0), "0.5")
    app.session.loss_value, app.session.net.W

``App`` calls ``pn.extension`` with the app's settings (Panel's notebook convention: once per
notebook, before the first display) and returns a SimulatorApp, whose ``session`` is the one
writer of the state, exactly as in the browser.
"""
import panel as pn

from . import document as D
from .app import SimulatorApp
from .assets import stylesheet
from .session import Session


def App(lesson=None, document=None):
    """A SimulatorApp for a lesson's short name or a saved document (a path or a dict)."""
    pn.extension(notifications=False, global_css=[stylesheet("global.css")])
    if document is not None:
        session = D.load(document) if not isinstance(document, dict) else D.session_from_document(document)
    else:
        session = Session(lesson=lesson) if lesson is not None else Session()
    return SimulatorApp(session=session)
