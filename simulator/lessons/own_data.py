"""What a user gives a lesson in place of its own data: which lessons take some (their OwnData,
lesson.py), reading it from typed text, and the lesson rebuilt on it.

The session keeps it per lesson (``Session.lesson_data``, e.g. the robot writer's
``{"sentences": ["abc cab", "bad"]}`` under its short name), so going to another lesson and back
finds it again. A document carries it in its optional "lesson_data" section, checked by
simulator/document/lesson_data.py with the lessons' rules, so a document holds exactly what the
app can make.
"""
from simulator.lessons import registry as L
# The sentence rules lived here before each lesson was a module: tests/fuzz_*.py import them from here.
from simulator.lessons.robot_writer import MAX_SENTENCES, check_sentences  # noqa: F401


def takers():
    """{lesson name: its OwnData} for the lessons that take data of the user's."""
    return {name: lesson.own_data for name, lesson in L.REGISTRY.items() if lesson.own_data}


def from_text(field, text):
    """(lesson name, its data, what to tell the user) for ``text`` typed for the lesson whose own
    data is ``field`` (e.g. "sentences"); ValueError says what is wrong with the text."""
    found = [(name, own) for name, own in takers().items() if own.field == field]
    if len(found) != 1:
        raise ValueError(f"no lesson learns {field} of the user's")
    name, own = found[0]
    data = {field: own.parse(text)}
    return name, data, own.told(data)


def lesson_spec(name, data):
    """Lesson ``name`` as plain data, rebuilt on the user's ``data`` (a Session.lesson_data) if it
    has some for that lesson, else the shared read-only LESSONS entry."""
    own = data.get(name)
    return L.REGISTRY[name].own_data.build(own) if own else L.LESSONS[name]
