"""Tooltip numbers of both net pictures: a cell or weight with no value (z and d at t = 0, a
target where there is none, G at t = 0) must read "—", never "NaN". Bokeh prints "NaN" for a
NaN before any formatter sees it, so the columns must never hold one."""
import numpy as np
import pytest
from bokeh.document import Document

from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views.network import EDGE_TIPS, UNIT_TIPS, RecurrentView
from simulator.views.unrolled import EDGE_TIPS as UNROLLED_EDGE_TIPS
from simulator.views.unrolled import UnrolledView


def numeric(tips):
    return [field for _, field, is_number in tips if is_number]


@pytest.mark.parametrize("time", [0, 1, 4])
@pytest.mark.parametrize("kind", ["recurrent", "unrolled"])
def test_tooltip_columns_hold_no_nan(kind, time):
    session, selection = Session(), Selection()
    view = (RecurrentView if kind == "recurrent" else UnrolledView)(session=session, selection=selection)
    Document().add_root(view.__panel__().get_root(Document()))
    selection.time = time
    edge_tips = EDGE_TIPS if kind == "recurrent" else UNROLLED_EDGE_TIPS
    for source, fields in ((view.units if kind == "recurrent" else view.cells, numeric(UNIT_TIPS)),
                           (view.edges, numeric(edge_tips))):
        for field in fields:
            col = np.asarray(source.data[field], dtype=float)
            assert not np.isnan(col).any(), f"{kind} {field!r} at t = {time} holds NaN (shown as 'NaN')"
    if kind == "recurrent" and time == 0:
        assert (np.asarray(view.edges.data["G"]) == gl.NO_VALUE).all(), "t = 0 has no G_t: '—'"
        assert (np.asarray(view.units.data["z"]) == gl.NO_VALUE).all(), "t = 0 has no net input: '—'"
