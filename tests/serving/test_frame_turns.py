"""One training frame per turn of the server's event loop (simulator/serving/scheduler.py:
may_frame): the loop runs every timer that is due before it reads the sockets again, so
sessions whose frames fell due together used to run back to back, and a click's message waited
behind all of them, once per turn its handling takes. Real server, real websocket tabs
(benchmarks/wsclient.py)."""
import asyncio
import threading
import time
from collections import Counter

from simulator.app import SimulatorApp
from simulator.serving.scheduler import FrameScheduler, loop_turn
from wstab import WsSession, served, wait_for

TABS = 4


def test_a_frame_waits_for_the_next_turn_once_one_ran_in_this_one():
    sch = FrameScheduler()
    assert sch.may_frame(), "outside an event loop every frame may run"

    async def turns():
        first = [sch.may_frame(), sch.may_frame()]  # two callbacks in one turn
        await asyncio.sleep(0)                      # the loop looks for I/O: a new turn
        return first, sch.may_frame(), loop_turn()

    first, later, turn = asyncio.run(turns())
    assert first == [True, False] and later and turn is not None


def test_sessions_that_train_together_take_turns_and_all_train():
    apps, frames = [], []  # frames: (loop turn, app index) of every training frame the server ran

    def build():
        app = SimulatorApp()
        step, index = app.player._step, len(apps)

        def counted(n, after):
            frames.append((loop_turn(), index))
            return step(n, after)
        app.player._step = counted  # what tick() calls to run a frame (Step clicks would too; none here)
        app.player.playing = True
        apps.append(app)
        return app.__panel__()

    with served(build) as url:
        clients = [WsSession(url) for _ in range(TABS)]

        async def tabs():
            tasks = [asyncio.create_task(c.run(time.monotonic() + 90)) for c in clients]
            while not (len(apps) == TABS and all(Counter(i for _, i in frames)[k] >= 15 for k in range(TABS))):
                if all(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.05)
            for c in clients:
                c.stop_at = 0
            await asyncio.gather(*tasks)
        runner = threading.Thread(target=lambda: asyncio.run(tabs()))
        runner.start()
        runner.join(timeout=150)
        wait_for(lambda: not runner.is_alive())
    assert all(c.error is None for c in clients), [c.error for c in clients]
    per_app = Counter(i for _, i in frames)
    assert [per_app[k] >= 15 for k in range(TABS)] == [True] * TABS, f"every session trains: {per_app}"
    shared = {turn: n for turn, n in Counter(t for t, _ in frames).items() if n > 1}
    assert None not in dict(frames), "the served loop is measured"
    assert not shared, f"turns of the loop that ran several frames: {shared}"


def test_pages_fetched_together_are_built_in_separate_turns():
    """A class arriving: page requests read in one turn of the loop were built back to back,
    holding every click for seconds; now one build a turn (serving/server.py one_build_a_turn)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from simulator.serving.server import one_build_a_turn
    one_build_a_turn()  # what serve() does first (prepare)
    built = []  # the loop turn of each session's build

    def build():
        built.append(loop_turn())
        return SimulatorApp().__panel__()

    with served(build) as url:
        barrier = threading.Barrier(TABS)

        def fetch(_):
            barrier.wait()  # the requests leave together, as a class's do
            with urllib.request.urlopen(url, timeout=120) as r:
                return r.status
        with ThreadPoolExecutor(TABS) as pool:
            statuses = list(pool.map(fetch, range(TABS)))
    assert statuses == [200] * TABS
    assert len(built) == TABS and None not in built
    assert len(set(built)) == TABS, f"sessions built in one turn of the loop: {sorted(built)}"


def test_documents_asked_for_together_are_sent_in_separate_turns():
    """The other half of a session's start: its websocket asks for the whole document
    (PULL-DOC), which Bokeh serialises on the loop. Tabs whose pages were built connect together
    here; each document goes out in a turn of its own."""
    from bokeh.server.session import ServerSession
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    from wsclient import _message

    from simulator.serving.server import one_build_a_turn
    one_build_a_turn()
    sent = []  # the loop turn in which each document was serialised
    handle = ServerSession._handle_pull

    def recorded(self, message, connection):
        sent.append(loop_turn())
        return handle(self, message, connection)

    with served(lambda: SimulatorApp().__panel__()) as url:
        tabs = [WsSession(url) for _ in range(TABS)]

        async def connect_together():
            tokens = [await t._fetch_token() for t in tabs]  # the pages, one after another
            host = url.split("//", 1)[1].split("/", 1)[0]

            async def pull(token):
                ws = await websocket_connect(HTTPRequest(f"ws://{host}/ws", headers={"Origin": f"http://{host}"}),
                                             subprotocols=["bokeh", token], max_message_size=2 ** 30)
                await tabs[0]._receive(ws)  # ACK
                for frame in _message("PULL-DOC-REQ", {}):
                    await ws.write_message(frame)
                kind = None
                while kind != "PULL-DOC-REPLY":
                    kind, _ = await tabs[0]._receive(ws)
                ws.close()
                return kind
            ServerSession._handle_pull = recorded
            try:
                return await asyncio.gather(*(pull(t) for t in tokens))
            finally:
                ServerSession._handle_pull = handle
        replies = asyncio.run(connect_together())
    assert replies == ["PULL-DOC-REPLY"] * TABS
    assert len(sent) == TABS and None not in sent
    assert len(set(sent)) == TABS, f"documents sent in one turn of the loop: {sorted(sent)}"


def test_detail_tabs_of_pages_drawn_together_are_filled_in_separate_turns():
    """The third piece of a session's start: once its page has drawn, its open detail tab is
    filled (simulator/app.py). A class's pages drew together and filled their tabs back to back;
    build_in_turn runs each in a turn of its own, under its document."""
    import panel as pn
    from bokeh.document import Document

    from simulator.serving.scheduler import build_in_turn
    built = []  # (loop turn, current document) of each build

    async def pages_drawn_together():
        docs = [Document() for _ in range(TABS)]
        pending = []
        for doc in docs:  # the server's next-tick callbacks, as Bokeh runs them: tasks on the loop
            doc.add_next_tick_callback = lambda cb: pending.append(asyncio.ensure_future(cb()))
        for doc in docs:  # all in one turn of the loop, as document_ready messages read together are
            build_in_turn(doc, lambda: built.append((loop_turn(), pn.state.curdoc)))
        await asyncio.gather(*pending)
        return docs

    docs = asyncio.run(pages_drawn_together())
    assert [d for _, d in built] == docs, "each built as its own document's change"
    turns = [t for t, _ in built]
    assert None not in turns and len(set(turns)) == TABS, f"tabs filled in one turn of the loop: {turns}"
