"""README.md's figures are what the code gives (issue 12): its Python example prints the lines
shown after it, and its command-line example's losses and gradient-check difference are those
of the commands it names. The figures are read from README.md, so the docs cannot drift."""
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def shown(figure, value):
    """``value`` rounded to as many significant digits as the README's ``figure`` shows."""
    digits = len(re.sub(r"^0*\.?0*", "", figure.split("e")[0].replace(".", "")))
    return f"{value:.{digits}g}" == figure


def test_shown_rounds_to_the_readmes_digits():
    """The comparison is exact to the README's last digit (and so can fail)."""
    assert shown("6.5668", 6.566796) and not shown("6.5668", 6.56689)
    assert shown("0.0232518", 0.02325183602) and not shown("0.0232518", 0.0232519)
    assert shown("2.7e-10", 2.7067e-10) and not shown("2.7e-10", 2.6e-10)


def test_python_example_prints_what_the_readme_says():
    """The README's Python example, run as it stands, prints exactly the lines under "prints"."""
    found = re.search(r"```python\n(.*?)```\s*\n\s*prints\s*\n\n((?: {4}[^\n]*\n)+)", README, re.S)
    assert found, "README.md: a ```python block followed by 'prints' and an indented block"
    code, printed = found.group(1), [line[4:] for line in found.group(2).splitlines()]
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == printed


def test_command_line_example_gives_the_readmes_figures(tmp_path):
    """`bptt-sim train ...` takes the error from and to the README's losses and gets every held-out
    sum right; `bptt-sim check` on its output agrees to the README's largest difference."""
    found = re.search(r"`bptt-sim (train [^`]+)` takes the error from ([\d.]+) to\s+([\d.]+) and gets every "
                      r"held-out sum right; `bptt-sim (check [^`]+)` then agrees to a largest\s+absolute "
                      r"difference of ([\d.e-]+)\.", README)
    assert found, "README.md: the command-line example's sentence"
    train, start, end, check, difference = found.groups()
    trained = json.loads(cli(train, tmp_path))
    assert shown(start, trained["start_loss"]) and shown(end, trained["loss"]), (start, end, trained["loss"])
    assert trained["measures"]["pair_accuracy"] == 1.0
    checked = json.loads(cli(check, tmp_path))
    assert checked["agree"] and shown(difference, checked["max_abs_diff"]), (difference, checked)


def cli(command, cwd):
    """stdout of ``bptt-sim COMMAND --json`` run in ``cwd`` (where the example's files go)."""
    run = subprocess.run([sys.executable, "-m", "simulator", *shlex.split(command), "--json"], cwd=cwd,
                         capture_output=True, text=True, timeout=300, env=_env())
    assert run.returncode == 0, run.stderr
    return run.stdout


def _env():
    """This tree's simulator for the subprocess, whatever the directory it runs in."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
