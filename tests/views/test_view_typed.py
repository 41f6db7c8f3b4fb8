"""A typed sequence in both pictures (issue 15): after "Run the net", the recurrent and the
unrolled picture show that run's activities step by step (state/probe.py stack), follow training,
and go back to the training cases on "Back to the cases" or when the net's units change."""
import numpy as np

from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from simulator.state import probe
from simulator.state.selection import Selection
from simulator.views.data import DataView
from simulator.views.network import RecurrentView
from simulator.views.unrolled import UnrolledView

ECHO = ("case,t,in:x,target:y,split\n" + "".join(f"a,{t},{b},{'' if t < 2 else c},train\n"
                                                   for t, (b, c) in enumerate(zip("0110", "--01")))
        + "b,0,1,,test\nb,1,0,,test\nb,2,0,1,test\n")
TYPED = "1011001"  # 7 steps: longer than the training cases (T = 3)


def pictures():
    s, sel = CS.new_session(read_csv(ECHO), hidden=2, seed=3), Selection()
    return s, sel, DataView(session=s, selection=sel), RecurrentView(session=s, selection=sel), \
        UnrolledView(session=s, selection=sel)


def test_both_pictures_show_the_typed_run_and_come_back():
    s, sel, data, rec, unr = pictures()
    N, T = s.net.N, s.sequences.T
    assert len(unr.cells.data["s"]) == (T + 1) * N
    data.sequence.value_input = TYPED
    data.run()
    states = probe.run(s, TYPED)["run"].gradients(s.net).states[0]  # (8, N): the run's own stack
    assert probe.showing(s, sel) and data.back.visible
    assert "your typed sequence" in rec.subtitle.text and "your typed sequence" in unr.subtitle.text
    assert len(unr.cells.data["s"]) == len(TYPED) * N  # t = 0..6 columns
    np.testing.assert_allclose(unr.cells.data["s"], states.ravel(), rtol=0, atol=1e-12)
    x = s.unit_names.index("x")
    clamped = np.asarray(unr.cells.data["role"]).reshape(len(TYPED), N)[:, x]
    assert list(clamped) == ["clamped input"] * len(TYPED)
    for t in (2, 5):
        sel.time = t
        np.testing.assert_allclose(rec.units.data["s"], states[t], rtol=0, atol=1e-12)
    s.step(4)  # training goes on: the pictures show the run on the new weights
    trained = probe.run(s, TYPED)["run"].gradients(s.net).states[0]
    assert not np.allclose(trained, states)
    np.testing.assert_allclose(unr.cells.data["s"], trained.ravel(), rtol=0, atol=1e-12)
    data.back_to_cases()
    assert not probe.showing(s, sel) and not data.back.visible
    assert "typed" not in rec.subtitle.text + unr.subtitle.text
    assert len(unr.cells.data["s"]) == (T + 1) * N
    np.testing.assert_allclose(unr.cells.data["s"], s.gradients.states[sel.case].ravel(), rtol=0, atol=1e-12)


def test_a_net_of_other_units_shows_its_cases_again():
    s, sel, data, rec, unr = pictures()
    data.sequence.value_input = TYPED
    data.run()
    assert s.add_unit("hidden")
    assert not probe.showing(s, sel)
    assert len(unr.cells.data["s"]) == (s.sequences.T + 1) * s.net.N
    np.testing.assert_allclose(rec.units.data["s"], s.gradients.states[0, min(sel.time, s.sequences.T)],
                               rtol=0, atol=1e-12)


def test_the_links_note_shows_with_a_save_button():
    """LinkSync.own_note (the data too large for a link) shows in the Data place beside a Save button,
    whose document loads back as the same net."""
    from simulator import document as D
    from simulator.views.link import LinkSync
    s, sel, data, _, _ = pictures()
    link = LinkSync(session=s, selection=sel)
    data.link = link
    assert not data.link_row.visible
    link.own_note = "This net's data is too large for a link: use Save."
    assert data.link_row.visible and "too large for a link" in data.link_note.object
    doc = D.parse(data._document().getvalue())
    assert doc["cases"]["labels"] == s.cases["labels"]
    link.own_note = ""
    assert not data.link_row.visible
