"""A training frame reaches the page as one message of column updates (issue 18: cheap frames).

Each view holds its own changes, but without a hold around the whole frame every view's block
left as a PATCH-DOC of its own: seven or eight per frame, each paying Bokeh's per-message cost
on the server (a walk over the document's ~1,000 models) and a separate apply in the page.
Real server, real websocket client (benchmarks/wsclient.py); the server's protocol is watched
from inside, which is where the messages are made."""
import threading

from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent, ColumnsStreamedEvent, ModelChangedEvent
from bokeh.models import ColumnDataSource
from bokeh.protocol import Protocol

from simulator.app import SimulatorApp
from wstab import served, tab_until


def test_a_training_frame_is_one_message_of_column_updates(monkeypatch):
    frames = []  # per training frame the server ran: the PATCH-DOC messages' events
    made, ticking = [], set()  # ticking: the thread inside the Player's tick (other servers may run)
    create = Protocol.create

    def watched_create(self, msgtype, *args, **kw):
        if msgtype == "PATCH-DOC" and threading.get_ident() in ticking:
            made.append(list(args[0]))
        return create(self, msgtype, *args, **kw)
    monkeypatch.setattr(Protocol, "create", watched_create)

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
        return app.__panel__()

    with served(build) as url:
        client = tab_until(url, lambda: sum(map(bool, frames)) >= 12, 90)
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
