"""The Data place and the test curve without a browser (simulator/views/data.py, curves.py): what
they show of a net of the user's own cases, and the view's refusals."""
import numpy as np

from simulator.document import cases as CS
from simulator.document.sequences_csv import read_csv
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.curves import LossCurveView
from simulator.views.data import DataView

TEXT = ("case,t,in:x,target:y,split\n"
        "a,0,1,,train\na,1,0,1,train\n"
        "b,0,1,,test\nb,1,0,1,test\n"
        "c,0,0,,train\nc,1,1,0,train\n")


def views():
    s, sel = Session(), Selection()
    return DataView(session=s, selection=sel), LossCurveView(session=s, selection=sel)


def test_loaded_csv_shows_its_split_and_test_curve():
    """A CSV loaded through the view: the split in words, one list entry per case, and a test curve
    whose points are the test cases' error after each frame of training."""
    data, curve = views()
    s = data.session
    data.panel = data.__panel__()
    data.load(TEXT.encode(), "t.csv")
    assert data.feedback.object == '<div class="share-ok">Loaded t.csv: Your own net: 1 inputs, 6 units, 2 training ' \
                                   'and 1 test cases.</div>'
    assert data.summary.object.startswith("**2 training and 1 test cases**")
    assert list(data.case.options) == ["0: a (train, t = 0..1)", "1: b (test, t = 0..1)", "2: c (train, t = 0..1)"]
    tested = []
    for n in (3, 2):
        s.step(n)
        tested.append(CS.figures(s)["test_loss"])  # noqa: PERF401 (after each frame)
    assert list(curve.test_source.data["update"]) == [0, 3, 5]
    np.testing.assert_allclose(curve.test_source.data["loss"][1:], tested, rtol=0, atol=1e-12)
    assert curve.figure.legend[0].visible and curve.figure.title.text.endswith(f"on the test cases: {tested[-1]:.4g}")
    s.lesson = "binary-addition"  # a lesson's data again: no test cases, no test curve
    assert list(curve.test_source.data["update"]) == [] and not curve.figure.legend[0].visible


def test_bad_csv_is_shown_and_changes_nothing():
    data, _ = views()
    s = data.session
    before = (s.lesson, s.sequences, s.net.params().tobytes())
    data.load(b"case,t,in:x,target:y\na,0,1,\na,0,1,1\n", "r.csv")
    assert "Could not use the data: r.csv: line 3, column 2 (&#x27;t&#x27;): step 0 of case &#x27;a&#x27; is " \
           "repeated (first on line 2)" in data.feedback.object
    assert (s.lesson, s.sequences, s.net.params().tobytes()) == before


def test_mode_new_data_blank_net_case_buttons_and_run():
    """The view's controls reach case_edits: new data on this net, case buttons, a blank net, and a
    run whose table has a row per step."""
    data, _ = views()
    s = data.session
    s0 = CS.new_session(read_csv(TEXT), hidden=1)
    data.load(TEXT, "t.csv")
    data.mode.value = "data"
    data.load(TEXT.replace("test", "train"), "u.csv")
    assert s.cases["split"] == ["train"] * 3 and s.net.N == s0.net.N + 3
    data.case.value = 1
    data.edit_case("test")
    assert s.cases["split"] == ["train", "test", "train"]
    data.edit_case("duplicate")
    assert s.cases["labels"] == ["a", "b", "b copy", "c"]
    data.edit_case("delete")
    assert s.cases["labels"] == ["a", "b copy", "c"]
    assert data._csv().read() == CS.C.write_csv(CS.table_of(s))
    data.sequence.value_input = "1\n0\n1"
    data.run()
    assert data.outputs.object.count("<tr>") == 4 and "share-ok" in data.feedback.object
    data.inputs.value_input, data.targets.value_input, data.steps.value = "p", "q", 3
    data.make_blank()
    assert s.unit_names == ["p", "h1", "h2", "h3", "h4", "q"] and s.steps == 3
