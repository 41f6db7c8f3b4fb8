"""document.schema.json: a valid JSON Schema shipped with the package, agreeing with the app's own
bounds, its fast scan of long lists equal to the plain rules, and its refusals worded like the
rest of the format's (place: expected ...; got ...)."""
import copy
import importlib.resources
import json
import re

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import config
from simulator import document as D
from simulator.document import schema as S
from simulator.state import edits as E
from simulator.state.selection import DETAIL_TABS, HIDEABLE, THEMES
from simulator.state.session import Session

SHAPE = S.schema()
TRAINING = SHAPE["properties"]["training"]["properties"]
VIEW = SHAPE["properties"]["view"]["properties"]


def test_the_schema_is_a_json_schema_shipped_with_the_package():
    """A valid draft 2020-12 schema, read from the package's own files (what a wheel ships)."""
    jsonschema.Draft202012Validator.check_schema(SHAPE)
    text = (importlib.resources.files("simulator.document") / "document.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == SHAPE and SHAPE["$schema"].endswith("/draft/2020-12/schema")


def test_a_saved_document_is_valid_for_any_json_schema_validator():
    """Every document the app writes passes the plain schema (no fast scan, no code checks)."""
    s = Session(lesson="tied-weights")
    s.step(2)
    doc = D.to_document(s, view={"time": 2, "hidden": ["settings"]})
    assert S.validator(fast=False).is_valid(doc) and jsonschema.Draft202012Validator(SHAPE).is_valid(doc)


@pytest.mark.parametrize("name", ["seed", "steps", "learning_rate", "momentum", "clip", "activation", "loss"])
def test_settings_agree_with_the_session(name):
    """The schema's bounds and choices are the Session parameters' own."""
    p, rule = Session.param[name], TRAINING[name]
    if name in ("activation", "loss"):
        assert rule["enum"] == list(p.objects)
    else:
        assert (rule["minimum"], rule["maximum"]) == tuple(p.bounds)
        assert rule["type"] == ("integer" if name in ("seed", "steps") else "number")
        assert f"[{rule['minimum']}, {rule['maximum']}]" in rule["description"]


def test_limits_and_names_agree_with_the_code():
    """Units, names, activations, losses, the update cap and the view's choices are the code's."""
    units, net = SHAPE["properties"]["units"]["properties"], SHAPE["properties"]["network"]["properties"]
    assert units["names"]["maxItems"] == config.MAX_UNITS and units["names"]["items"]["maxLength"] == E.MAX_NAME
    assert units["groups"]["items"]["maxLength"] == E.MAX_NAME
    assert net["activation"]["items"]["enum"] == list(config.ACTIVATIONS) and net["loss"]["enum"] == list(config.LOSSES)
    assert TRAINING["updates"]["maximum"] == D.MAX_UPDATES
    assert VIEW["tab"]["enum"] == list(DETAIL_TABS) and VIEW["hidden"]["items"]["enum"] == list(HIDEABLE)
    assert VIEW["theme"]["enum"] == list(THEMES)
    assert set(VIEW) == set(D.VIEW_DEFAULTS) and D.SETTINGS == D.KEYS["training"][:len(D.SETTINGS)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), st.sampled_from(["hidden", "a", "a b", "a ", "9a", "hidden\n", "x_-9", "é"])))
def test_the_group_pattern_is_the_editor_s(name):
    """A group name passes the schema exactly when the structure editor accepts it."""
    pattern = SHAPE["properties"]["units"]["properties"]["groups"]["items"]["pattern"]
    assert bool(re.search(pattern, name)) == bool(E.GROUP_NAME.fullmatch(name))


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 0.5, float("nan")]),
                              st.text(max_size=2)),
                    lambda inner: st.lists(inner, max_size=4), max_leaves=20)


@pytest.mark.parametrize("ref", sorted(S._FAST))
@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_the_fast_scan_is_the_schema_s_rule(ref, value):
    """Each fast test of a list entry agrees with the schema rule it stands for, on any JSON value."""
    rule = S.validator(fast=False).evolve(schema={"$ref": ref, **{k: SHAPE[k] for k in ("$id", "$defs")}})
    assert S._FAST[ref](value) == rule.is_valid(value)


GOOD = D.to_document(Session(), view={"time": 3, "weight": [2, 0]})


def _broken(path, value):
    doc = copy.deepcopy(GOOD)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


REFUSALS = [  # (path, new value) -> the whole refusal
    (("network",), KeyError, "document: missing key 'network'"),
    (("pad",), 1, "document: unknown key 'pad'; expected only format, version, lesson, units, network, data, "
                  "training, lesson_data, cases, compare, view"),
    (("format",), "x", "format: expected 'bptt-sim'; got a string 'x'"),
    (("version",), True, "version: expected 1 (this program reads version 1 only); got true/false"),
    (("units", "names", 1), "x" * 41, f"units.names[1]: expected a name of 1 to 40 characters; got {'x' * 41!r}"),
    (("units", "names", 1), "a", "units.names: expected a list of 1 to 1024 unique unit names; 'a' appears twice"),
    (("units", "groups", 2), "x?", "units.groups[2]: expected a group name such as 'hidden' (a letter, then letters, "
                                   "digits, spaces, - or _, at most 40 characters); got 'x?'"),
    (("network", "activation", 2), "relu", "network.activation[2]: expected one of logistic, tanh, linear, softmax; "
                                           "got a string 'relu'"),
    (("network", "connections", 1, 2), True, "network.connections[1][2]: expected 0 or 1; got true/false"),
    (("network", "W", 1, 2), "0.5", "network.W[1][2]: expected a number; got a string '0.5'"),
    (("network", "ties"), [[["W", 2]]], "network.ties[0]: expected a list of two or more references; got 1 entry"),
    (("network", "ties"), [[["W", 2], ["b", 1]]], "network.ties[0][0]: expected [\"W\", i, j]; got 2 entries"),
    (("network", "ties"), [[["b", 1], ["x", 1]]], "network.ties[0][1][0]: expected one of W, b, h0; got a string 'x'"),
    (("data", "X"), [], "data.X: expected a non-empty list (cases) of lists (steps) of lists of numbers; got 0 entries"),
    (("data", "K", 0, 1, 2), 0.5, "data.K[0][1][2]: expected 0 or 1; got the number 0.5"),
    (("data", "Y", 1, 2), None, "data.Y[1][2]: expected a list of numbers; got null"),
    (("training", "seed"), 3.0, "training.seed: expected an integer in [0, 2147483647]; got the number 3.0"),
    (("training", "momentum"), -0.1, "training.momentum: expected a number in [0.0, 0.99]; got -0.1"),
    (("training", "updates"), -1, f"training.updates: expected a count in 0..{D.MAX_UPDATES}; got -1"),
    (("training", "history"), [[1]], "training.history[0]: expected [update, loss]; got 1 entry"),
    (("view", "tab"), 3, "view.tab: expected one of " + ", ".join(DETAIL_TABS) + "; got the number 3"),
    (("view", "hidden"), ["settings", "settings"],
     "view.hidden: expected a list of names of controls, each once; 'settings' appears twice"),
    (("view", "time"), 1.5, "view.time: expected a time step (an integer, 0..T); got the number 1.5"),
]
CODE_REFUSALS = [  # what a schema cannot say: the code's, with the net's and the data's sizes
    (("view", "time"), -1, "view.time: expected a time step in 0..10; got -1"),
    (("data", "Y", 0, 3, 5), float("nan"), "data.Y[0][3][5]: expected a finite number; got nan"),
    (("training", "learning_rate"), float("nan"), "training.learning_rate: expected a finite number; got nan"),
]


@pytest.mark.parametrize("path, value, text", REFUSALS + CODE_REFUSALS,
                         ids=[" ".join(map(str, r[0])) for r in REFUSALS + CODE_REFUSALS])
def test_refusals_name_the_place_and_what_is_expected(path, value, text):
    """Each refusal, whole: the place, what the schema's description says is expected (or the
    code, where the schema cannot say it), and what is there."""
    doc = json.loads(json.dumps(_broken(path, value)))
    with pytest.raises(ValueError) as info:
        D.validate(doc)
    assert str(info.value) == text


@pytest.mark.parametrize("path, value, text", REFUSALS, ids=[" ".join(map(str, r[0])) for r in REFUSALS])
def test_the_plain_schema_refuses_the_same(path, value, text):
    """Without the fast scan, and checked by jsonschema alone, the refusal is the same."""
    doc = json.loads(json.dumps(_broken(path, value)))
    part = "view" if path[0] == "view" else None
    errors = S.validator(part, fast=False).iter_errors(doc["view"] if part else doc)
    best = jsonschema.exceptions.best_match(errors, key=lambda e: -len(e.path))
    assert S.message(best, (part,) if part else ()) == text


def test_the_first_bad_number_is_named():
    """In a long list with several bad entries, the first one is named (the scan stops there)."""
    doc = _broken(("data", "X", 2, 1, 0), "a")
    doc["data"]["X"][2][4][1] = "b"
    with pytest.raises(ValueError, match=r"^data\.X\[2\]\[1\]\[0\]: expected a number; got a string 'a'$"):
        D.validate(doc)
