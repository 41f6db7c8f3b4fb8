"""A notebook runs headless (nbclient + ipykernel): the app displays in a cell and Python drives it."""
import json
import pathlib

import nbformat
import numpy as np
from nbclient import NotebookClient

NOTEBOOK = pathlib.Path(__file__).parent / "notebooks" / "smoke.ipynb"


def test_notebook_displays_and_drives_the_app():
    """Every cell runs; the app cell outputs Panel's notebook bundle; stepping and setting a weight print."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parents[2])}}).execute()
    cells = [c for c in nb.cells if c.cell_type == "code"]
    display = cells[0].outputs
    assert any("application/vnd.holoviews_exec.v0+json" in o.get("data", {}) or "text/html" in o.get("data", {})
               for o in display), [o.get("data", {}).keys() for o in display]
    text = "".join(o.get("text", "") for o in cells[1].outputs)
    assert text.startswith("updates 50 loss ")
    start, end = (float(x) for x in text.split("loss ")[1].split(" -> "))
    assert end < start
    assert "".join(o.get("text", "") for o in cells[2].outputs).strip() == "W[h1<-a] = 0.5"


VIEW = {"time": 4, "case": 2, "weight": None, "unit": [1, 0], "tab": "By hand", "large_type": True,
        "hidden": ["settings", "loss-curve"], "card": 1, "theme": "light"}


def test_app_opens_a_document_at_its_view(tmp_path):
    """App(document=...) opens at the document's view, from a path or from the dict, as
    `bptt-sim serve FILE` does; without a view section it opens at the default view."""
    from simulator import document as D
    from simulator.notebook import App
    from simulator.state.session import Session
    s = Session(lesson="temporal-xor")
    s.step(3)
    weight = [int(k) for k in np.argwhere(s.net.C)[-1]]
    path = tmp_path / "xor.json"
    D.save(path, s, view={**VIEW, "weight": weight})
    saved = json.loads(path.read_text())["view"]
    assert saved == {**VIEW, "weight": weight}
    for source in (path, str(path), json.loads(path.read_text())):
        app = App(document=source)
        assert D.view_of(app.session, app.selection, app.lecture) == saved
        assert D.to_document(app.session) == D.to_document(s)
    D.save(path, s)
    app = App(document=path)
    assert D.view_of(app.session, app.selection, app.lecture) == D.VIEW_DEFAULTS


def test_notebook_loads_the_css_of_the_served_app(monkeypatch):
    """App calls pn.extension with the same page-wide CSS as create_app, lecture.css included
    (large type and the lecture cards were unstyled in a notebook that loaded global.css alone)."""
    import panel as pn

    from simulator.app import create_app
    from simulator.serving.assets import stylesheet
    from simulator.notebook import App
    calls = []
    monkeypatch.setattr(pn, "extension", lambda *args, **kwargs: calls.append(kwargs))
    App("tied-weights")
    create_app(lesson="tied-weights")
    notebook, served = (c["global_css"] for c in calls)
    assert notebook == served and stylesheet("lecture.css") in notebook and stylesheet("global.css") in notebook
