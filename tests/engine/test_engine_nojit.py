"""The kernels also run as plain Python (NUMBA_DISABLE_JIT=1), as coverage runs need them to."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_oracle_cases_pass_without_jit():
    """The plain oracle cases and edge cases of test_engine_oracle.py pass with the JIT disabled."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    cmd = [sys.executable, "-m", "pytest", "tests/engine/test_engine_oracle.py", "-q", "-p", "no:cacheprovider",
           "-k", "test_case or test_edge",
           "-W", "ignore::RuntimeWarning"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "deselected" in run.stdout
