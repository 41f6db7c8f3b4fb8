"""One socket write per Bokeh message.

Bokeh sends a document change as 3 websocket messages (header, metadata, content) and 2 more
for each binary buffer (the numeric arrays of a column-data patch, one buffer each), and
Tornado writes each websocket message to the socket at once. A training frame of the default
lesson is ~18 buffers, so ~39 send() calls, each of which, on loopback or to a proxy on the
same machine, runs the receiving side's network stack and wakes the reader: profiled in a
served session (benchmarks/bench_ui.py), the sends were the largest single cost of drawing and
sending a frame. Here the frames of one message are gathered and written with one send().

The websocket frames are still built by Tornado (compression, masking, byte counts); only the
stream's write is deferred until the message is complete, then made once. Every per-message
future resolves with that write, so a closed socket still raises WebSocketClosedError to the
caller as before.
"""
import asyncio


def one_write_a_message():
    """Patch Panel's Tornado dispatch once so each message leaves in a single socket write.
    Process-wide and write-once, like simulator/serving/server.py's set_nodelay."""
    from panel.io import document
    from tornado.concurrent import chain_future
    from tornado.iostream import StreamClosedError
    original = document.dispatch_tornado
    if getattr(original, "one_write", False):
        return

    def dispatch_tornado(conn, events=None, msg=None):
        ws = getattr(conn._socket, "ws_connection", None)
        stream = getattr(ws, "stream", None)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the server's loop: nothing to gather for
            loop = None
        if loop is None or stream is None or "write" in vars(stream) or ws.is_closing():
            return original(conn, events, msg)
        gathered, written = [], loop.create_future()

        def gather(data):
            gathered.append(bytes(data))
            return written
        stream.write = gather  # an instance attribute: the class's write comes back on del
        try:
            futures = original(conn, events, msg)
        finally:
            del stream.write
        if gathered:
            try:
                chain_future(stream.write(b"".join(gathered)), written)
            except StreamClosedError as e:
                written.set_exception(e)
        return futures

    dispatch_tornado.one_write = True
    document.dispatch_tornado = dispatch_tornado
