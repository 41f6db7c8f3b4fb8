"""A training frame reaches the page as one message of column updates (issue 18: cheap frames).

Each view holds its own changes, but without a hold around the whole frame every view's block
left as a PATCH-DOC of its own: seven or eight per frame, each paying Bokeh's per-message cost
on the server (a walk over the document's ~1,000 models) and a separate apply in the page.
Real server, real websocket client (benchmarks/wsclient.py); the server's protocol is watched
from inside, which is where the messages are made."""
import asyncio
import os
import sys
import threading
import time
import uuid

import panel as pn
from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent, ColumnsStreamedEvent, ModelChangedEvent
from bokeh.models import ColumnDataSource
from bokeh.protocol import Protocol
from panel.io.state import state

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from wsclient import WsSession  # noqa: E402

from simulator.app import SimulatorApp  # noqa: E402


def wait_for(condition, timeout=60.0, message="timed out"):
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout, message
        time.sleep(0.05)


def test_a_training_frame_is_one_message_of_column_updates(monkeypatch):
    frames = []  # per training frame the server ran: the PATCH-DOC messages' events
    made, ticking = [], set()  # ticking: the thread inside the Player's tick (other servers may run)
    create = Protocol.create

    def watched_create(self, msgtype, *args, **kw):
        if msgtype == "PATCH-DOC" and threading.get_ident() in ticking:
            made.append(list(args[0]))
        return create(self, msgtype, *args, **kw)
    monkeypatch.setattr(Protocol, "create", watched_create)
    apps = []

    def build():
        app = SimulatorApp()
        tick, session = app.player.tick, app.session

        def counted():
            made.clear()
            before = session.updates
            ticking.add(threading.get_ident())
            try:
                tick()
            finally:
                ticking.clear()
            if session.updates != before:
                frames.append(list(made))
        app.player.tick = counted
        app.player.playing = True
        apps.append(app)
        return app.__panel__()

    sid = uuid.uuid4().hex
    thread = pn.serve(build, port=0, threaded=True, show=False, server_id=sid)
    wait_for(lambda: sid in state._servers)
    try:
        client = WsSession(f"http://localhost:{state._servers[sid][0].port}/")

        async def tab():
            task = asyncio.create_task(client.run(time.monotonic() + 90))
            while sum(map(bool, frames)) < 12 and not task.done():
                await asyncio.sleep(0.05)
            client.stop_at = 0
            await task
        runner = threading.Thread(target=lambda: asyncio.run(tab()))
        runner.start()
        runner.join(timeout=120)
        assert client.error is None, client.error
        # Frames before the websocket subscribed to the document send nothing (no one to send to).
        sent = [len(m) for m in frames]
        assert sum(map(bool, sent)) >= 12, f"only {len(frames)} training frames ran: {sent}"
        first = next(i for i, n in enumerate(sent) if n)
        for messages in frames[first + 1:]:  # the first also draws what the page had not yet
            assert len(messages) == 1, f"a frame sent {len(messages)} messages, not one: {sent}"
            sources = [e for e in messages[0] if isinstance(getattr(e, "model", None), ColumnDataSource)]
            assert sources, "a training frame changes the pictures' data"
            whole = [e for e in sources if isinstance(e, ModelChangedEvent)]
            assert not whole, f"{len(whole)} sources were replaced whole, not updated by column"
            assert all(isinstance(e, (ColumnDataChangedEvent, ColumnsPatchedEvent, ColumnsStreamedEvent))
                       for e in sources)
    finally:
        thread.stop()
