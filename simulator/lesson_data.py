"""What a user gives a lesson in place of its own data, and the rules it must keep.

One lesson takes any today: the robot writer learns the sentences typed into its read-out
(Session.use_sentences) instead of "hello world". The session keeps them per lesson
(``Session.lesson_data``, e.g. ``{"robot-writer": {"sentences": ["abc cab", "bad"]}}``), so going
to another lesson and back finds them again, and a document carries them in its optional
"lesson_data" section (docs/document-format.md). The sentence box and documents are checked by
the same rules here, so a document holds exactly what the box can make.
"""
from . import json_checks as J
from . import lessons as L

SENTENCE_LETTERS = "abcdefghijklmnopqrstuvwxyz .,!?'"  # one input and one output unit per letter used
MAX_SENTENCE, MAX_SENTENCES = 40, 4  # T = longest - 1 stays well inside the steps bound (60)


def check_sentence(s):
    """One sentence as check_sentences leaves it: allowed letters only, 2..MAX_SENTENCE of them."""
    bad = sorted(set(s) - set(SENTENCE_LETTERS))
    if bad:
        raise ValueError(f"{''.join(bad)!r} in {s!r}: use only the letters a-z, space and . , ! ? '")
    if not 2 <= len(s) <= MAX_SENTENCE:
        raise ValueError(f"{s!r} has {len(s)} letters; each sentence needs 2 to {MAX_SENTENCE}")
    return s


def check_sentences(text):
    """The non-empty lines of ``text``, lower-cased and trimmed; ValueError says what is wrong."""
    sentences = [line.strip().lower() for line in str(text).splitlines() if line.strip()]
    if not sentences:
        raise ValueError("type at least one sentence")
    if len(sentences) > MAX_SENTENCES:
        raise ValueError(f"at most {MAX_SENTENCES} sentences (one per line); got {len(sentences)}")
    return [check_sentence(s) for s in sentences]


def _sentences(value, path):
    """A document's sentences: 1..MAX_SENTENCES strings, each already as the sentence box makes
    it (lower case, trimmed: "Hello" or " hi" is refused rather than quietly changed)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SENTENCES:
        got = f"{len(value)} sentences" if isinstance(value, list) else J.kind(value)
        raise ValueError(f"{path}: expected a list of 1 to {MAX_SENTENCES} sentences; got {got}")
    for k, s in enumerate(value):
        if not isinstance(s, str):
            raise ValueError(f"{path}[{k}]: expected a sentence (a string); got {J.kind(s)}")
        if s != s.strip():
            raise ValueError(f"{path}[{k}]: expected no space at either end; got {s!r}")
        try:
            check_sentence(s)
        except ValueError as exc:
            raise ValueError(f"{path}[{k}]: {exc}") from None
    return list(value)


#: The lessons that take data of the user's: each key's check, and the lesson built from the data.
CHECKS = {"robot-writer": {"sentences": _sentences}}
BUILD = {"robot-writer": lambda data: L.robot_writer_lesson(data["sentences"])}


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


def lesson_spec(name, data):
    """Lesson ``name`` as plain data, rebuilt on the user's ``data`` (a Session.lesson_data) if it
    has some for that lesson, else the shared read-only LESSONS entry."""
    own = data.get(name)
    return BUILD[name](own) if own else L.LESSONS[name]
