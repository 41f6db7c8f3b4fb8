"""graph_layout.patch, how the pictures update their sources every frame: only changed columns
leave, named in one event, and the source holds the new values."""
import numpy as np
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent
from bokeh.models import ColumnDataSource

from simulator.views import graph_layout as gl


def test_a_patch_names_only_the_changed_columns_in_one_event():
    source = ColumnDataSource(dict(a=np.zeros(3), b=np.array(["x", "y", "z"], dtype=object), c=np.ones(3)))
    doc = Document()
    doc.add_root(source)
    events, seen = [], []
    doc.on_change(events.append)
    source.on_change("data", lambda attr, old, new: seen.append(attr))  # Python callbacks still run
    changed = gl.patch(source, dict(a=np.zeros(3), b=np.array(["x", "q", "z"], dtype=object), c=np.arange(3.0)))
    assert sorted(changed) == ["b", "c"]
    assert len(events) == 1 and isinstance(events[0], ColumnDataChangedEvent)
    assert sorted(events[0].cols) == ["b", "c"] and seen == ["data"]
    assert list(source.data["b"]) == ["x", "q", "z"] and list(source.data["c"]) == [0, 1, 2]
    assert gl.patch(source, dict(a=np.zeros(3), c=np.arange(3.0))) == {} and len(events) == 1  # nothing new


def test_a_source_outside_a_document_is_updated_too():
    source = ColumnDataSource(dict(a=np.zeros(2)))
    gl.patch(source, dict(a=np.ones(2), b=np.ones(2)))
    assert list(source.data["a"]) == [1, 1] and list(source.data["b"]) == [1, 1]
