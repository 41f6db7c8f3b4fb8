"""Give a server's memory back to the machine once a class has left.

A session is about 1,000 Bokeh models and their Python objects. When a class closes its tabs
the sessions are freed (gc_pauses.py collects them), yet CPython's own small-object allocator
(pymalloc) returns a 1 MiB arena to the system only when every object in it is gone, and after
a class most arenas still hold some object that lives on (which ones was not traced). Measured
with ``benchmarks/load_test.py --ks 60 --lifetime 10`` on 2 cores, two server processes: two
minutes after the 60 clients closed, the server's RSS was 84 % above its RSS with one idle page
(61 % with ``malloc_trim`` alone), and a second class reused that memory rather than growing it
(so retained, not leaked).

With Python's objects in the C library's heap instead (``PYTHONMALLOC=malloc``) and the heap's
free pages handed back after each collection (``malloc_trim``), the same run ended 6 % above the
idle figure. The price is a slower allocator: the server's drawing and sending of a frame,
median of three ``bench_ui.py`` runs each, 7.4 ms with pymalloc and 8.1 ms with malloc.

``PYTHONMALLOC`` is read when the interpreter starts, so ``bptt-sim serve`` starts itself again
with it set (same process id, same command line) once its arguments are read, before it builds
or serves anything. Only on glibc, whose ``malloc_trim`` returns the pages; and never when the
user has set ``PYTHONMALLOC``.
"""
import ctypes
import os
import sys


def on_glibc():
    """Whether this Python runs on the GNU C library (Linux, mostly)."""
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):  # not a POSIX confstr, or no such name here
        return False


def relaunch_needed(args, environ, glibc):
    """Whether the command ``args`` (sys.argv[1:]) must start again with the system allocator."""
    return args[:1] == ["serve"] and system_malloc_missing(environ, glibc)


def system_malloc_missing(environ, glibc):
    """On glibc, with no allocator chosen by the user."""
    return glibc and "PYTHONMALLOC" not in environ and bool(sys.executable)


def restart_with_system_malloc():
    """Replace this process by the same command line with ``PYTHONMALLOC=malloc`` (does not
    return then), unless it has it or cannot use it. Benchmarks call it to measure what
    ``bptt-sim serve`` runs."""
    if system_malloc_missing(os.environ, on_glibc()):
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, sys.orig_argv, dict(os.environ, PYTHONMALLOC="malloc"))


def relaunch_for_serve():
    """``bptt-sim serve`` on glibc: start again with ``PYTHONMALLOC=malloc`` (does not return
    then); any other command, or an allocator already chosen: return at once."""
    if relaunch_needed(sys.argv[1:], os.environ, on_glibc()):
        restart_with_system_malloc()


def give_back():
    """Return the C heap's free pages to the system (glibc only; elsewhere a no-op). Called
    once per collection of closed sessions, never per frame. True when pages were returned."""
    if not on_glibc():
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False
