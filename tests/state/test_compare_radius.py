"""The spectral radius as a setting (issue 19): lecture 7d's "radius 0.7 vs 1.3" as a comparison
of two nets, named ``radius`` by the link, the document and the CLI; bad values refused."""
import numpy as np
import pytest

from simulator import document
from simulator.lessons.build import unit_layout
from simulator.lessons.vanishing_exploding import spectral_radius
from simulator.state import compare as C
from simulator.state.session import Session

LESSON = "vanishing-exploding"


def chain_radii(session):
    index = unit_layout(session.lesson_spec)[2]
    return [spectral_radius(session.net.W, index[g]) for g in ("small", "large")]


def test_the_radius_sets_every_chain_and_0_keeps_the_lessons():
    s = Session(lesson=LESSON)
    assert s.radius == 0 and np.allclose(chain_radii(s), [0.7, 1.3], atol=1e-12)
    own = s.net.W.copy()
    s.radius = 1.3
    assert np.allclose(chain_radii(s), [1.3, 1.3], atol=1e-12) and s.message == ""
    # the same direction from the same seed: only the small chain's block changed, by 1.3 / 0.7
    small = unit_layout(s.lesson_spec)[2]["small"]
    block = np.ix_(small, small)
    assert np.allclose(s.net.W[block], own[block] * (1.3 / 0.7), atol=1e-12)
    s.radius = 0.0
    assert np.array_equal(s.net.W, own)


def test_the_comparison_runs_each_chain_at_its_radius():
    c = C.Comparison.of_lesson(LESSON, "radius:0.7,1.3")
    assert [np.allclose(chain_radii(r), [v, v], atol=1e-12) for r, v in zip(c.runs, (0.7, 1.3))] == [True, True]
    assert c.differing() == ["radius"] and c.label(1) == "radius=1.3"


@pytest.mark.parametrize("text, words", [
    ("radius:0.7,-1", "radius: expected a number in [0, 10]; got '-1'"),
    ("radius:0.7,11", "radius: expected a number in [0, 10]; got '11'"),
    ("radius:0.7,big", "radius: expected a number in [0, 10]; got 'big'"),
    ("radius:0.7,0.7", "two runs have the same settings"),
])
def test_bad_radii_are_refused(text, words):
    with pytest.raises(ValueError) as err:
        C.Comparison.of_lesson(LESSON, text)
    assert words in str(err.value)


def test_a_lesson_without_chains_refuses_a_radius_and_keeps_its_net():
    with pytest.raises(ValueError, match="run 1: radius=0.7: .*this lesson has no chain with a spectral radius; "
                                         "expected 0 .*vanishing-exploding"):
        C.Comparison.of_lesson("temporal-xor", "radius:0.7,1.3")
    s = Session(lesson="temporal-xor")
    W = s.net.W.copy()
    s.radius = 0.7
    assert s.radius == 0 and s.message_kind == "error" and "no chain with a spectral radius" in s.message
    assert np.array_equal(s.net.W, W)


def test_the_document_and_the_cli_name_it_radius():
    s = Session(lesson=LESSON)
    s.radius = 1.3
    doc = document.parse(document.dumps(document.to_document(s)))
    assert doc["training"]["radius"] == 1.3
    assert document.session_from_document(doc).radius == 1.3
    assert "radius" not in document.to_document(Session(lesson=LESSON))["training"]  # 0: not written
    c = C.Comparison.of_lesson(LESSON, "radius:0.7,1.3")
    again = document.comparison_from_document(document.parse(document.dumps(document.comparison_document(c))))
    assert again.settings == {"radius": [0.7, 1.3]}
    from simulator.serving.runs import open_run
    from simulator.sweep import parse_set
    assert parse_set(["radius=0.7,1.3"]) == {"radius": [0.7, 1.3]}
    run = open_run(LESSON, 1, {"radius": 0.7})
    assert np.array_equal(run.net.W, c.runs[0].net.W)
