"""The lesson panel's "10 seeds" (issue 14): the current settings from the next seeds in the
background, each curve drawn by whether it solved, the fraction said; off where it is not allowed."""
import multiprocessing

import panel as pn

from simulator.serving import runs as R
from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lesson_panel import LessonPanelView
from simulator.views.seeds import SeedsView


def test_it_runs_the_current_settings_from_the_next_seeds():
    """Two seeds of attractors at learning rate 0.3: the runs are run_one's, the curves sit by solved, the text counts."""
    s = Session(lesson="attractors")
    s.param.update(seed=7, learning_rate=0.3)
    v = SeedsView(session=s, count=2)
    assert v.start() and v.running and v.cancel_disabled() is False
    assert not v.start()  # one batch at a time
    assert v.finished.wait(300), "the runs did not come back"
    want = [R.run_one("attractors", seed, {"learning_rate": 0.3}, 300) for seed in (7, 8)]
    assert sorted(v.runs, key=lambda r: r["seed"]) == [{**r, "settings": {}} for r in want]
    for ok, src in v.sources.items():
        assert sorted(src.data["seed"]) == [r["seed"] for r in want if r["solved"] == ok]
    solved = sum(r["solved"] for r in want)
    assert f"{solved}/2 solved" in v.result_html() and "seeds 7–8" in v.result_html()
    assert v.done_count() == 2 and not v.running and v.run_disabled() is False


def test_cancel_stops_the_batch():
    v = SeedsView(session=Session(lesson="binary-addition"))
    v.start()
    v.cancel()
    assert v.finished.wait(120), "cancel did not stop the runs"
    assert v.ended == "cancelled" and "Stopped (cancelled)" in v.result_html()
    assert multiprocessing.active_children() == []


def test_on_a_class_server_it_is_off_and_says_how_to_allow_it():
    v = SeedsView(session=Session(), allowed=False)
    assert v.run_disabled() and not v.start() and not v.running
    assert "--allow-seeds" in v.result_html()


def test_the_lesson_panel_shows_it_for_lessons_with_a_criterion():
    s = Session(lesson="attractors")
    panel = LessonPanelView(session=s, selection=Selection())
    panel.__panel__()
    shown = panel.content.select(pn.widgets.Button)
    assert any(b is panel.seeds.run_btn for b in shown) and panel.seeds.session is s
