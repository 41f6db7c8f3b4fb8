"""Generated bad documents for tests/test_fuzz.py: a saved state of every lesson, mutated (broken
at one place, values that do not fit together, bad JSON text), with the places a refusal may name."""
import json

import numpy as np
from hypothesis import strategies as st

from fuzz_inputs import INF, NAN
from simulator import document as D
from simulator.lessons.own_data import MAX_SENTENCES
from simulator.lessons.registry import LESSONS
from simulator.state.session import Session


def _lesson_text(lesson, sentences=None):
    s = Session(lesson=lesson)
    if sentences:
        assert s.use_sentences(sentences), s.message
    s.step(3)  # a history, a velocity and moved weights: every section holds real values
    return D.dumps(D.to_document(s))


DOC_TEXT = {lesson: _lesson_text(lesson) for lesson in LESSONS}
DOC_TEXT["robot-writer-own-sentences"] = _lesson_text("robot-writer", "abc cab\nbad")  # with a lesson_data section
ROOTS = ("document", "format", "version", "lesson", "lesson_data", "units", "network", "data", "training", "view")
# Sentences the sentence box never makes ("?" + text, the junk of other strings, can be one: "?a").
BAD_SENTENCES = ["", "a", "x" * 41, "Hello", " hi", "hi ", "r2d2", "tab\there", "line\nbreak", "caf\u00e9"]
JUNK = {  # what each kind of JSON value is never allowed to become
    float: [NAN, INF, -INF, 10 ** 400, -10 ** 400, "0.5", None, True, False, [], {}, [0.5]],
    int: [1.5, "1", None, True, False, [], {}, NAN, [1]],
    bool: [0, 1, "true", None, [], {}, 0.5, "false"],
    str: [None, 0, 1.5, True, [], {}, ["x"]],
    list: ["x", None, 0, 1.5, True, {}],  # an empty list (no ties)
}


def variable(path):
    """The lists whose length the format leaves free: the history, the ties and each tie group, and
    the robot writer's sentences (1 to 4)."""
    return path in (("training", "history"), ("lesson_data", "robot-writer", "sentences")) \
        or (path[:2] == ("network", "ties") and len(path) <= 3)


def path_text(path):
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(path))


def _at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def deep(n):
    v = []
    for _ in range(n):
        v = [v]
    return v


def _walk(draw, node, path, stop_at_container):
    """Descend one random child at a time to a leaf, or (``stop_at_container``) to some container."""
    while isinstance(node, (dict, list)) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if stop_at_container:  # only into containers, and maybe not even that
            keys = [k for k in keys if isinstance(node[k], (dict, list))]
            if not keys or draw(st.integers(0, 2)) == 0:
                break
        key = draw(st.sampled_from(keys))
        node, path = node[key], path + (key,)
    return path, node


@st.composite
def bad_document(draw):
    """(kind, lesson, bytes, where): a lesson's saved state broken in one way, and the message paths
    that may name the problem (None: any place in the document)."""
    lesson = draw(st.sampled_from(list(DOC_TEXT)))
    text, doc = DOC_TEXT[lesson], json.loads(DOC_TEXT[lesson])
    kind = draw(st.sampled_from(["leaf", "leaf", "leaf", "container", "container", "consistency", "text"]))
    where = None
    if kind == "leaf":
        section = draw(st.sampled_from(list(doc)))
        path, value = _walk(draw, doc[section], (section,), False)
        if path[:2] == ("units", "names"):
            new = draw(st.sampled_from(["", "x" * 41, *[n for n in doc["units"]["names"] if n != value]]))
        elif path[0] == "lesson_data":
            new = draw(st.sampled_from(BAD_SENTENCES + JUNK[str]))
        else:
            junk = [st.sampled_from(JUNK[type(value)])]
            if type(value) is str:  # no name, group, activation, loss or lesson starts with "?"
                junk.append(st.text(max_size=8).map(lambda t: "?" + t))
            new = draw(st.one_of(junk))
        _at(doc, path[:-1])[path[-1]] = new
        where = {path_text(path[:k]) for k in range(1, len(path) + 1)}
    elif kind == "container":
        path, node = _walk(draw, doc, (), True)
        ops = ["replace"] + (["add_key", "drop_key"] if isinstance(node, dict) else [])
        if isinstance(node, list) and node and not variable(path):
            ops += ["append", "pop"]
        op = draw(st.sampled_from(ops))
        if op == "replace":
            new = draw(st.sampled_from(["x", None, 0, 1.5, True, deep(draw(st.integers(1, 400)))]
                                       + ([[]] if isinstance(node, dict) else [{}])))
            if path:
                _at(doc, path[:-1])[path[-1]] = new
            else:
                doc = new
        elif op == "add_key":
            node["zz" + draw(st.text(max_size=6))] = draw(st.sampled_from([0, None, "x", []]))
        elif op == "drop_key":  # not an optional key: the document without it is a valid one
            optional = D.OPTIONAL[""] if not path else [] if path != ("training",) else \
                [k for k in node if k not in D.KEYS["training"]]  # e.g. the gradient norms
            del node[draw(st.sampled_from([k for k in node if k not in optional]))]
        elif op == "append":
            node.append(json.loads(json.dumps(node[-1])))
        else:
            node.pop(draw(st.integers(0, len(node) - 1)))
    elif kind == "consistency":
        doc, where = draw(st.sampled_from(_consistency(doc)))
        where = {where}
    else:
        return kind, lesson, draw(_bad_text(text)), None
    return kind, lesson, json.dumps(doc).encode(), where


def _consistency(doc):
    """Values each fine alone that do not fit together, with the place the refusal names."""
    out, net, tr = [], doc["network"], doc["training"]

    def variant(where, change):
        d = json.loads(json.dumps(doc))
        change(d)
        out.append((d, where))

    C = np.array(net["connections"])
    if (C == 0).any():
        i, j = (int(k) for k in np.argwhere(C == 0)[0])
        variant(f"network.W[{i}][{j}]", lambda d: d["network"]["W"][i].__setitem__(j, 0.25))
    variant("training.history", lambda d: d["training"].__setitem__("updates", len(tr["history"]) - 1))
    variant("training.updates", lambda d: d["training"].__setitem__("updates", -1))
    variant("training.updates", lambda d: d["training"].__setitem__("updates", D.MAX_UPDATES + 1))
    T = len(doc["data"]["X"][0]) - 1  # another T within the setting's bounds, not the data's
    variant("training.steps", lambda d: d["training"].__setitem__("steps", T + 1 if T < Session.param.steps.bounds[1] else T - 1))
    if tr["history"]:
        variant("training.history[0][0]", lambda d: d["training"]["history"][0].__setitem__(0, -1))
        variant("training.history[0][1]", lambda d: d["training"]["history"][0].__setitem__(1, -1.0))
    variant("units.names", lambda d: d["units"]["names"].__setitem__(1, doc["units"]["names"][0]))
    variant("network", lambda d: d["network"].update(bias=False, b=[0.5] * len(net["b"])))
    variant("network", lambda d: d["network"].update(ties=[[["h0", 0], ["h0", 1]]], learn_h0=[False] * len(net["b"])))
    if net["ties"]:  # one tied parameter no longer equal to the others
        kind, *idx = net["ties"][0][0]

        def untied(d):
            values = d["network"][kind] if len(idx) == 1 else d["network"][kind][idx[0]]
            values[idx[-1]] += 9.5
        variant("network", untied)
    if "lesson_data" in doc:  # each sentence fine but one too many; data for a lesson that takes none
        more = (doc["lesson_data"]["robot-writer"]["sentences"] + ["ab"] * MAX_SENTENCES)[:MAX_SENTENCES + 1]
        variant("lesson_data.robot-writer.sentences",
                lambda d: d["lesson_data"]["robot-writer"].__setitem__("sentences", more))
        variant("lesson_data", lambda d: d["lesson_data"].__setitem__("binary-addition", {"sentences": ["ab"]}))
    else:  # a section with no lesson in it
        variant("lesson_data", lambda d: d.__setitem__("lesson_data", {}))
    M = np.array(doc["data"]["M"])
    if net["loss"] == "cross_entropy" and M.any():
        c, t, i = (int(k) for k in np.argwhere(M == 1)[0])
        variant("data", lambda d: d["data"]["Y"][c][t].__setitem__(i, 1.5))
    return out


def _bad_text(text):
    raw = text.encode()
    pos = st.integers(0, len(raw) - 1)
    return st.one_of(
        pos.map(lambda k: raw[:k]),  # truncated: a proper prefix of an object is never JSON
        pos.map(lambda k: raw[:k] + b"\xff" + raw[k:]),  # not UTF-8
        st.just(text.encode("utf-16")), st.just(b"\xef\xbb\xbf" + raw), st.just(raw + b"x"),
        st.integers(1, 100_000).map(lambda n: b"[" * n + raw + b"]" * n),  # nested, maybe beyond recursion
        st.integers(1, 100_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        st.integers(4301, 6000).map(lambda n: raw[:-1] + b',"big":1' + b"0" * n + b"}"),  # Python will not read it
        st.just(raw + b" " * (D.MAX_BYTES + 1 - len(raw))),  # beyond the size limit
        st.binary(max_size=300), st.text(max_size=100).map(str.encode),
    )
