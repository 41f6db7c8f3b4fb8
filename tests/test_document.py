"""The document format: exact round trips, and every bad document refused with the session unchanged."""
import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import document as D
from simulator.lessons import LESSONS
from simulator.session import Session


def state(s):
    """Everything a document carries, as comparable plain values."""
    seq = s.sequences
    return dict(arrays=[np.array(a) for a in (s.net.W, s.net.b, s.net.h0, s.net.C, s.net.learn_h0, seq.X, seq.K,
                                                   seq.Y, seq.M, s.trainer.optimiser.velocity)],
                other=(s.lesson, s.seed, s.steps, s.learning_rate, s.momentum, s.clip, s.activation, s.loss,
                       s.learn_h0, s.updates, list(s.history), list(s.unit_names), list(s.unit_groups),
                       s.net.activation, s.net.loss, s.net.bias, s.net.ties, s.loss_value))


def same(a, b):
    return a["other"] == b["other"] and all(np.array_equal(x, y) for x, y in zip(a["arrays"], b["arrays"]))


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_round_trip_every_lesson_after_training(lesson, tmp_path):
    """Session -> file -> new session gives identical arrays and settings, and the same next updates."""
    s = Session(lesson=lesson)
    s.param.update(learning_rate=0.07, momentum=0.3)
    s.step(7)
    path = tmp_path / "state.json"
    D.save(path, s)
    t = D.load(path)
    assert same(state(s), state(t))
    s.step(3)
    t.step(3)
    assert same(state(s), state(t))


def test_round_trip_keeps_edits():
    """Structural edits (an added unit, a tie, a removed connection, a typed weight) survive a round trip."""
    s = Session()
    s.add_unit("hidden")
    s.tie([("W", 2, 0), ("W", 3, 1)])
    s.toggle_connection(5, 2)
    s.set_parameter(("b", 4), "0.125")
    s.step(2)
    t = D.session_from_document(json.loads(D.dumps(D.to_document(s))))
    assert same(state(s), state(t)) and t.net.N == 7 and t.net.ties == s.net.ties


def test_apply_into_an_existing_session_of_another_lesson():
    """Loading into a session switches its lesson, settings and weights to the document's."""
    src = Session(lesson="tied-weights")
    src.step(4)
    dst = Session()
    D.apply_document(dst, D.to_document(src))
    assert same(state(src), state(dst)) and dst.message_kind == "info"


def test_messages_name_the_place():
    """A refusal names the path in the document and what was expected there."""
    doc = D.to_document(Session())
    bad = copy.deepcopy(doc)
    bad["network"]["W"][2] = bad["network"]["W"][2][:-1]
    with pytest.raises(ValueError, match=r"network\.W\[2\]: expected 6 entries; got 5"):
        D.validate(bad)
    bad = copy.deepcopy(doc)
    bad["version"] = 2
    with pytest.raises(ValueError, match="version: expected 1"):
        D.validate(bad)
    bad = copy.deepcopy(doc)
    bad["data"]["Y"][0][3][5] = float("nan")
    with pytest.raises(ValueError, match=r"data\.Y\[0\]\[3\]\[5\]: expected a finite number"):
        D.validate(bad)
    with pytest.raises(ValueError, match="limit is 5000000 bytes"):
        D.parse(" " * (D.MAX_BYTES + 1))


def test_weight_on_absent_connection_refused():
    """A nonzero weight where connections says 0 is inconsistent, not silently dropped."""
    doc = D.to_document(Session())
    doc["network"]["W"][0][0] = 0.5  # a is an input: nothing connects into it
    with pytest.raises(ValueError, match=r"network\.W\[0\]\[0\]: expected 0"):
        D.session_from_document(doc)


# -- generated bad documents --------------------------------------------------------------------------
_BASE = Session()
_BASE.step(3)
GOOD = D.to_document(_BASE)
GOOD_TEXT = D.dumps(GOOD)
VALID_NAMES = {*LESSONS, "W", "b", "h0", "logistic", "tanh", "linear", "softmax", "squared", "cross_entropy", "lesson"}
ARRAYS = [("network", "W"), ("network", "b"), ("network", "h0"), ("network", "connections"), ("network", "activation"),
          ("network", "learn_h0"), ("units", "names"), ("units", "groups"), ("data", "X"), ("data", "K"),
          ("data", "Y"), ("data", "M"), ("training", "velocity")]


def paths(node, prefix=()):
    """Every path (tuple of keys/indices) into a document, leaves and containers alike."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield from paths(v, prefix + (k,))


def _sample_path(draw, node, prefix=()):
    """A random path, descending one random child at a time (every depth is reachable)."""
    while True:
        kids = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        if not kids or (prefix and draw(st.booleans())):
            return prefix, node
        k, node = draw(st.sampled_from(kids))
        prefix = prefix + (k,)


def _set(doc, path, value):
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _delete(doc, path):
    node = doc
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]


@st.composite
def bad_documents(draw):
    """JSON text that must be refused: a good document with one sure-to-break mutation."""
    kind = draw(st.sampled_from(["drop_key", "null", "wrong_type", "shape", "nan", "huge", "truncate", "garbage",
                                 "version", "unknown_name"]))
    doc = copy.deepcopy(GOOD)
    if kind == "truncate":
        return GOOD_TEXT[:draw(st.integers(0, len(GOOD_TEXT) - 1))]
    if kind == "garbage":
        return draw(st.one_of(st.text(max_size=50), st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
                              st.sampled_from(["[]", "null", "1", '"bptt-sim"', "{", "{}", '{"format":"bptt-sim"}'])))
    if kind == "drop_key":  # every key is required
        dict_paths = [p for p in paths(doc) if p and isinstance(p[-1], str)]
        _delete(doc, draw(st.sampled_from(dict_paths)))
    elif kind == "null":  # no value in the format is ever null
        path, _ = _sample_path(draw, doc)
        _set(doc, path, None)
    elif kind == "wrong_type":  # an object or a nested list where the format never has one
        path, node = _sample_path(draw, doc)
        _set(doc, path, {"x": 1} if not isinstance(node, dict) else [[1]])
    elif kind == "shape":
        section, key = draw(st.sampled_from(ARRAYS))
        node, depth = doc[section][key], 0
        while isinstance(node, list) and node and isinstance(node[0], list) and draw(st.booleans()):
            node, depth = node[draw(st.integers(0, len(node) - 1))], depth + 1
        if draw(st.booleans()):
            node.pop(draw(st.integers(0, len(node) - 1)))
        else:
            node.append(copy.deepcopy(node[-1]))
    elif kind == "nan":
        section, key = draw(st.sampled_from([a for a in ARRAYS if a[1] in ("W", "b", "h0", "X", "Y", "velocity")]))
        leaves = [p for p in paths(doc[section][key]) if p and not isinstance(_get(doc[section][key], p), list)]
        _set(doc[section][key], draw(st.sampled_from(leaves)), draw(st.sampled_from([float("nan"), float("inf"), -1e999])))
        return json.dumps(doc)  # json writes NaN / Infinity, which Python's json reads back
    elif kind == "huge":
        what = draw(st.sampled_from(["steps", "seed", "updates_negative", "text", "cases"]))
        if what == "steps":
            doc["training"]["steps"] = draw(st.integers(61, 10 ** 12))
        elif what == "seed":
            doc["training"]["seed"] = draw(st.integers(2 ** 31, 2 ** 80))
        elif what == "updates_negative":
            doc["training"]["updates"] = draw(st.integers(-10 ** 9, -1))
        elif what == "text":
            return GOOD_TEXT[:-1] + ',"pad":"' + "x" * D.MAX_BYTES + '"}'
        else:
            for key in "XKYM":  # 4160 cases * 11 steps * 6 units > MAX_CELLS, under MAX_BYTES
                doc["data"][key] = doc["data"][key] * 130
    elif kind == "version":
        doc["version"] = draw(st.sampled_from([0, 2, "1", 1.5, True, None]))
    else:
        where = draw(st.sampled_from(["lesson", "activation", "loss", "group", "ref", "setting"]))
        name = draw(st.text(min_size=1, max_size=8).filter(lambda t: t not in VALID_NAMES))
        if where == "lesson":
            doc["lesson"] = name
        elif where == "activation":
            doc["network"]["activation"][2] = name
        elif where == "loss":
            doc["network"]["loss"] = name
        elif where == "group":
            doc["units"]["groups"][0] = name + "?"
        elif where == "ref":
            doc["network"]["ties"] = [[["W", 2, 0], [name, 3]]]
        else:
            doc["training"]["activation"] = name + "?"
    return json.dumps(doc)


def _get(node, path):
    for k in path:
        node = node[k]
    return node


def test_generator_mutates_a_valid_document():
    """The unmutated document is accepted (otherwise every refusal below would prove nothing)."""
    assert D.parse(GOOD_TEXT) == GOOD


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=bad_documents())
def test_bad_documents_refused_and_session_unchanged(text):
    """Every generated bad document raises ValueError with a message; the session keeps its state."""
    s = Session(lesson="tied-weights")  # another lesson: a half-applied load would show
    before = state(s)
    with pytest.raises(ValueError) as info:
        D.apply_document(s, D.parse(text))
    assert str(info.value) and "\n" not in str(info.value)
    assert same(before, state(s))
