"""A served session whose tab closed stops training (simulator/serving/player.py: watched). Bokeh keeps
such a session, and runs its callbacks, for a minute; its training would take a share of the
core from the students still there. Real server, real websocket client (benchmarks/wsclient.py,
the load test's protocol-level tab)."""
from simulator.app import SimulatorApp
from simulator.serving.player import watched
from wstab import served, tab_until, wait_for


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

    # Kept 10 minutes after its tab closed, so only the Player can be what stops the training.
    with served(build, unused_session_lifetime_milliseconds=600_000) as url:
        # Open the tab and keep it until it has seen training move on the server.
        client = tab_until(url, lambda: bool(apps) and apps[0].session.updates >= 20, 60)
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
