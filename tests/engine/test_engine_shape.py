"""The engine stays readable in one sitting: short files, short functions, and the unit maths
(activations, losses) written once, in its own module (issue 12)."""
import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FILES = sorted(ENGINE.glob("*.py"))
MAX_FILE_LINES = 400  # every file below this
MAX_FUNCTION_LINES = 100  # every function at most this, decorators and docstring included


def functions(tree):
    """(name, lines) of every function and method in a module, nested ones included."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            yield node.name, node.end_lineno - first + 1


def test_the_engine_has_files():
    """The checks below see the engine's modules (a wrong path would pass them vacuously)."""
    names = {p.name for p in FILES}
    assert {"kernels.py", "activations.py", "losses.py", "bptt.py", "network.py"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_and_function_lengths(path):
    """Each engine file is under 400 lines and each of its functions at most 100."""
    text = path.read_text()
    lines = len(text.splitlines())
    assert lines < MAX_FILE_LINES, f"{path.name} has {lines} lines; split it below {MAX_FILE_LINES}"
    long = {name: n for name, n in functions(ast.parse(text)) if n > MAX_FUNCTION_LINES}
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_activation_and_loss_maths_written_once():
    """f' of the elementwise units and the squared-loss term are written once, in their home
    module; exp and log (softmax, logistic, cross-entropy) appear nowhere but those two."""
    text = {p.name: p.read_text() for p in FILES}
    for needle, home in (("a * (1.0 - a)", "activations.py"), ("1.0 - a * a", "activations.py"),
                         ("0.5 * r * r", "losses.py")):
        counts = {name: t.count(needle) for name, t in text.items() if needle in t}
        assert counts == {home: 1}, (needle, counts)
    for needle in ("math.exp(", "math.log"):
        found = {name for name, t in text.items() if needle in t}
        assert found <= {"activations.py", "losses.py"}, (needle, found)
