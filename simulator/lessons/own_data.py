"""What a user gives a lesson in place of its own data, and the rules it must keep.

One lesson takes any today: the robot writer learns the sentences typed into its read-out
(Session.use_sentences) instead of "hello world". The session keeps them per lesson
(``Session.lesson_data``, e.g. ``{"robot-writer": {"sentences": ["abc cab", "bad"]}}``), so going
to another lesson and back finds them again. A document carries them in its optional
"lesson_data" section, checked by simulator/document/lesson_data.py with the rules here, so a
document holds exactly what the sentence box can make.
"""
from simulator.lessons import registry as L

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


#: The lessons that take data of the user's, and the lesson built from the data.
BUILD = {"robot-writer": lambda data: L.robot_writer_lesson(data["sentences"])}


def lesson_spec(name, data):
    """Lesson ``name`` as plain data, rebuilt on the user's ``data`` (a Session.lesson_data) if it
    has some for that lesson, else the shared read-only LESSONS entry."""
    own = data.get(name)
    return BUILD[name](own) if own else L.LESSONS[name]
