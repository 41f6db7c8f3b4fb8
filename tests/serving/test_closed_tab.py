"""A served session whose tab closed stops training (simulator/serving/player.py: watched). Bokeh keeps
such a session, and runs its callbacks, for a minute; its training would take a share of the
core from the students still there. Real server, real websocket client (benchmarks/wsclient.py,
the load test's protocol-level tab)."""
import asyncio
import os
import sys
import threading
import time
import uuid

import panel as pn
from panel.io.state import state

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from wsclient import WsSession  # noqa: E402

from simulator.app import SimulatorApp  # noqa: E402
from simulator.serving.player import watched  # noqa: E402


def wait_for(condition, timeout=30.0, message="timed out"):
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout, message
        time.sleep(0.05)


def test_training_stops_when_the_tab_closes_and_not_before():
    apps, ticks = [], []  # ticks: (tab open?, update count) at each tick of the Player's timer

    def build():
        app = SimulatorApp()
        tick = app.player.tick

        def counted():
            ticks.append((watched(), app.session.updates))
            tick()
        app.player.tick = counted  # what Play's periodic callback will call
        app.player.playing = True
        apps.append(app)
        return app.__panel__()

    sid = uuid.uuid4().hex
    # Kept 10 minutes after its tab closed, so only the Player can be what stops the training.
    thread = pn.serve(build, port=0, threaded=True, show=False, server_id=sid,
                      unused_session_lifetime_milliseconds=600_000)
    wait_for(lambda: sid in state._servers)
    url = f"http://localhost:{state._servers[sid][0].port}/"
    try:
        client = WsSession(url)
        # Open the tab and keep it until it has seen training move on the server.
        done = lambda: bool(apps) and apps[0].session.updates >= 20  # noqa: E731

        async def tab():
            task = asyncio.create_task(client.run(time.monotonic() + 60))
            while not done() and not task.done():
                await asyncio.sleep(0.05)
            client.stop_at = 0
            await task
        # Its own thread: a browser test's Playwright may already run an event loop in this one.
        runner = threading.Thread(target=lambda: asyncio.run(tab()))
        runner.start()
        runner.join(timeout=90)
        assert client.error is None, client.error
        assert len(apps) == 1 and apps[0].session.updates >= 20, "trains while the tab is open"
        # The socket is closed: once the server sees it, the Player's timer ticks on (counted)
        # and the update count stays where it was.
        closed = len(ticks)
        wait_for(lambda: any(not open_ for open_, _ in ticks[closed:]),
                 message="the Player never saw the tab closed: training goes on for no one")
        first = closed + [open_ for open_, _ in ticks[closed:]].index(False)
        wait_for(lambda: len(ticks) >= first + 11)
        after = ticks[first:]
        assert after == [(False, after[0][1])] * len(after), "a closed tab's session must not keep training"
        assert apps[0].session.updates == after[0][1]
        assert apps[0].player.playing, "still Play: training resumes if the tab reconnects"
    finally:
        thread.stop()

