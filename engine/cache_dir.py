"""Where Numba keeps the compiled kernels: beside the code when that folder can be written (Numba's
own default), else in a per-user cache folder.

An install the user cannot write (a system site-packages, a container image) would otherwise
find no place for its cache: Numba warns for every kernel on every start and compiles them all
again (~20 s). engine/__init__.py imports this module first, so NUMBA_CACHE_DIR is set before
numba reads its configuration. A NUMBA_CACHE_DIR the user set is kept.
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def writable(folder):
    """True if Numba could write its cache for this package's files (their __pycache__ folder)."""
    pycache = os.path.join(folder, "__pycache__")
    return os.access(pycache if os.path.isdir(pycache) else folder, os.W_OK)


def user_cache_folders(environ):
    """Candidate per-user folders, the platform's cache folder first, then one in the temp folder."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(home, "Library", "Caches")
    else:
        base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    user = str(os.getuid()) if hasattr(os, "getuid") else environ.get("USERNAME", "user")
    return [os.path.join(base, "bptt-sim", "numba"), os.path.join(tempfile.gettempdir(), f"bptt-sim-numba-{user}")]


def choose(package_folder=HERE, environ=os.environ):
    """The folder to give Numba as NUMBA_CACHE_DIR, or None for Numba's default (beside the code)."""
    if environ.get("NUMBA_CACHE_DIR") or writable(package_folder):
        return None
    for folder in user_cache_folders(environ):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return None  # nowhere to write: Numba's own fallbacks (and its warning) apply


def apply(environ=os.environ):
    """Set NUMBA_CACHE_DIR if the package folder is read-only; returns the folder chosen or None."""
    folder = choose(HERE, environ)
    if folder is not None:
        environ["NUMBA_CACHE_DIR"] = folder
        numba_config = sys.modules.get("numba.core.config")
        if numba_config is not None:  # numba was imported before the engine: it reads this at compile time
            numba_config.CACHE_DIR = folder
    return folder


apply()
