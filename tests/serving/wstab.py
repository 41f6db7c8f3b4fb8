"""A served app and one protocol-level tab on it, for the serving tests that need a real server
and websocket but no browser (benchmarks/wsclient.py: the load test's tab)."""
import asyncio
import os
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import panel as pn
from panel.io.state import state

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from wsclient import WsSession  # noqa: E402


def wait_for(condition, timeout=30.0, message="timed out"):
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout, message
        time.sleep(0.05)


@contextmanager
def served(build, **kw):
    """``pn.serve(build)`` in a thread of this process on a free port; yields the page's URL."""
    sid = uuid.uuid4().hex
    thread = pn.serve(build, port=0, threaded=True, show=False, server_id=sid, **kw)
    wait_for(lambda: sid in state._servers)
    try:
        yield f"http://localhost:{state._servers[sid][0].port}/"
    finally:
        thread.stop()


def tab_until(url, done, seconds):
    """Open one tab on ``url`` and keep it until ``done()`` or ``seconds`` have passed, then close
    it; returns its WsSession (``error`` is None if all went well)."""
    client = WsSession(url)

    async def tab():
        task = asyncio.create_task(client.run(time.monotonic() + seconds))
        while not done() and not task.done():
            await asyncio.sleep(0.05)
        client.stop_at = 0
        await task
    # Its own thread: a browser test's Playwright may already run an event loop in this one.
    runner = threading.Thread(target=lambda: asyncio.run(tab()))
    runner.start()
    runner.join(timeout=seconds + 30)
    return client
