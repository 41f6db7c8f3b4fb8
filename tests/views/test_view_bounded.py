"""What a net at the caps costs each frame is bounded (issue 21): the BPTT-vs-unrolled table
shows a page of rows, the pictures draw a bounded number of arrows and weight copies, and a
Step does not redo what only a change of structure changes. Counted, never timed."""
import os
import sys

import numpy as np
import pytest

from simulator import document
from simulator.state import caps
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views import graph_layout as gl
from simulator.views import equivalence as EQ
from simulator.views.equivalence import EquivalenceView
from simulator.views.grouping import UnitGrouping
from simulator.views.network import RecurrentView
from simulator.views.unrolled import UnrolledView

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from bench_caps import cap_document  # noqa: E402  (the benchmark's document at the caps)


@pytest.fixture(scope="module")
def big_doc():
    """72 connected units and T = 60 (one case, so it loads in a moment): N^2 + 2N = 5,328 parameters."""
    return document.parse(cap_document(cells=(caps.MAX_STEPS + 1) * caps.MAX_UNITS))


@pytest.fixture
def big(big_doc):
    s = Session()
    document.apply_document(s, big_doc, validated=True)
    assert s.net.N == caps.MAX_UNITS and s.sequences.T == caps.MAX_STEPS
    return s, Selection()


def table_rows(view):
    return [line for line in view.table.object.splitlines() if line.startswith("<tr><td")]  # without the header


def test_the_equivalence_table_shows_one_page_and_the_selected_weights(big):
    s, sel = big
    view = EquivalenceView(session=s, selection=sel)
    n = len(view.rows["param"])
    assert n == caps.MAX_PARAMETERS - caps.MAX_UNITS  # every weight and bias (no learned h0 here)
    assert len(table_rows(view)) == EQ.PAGE_ROWS and view.pager.visible
    assert view.pages.object == f"rows 1–{EQ.PAGE_ROWS} of {n}"
    sel.weight = (70, 5)  # far down the table: its page is shown, its row in bold
    k = view.rows["weight"].index((70, 5))
    assert view.page == k // EQ.PAGE_ROWS
    bold = [r for r in table_rows(view) if "<strong>" in r]
    assert len(bold) == 1 and "u70←u5" in bold[0]
    view.next.clicks += 1
    assert view.page == k // EQ.PAGE_ROWS + 1 and len(table_rows(view)) <= EQ.PAGE_ROWS
    for _ in range(n // EQ.PAGE_ROWS + 2):  # the last page, then no further
        view.next.clicks += 1
    last = -(-n // EQ.PAGE_ROWS) - 1
    assert view.page == last and len(table_rows(view)) == n - last * EQ.PAGE_ROWS
    s.step(1)
    view.refresh()
    assert len(table_rows(view)) <= EQ.PAGE_ROWS


def test_a_small_net_shows_its_whole_table_without_pages():
    s, sel = Session(), Selection()
    view = EquivalenceView(session=s, selection=sel)
    assert len(table_rows(view)) == len(view.rows["param"]) < EQ.PAGE_ROWS and not view.pager.visible


def test_the_pictures_draw_a_bounded_number_of_arrows_and_copies(big):
    s, sel = big
    every = UnitGrouping(show_all=True)  # unit by unit (grouped, a net this large draws one node per group)
    recurrent, unrolled = (RecurrentView(session=s, selection=sel, grouping=every),
                           UnrolledView(session=s, selection=sel, grouping=every))
    E = int(np.count_nonzero(s.net.C))
    assert E == caps.MAX_UNITS ** 2
    assert len(recurrent.edges.data["i"]) == gl.MAX_ARROWS
    assert len(unrolled.edges.data["i"]) == (gl.MAX_COPIES // s.sequences.T) * s.sequences.T
    assert "largest" in recurrent.subtitle.text and "largest" in unrolled.subtitle.text
    # The drawn ones are the largest |W| ...
    drawn = np.abs(s.net.W[recurrent.edges.data["i"], recurrent.edges.data["j"]])
    assert drawn.min() >= np.sort(np.abs(s.net.W[s.net.C != 0]))[-gl.MAX_ARROWS]
    # ... and a selected weight, however small, is drawn in both pictures.
    i, j = np.unravel_index(np.argmin(np.abs(s.net.W) + (s.net.C == 0)), s.net.W.shape)
    sel.weight = (int(i), int(j))
    for view in (recurrent, unrolled):
        hit = (np.asarray(view.edges.data["i"]) == i) & (np.asarray(view.edges.data["j"]) == j)
        assert hit.any() and np.all(np.asarray(view.edges.data["sel"])[hit] == 1)
    assert len(recurrent.edges.data["i"]) == gl.MAX_ARROWS


def test_a_step_does_not_rebuild_the_layout_or_the_tie_groups(big, monkeypatch):
    s, sel = big
    views = RecurrentView(session=s, selection=sel), UnrolledView(session=s, selection=sel)
    calls = []
    monkeypatch.setattr(gl, "tie_groups", lambda *a: calls.append("ties") or np.full(len(a[1]), -1))
    monkeypatch.setattr(gl, "recurrent_paths", lambda *a, **k: calls.append("paths"))
    monkeypatch.setattr(gl, "drawn_edges", lambda *a, **k: calls.append("edges"))
    s.step(2)
    sel.param.update(time=3, tick=5)
    assert calls == [] and all(v.figure.title.text for v in views)
