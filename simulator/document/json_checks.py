"""Checks of JSON values that name the place of the first bad one (``network.W[2][5]: expected a
finite number; got nan``). simulator/document/format.py says which values the format allows; these say
how to check one and what to tell the user when it is wrong."""
import math

import numpy as np


def kind(value):
    """What a JSON value is, in words for a message ("a list", "the number 2", "null")."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), f"the number {value!r}" if isinstance(value, (int, float)) else type(value).__name__)


def number(value, path, integer=False):
    """A finite number (an integer with ``integer``); true/false is not a number here."""
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        raise ValueError(f"{path}: expected {'an integer' if integer else 'a number'}; got {kind(value)}")
    if not integer and not _finite(value):
        raise ValueError(f"{path}: expected a finite number; got {value!r}")
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
            raise ValueError(f"{where}: missing key {key!r}")
    allowed = tuple(required) + tuple(optional)
    extra = [k for k in value if k not in allowed]
    if extra:
        raise ValueError(f"{where}: unknown key {extra[0]!r}; expected only {', '.join(allowed)}")
    return value


def choice(value, path, options):
    """One of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{path}: expected one of {', '.join(map(str, options))}; got {kind(value)}"
                         + (f" {value!r}" if isinstance(value, str) else ""))
    return value


def grid(value, path, shape, leaf):
    """A nested list of exactly ``shape`` whose leaves pass ``leaf(x)``: a (N,)-, (N, N)- or
    (B, T+1, N)-shaped array. Checked element by element, so the message names the first bad one."""
    if not shape:
        return leaf(value, path)
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a list of {shape[0]}; got {kind(value)}")
    if len(value) != shape[0]:
        raise ValueError(f"{path}: expected {shape[0]} entries; got {len(value)}")
    for k, v in enumerate(value):
        grid(v, f"{path}[{k}]", shape[1:], leaf)
    return value


def numbers(value, path, shape, bits=False):
    """A nested list of numbers of exactly ``shape``, finite (or only 0 and 1 with ``bits``).
    Structure and types are walked row by row (JSON true/false and strings are refused, not
    read as numbers); the values are then checked at once with numpy, 10x faster than one by one."""
    _number_rows(value, path, shape)
    try:
        arr = np.array(value, dtype=float)
    except OverflowError:  # an integer beyond the float range: not finite (inf in the message)
        arr = np.array([float(x) if _finite(x) else np.inf for x in np.ravel(np.array(value, dtype=object))])
        arr = arr.reshape(shape)
    bad = ~((arr == 0) | (arr == 1)) if bits else ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"{path}{''.join(f'[{k}]' for k in idx)}: expected "
                         f"{'0 or 1' if bits else 'a finite number'}; got {arr[idx]!r}")
    return value


def _number_rows(value, path, shape):
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a list of {shape[0]}; got {kind(value)}")
    if len(value) != shape[0]:
        raise ValueError(f"{path}: expected {shape[0]} entries; got {len(value)}")
    if len(shape) > 1:
        for k, v in enumerate(value):
            _number_rows(v, f"{path}[{k}]", shape[1:])
    elif not all(type(x) is float or type(x) is int for x in value):  # bool is not int here
        k = next(k for k, x in enumerate(value) if not (type(x) is float or type(x) is int))
        raise ValueError(f"{path}[{k}]: expected a number; got {kind(value[k])}")


def outer_shape(value, path, depth):
    """The sizes along the first list of each level, e.g. (B, T+1, N), to check the rest against."""
    shape, v = [], value
    for _ in range(depth):
        if not isinstance(v, list) or not v:
            raise ValueError(f"{path}: expected a non-empty list nested {depth} deep; got {kind(v)}")
        shape.append(len(v))
        v = v[0]
    return tuple(shape)


def flag(x, path):
    """true or false."""
    if not isinstance(x, bool):
        raise ValueError(f"{path}: expected true or false; got {kind(x)}")
    return x


def pair(value, path, form, *sizes):
    """Two integers [a, b] with 0 <= a < sizes[0] and 0 <= b < sizes[1]; ``form`` says what was expected."""
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"{path}: expected {form}; got {kind(value)}")
    for k, (x, size) in enumerate(zip(value, sizes)):
        number(x, f"{path}[{k}]", integer=True)
        if not 0 <= x < size:
            raise ValueError(f"{path}[{k}]: expected an index in 0..{size - 1}; got {x}")
    return value
