"""A notebook runs headless (nbclient + ipykernel): the app displays in a cell and Python drives it."""
import pathlib

import nbformat
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
