"""The document's shape: document.schema.json (JSON Schema 2020-12, shipped with the package),
checked with the jsonschema library. A refusal names the place and what the schema's description
says is expected there, as the format's other checks do:
``units.groups[8]: expected a group name such as 'hidden' (...); got 'x?'``.

Two choices of this validator, both kept by the schema's own wording: an integer is written
without a fraction (1, not 1.0), and true/false is never a number. Long lists of numbers are
scanned in one loop rather than with one validator call per entry (on a 3.9 MB document, 0.1 s
rather than 12 s; benchmarks/bench_document.py); the first bad entry is then checked by
jsonschema itself, so its refusal is jsonschema's.
"""
import functools
import importlib.resources
import json

import jsonschema
from jsonschema import exceptions, validators

from simulator.document.json_checks import kind
from simulator.state.caps import quote

_BASE = jsonschema.Draft202012Validator


def _is_number(x):
    return type(x) is float or type(x) is int  # not bool, which Python counts as an int


def _is_bit(x):
    return (type(x) is float or type(x) is int) and (x == 0 or x == 1)


_NUMBER_TYPES = frozenset((int, float))


def _numbers(x):  # the same test as _all(_is_number), with the loops in C: 10x faster
    return type(x) is list and set(map(type, x)) <= _NUMBER_TYPES


def _bits(x):
    return _numbers(x) and set(x) <= {0, 1}


def _all(test, nonempty=False):
    return lambda x: type(x) is list and (len(x) > 0 or not nonempty) and all(map(test, x))


#: The schema's lists of numbers (its $defs), and a test equal to each (tests/document/test_schema.py):
#: long lists of them are scanned in one loop, not one validator call per entry.
_FAST = {"#/$defs/number": _is_number, "#/$defs/bit": _is_bit,
         "#/$defs/numbers": _numbers, "#/$defs/bits": _bits,
         "#/$defs/numbers2+": _all(_numbers, True), "#/$defs/bits2+": _all(_bits, True)}


def _items(validator, items, instance, schema):
    test = _FAST.get(items.get("$ref")) if isinstance(items, dict) and len(items) == 1 else None
    if test is None or type(instance) is not list or "prefixItems" in schema:
        yield from _BASE.VALIDATORS["items"](validator, items, instance, schema)
        return
    # Only the first bad entry: a list of 250,000 strings costs one error, not 250,000.
    bad = next((k for k, x in enumerate(instance) if not test(x)), None)
    if bad is not None:
        yield from validator.descend(instance[bad], items, path=bad)


#: The schema's rules alone (what any JSON Schema validator does, with strict integers and
#: numbers), and the same with the fast scan of long lists.
_Plain = validators.extend(_BASE, type_checker=_BASE.TYPE_CHECKER.redefine_many({
    "integer": lambda _, x: type(x) is int, "number": lambda _, x: _is_number(x)}))
_Fast = validators.extend(_Plain, {"items": _items})


@functools.cache
def schema():
    """The schema as a dict (read once; never changed)."""
    text = (importlib.resources.files("simulator.document") / "document.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def validator(part=None, fast=True):
    """A jsonschema validator of the document (or of its section ``part``, e.g. "view");
    ``fast=False``: without the fast scan of long lists (to show that it changes nothing)."""
    root = (_Fast if fast else _Plain)(schema())
    return root if part is None else root.evolve(schema=schema()["properties"][part])


def check(value, part=None, fast=True):
    """``value`` if it has the shape of a document (or of its section ``part``), else a ValueError
    naming the first place that does not: the highest in the document, and among those the first
    met (in a list of numbers, the first bad one)."""
    try:
        error = exceptions.best_match(validator(part, fast).iter_errors(value), key=lambda e: -len(e.path))
    except RecursionError:
        raise ValueError(f"{part or 'document'}: nested too deeply") from None
    if error is not None:
        raise ValueError(message(error, () if part is None else (part,)))
    return value


def place(path):
    """``network.W[2][5]`` for the path ("network", "W", 2, 5); "document" for the whole."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}" if out else p
    return out or "document"


_TYPES = {"object": "an object", "array": "a list", "string": "a string", "number": "a number",
          "integer": "an integer", "boolean": "true or false", "null": "null"}


def _short(value):
    return quote(value)  # the one rule for echoing input (simulator/state/caps.py)


def message(error, prefix=()):
    """The refusal for a jsonschema error: ``<place>: expected <description>; got <value>``."""
    where, x, s = place([*prefix, *error.absolute_path]), error.instance, error.schema
    keyword, value = error.validator, error.validator_value
    if keyword == "required":
        return f"{where}: missing key {next(k for k in value if k not in x)!r}"
    if keyword == "additionalProperties":
        allowed = list(s.get("properties", ()))
        extra = next(k for k in x if k not in allowed)
        return f"{where}: unknown key {_short(extra)}; expected only {', '.join(allowed)}"
    what = s.get("description") or (
        _short(value) if keyword == "const" else
        "one of " + ", ".join(map(str, value)) if keyword == "enum" else
        " or ".join(_TYPES[t] for t in ([value] if isinstance(value, str) else value)) if keyword == "type" else
        f"a value allowed by {keyword} {value!r}")
    if keyword == "uniqueItems":
        dup = next(v for k, v in enumerate(x) if v in x[:k])
        return f"{where}: expected {what}; {_short(dup)} appears twice"
    if keyword in ("minItems", "maxItems"):
        got = f"{len(x)} entr{'y' if len(x) == 1 else 'ies'}"
    elif keyword in ("minimum", "maximum", "minLength", "maxLength", "pattern"):
        got = _short(x)
    else:
        got = kind(x) + (f" {_short(x)}" if isinstance(x, str) else "")
    return f"{where}: expected {what}; got {got}"
