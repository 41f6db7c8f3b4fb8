"""The Player waits for the page (simulator/serving/pacer.py) without a browser: the page's answers are
set by hand here; tests/ui/test_pacing_ui.py drives the real page."""
from simulator.serving.pacer import FramePacer
from simulator.serving.player import Player
from simulator.state.selection import Selection
from simulator.state.session import Session


def test_a_page_that_never_answers_is_not_waited_for():
    pacer = FramePacer(ahead=2)
    for _ in range(10):
        pacer.frame_sent()
    assert not pacer.behind()


def test_the_player_skips_frames_while_the_page_is_behind_and_makes_them_up():
    session = Session()
    player = Player(session=session, selection=Selection(), pacer=FramePacer(ahead=2), fair=False)
    player.tick()
    player.pacer.shown = player.pacer.sent  # the page answered the first frame
    player.tick()
    player.tick()  # two unanswered: the page is behind
    frames, updates = player.pacer.sent, session.updates
    player.tick()
    player.tick()
    assert (player.pacer.sent, session.updates) == (frames, updates), "no frame while the page is behind"
    one = player.updates_per_frame
    player.pacer.shown = player.pacer.sent  # the page caught up
    player.tick()
    assert player.pacer.sent == frames + 1
    assert player.updates_per_frame >= 2 * one, "the two skipped frames are made up in updates"


def test_a_speed_that_promises_one_update_a_frame_does_not_make_up_skipped_frames():
    """Slow and "N updates a frame" speeds: a frame after skipped ones still runs exactly N."""
    session = Session()
    player = Player(session=session, selection=Selection(), pacer=FramePacer(ahead=2), fair=False,
                    max_updates=1, catch_up=False)
    player.tick()
    player.pacer.shown = player.pacer.sent
    for _ in range(4):
        player.tick()  # two frames, then two skipped while the page is behind
    player.pacer.shown = player.pacer.sent
    updates = session.updates
    player.tick()
    assert (session.updates - updates, player.updates_per_frame) == (1, 1)
