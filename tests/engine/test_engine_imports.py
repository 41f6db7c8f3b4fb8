"""The engine stays free of the UI stack: importing it pulls in numpy and numba only."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_does_not_import_the_ui_stack():
    """`import engine` (and a gradient evaluation) loads none of panel, bokeh or param."""
    code = ("import sys, engine; engine.warm_up(); "
            "bad = sorted(m for m in ('panel', 'bokeh', 'param') if m in sys.modules); "
            "print('UI modules:', bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "UI modules: []" in run.stdout
