"""The caps that protect a shared server, in one place: what a document, a link, an edit or the
command line may ask for, and how a message quotes a bad value.

One process serves a whole class on one event loop, so a single upload or link must not be able
to make everyone else wait (issue 21: a 300-unit document took a Step from 20 ms to 27 s for
every student). The engine's own limits (engine/config.py) only stop what would exhaust memory;
these are tighter and hold at every door the same way: document load (simulator/document/format.py),
links (simulator/views/link.py), edits (simulator/state/edits.py), the command line (simulator/cli.py).
docs/serving.md, "Limits", lists them with what each costs.

It lives in state/, the lowest layer that every door imports (state, document, views, cli).
"""
import math

import numpy as np

#: Units N of a network: the editor stops here and a document or link may not ask for more. 72 is
#: the biggest net the app builds itself (the robot writer on sentences using all 32 letters:
#: 32 in, 8 hidden, 32 out), so every state it makes saves and loads again.
MAX_UNITS = 72
#: Time steps T (the Session's Steps T bound and the largest T a document may carry).
MAX_STEPS = 60
#: Training cases B of a document (the lessons use at most 32).
MAX_CASES = 1000
#: Cells B * (T+1) * N of the training data: the work of one update is about this times N.
MAX_CELLS = 250_000
#: Parameters N^2 + 2N of the largest net; tie groups may name at most this many references.
MAX_PARAMETERS = MAX_UNITS * MAX_UNITS + 2 * MAX_UNITS
#: Bytes of a document's JSON text (a 32-case batch of binary addition is ~30 kB).
MAX_BYTES = 5_000_000
#: Updates: 2**53 - 1, the largest integer every JSON reader (JavaScript's float64) reads exactly.
#: Training stops there, so what the app writes it can read back.
MAX_UPDATES = 2 ** 53 - 1
#: Entries of the loss history written into a document (evenly thinned beyond: ~0.6 MB).
MAX_HISTORY = 20_000
#: Characters of a link's query (after the '?'): the weights w (<= 4000) and the settings fit.
MAX_LINK_CHARS = 6000
#: Runs of one comparison (Compare mode, simulator/state/compare.py): each trains on every frame, so
#: a compare of k runs is k sessions' work on a class server. ``bptt-sim serve --max-compare K``
#: lowers it for a class (never raises it).
MAX_COMPARE_RUNS = 4
#: Characters of a bad value quoted in a message.
QUOTE_CHARS = 80


def quote(value, limit=QUOTE_CHARS):
    """A bad value as a message shows it: repr of plain Python values (numpy scalars as the
    Python number, so ``nan`` and not ``np.float64(nan)``), at most ``limit`` characters of it."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bytes, bytearray)) and len(value) > limit:
        value = bytes(value[:limit])  # never repr megabytes only to cut them
    elif isinstance(value, str) and len(value) > 4 * limit:
        value = value[:4 * limit]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        # repr would fail beyond 4,300 digits (and megabytes of digits say nothing)
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a message must not fail on an odd object
        text = f"<{type(value).__name__}>"
    if isinstance(value, int) and len(text) > limit:  # a 5,000-digit number: say how long it is
        return f"{text[:limit // 2]}... ({len(text)} digits)"
    if isinstance(value, float) and not math.isfinite(value):
        return text  # 'nan', 'inf'
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def size_text(n):
    """A byte count for a message: '4.4 MB', '12 kB', '300 bytes'."""
    return f"{n / 1e6:.3g} MB" if n >= 1e6 else f"{n / 1e3:.3g} kB" if n >= 1e3 else f"{n} bytes"


def check_bytes(size, what="document"):
    """Refuse a document of ``size`` bytes beyond MAX_BYTES (before it is read or parsed)."""
    if size > MAX_BYTES:
        raise ValueError(f"{what} is {size} bytes ({size_text(size)}); the limit is {MAX_BYTES} bytes "
                         f"({size_text(MAX_BYTES)})")
    if size == 0:
        raise ValueError(f"{what} is empty (0 bytes); expected a document saved by bptt-sim")


def check_units(N, where="units"):
    """Refuse a network of more than MAX_UNITS units."""
    if N > MAX_UNITS:
        raise ValueError(f"{where}: at most {MAX_UNITS} units (the pictures draw every unit and "
                         f"connection, and one class server serves every student); got {N}")


def check_shape(B, T, N, where="data"):
    """Refuse training data of B cases, T steps and N units beyond the caps."""
    if not 1 <= T <= MAX_STEPS or B > MAX_CASES or B * (T + 1) * N > MAX_CELLS:
        raise ValueError(f"{where}: shape (B={B}, T+1={T + 1}, N={N}) is beyond the limits "
                         f"(1 <= T <= {MAX_STEPS}, B <= {MAX_CASES}, B*(T+1)*N <= {MAX_CELLS})")


def check_tie_refs(count, where="network.ties"):
    """Refuse tie groups naming more references than the largest net has parameters."""
    if count > MAX_PARAMETERS:
        raise ValueError(f"{where}: at most {MAX_PARAMETERS} tied references in all; got {count}")


def check_link(query_text):
    """Refuse a link whose query is longer than MAX_LINK_CHARS characters."""
    if len(query_text) > MAX_LINK_CHARS:
        raise ValueError(f"the link is {len(query_text)} characters long; the limit is {MAX_LINK_CHARS} "
                         "(a link made by this app is shorter; copy it again or share the state as a file)")


UPDATES_FULL = (f"Training stops at update {MAX_UPDATES}, the largest count a document can hold; "
                "press Reset to start again.")


def updates_left(updates):
    """How many more weight updates training may make before the update count reaches MAX_UPDATES."""
    return max(0, MAX_UPDATES - int(updates))


def thin_history(history):
    """At most MAX_HISTORY of the [update, loss] entries, evenly spread and always with the
    last: the loss curve of a long run in a document that stays within MAX_BYTES."""
    n = len(history)
    if n <= MAX_HISTORY:
        return history
    keep = np.unique(np.linspace(0, n - 1, MAX_HISTORY).round().astype(int))
    return [history[k] for k in keep]
