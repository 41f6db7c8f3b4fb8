"""The kernels also run as plain Python (NUMBA_DISABLE_JIT=1), as coverage runs need them to."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_without_jit(path, selection):
    """Run the tests of ``path`` that ``selection`` (a -k expression) picks, with the JIT disabled."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    cmd = [sys.executable, "-m", "pytest", path, "-q", "-p", "no:cacheprovider", "-k", selection,
           "-W", "ignore::RuntimeWarning"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "deselected" in run.stdout


def test_oracle_cases_pass_without_jit():
    """The plain oracle cases and edge cases of test_engine_oracle.py pass with the JIT disabled."""
    run_without_jit("tests/engine/test_engine_oracle.py", "test_case or test_edge")


def test_truncated_cases_pass_without_jit():
    """The truncated kernel's plain cases (h0's reach, h >= T equal to full BPTT, bad truncate) run
    as plain Python too."""
    run_without_jit("tests/engine/test_engine_truncated.py",
                    "h0_only or bit_for_bit or test_edge or (matches_reference and logistic-squared)")
