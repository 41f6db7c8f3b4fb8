"""A Bokeh message leaves the server in one socket write (simulator/serving/one_write.py).

A training frame is one PATCH-DOC whose numeric columns travel as binary buffers: 3 websocket
messages plus 2 per buffer, each written to the socket on its own before. Real server, real
websocket client (benchmarks/wsclient.py), which reads every message frame by frame, so a
wrongly joined write would show as an error or a lost patch on its side."""
import threading

from panel.io import document
from tornado.iostream import IOStream

from simulator.app import SimulatorApp
from simulator.serving.server import prepare
from wstab import served, tab_until


def test_each_message_is_one_socket_write_and_the_tab_reads_every_frame(monkeypatch):
    prepare()
    assert getattr(document.dispatch_tornado, "one_write", False), "prepare() did not patch Panel's dispatch"
    sent = []  # per message dispatched to a websocket: (its parts, socket writes it took)
    inside = threading.local()
    dispatch, write = document.dispatch_tornado, IOStream.write

    def counted_dispatch(conn, events=None, msg=None):
        inside.writes = 0
        futures = dispatch(conn, events, msg)
        if futures:
            sent.append((len(futures), inside.writes))
        inside.writes = None
        return futures

    def counted_write(self, data):
        if getattr(inside, "writes", None) is not None:
            inside.writes += 1
        return write(self, data)
    monkeypatch.setattr(document, "dispatch_tornado", counted_dispatch)
    monkeypatch.setattr(IOStream, "write", counted_write)
    apps = []

    def build():
        app = SimulatorApp()
        app.player.playing = True
        apps.append(app)
        return app.__panel__()

    with served(build) as url:
        client = tab_until(url, lambda: len(sent) >= 12, 90)
    assert client.error is None, client.error
    with_buffers = [parts for parts, _ in sent if parts > 3]
    assert len(with_buffers) >= 5, f"frames' patches should carry binary buffers: {sent}"
    assert all(writes == 1 for _, writes in sent), f"(parts, writes) per message: {sent}"
    assert len(client.updates) >= 5, "the tab read the frames' status lines"
    counts = [n for _, n in client.updates]
    assert counts == sorted(counts) and counts[-1] > counts[0], counts
