"""The robot writer's own sentences (Session.use_sentences) save and load back: the optional
"lesson_data" section, and every bad one refused with the session unchanged."""
import json

import pytest

import fuzz_inputs as F
from simulator import document as D
from simulator.lessons import robot_writer as RW
from simulator.lessons import registry as L
from simulator.lessons.robot_writer import MAX_SENTENCE, MAX_SENTENCES
from simulator.state.session import Session

SENTENCES = "abc cab\nbad"  # 5 letters: 18 units where "hello world" has 24


def own_sentences(text=SENTENCES, updates=5):
    s = Session(lesson="robot-writer")
    assert s.use_sentences(text), s.message
    s.step(updates)
    return s


def reloaded(s):
    return D.session_from_document(json.loads(D.dumps(D.to_document(s))))


def test_round_trip_after_use_sentences_then_train_and_change_steps():
    """The loaded copy learns the same sentences: the same document, the same 100 further updates
    and read-out ('abc cab' written from 'a'), and a new Steps T regenerates the same data."""
    s = own_sentences()
    doc = D.to_document(s)
    assert doc["lesson_data"] == {"robot-writer": {"sentences": ["abc cab", "bad"]}}
    t = reloaded(s)
    assert D.to_document(t) == doc and t.net.N == 18
    assert t.lesson_data == s.lesson_data and t.task_info == s.task_info
    assert t.lesson_spec["groups"] == s.lesson_spec["groups"]
    s.step(95)
    t.step(95)
    assert D.to_document(t) == D.to_document(s)
    readout = L.readout("robot-writer", t.net, t.lesson_spec, t.task_info, t.sequences, t.gradients)
    assert readout == {"written": "abc cab", "target": "abc cab", "right": True}
    assert RW.write(t.net, t.task_info["alphabet"], "b", 3) == "bad"
    t.steps = 8  # was refused: the lesson's task expected 24 units, the net had 18
    assert (t.steps, t.sequences.T, t.message_kind) == (8, 8, "info"), t.message
    s.steps = 8
    assert D.to_document(t) == D.to_document(s)


def test_load_replaces_the_sentences_of_the_session():
    """Apply into a session with other sentences of the same letters (the same units) takes the
    document's; a document without the section (the format before it) takes "hello world" back."""
    s = own_sentences()
    t = own_sentences("bad cab\nabc", updates=2)
    D.apply_document(t, D.to_document(s))
    assert D.to_document(t) == D.to_document(s) and t.task_info["sentences"] == ["abc cab", "bad"]
    plain = Session(lesson="robot-writer")
    old = D.to_document(plain)
    assert "lesson_data" not in old
    D.apply_document(t, old)
    assert t.lesson_data == {} and t.task_info == plain.task_info and t.net.N == 24
    t.steps = 12
    assert t.steps == 12 and t.message_kind == "info", t.message


def test_sentences_kept_while_another_lesson_is_shown_come_back():
    """The session keeps its sentences when another lesson is chosen; so does the document saved then."""
    s = own_sentences()
    s.lesson = "binary-addition"
    t = reloaded(s)
    assert t.lesson == "binary-addition" and t.lesson_data == s.lesson_data
    s.lesson = t.lesson = "robot-writer"
    assert D.to_document(t) == D.to_document(s) and t.task_info["sentences"] == ["abc cab", "bad"]


BAD = [
    ([], "lesson_data: expected an object; got a list"),
    ({}, "lesson_data: expected the data of one or more lessons (robot-writer)"),
    ({"binary-addition": {"sentences": ["ab"]}}, "lesson_data: unknown key 'binary-addition'; expected only robot-writer"),
    ({"robot-writer": {}}, "lesson_data.robot-writer: missing key 'sentences'"),
    ({"robot-writer": {"sentences": ["ab"], "hidden": 8}}, "lesson_data.robot-writer: unknown key 'hidden'"),
    ({"robot-writer": {"sentences": "ab"}}, "sentences: expected a list of 1 to 4 sentences; got a string"),
    ({"robot-writer": {"sentences": []}}, "sentences: expected a list of 1 to 4 sentences; got 0 sentences"),
    ({"robot-writer": {"sentences": ["ab"] * (MAX_SENTENCES + 1)}}, "got 5 sentences"),
    ({"robot-writer": {"sentences": ["ab", 5]}}, "sentences[1]: expected a sentence (a string); got the number 5"),
    ({"robot-writer": {"sentences": ["Hello"]}}, "sentences[0]: 'H' in 'Hello': use only the letters a-z"),
    ({"robot-writer": {"sentences": ["r2d2"]}}, "'2' in 'r2d2'"),
    ({"robot-writer": {"sentences": ["two\nlines"]}}, "'\\n' in 'two\\nlines'"),
    ({"robot-writer": {"sentences": [" hi"]}}, "sentences[0]: expected no space at either end; got ' hi'"),
    ({"robot-writer": {"sentences": ["a"]}}, "'a' has 1 letters; each sentence needs 2 to 40"),
    ({"robot-writer": {"sentences": ["x" * (MAX_SENTENCE + 1)]}}, "has 41 letters"),
]


@pytest.mark.parametrize("value, message", BAD)
def test_bad_lesson_data_refused_and_session_unchanged(value, message):
    """Each bad section is refused naming its place and the rule; the session keeps its own sentences."""
    s = own_sentences(updates=2)
    doc = {**D.to_document(s), "lesson_data": value}
    before = F.snapshot(s)
    with pytest.raises(ValueError) as info:
        D.apply_document(s, json.loads(json.dumps(doc)))
    assert message in str(info.value) and str(info.value).startswith("lesson_data")
    F.assert_unchanged(before, s)
    assert s.lesson_data == {"robot-writer": {"sentences": ["abc cab", "bad"]}}
