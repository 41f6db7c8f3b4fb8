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
