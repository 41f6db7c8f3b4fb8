"""Checks of JSON values that name the place of the first bad one (``network.W[2][5]: expected a
finite number; got nan``): what document.schema.json cannot say (sizes agreeing with N, B and T,
finite numbers) and the checks of sections whose rules are the lessons' (lesson_data.py)."""
import math

import numpy as np

from simulator.state.caps import quote


def kind(value):
    """What a JSON value is, in words for a message ("a list", "the number 2", "null")."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), f"the number {quote(value)}" if isinstance(value, (int, float)) else type(value).__name__)


def number(value, path, integer=False):
    """A finite number (an integer with ``integer``); true/false is not a number here."""
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        raise ValueError(f"{path}: expected {'an integer' if integer else 'a number'}; got {kind(value)}")
    if not integer and not _finite(value):
        raise ValueError(f"{path}: expected a finite number; got {quote(value)}")
    return value


def _finite(x):
    """math.isfinite, and False for an integer beyond the float range (JSON allows 400 digits)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def obj(value, where, required, optional=()):
    """An object with every key of ``required`` and perhaps some of ``optional``, and no other."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object; got {kind(value)}")
    for key in required:
        if key not in value:
            raise ValueError(f"{where}: missing key {quote(key)}")
    allowed = tuple(required) + tuple(optional)
    extra = [k for k in value if k not in allowed]
    if extra:
        raise ValueError(f"{where}: unknown key {quote(extra[0])}; expected only {', '.join(allowed)}")
    return value


def choice(value, path, options):
    """One of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{path}: expected one of {', '.join(map(str, options))}; got {kind(value)}"
                         + (f" {quote(value)}" if isinstance(value, str) else ""))
    return value


def sizes(value, path, shape):
    """A nested list of exactly ``shape``, e.g. (N,), (N, N) or (B, T+1, N) (the schema checked
    what its entries are; their number is the net's and the data's)."""
    if len(value) != shape[0]:
        raise ValueError(f"{path}: expected {shape[0]} entries; got {len(value)}")
    if len(shape) > 1:
        for k, v in enumerate(value):
            sizes(v, f"{path}[{k}]", shape[1:])
    return value


def numbers(value, path, shape):
    """Nested lists of numbers (as the schema checked) of exactly ``shape``, every one finite
    (Python's JSON reader accepts NaN and Infinity). numpy reads the sizes and values at once;
    only a refusal walks the lists to name the first bad place."""
    try:
        arr = np.array(value, dtype=float)
    except OverflowError:  # an integer beyond the float range: not finite (inf in the message)
        sizes(value, path, shape)
        arr = np.array([float(x) if _finite(x) else np.inf for x in np.ravel(np.array(value, dtype=object))])
        arr = arr.reshape(shape)
    except ValueError:  # lists of different lengths
        arr = None
    if arr is None or arr.shape != tuple(shape):
        sizes(value, path, shape)
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"{path}{''.join(f'[{k}]' for k in idx)}: expected a finite number; got {quote(arr[idx])}")
    return value
