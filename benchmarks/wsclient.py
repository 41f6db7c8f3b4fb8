"""A browser tab without the browser: opens one app session over Bokeh's websocket protocol.

Used by load_test.py to put K live sessions on a server from one small Python process
(on 2 cores, ten real Chromium tabs already use the cores the server needs).
It does what a tab does to start a session and nothing more:

1. GET the page and read the session token Bokeh embeds in it;
2. open ``ws://host/ws`` (Tornado's client) with subprotocols ``["bokeh", token]`` (the server sends an ACK);
3. PULL-DOC-REQ (the server replies with the whole document);
4. PATCH-DOC with the ``document_ready`` event: Panel's onload, which starts the periodic
   callbacks (the Player's training frames) exactly as a browser would.

Then it listens: every PATCH-DOC the server pushes is one redraw; the status line in it
(``update <n> · loss ...``) tells how far training got. Nothing is rendered and nothing is
sent back (a real tab also echoes range changes of auto-ranged plots: see BROWSER.md).
"""
import asyncio
import json
import re
import time
import urllib.request
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

TOKEN = re.compile(r'"token":\s*"([^"]+)"')
# The HTML pane's new text arrives HTML-escaped: &lt;span class=&quot;status&quot;&gt;update 12 ...
UPDATE = re.compile(r'status(?:&quot;|\\"|")(?:&gt;|>)update (\d+) ')
DOCUMENT_READY = {"events": [{"kind": "MessageSent", "msg_type": "bokeh_event",
                              "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map"}}}]}


def _message(msgtype, content):
    """The three text frames of a Bokeh protocol message without buffers."""
    header = {"msgid": uuid.uuid4().hex[:12], "msgtype": msgtype}
    return [json.dumps(header), "{}", json.dumps(content)]


class WsSession:
    """One session: ``await run(stop_at)`` opens it and counts what the server pushes."""

    def __init__(self, url):
        self.url = url  # the page, e.g. http://localhost:5006/?autoplay=1
        self.patches = 0          # PATCH-DOC messages received after document_ready
        self.updates = []         # (monotonic time, weight-update count) from the status line
        self.error = None         # first error (connection refused, closed early, bad reply)
        self.opened = None        # seconds from GET to the document received
        self.served_from = None   # the page's URL after redirects (the process that built the session)

    async def _fetch_token(self):
        def get():
            with urllib.request.urlopen(self.url, timeout=60) as r:
                # Several server processes: the address redirects to one process's port, and the
                # websocket must reach the process that built the session (serving/processes.py).
                self.served_from = r.geturl()
                return r.read().decode()
        page = await asyncio.get_running_loop().run_in_executor(None, get)
        m = TOKEN.search(page)
        if not m:
            raise RuntimeError("no session token in the page")
        return m.group(1)

    async def _receive(self, ws):
        """One whole protocol message: header, metadata, content, then buffer pairs."""
        header = json.loads(await self._frame(ws))
        await self._frame(ws)  # metadata
        content = await self._frame(ws)
        for _ in range(2 * header.get("num_buffers", 0)):
            await self._frame(ws)
        return header["msgtype"], content

    async def _frame(self, ws):
        frame = await ws.read_message()
        if frame is None:
            raise RuntimeError(f"the server closed the websocket (code {ws.close_code})")
        return frame

    async def run(self, stop_at, ready=None):
        """Open the session, then count patches until ``time.monotonic() >= self.stop_at``
        (``stop_at`` to begin with; set ``self.stop_at = 0`` to close it early)."""
        self.stop_at = stop_at
        t0 = time.monotonic()
        try:
            token = await self._fetch_token()
            host = self.served_from.split("//", 1)[1].split("/", 1)[0]
            ws_url = "ws://" + host + "/ws"
            # Tornado (Bokeh's own dependency) as the client: no extra package to install.
            request = HTTPRequest(ws_url, headers={"Origin": f"http://{host}"}, connect_timeout=120,
                                  request_timeout=120)
            ws = await websocket_connect(request, subprotocols=["bokeh", token], max_message_size=2 ** 30)
            try:
                kind, _ = await self._receive(ws)
                if kind != "ACK":
                    raise RuntimeError(f"expected ACK, got {kind}")
                for frame in _message("PULL-DOC-REQ", {}):
                    await ws.write_message(frame)
                while True:
                    kind, _ = await self._receive(ws)
                    if kind == "PULL-DOC-REPLY":
                        break
                for frame in _message("PATCH-DOC", DOCUMENT_READY):
                    await ws.write_message(frame)
                self.opened = time.monotonic() - t0
                if ready is not None:
                    ready()
                reader = asyncio.create_task(self._count(ws))
                while time.monotonic() < self.stop_at and not reader.done():
                    await asyncio.sleep(0.2)
                if reader.done():
                    reader.result()  # raises what ended it (e.g. the server closed the socket)
                    raise RuntimeError("the server stopped sending")
                reader.cancel()
            finally:
                ws.close()
        except Exception as exc:  # a load test counts failures instead of stopping at the first
            self.error = f"{type(exc).__name__}: {exc}"[:300]

    async def _count(self, ws):
        """Read every message the server pushes; a PATCH-DOC is one redraw."""
        while True:
            kind, content = await self._receive(ws)
            if kind == "ERROR":
                raise RuntimeError("server error: " + content[:200])
            if kind == "PATCH-DOC":
                self.patches += 1
                found = UPDATE.findall(content)
                if found:
                    self.updates.append((time.monotonic(), int(found[-1])))

    def rate(self, since):
        """Weight updates per second after ``since`` (monotonic), from the status lines seen."""
        points = [(t, n) for t, n in self.updates if t >= since]
        if len(points) < 2 or points[-1][0] <= points[0][0]:
            return 0.0
        return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])

    def frames(self, since):
        """Status-line redraws per second after ``since``."""
        points = [t for t, _ in self.updates if t >= since]
        if len(points) < 2 or points[-1] <= points[0]:
            return 0.0
        return (len(points) - 1) / (points[-1] - points[0])
