"""The app's static files (static/): CSS read as text for ``stylesheets=``/``global_css``, JS paths."""
import functools
import pathlib

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


@functools.lru_cache(maxsize=None)
def stylesheet(name="simulator.css"):
    """The text of static/<name> (read once per process: the files do not change while serving)."""
    return (STATIC / name).read_text(encoding="utf-8")
