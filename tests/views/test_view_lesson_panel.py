"""The lesson read-out panel shows, for each lesson, the numbers its module's helpers compute independently."""
import numpy as np
import pytest

from simulator import document as D
from simulator.lessons import attractors as AT
from simulator.lessons import binary_addition as BA
from simulator.lessons import measures as LM
from simulator.lessons import robot_writer as RW
from simulator.lessons import tied_weights as TW
from simulator.lessons import vanishing_exploding as VE
from simulator.lessons.learned_initial_state import compare_h0
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lesson_panel import LessonPanelView


def panel(lesson, updates=0):
    s = Session(lesson=lesson)
    if updates:
        s.step(updates)
    v = LessonPanelView(session=s, selection=Selection())
    v.__panel__()
    return s, v


@pytest.fixture(scope="module")
def adder():
    """The default lesson trained to 100% on held-out pairs (seed 12, 400 updates), with its panel."""
    return panel("binary-addition", 400)


def test_held_out_test_prints_the_lecture_sums_and_accuracy(adder):
    """'Test on held-out numbers' prints 52+77=129 and 38+166=204 in bits and the accuracy over the pairs it drew."""
    s, v = adder
    v.run()
    res = v.last["binary-addition"]
    again = BA.addition_results(s.net, res["pairs"], 8)
    assert res["pairs"][:2] == [(52, 77), (38, 166)] and not set(res["pairs"]) & set(map(tuple, s.task_info))
    assert np.array_equal(res["predicted"], again["predicted"]) and again["bit_accuracy"] == 1.0
    text = v.result.object
    assert "a + b  010000001  (129)  right" in text and "a + b  011001100  (204)  right" in text
    assert f"{len(res['pairs'])} pairs the net never saw" in text and "100.0% of the sum bits right" in text


def test_automaton_picture_matches_the_hidden_states(adder):
    """'Show what it learned' plots one point per hidden state, coloured by automaton state, and the true adder's edges."""
    s, v = adder
    v.draw_automaton()
    H, labels, _, _ = BA.addition_states(s.net, s.task_info, 8)
    assert len(v.points.data["x"]) == len(H) == 256 * 10
    (P,), _ = LM.project2(H)
    assert np.allclose(v.points.data["x"], P[:, 0])
    carry1 = [st.startswith("carry") for st in v.points.data["state"]]
    assert carry1 == [bool(c) for c in labels[:, 0]]
    # A perfect adder: 8 edges between different states, none red, and the four self-loops.
    assert len(v.edges.data["text"]) == 8 and set(v.edges.data["colour"]) == {"#333333"}
    assert v.nodes.data["loop"] == ["\u21bb 00", "\u21bb 01, 10", "\u21bb 01, 10", "\u21bb 11"]
    assert "100.0% of the moves agree" in v.auto_text.object and "129" in v.result.object


def test_untrained_adder_gets_sums_wrong():
    """Before training the same button reports wrong sums, so the check can fail."""
    _, v = panel("binary-addition")
    v.run()
    res = v.last["binary-addition"]
    assert res["pair_accuracy"] == 0.0 and "wrong (should be 129)" in v.result.object
    assert res["bit_accuracy"] == pytest.approx(0.4905254091300603, rel=1e-9)


def test_robot_writes_its_sentence_after_training():
    """Write prints what robot_writer.write produces: 'hello world' after 40 updates, and it follows the sliders."""
    s, v = panel("robot-writer", 40)
    assert (v.start.value, v.length.value, v.sentences.value) == ("h", 11, "hello world")
    assert v.write() == RW.write(s.net, s.task_info["alphabet"], "h", 11) == "hello world"
    assert "The net writes: hello world" in v.written.object and "a training sentence" in v.written.object
    v.start.value, v.length.value = "wor", 5
    assert v.write() == RW.write(s.net, s.task_info["alphabet"], "wor", 5)
    v.start.value = "z"
    assert v.write() is None and "Cannot write" in v.written.object


def test_typed_sentences_rebuild_the_lesson_and_bad_ones_are_refused():
    """'Learn these sentences' rebuilds the robot on the typed text; a digit is refused with a message and nothing changes."""
    s, v = panel("robot-writer")
    v.sentences.value = "the cat sat\nthe dog ran"
    v.use_sentences()
    assert s.task_info["sentences"] == ["the cat sat", "the dog ran"] and s.steps == 10
    assert v.sentences.value == "the cat sat\nthe dog ran" and s.unit_names[0] == "\u2423"
    net = s.net
    v.sentences.value = "r2d2"
    v.use_sentences()
    assert s.net is net and s.message_kind == "error" and "use only the letters" in v.written.object


def test_loaded_sentences_fill_the_sentence_box():
    """Loading a document whose sentences have the same letters (so the same units) shows its
    sentences in the box and its first one in Start with and Letters; one without shows 'hello world'."""
    s, v = panel("robot-writer")
    other = Session(lesson="robot-writer")
    assert other.use_sentences("abc cab\nbad") and s.use_sentences("bad cab\nabc")
    assert v.sentences.value == "bad cab\nabc"
    D.apply_document(s, D.to_document(other))
    assert (v.sentences.value, v.start.value, v.length.value) == ("abc cab\nbad", "a", 7)
    D.apply_document(s, D.to_document(Session(lesson="robot-writer")))
    assert (v.sentences.value, v.start.value, v.length.value) == ("hello world", "h", 11)


def test_h0_comparison_equals_independent_training():
    """The fixed-vs-learned h0 read-out shows the losses of two scratch trainings and this net's dE/dh0."""
    s, v = panel("learned-initial-state")
    cmp = compare_h0(s.lesson_spec, s.seed, s.sequences.T, updates=100)
    assert cmp[False]["error_t0"] == pytest.approx(0.25, rel=1e-12) and cmp[True]["loss"] < 1e-3
    assert cmp[False]["loss"] == pytest.approx(0.2503311615048846, rel=1e-9)  # the lesson's golden loss
    assert cmp[True]["loss"] == pytest.approx(5.949888355434944e-06, rel=1e-9)
    text = v.result.object
    assert f"h0 fixed at 0.5:  loss {cmp[False]['loss']:.4g}" in text
    assert f"h0 learned:       loss {cmp[True]['loss']:.4g}" in text
    assert f"o2={s.gradients.dh0[3]:.3g}" in text and "(measured at update 0)" in text


def test_attractor_run_past_T_settles_after_training():
    """After 50 updates the distances past T are those of attractors.attractor_distances, and near 0."""
    s, v = panel("attractors", 50)
    v.run()
    d = AT.attractor_distances(s.net, s.sequences)
    assert np.allclose(v.settle_src.data["ys"], d) and v.settle_T.location == s.sequences.T
    assert d[:, s.sequences.T + 1:].max() == pytest.approx(0.024145965984669733, rel=1e-9) and d[:, s.sequences.T + 1:].max() < 0.1
    assert f"{d[:, s.sequences.T + 1:].max():.4g}" in v.result.object


def test_spectral_radius_and_error_ratio_per_chain():
    """The vanishing/exploding read-out shows radius 0.7 and 1.3 and per-step ratios near them."""
    s, v = panel("vanishing-exploding")
    text = v.result.object
    e = VE.error_by_step(s.gradients, list(range(1, 5)))  # the small chain's units
    nz = np.flatnonzero(e > 0)
    ratio = (e[nz[0]] / e[nz[-1]]) ** (1 / (nz[-1] - nz[0]))
    assert "small: spectral radius 0.7" in text and "large: spectral radius 1.3" in text
    assert f"x {ratio:.3g} per step back" in text and 0.6 < ratio < 0.8
    assert ratio == pytest.approx(0.7267169012900419, rel=1e-9)


def test_tie_report_shows_equal_values_and_the_summed_gradient():
    """The tied-weights read-out lists both tied weights with one value and the sum of their own gradients."""
    s, v = panel("tied-weights", 20)
    v.run()
    (group,) = TW.tie_report(s.net, s.gradients)
    assert group["values"][0] == group["values"][1]
    assert f"summed gradient {sum(group['gradients']):.4g}" in v.result.object
    assert "W[h1←a]" in v.result.object and "W[h2←b]" in v.result.object


def test_input_modes_and_temporal_xor_accuracy():
    """Input modes compares the three ways (each learns XOR); temporal XOR reports this net's accuracy."""
    s, v = panel("input-modes")
    out = v.last["input-modes"]
    assert set(out) == {"initial-all", "initial-subset", "every-step-subset"}
    assert all(acc == 1.0 for _, acc in out.values())
    assert [out[m][0] for m in ("initial-all", "initial-subset", "every-step-subset")] == pytest.approx(
        [0.001660543812533729, 0.0011525485063492164, 0.0028818498388280813], rel=1e-9)
    s.lesson = "temporal-xor"
    s.step(300)
    v.run()
    acc = LM.target_accuracy(s.gradients, s.sequences)
    assert acc == 1.0 and f"{100 * acc:.1f}% of the targets" in v.result.object


def test_an_edited_adder_is_explained_not_misread():
    """With a unit added the adder read-outs say they need the lesson's six units instead of reading the wrong units."""
    s, v = panel("binary-addition")
    s.add_unit("hidden")
    v.run()
    v.draw_automaton()
    assert "need the lesson&#x27;s six units" in v.result.object and "this network has 7" in v.auto_text.object
    assert "binary-addition" not in v.last
