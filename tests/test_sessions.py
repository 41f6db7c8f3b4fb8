"""Sessions on a shared server: each owns its state, and a closed one leaves nothing behind."""
import gc
import weakref

import numpy as np

from simulator.app import SimulatorApp, create_app


def _params(net):
    return [a.copy() for a in (net.W, net.b, net.h0)]


def test_two_apps_never_share_weights():
    """Training one app leaves another app's network, data and history exactly as they were."""
    a, b = SimulatorApp(), SimulatorApp()
    assert a.session is not b.session and a.session.net is not b.session.net
    for x, y in zip((a.session.net.W, a.session.net.b, a.session.sequences.X),
                    (b.session.net.W, b.session.net.b, b.session.sequences.X)):
        assert not np.shares_memory(x, y)
    before = _params(b.session.net)
    a.session.step(5)
    a.session.set_parameter(("W", 3, 2), "1.25")
    assert a.session.updates == 5 and a.session.net.W[3, 2] == 1.25
    assert b.session.updates == 0 and b.session.history == []
    for old, new in zip(before, _params(b.session.net)):
        np.testing.assert_array_equal(old, new)
    assert not np.array_equal(a.session.net.W, b.session.net.W)


def test_two_apps_have_their_own_selection_and_player():
    """Moving the time cursor or pressing Play in one app does nothing to the other."""
    a, b = SimulatorApp(), SimulatorApp()
    a.selection.time = 3
    a.player.playing = True
    try:
        assert b.selection.time == 0 and not b.player.playing
    finally:
        a.player.playing = False


def test_a_dropped_app_is_freed():
    """Once the last reference to an app and its layout is gone, its Session is garbage: nothing
    at module level (a cache, a registry, a class attribute, the Player's timer) keeps it alive.
    (Rendered Bokeh models are freed by the server destroying the session's Document; that
    path is measured by benchmarks/load_test.py, not here.)"""
    app = SimulatorApp()
    layout = app.__panel__()
    app.session.step(3)
    app.player.playing = True
    app.player.playing = False
    refs = [weakref.ref(o) for o in (app, app.session, app.session.net, app.player, app.selection)]
    del app, layout
    gc.unfreeze()  # an in-process test server may have frozen it (simulator/serving/gc_pauses.py)
    gc.collect()
    assert [r() for r in refs] == [None] * len(refs)


def test_create_app_builds_a_new_state_per_call():
    """create_app (what the server calls once per browser session) never reuses a Session."""
    gc.collect()
    from simulator.state.session import Session
    before = {id(o) for o in gc.get_objects() if isinstance(o, Session)}
    one, two = create_app(), create_app()
    after = [o for o in gc.get_objects() if isinstance(o, Session) and id(o) not in before]
    assert len(after) == 2 and after[0] is not after[1]
    del one, two


def test_the_scheduler_stretches_frames_while_the_process_is_busy():
    """A process busier than its share stretches every period (more updates per frame keep
    8 updates/s); once it is quiet the periods shrink back to the Players' own; a paused or
    closed session stops counting as active."""
    from simulator.serving.scheduler import FrameScheduler

    class P:  # a stand-in Player (the scheduler holds weak references)
        pass

    sch = FrameScheduler(share=0.6, min_rate=8.0, max_period_ms=5000, window=1.0)
    players = [P() for _ in range(60)]
    cpu, now = 0.0, 100.0
    for second in range(8):  # saturated: the process uses a whole core
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 1.0
    assert sch.period_ms(40) >= 1000 and sch.min_updates(sch.period_ms(40)) >= 8
    for second in range(30):  # quiet: 10 % of a core
        sch.frame_done(players[0], now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 0.1
    assert sch.period_ms(40) == 40
    assert sch.active(now=now) == 1  # only players[0] ticked in the last seconds
    sch.leave(players[0])
    assert sch.active(now=now) == 0
    del players, p
    gc.collect()
    assert len(sch._last_tick) == 0


def test_the_stretch_a_class_arriving_made_is_undone_in_a_few_seconds():
    """Page loads keep the process saturated while a class arrives; once they are done and the
    frames leave the loop a third busy, the periods come back within six windows (shrinking by a
    fifth a window left them ~9 times the Players' own, one frame in 0.4 s)."""
    from simulator.serving.scheduler import FrameScheduler

    class P:
        pass

    sch = FrameScheduler(share=0.6, max_period_ms=5000, window=1.0)
    players = [P() for _ in range(60)]
    cpu, now = 0.0, 100.0
    for second in range(8):  # the class arriving: a whole core
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 1.0
    assert sch.period_ms(40) >= 1000
    for second in range(7):  # all 60 still play; a fifth of a core (the first window ends the busy one)
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 0.2
    assert sch.period_ms(40) <= 80


def test_a_lone_session_is_never_stretched():
    """One playing session competes with nobody: however busy the process, it keeps its own period."""
    from simulator.serving.scheduler import FrameScheduler

    class P:
        pass

    sch, player, cpu, now = FrameScheduler(share=0.6), P(), 0.0, 100.0
    for second in range(8):  # the one session uses a whole core
        sch.frame_done(player, now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 1.0
    assert sch.period_ms(40) == 40
