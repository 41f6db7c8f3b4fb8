"""The house rules read from the source (issue 12): imports point down the layers, no import
circles, the lower layers load without panel or bokeh, and files and functions stay short.

The layers, lowest first: engine, simulator.lessons, simulator.state, simulator.document,
simulator.serving, simulator.views, then the top files (app, cli, notebook, __main__).
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["engine", "simulator.lessons", "simulator.state", "simulator.document", "simulator.serving",
          "simulator.views", "simulator"]
MAX_FILE_LINES, MAX_FUNCTION_LINES = 400, 100


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules():
    """{module name: path} for every module of engine/ and simulator/."""
    return {module_name(p): p for top in ("engine", "simulator") for p in sorted((ROOT / top).rglob("*.py"))}


def layer(name):
    """Index in LAYERS of a module of ours (the longest matching prefix); None for others'."""
    found = [prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")]
    return LAYERS.index(max(found, key=len)) if found else None


def imports(path, known, module_level_only=False):
    """[(line, imported module of ours)] of the file; function-local imports too unless
    ``module_level_only``. ``from package import name`` names the submodule when there is one."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in _module_level(tree) if module_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.append((node.lineno, sub if sub in known else base))
    return sorted({(line, m) for line, m in found if layer(m) is not None})


def _module_level(tree):
    """Statements run when the module is imported: the top level and its if/try blocks, not
    the bodies of functions or classes' methods."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody"):
                todo += [n for n in getattr(node, field, []) if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if isinstance(node, ast.Try):
                todo += [n for h in node.handlers for n in h.body]


def test_imports_point_down_the_layers():
    """No module imports one of a higher layer (function-local imports included)."""
    known = modules()
    upward = [f"{module_name(path)}:{line} imports {target} ({LAYERS[layer(target)]} is above "
              f"{LAYERS[layer(module_name(path))]})"
              for path in known.values() for line, target in imports(path, known)
              if layer(target) > layer(module_name(path))]
    assert upward == [], "imports must point down the layers " + " < ".join(LAYERS) + ":\n" + "\n".join(upward)


def test_no_import_circles():
    """The module-level import graph of engine/ and simulator/ has no cycle."""
    known = modules()
    graph = {name: sorted({t for _, t in imports(path, known, module_level_only=True) if t in known and t != name})
             for name, path in known.items()}
    cycles = _cycles(graph)
    assert cycles == [], "import circles:\n" + "\n".join(" -> ".join(c + c[:1]) for c in cycles)


def _cycles(graph):
    """One cycle (as a list of modules) for each strongly connected component with more than one
    module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


BLOCK_UI = """
import importlib, importlib.abc, sys
class NoUI(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("panel", "bokeh"):
            raise ImportError(f"{name} is made unimportable for this test")
sys.meta_path.insert(0, NoUI())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("imported", len(sys.argv) - 1)
"""


def test_lower_layers_import_without_panel_or_bokeh():
    """Every module of engine, lessons, state and document imports with panel and bokeh made
    unimportable."""
    lower = sorted(n for n in modules() if layer(n) is not None and layer(n) <= LAYERS.index("simulator.document"))
    assert "simulator.state.session" in lower and "simulator.document.format" in lower
    run = subprocess.run([sys.executable, "-c", BLOCK_UI, *lower], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"imported {len(lower)}" in run.stdout


def _python_files():
    return sorted(p for top in ("engine", "simulator", "benchmarks", "tests") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_and_functions_are_short(path):
    """Files under 400 lines, functions under 100 (the house rule: each read in one sitting)."""
    source = path.read_text()
    lines = len(source.splitlines())
    assert lines <= MAX_FILE_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_FILE_LINES})"
    long = [f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{path.relative_to(ROOT)}: functions over {MAX_FUNCTION_LINES} lines: {long}"
