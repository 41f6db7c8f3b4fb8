"""A lesson is one module: simulator/lessons/<short_name>.py declares it, registry.py lists it,
and no other layer names a lesson (issue 12: adding a lesson is one module and one line)."""
import ast
import pkgutil
import re
from importlib import import_module
from pathlib import Path

import pytest

import simulator
from simulator.lessons import registry as L
from simulator.lessons.lesson import Lesson

ROOT = Path(simulator.__file__).parent
LESSONS_DIR = ROOT / "lessons"


def _docstrings(tree):
    """The ids of the docstring constants of a module, its classes and its functions."""
    owners = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    return {id(o.body[0].value) for o in owners
            if o.body and isinstance(o.body[0], ast.Expr) and isinstance(o.body[0].value, ast.Constant)}


def lesson_names_in(path):
    """(line, text) of each string literal in ``path`` that is a lesson's short name or holds a
    hyphenated one as a word ("?lesson=binary-addition"). A one-word name that is also an English
    word ("attractors") counts only on its own: in a sentence it is prose, not a lesson picked.

    Docstrings are left out: they are prose for people (notebook.py's ``App("binary-addition")``
    shows how to call it) and no code path depends on them; the rule is that no code picks a
    lesson by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    hyphenated = [re.escape(n) for n in L.LESSONS if "-" in n]
    word = re.compile(r"(?<![\w-])(" + "|".join(hyphenated) + r")(?![\w-])")
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
            and (node.value.strip() in L.LESSONS or word.search(node.value))]


def test_no_module_outside_lessons_names_a_lesson():
    """Views, state, document, serving and the top files ask the registry; none holds a lesson's name."""
    found = {str(p.relative_to(ROOT)): hits for p in sorted(ROOT.rglob("*.py"))
             if LESSONS_DIR not in p.parents and (hits := lesson_names_in(p))}
    assert found == {}


def test_the_name_finder_sees_a_literal_and_skips_a_docstring(tmp_path):
    """The check itself: a literal naming a lesson is found, the same words in a docstring are not."""
    name = next(n for n in L.LESSONS if "-" in n)
    word = next(n for n in L.LESSONS if "-" not in n)
    source = tmp_path / "m.py"
    source.write_text(f'"""Say {name}."""\n\n\ndef f():\n    """{name}"""\n    return ("{name}", "a {name}-like word", "?lesson={name}&x=1",\n'
                      f'            "{word}", "learning {word}")\n')
    assert lesson_names_in(source) == [(6, name), (6, f"?lesson={name}&x=1"), (7, word)]


def _module_name(lesson_name):
    return lesson_name.replace("-", "_")


@pytest.mark.parametrize("name", list(L.LESSONS))
def test_each_registry_entry_comes_from_its_own_module(name):
    """LESSONS[name] is the spec of simulator/lessons/<name>.py's LESSON, which carries that name."""
    module = import_module(f"simulator.lessons.{_module_name(name)}")
    assert isinstance(module.LESSON, Lesson) and module.LESSON.name == name
    assert L.REGISTRY[name] is module.LESSON and L.LESSONS[name] is module.LESSON.spec


def test_every_lesson_module_is_registered():
    """A module declaring a LESSON is in MODULES: a lesson cannot exist outside the one list."""
    declared = sorted(m.name for m in pkgutil.iter_modules([str(LESSONS_DIR)])
                      if hasattr(import_module(f"simulator.lessons.{m.name}"), "LESSON"))
    assert declared == sorted(L.MODULES) == sorted(_module_name(n) for n in L.LESSONS)


def test_lessons_import_engine_and_numpy_only():
    """simulator/lessons/ imports the engine, numpy, the standard library and itself, nothing above."""
    allowed = re.compile(r"^(engine|numpy|simulator\.lessons)(\.|$)")
    stdlib = {"copy", "dataclasses", "functools", "html", "importlib", "typing"}
    bad = []
    for path in sorted(LESSONS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) else [])
            bad += [(path.name, n) for n in names if not (allowed.match(n) or n.split(".")[0] in stdlib)]
    assert bad == []
