"""The document's optional "lesson_data" section: what a user gave lessons in place of their
own data (the robot writer's sentences), checked with the lessons' own rules (their OwnData,
simulator/lessons/own_data.py) so a document holds exactly what the app can make.
"""
from functools import partial

from simulator.document import json_checks as J
from simulator.lessons.own_data import lesson_spec, takers  # noqa: F401 (lesson_spec: part of this API)


def _texts(value, path, own):
    """A document's texts for a lesson's OwnData: 1..own.most strings, each already as the box
    makes it (lower case, trimmed: "Hello" or " hi" is refused rather than quietly changed)."""
    if not isinstance(value, list) or not 1 <= len(value) <= own.most:
        got = f"{len(value)} {own.noun}s" if isinstance(value, list) else J.kind(value)
        raise ValueError(f"{path}: expected a list of 1 to {own.most} {own.noun}s; got {got}")
    for k, s in enumerate(value):
        if not isinstance(s, str):
            raise ValueError(f"{path}[{k}]: expected a {own.noun} (a string); got {J.kind(s)}")
        if s != s.strip():
            raise ValueError(f"{path}[{k}]: expected no space at either end; got {J.quote(s)}")
        try:
            own.rule(s)
        except ValueError as exc:
            raise ValueError(f"{path}[{k}]: {exc}") from None
    return list(value)


#: The lessons that take data of the user's: each key's check.
CHECKS = {name: {own.field: partial(_texts, own=own)} for name, own in takers().items()}


def check(value):
    """A checked copy of a "lesson_data" section: an object of one or more lessons of CHECKS, each
    with all its keys (a lesson left out keeps its own data, so an empty section is refused)."""
    J.obj(value, "lesson_data", (), tuple(CHECKS))
    if not value:
        raise ValueError(f"lesson_data: expected the data of one or more lessons ({', '.join(CHECKS)}); "
                         "leave the section out when no lesson has any")
    out = {}
    for lesson, data in value.items():
        where = f"lesson_data.{lesson}"
        J.obj(data, where, tuple(CHECKS[lesson]))
        out[lesson] = {key: test(data[key], f"{where}.{key}") for key, test in CHECKS[lesson].items()}
    return out
