"""Serving: warm the kernels, set TCP_NODELAY on websockets, start Panel's server.

Measured in a browser: with Nagle's algorithm on, a click while a session streams
waits for the delayed ACK (p50 48 ms); with TCP_NODELAY it takes 7 ms.
"""
from simulator.serving.assets import STATIC
from simulator.serving.one_write import one_write_a_message
from simulator.serving.runs import SEEDS_ALLOWED, seeds_policy
from simulator.state.compare import MAX_RUNS


def set_nodelay():
    """Patch Bokeh's websocket handler once so every connection sets TCP_NODELAY."""
    from bokeh.server.views.ws import WSHandler
    if getattr(WSHandler, "_nodelay_patched", False):
        return
    original = WSHandler.open

    def open(self, *args, **kwargs):
        self.set_nodelay(True)
        return original(self, *args, **kwargs)

    WSHandler.open = open
    WSHandler._nodelay_patched = True


def one_build_a_turn():
    """Patch Bokeh once so that the two big pieces of a session's start, building it (its page
    is fetched) and sending its whole document (its websocket's PULL-DOC), each run only in a
    turn of the event loop that ran no other (FrameScheduler.build_turn): a class's requests
    arriving together ran back to back in one turn, holding every click for up to 20 s
    (benchmarks/load_test.py, K = 60). Process-wide and write-once, like set_nodelay."""
    from bokeh.server.contexts import ApplicationContext
    from bokeh.server.session import ServerSession

    from simulator.serving.scheduler import SCHEDULER
    if getattr(ApplicationContext.create_session_if_needed, "one_build_a_turn", False):
        return
    create, pull = ApplicationContext.create_session_if_needed, ServerSession.pull

    async def create_session_if_needed(self, session_id, request=None, token=None):
        if session_id not in self._sessions and session_id not in self._pending_sessions:
            await SCHEDULER.build_turn()
        return await create(self, session_id, request, token)

    async def pull_in_turn(cls, message, connection):
        await SCHEDULER.build_turn()
        return await pull(message, connection)

    # Bokeh's ProtocolHandler reads ServerSession.pull when the server is made: after prepare().
    create_session_if_needed.one_build_a_turn = True
    ApplicationContext.create_session_if_needed = create_session_if_needed
    ServerSession.pull = classmethod(pull_in_turn)


def raw_query_values():
    """Make Panel hand the page's numbers over as the strings in the URL. Panel's own
    parse_query turns digit strings into numbers before the app sees them, and int() fails on
    some (``?seed=²``: '²'.isdigit() but int('²') raises; 5,000 digits exceed Python's 4,300-digit
    limit), so such a link gave HTTP 500 before any of our checks ran. simulator/views/link.py
    parses every value itself, with a message. Process-wide and write-once, like set_nodelay."""
    from urllib.parse import parse_qsl

    from panel.io import location
    if getattr(location.parse_query, "raw_strings", False):
        return

    def parse_query(query):
        return {k: _query_value(v) for k, v in parse_qsl(query[1:])}

    parse_query.raw_strings = True
    location.parse_query = parse_query


def _query_value(text):
    """Panel's own reading of a query value (JSON lists and objects, true/false), except that
    numbers stay strings: ?hide=[...] and ?large=true reach the lecture settings as a list and a
    boolean, and nothing here can raise on a value (a bad JSON list stays text, refused later)."""
    import json
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return text
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


UNUSED_SESSION_LIFETIME_MS = 60_000
_prepared = []  # process-wide and write-once: a server's setup, not anyone's session state


def prepare():
    """Everything a server does once before the first session: compile kernels, patch sockets."""
    if _prepared:
        return
    import engine
    engine.warm_up()
    set_nodelay()
    one_write_a_message()
    one_build_a_turn()
    raw_query_values()
    _prepared.append(True)


def _deciding_seeds(factory, allowed, max_compare=None):
    """``factory`` building each session with serve()'s decision on running seeds (runs.SEEDS_ALLOWED)
    and its cap on the runs of a comparison (state/compare.py's MAX_RUNS; None: the program's)."""
    def build():
        token, cap = SEEDS_ALLOWED.set(allowed), MAX_RUNS.set(max_compare)
        try:
            return factory()
        finally:
            MAX_RUNS.reset(cap)
            SEEDS_ALLOWED.reset(token)
    return build


def serve(app, port=5006, address="localhost", show=False, websocket_origin=None, threaded=False, ready=None,
          allow_seeds=None, procs=1, max_compare=None, **kwargs):
    """Serve ``app``, a function of no arguments building one session's app (simulator.app's
    create_app, or one starting from a document for ``bptt-sim serve FILE``), for every browser
    session. The factory is given, never imported, so serving sits below the app it serves.
    ``ready(url)``, if given, is called once the kernels are warm and the socket listens, with the
    port actually bound (``port=0`` picks one), just before the loop runs; without it Panel prints
    its own "Launching server at" line. ``allow_seeds``: whether sessions may run "10 seeds" on this
    machine's cores (serving/runs.py; None: only when listening on localhost). Returns Panel's
    server (after the loop stops; Ctrl+C or SIGTERM stops it) or, with ``threaded``, its thread.
    ``procs`` > 1: that many server processes behind ``port`` (simulator/serving/processes.py);
    returns the ports they used. ``max_compare``: the most runs a comparison may have here (Compare
    mode; a lecturer lowers it for a class, never above simulator/state/caps.py's MAX_COMPARE_RUNS)."""
    import panel as pn

    prepare()  # before a fork too: every process starts with the kernels compiled
    if procs != 1:
        if threaded:
            raise ValueError("a threaded server is one process: procs must be 1")
        from simulator.serving.processes import serve_processes

        def one(own_port, report):
            serve(app, port=own_port, address=address, websocket_origin=websocket_origin, ready=report,
                  allow_seeds=allow_seeds, max_compare=max_compare, **kwargs)
        return serve_processes(one, procs, port, address, ready, show)
    app = _deciding_seeds(app, seeds_policy(address, allow_seeds), max_compare)
    # Panel allows the page's own host:port; a class network adds the lecturer's address.
    origins = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}", *(websocket_origin or [])] if port else None
    # A session is built when its page is fetched and dropped if its websocket has not connected
    # within this time. When a class arrives at once, building 60 sessions keeps the process busy
    # for about a minute and a page's websocket waits in line; with Bokeh's 15 s a third of them
    # were dropped and built again (benchmarks/load_test.py), so wait a minute.
    kwargs.setdefault("unused_session_lifetime_milliseconds", UNUSED_SESSION_LIFETIME_MS)
    options = dict(port=port, address=address, show=show, websocket_origin=origins, title="bptt-sim",
                   static_dirs={"assets": str(STATIC)}, **kwargs)
    if threaded:
        return pn.serve(app, threaded=True, **options)
    # Not started yet, but bound: the socket listens from here on (connections wait in its
    # backlog), so the URL handed to ready() already answers. Panel's SIGINT handler stops the
    # loop, and serve returns.
    server = pn.serve(app, start=False, verbose=ready is None, **options)
    _stop_on_sigterm(server)
    if ready is not None:
        ready(f"http://{address}:{server.port}{server.prefix}/")
    server.start()
    server.io_loop.start()
    return server


def listening(url):
    """What ``bptt-sim serve`` prints as ``ready``: only now are the kernels warm and the port (the
    real one) accepting; with several processes, once every one listens."""
    print(f"bptt-sim: serving on {url} (Ctrl+C stops)", flush=True)


def _stop_on_sigterm(server):
    """SIGTERM stops the loop as Ctrl+C does (Panel handles SIGINT only), so ``serve`` returns and
    a server process (processes.py) exits cleanly when told to."""
    import signal

    def stop(*_):
        server.io_loop.asyncio_loop.call_soon_threadsafe(server.io_loop.stop)
    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: the caller owns the signals
        pass
