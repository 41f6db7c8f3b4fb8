"""The package as users get it (issue 13): the wheel installs everything the app needs, the
command serves from any folder, dependencies match imports, read-only installs keep a Numba
cache, and the documentation the repository points to is in the repository."""
import asyncio
import importlib.metadata
import importlib.resources
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from engine import cache_dir
from simulator import cli
from simulator.serving import assets

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"serving on (http://\S+)")


def start_server(args, **popen):
    """Start ``args`` (a ``bptt-sim serve`` command); returns (process, the URL it printed).
    Reads stdout up to the URL line: serve prints nothing before it."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    line = proc.stdout.readline()
    match = URL.search(line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r}\n{proc.communicate(timeout=10)[1][-3000:]}")
    return proc, match.group(1)


def test_static_files_are_the_package_data():
    """simulator/static (the link to static/) is found through importlib.resources and holds
    every file of the repository's static/."""
    packaged = importlib.resources.files("simulator") / "static"
    assert assets.STATIC == Path(str(packaged))
    assert sorted(p.name for p in assets.STATIC.iterdir()) == sorted(p.name for p in (ROOT / "static").iterdir())
    assert assets.stylesheet("simulator.css") == (ROOT / "static" / "simulator.css").read_text(encoding="utf-8")


def test_version_is_the_installed_distributions(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"bptt-sim {importlib.metadata.version('bptt-sim')}"


# -- Numba's cache on a read-only install -----------------------------------------------------------
def test_a_writable_package_keeps_numbas_default(tmp_path):
    assert cache_dir.choose(str(tmp_path), {}) is None


def test_a_read_only_package_caches_per_user(tmp_path, monkeypatch):
    """The platform's cache folder first; where that cannot be made, a per-user temp folder."""
    monkeypatch.setattr(cache_dir, "writable", lambda folder: False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert cache_dir.choose(str(tmp_path), env) == str(tmp_path / "cache" / "bptt-sim" / "numba")
    (tmp_path / "not-a-folder").write_text("")
    fallback = cache_dir.choose(str(tmp_path), {"XDG_CACHE_HOME": str(tmp_path / "not-a-folder")})
    assert Path(fallback).parent == tmp_path / "tmp" and Path(fallback).is_dir()
    assert cache_dir.choose(str(tmp_path), dict(env, NUMBA_CACHE_DIR="/mine")) is None  # the user's choice stays


PROBE = """
import os, warnings
warnings.simplefilter("error")        # a NumbaWarning about the cache fails the run
import engine
from engine.probe_cache import one
assert one() == 1
print(os.environ.get("NUMBA_CACHE_DIR"))
"""


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("unshare") or os.name != "posix", reason="needs unshare (Linux)")
def test_a_read_only_install_imports_and_caches_without_warnings(tmp_path):
    """engine/ on a read-only mount (a private mount namespace, so even root cannot write it),
    a home folder that cannot be written either: the cache goes to a per-user temp folder, with
    no error or warning, and the kernels' cache files land there. Numba alone raises
    "cannot cache function ...: no locator available" at import."""
    shutil.copytree(ROOT / "engine", tmp_path / "ro" / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "ro" / "engine" / "probe_cache.py").write_text(
        "from numba import njit\n\n\n@njit(cache=True)\ndef one():\n    return 1\n")
    (tmp_path / "ro" / "home").mkdir()
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_", "PYTHON"))}
    env.update(PYTHONPATH=str(tmp_path / "ro"), HOME=str(tmp_path / "ro" / "home"), TMPDIR=str(tmp_path / "tmp"))
    ro = str(tmp_path / "ro")
    # As root a private mount namespace is enough; otherwise map this user to root inside it.
    unshare = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--mount"]
    if subprocess.run([*unshare, "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here")
    script = f'mount --bind -o ro "{ro}" "{ro}" && exec "{sys.executable}" -c "$0"'
    run = subprocess.run([*unshare, "sh", "-c", script, PROBE], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and run.stderr == "", run.stderr[-3000:]
    folder = Path(run.stdout.strip())
    assert folder.is_relative_to(tmp_path / "tmp"), folder
    assert list(folder.rglob("probe_cache.one-*.nbi")), "the kernel's cache index is in the per-user folder"


# -- dependencies ------------------------------------------------------------------------------------
def deptry(folder):
    return subprocess.run([sys.executable, "-m", "deptry", "."], capture_output=True, text=True,
                          cwd=folder, timeout=120)


def test_every_import_of_the_package_is_declared():
    run = deptry(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("line, rule", [
    ("import undeclared_package_of_issue_13\n", "DEP001"),  # imported, declared nowhere
    ("import pytest\n", "DEP004"),                          # only in the test extra
])
def test_the_dependency_check_fails_on_an_undeclared_import(tmp_path, line, rule):
    """The same check on a copy of the package with one more import: it fails and names it."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in ("engine", "simulator"):
        shutil.copytree(ROOT / package, tmp_path / package, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "simulator" / "probe_issue_13.py").write_text(line)
    run = deptry(tmp_path)
    assert run.returncode == 1 and rule in run.stdout + run.stderr, run.stdout + run.stderr
    assert "probe_issue_13.py" in run.stdout + run.stderr


# -- documentation in the repository -----------------------------------------------------------------
def tracked_files():
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / n for n in names.decode().split("\0") if n and (ROOT / n).is_file()]


def _slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_relative_links_resolve():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links, "the README links to something"
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # http(s) and mailto: not ours to check here
        path, _, anchor = link.partition("#")
        if path:
            target = (ROOT / path).resolve()
            assert target.is_relative_to(ROOT) and target.exists(), f"README links to {link}, not in the repository"
        else:
            assert anchor in anchors, f"README links to {link}, a heading it does not have"


def test_no_tracked_file_points_outside_the_repository():
    """Nothing names the notes outside the repository, and every docs/*.md named exists."""
    outside = "../" + "shared"  # spelled in two parts so that this file does not name it
    named_docs = set()
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images
        assert outside not in text, f"{path.relative_to(ROOT)} mentions {outside}"
        named_docs.update(re.findall(r"\bdocs/[\w.-]+\.md\b", text))
    assert "docs/model.md" in named_docs
    for name in named_docs:
        assert (ROOT / name).is_file(), f"{name} is named but not in the repository"


# -- the wheel, installed where the checkout cannot be seen ------------------------------------------
def _fetch(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8", "replace")


def _local_links(page):
    """The page's own files (href/src that are not on another host)."""
    refs = re.findall(r'(?:href|src)="([^"#]+)"', page)
    return sorted({r for r in refs if not re.match(r"[a-z]+:|//", r)})


def _open_bokeh_session(url):
    """Open one app session over the websocket as a tab does (benchmarks/wsclient.py); returns
    the client, whose ``error`` is None and ``opened`` set if the document arrived."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from wsclient import WsSession

    client = WsSession(url)

    def stop():
        client.stop_at = 0
    # Its own thread and loop: nothing else may already run a loop in this one.
    runner = threading.Thread(target=lambda: asyncio.run(client.run(float("inf"), ready=stop)))
    runner.start()
    runner.join(timeout=180)
    return client


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv (no system site-packages) with the wheel built from this checkout, and its
    dependencies from the package index; returns (bin folder, environment without the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    # No build/ or egg-info of an earlier build (setuptools reuses build/lib, stale files too),
    # and no checkout on the path of anything run in the venv.
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "artifacts", ".venv", "venv"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    run = dict(capture_output=True, text=True, timeout=900, cwd=work, env=env)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(work / "dist")],
                           **dict(run, cwd=source))
    assert built.returncode == 0, built.stdout + built.stderr
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, **run)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    wheel = next((work / "dist").glob("bptt_sim-*.whl"))
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], **run)
    assert done.returncode == 0, done.stdout + done.stderr
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    return bin_dir, env


@pytest.mark.slow
def test_the_wheel_serves_and_trains_from_any_folder(installed, tmp_path):
    """Built wheel, fresh venv, a folder far from the checkout: the page and every file it links
    load, a Bokeh session opens over the websocket, Ctrl+C ends it cleanly, and train runs."""
    bin_dir, env = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import simulator; print(simulator.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent), where  # not the checkout
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    shown = subprocess.run([str(bin_dir / "bptt-sim"), "--version"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=60)
    assert shown.stdout.strip() == f"bptt-sim {version}"

    proc, url = start_server([str(bin_dir / "bptt-sim"), "serve", "--port", "0"], cwd=tmp_path, env=env)
    try:
        status, page = _fetch(url)
        assert status == 200 and "bptt-sim" in page
        for link in _local_links(page):
            assert _fetch(urllib.parse.urljoin(url, link))[0] == 200, link
        for name in sorted(p.name for p in (ROOT / "static").iterdir()):
            assert _fetch(f"{url}assets/{name}")[0] == 200, name
        client = _open_bokeh_session(url)
        assert client.error is None and client.opened is not None, client.error
    finally:
        proc.send_signal(signal.SIGINT)  # as Ctrl+C
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]

    trained = subprocess.run([str(bin_dir / "bptt-sim"), "train", "binary-addition", "--updates", "10"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "updates 0 -> 10" in trained.stdout
