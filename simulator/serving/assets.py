"""The app's static files (static/): CSS read as text for ``stylesheets=``/``global_css``, JS paths.

They are the package's data, ``simulator/static`` (in the repository a link to the top-level
static/), found through importlib.resources: the same files in a checkout, an editable install
and an installed wheel.
"""
import functools
import importlib.resources
import pathlib

#: A real folder on disk (Bokeh serves /assets from it); wheels install unzipped, so it is one.
STATIC = pathlib.Path(importlib.resources.files("simulator") / "static")


@functools.lru_cache(maxsize=None)
def stylesheet(name="simulator.css"):
    """The text of static/<name> (read once per process: the files do not change while serving)."""
    return (STATIC / name).read_text(encoding="utf-8")


#: The page-wide CSS of every app (``pn.extension(global_css=...)``), the served page's and the
#: notebook's alike: lecture.css's large type sits on the app's root, outside every shadow root,
#: so a page that loads only global.css shows lecture mode unstyled.
GLOBAL_CSS = ("global.css", "lecture.css")


def global_css():
    """The text of the GLOBAL_CSS files, for ``pn.extension(global_css=...)``."""
    return [stylesheet(name) for name in GLOBAL_CSS]
