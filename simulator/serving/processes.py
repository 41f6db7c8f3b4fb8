"""Every core: several server processes on one machine, each page and its websocket on one of them.

A Panel server runs all its sessions' callbacks on one event loop, so a process has one core.
``serve(..., procs=N)`` warms the kernels once, then forks N server processes, each listening on
a port of its own (``port + 1 .. port + N``, or free ones with ``port=0``). The address given
(``port``) is an entry that answers every request with a redirect to one process's port, in
turn, so a page, the files it loads and its websocket all reach the process that built its
session, and the frame scheduler of each process (scheduler.py) shares out that process's core.

Why not Bokeh's ``num_procs``: its processes share one listening socket and the kernel hands
each connection to any of them. Measured with Chromium, 6 pages on 2 such processes: 4 pages
opened their websocket on the process that had not served the page, which built the session
a second time (Bokeh creates a missing session from the page's token), while the first copy
idled for the session lifetime.

The fork comes before any event loop or thread exists (``fork_safe``): the children inherit
the parent's compiled Numba kernels and imported modules, and nothing in flight.
"""
import argparse
import itertools
import os
import select
import signal
import sys
import threading
import time

MAX_PROCS = 64
START_TIMEOUT_S = 120  # a child imports nothing new, but a loaded machine is slow to schedule it
STOP_TIMEOUT_S = 30


def default_procs():
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def procs_count(text):
    """argparse type of ``--procs``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes; got {text!r}") from None
    if not 1 <= value <= MAX_PROCS:
        raise argparse.ArgumentTypeError(f"must be in 1..{MAX_PROCS}; got {value}")
    return value


def add_argument(parser):
    """``bptt-sim serve --procs N`` (the default is every core)."""
    parser.add_argument("--procs", type=procs_count, default=default_procs(), metavar="N",
                        help=f"server processes, one per core (default: this machine's {default_procs()}); "
                        "PORT sends each new page to one of them, on ports PORT+1..PORT+N")


def fork_safe():
    """Refuse to fork a process running threads: a thread's lock held at the fork stays held
    in the child for ever, and its work would be done twice or not at all."""
    if not hasattr(os, "fork"):
        raise ValueError("several server processes need os.fork (Linux, macOS); use --procs 1 here")
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if others:
        raise ValueError(f"cannot fork server processes while threads run ({', '.join(others)}); use procs=1")


def child_ports(port, procs):
    """Each process's own port: the ones after the entry's, or free ones (0) for ``port=0``."""
    if port == 0:
        return [0] * procs
    if port + procs > 65535:
        raise ValueError(f"ports {port + 1}..{port + procs} (one per process) go past 65535; choose a lower --port")
    return [port + 1 + i for i in range(procs)]


class Children:
    """The server processes, as the parent sees them: pid and port, and which are alive."""

    def __init__(self, serve_one):
        self.serve_one = serve_one  # serve_one(port, report): serves in this process until stopped
        self.pids, self.ports = [], []
        self._turn = itertools.count()

    def start(self, port, entry):
        """Fork one server process on ``port``; returns the port it listens on, once it does.
        ``entry``: the parent's listening sockets, which the child closes."""
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            for s in entry:
                s.close()
            _child(self.serve_one, port, write)  # never returns
        os.close(write)
        self.pids.append(pid)
        try:
            line = _read_line(read, START_TIMEOUT_S)
        finally:
            os.close(read)
        if not line.startswith("port "):
            raise OSError(f"server process on port {port} did not start: {line or 'it stopped'}")
        self.ports.append(int(line.split()[1]))
        return self.ports[-1]

    def alive(self):
        """Ports of the processes still running; reaps (and reports) those that stopped."""
        for k, pid in enumerate(self.pids):
            if pid is None:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self.pids[k] = None
                if status:
                    print(f"bptt-sim: server process on port {self.ports[k]} stopped ({_how(status)}); "
                          "its students reload the page to reach another", file=sys.stderr, flush=True)
        return [p for pid, p in zip(self.pids, self.ports) if pid is not None]

    def next_port(self):
        """The port the next new page goes to: the live processes in turn."""
        ports = self.alive()
        return ports[next(self._turn) % len(ports)] if ports else None

    def stop(self):
        """SIGTERM to every child (each stops its loop and exits), then wait; SIGKILL stragglers."""
        running = [pid for pid in self.pids if pid is not None]
        for pid in running:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for pid in running:
            while not os.waitpid(pid, os.WNOHANG)[0]:
                if time.monotonic() > deadline:
                    _signal(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.05)
        self.pids = [None] * len(self.pids)


def serve_processes(serve_one, procs, port, address, ready=None, show=False):
    """Fork ``procs`` server processes (``serve_one(port, report)`` in each), then run the entry
    on ``port`` in this process until SIGINT or SIGTERM; returns the ports the processes used.
    OSError if a process cannot start (e.g. its port is taken) or every one has stopped."""
    from bokeh.server.util import bind_sockets
    fork_safe()
    ports = child_ports(port, procs)
    sockets, entry_port = bind_sockets(address, port)  # before the fork: a busy port fails here, at once
    children = Children(serve_one)
    try:
        for p in ports:
            children.start(p, sockets)
        if not _run_entry(sockets, children, f"http://{address}:{entry_port}/", ready, show):
            raise OSError("every server process stopped (see the messages above)")
    finally:
        for s in sockets:
            s.close()
        children.stop()
    return children.ports


def _run_entry(sockets, children, url, ready, show):
    from tornado.httpserver import HTTPServer
    from tornado.ioloop import IOLoop, PeriodicCallback
    from tornado.web import Application, RequestHandler

    class Entry(RequestHandler):
        def get(self, path):
            to = children.next_port()
            if to is None:
                self.set_status(503)
                self.finish("bptt-sim: no server process is running")
                return
            self.set_header("Cache-Control", "no-store")  # the next visit is placed afresh
            self.redirect(f"{self.request.protocol}://{self.request.host_name}:{to}{self.request.uri}")
        head = get

    loop = IOLoop.current()
    server = HTTPServer(Application([(r"/(.*)", Entry)]))
    server.add_sockets(sockets)

    asked = []  # SIGINT or SIGTERM came: a stop, not a failure

    def stop(*_):
        asked.append(True)
        loop.asyncio_loop.call_soon_threadsafe(loop.stop)

    def watch():
        if not children.alive():
            loop.stop()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    PeriodicCallback(watch, 1000).start()
    if ready is not None:
        ready(url)
    print(f"bptt-sim: {len(children.ports)} server processes, on ports {', '.join(map(str, children.ports))}",
          file=sys.stderr, flush=True)
    if show:
        import webbrowser
        webbrowser.open(url)
    try:
        loop.start()
    finally:
        server.stop()
    return bool(asked)


def _child(serve_one, port, pipe):
    """The forked server process: serve on ``port``, write 'port P' to ``pipe`` once it listens."""
    code = 0
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handlers must not run here
    signal.signal(signal.SIGINT, signal.default_int_handler)

    told = []

    def tell(line):  # once: the parent reads one line
        if not told:
            told.append(line)
            os.write(pipe, f"{line}\n".encode())
            os.close(pipe)
    try:
        serve_one(port, lambda url: tell(f"port {url.rsplit(':', 1)[1].split('/')[0]}"))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # e.g. the port is taken: the parent says so
        tell(f"error {' '.join(str(exc).split())}")
        code = 1
    except BaseException as exc:
        import traceback
        traceback.print_exc()
        tell(f"error {type(exc).__name__}: {' '.join(str(exc).split())}")
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never back into the parent's code (its finally blocks, the CLI)


def _read_line(fd, timeout):
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return "timed out"
        chunk = os.read(fd, 256)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _how(status):
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
