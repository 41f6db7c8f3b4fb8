"""A net of the user's own data in the page's link (issue 15; docs/data.md "Your data in a link").

A lesson's link names the lesson and its data are made again from lesson, seed and T; a net made
from a CSV file or blank has no lesson to make them from, so its link carries them: the link
parameter ``own`` is its document (format.py) without what the other parameters carry or a link
starts afresh (weights: ``w``; update count and loss curve: ``n``, ``curve``; optimiser state and
the velocity: zero, as for a lesson's link), as compact JSON, zlib-compressed, base64url.

Opening it is opening a document: format.parse checks it exactly as a loaded file, so a bad or
oversize ``own`` is refused with the reason and nothing of it is used. Pure functions: no panel.
"""
import base64
import binascii
import json
import zlib

import numpy as np

from simulator.document import format as F
from simulator.state import caps
from simulator.state.training import TRAINING_SETTINGS

#: Cells (B x (T+1) x N, each of X, K, Y, M, train and test) beyond which no encoding is tried: well
#: past what compresses into a link, so a big data set costs no time on every write of the URL.
MOST_CELLS = 200_000
#: The document in ``own`` decompresses to at most this many bytes (a document's cap).
MAX_INFLATED = caps.MAX_BYTES


def is_own(session):
    """True for a net of the user's own data (made from a CSV file or blank)."""
    return session.cases is not None


def cells(session):
    """How many data cells the document's data and test cases hold."""
    seq, test = session.sequences, (session.cases or {}).get("test")
    return 4 * sum(d.X.size for d in (seq, test) if d is not None)


def key_of(session):
    """What the encoding depends on (the weights and counts go in other link parameters): the same
    key, the same text. The arrays are compared by identity: every edit makes new ones."""
    net = session.net
    settings = tuple(getattr(session, k) for k in (*F.SETTINGS, *TRAINING_SETTINGS))
    return (session.sequences, session.cases, net.C.tobytes(), tuple(net.activation), net.loss, net.bias,
            net.learn_h0.tobytes(), net.ties, tuple(session.unit_names), tuple(session.unit_groups), settings,
            tuple(map(tuple, session.frozen)))


def link_document(session):
    """The session's document as ``own`` carries it: weights, counts, history, velocity and optimiser
    state left at zero (the link's ``w``, ``n`` and ``curve`` set them), no lesson_data (a lesson's)."""
    doc = F.to_document(session)
    net, tr = doc["network"], doc["training"]
    N = len(net["b"])
    net.update(W=[[0] * N for _ in range(N)], b=[0] * N, h0=[0] * N)
    tr.update(updates=0, history=[], velocity=[0] * (N * N + 2 * N))
    for key in ("optimizer_state", "grad_norms", "divergences"):  # a link carries no gradient-norm history
        tr.pop(key, None)
    doc.pop("lesson_data", None)
    _whole_numbers(doc["data"])
    if "test" in doc.get("cases", {}):
        _whole_numbers(doc["cases"]["test"])
    return doc


def _whole_numbers(data):
    """X and Y written 1 rather than 1.0 where whole (the JSON reads back the same numbers, shorter)."""
    for key in ("X", "Y"):
        a = np.asarray(data[key], dtype=float)
        if np.all(a == np.round(a)) and np.all(np.abs(a) < 2 ** 53):
            data[key] = a.astype(np.int64).tolist()


def encode(session):
    """The ``own`` text of the session (base64url, no padding), or "" if it is not own data or its
    data hold more than MOST_CELLS cells (then too big for any link)."""
    if not is_own(session) or cells(session) > MOST_CELLS:
        return ""
    text = json.dumps(link_document(session), allow_nan=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(text, 9)).decode().rstrip("=")


def decode(text):
    """The checked document in an ``own`` text; ValueError names what is wrong (``own: ...``)."""
    if not isinstance(text, str) or len(text) > caps.MAX_LINK_CHARS:
        raise ValueError(f"own: expected at most {caps.MAX_LINK_CHARS} characters of base64url")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), MAX_INFLATED + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError("own: not data made by this app (base64url of a zlib-compressed document)") from None
    if len(raw) > MAX_INFLATED or inflater.unconsumed_tail:
        raise ValueError(f"own: the document inside is larger than {caps.size_text(MAX_INFLATED)}")
    try:
        doc = F.parse(raw)
    except ValueError as exc:
        raise ValueError(f"own: {exc}") from None
    if "cases" not in doc:
        raise ValueError("own: expected a net of your own data (a document with a \"cases\" section)")
    return doc
