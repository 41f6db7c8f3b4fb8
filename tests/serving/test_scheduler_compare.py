"""The frame scheduler counts a Compare page of k runs as k sessions' work (issue 19): alone on a
busy server it is stretched like k students, where one student alone never is."""
from simulator.serving.scheduler import FrameScheduler


class P:  # a stand-in Player (the scheduler holds weak references)
    def __init__(self, runs=None):
        if runs is not None:
            self.runs = runs


def saturate(sch, players):
    cpu, now = 0.0, 100.0
    for _ in range(8):  # the process uses a whole core
        for p in players:
            sch.frame_done(p, now=now, cpu=cpu)
        now, cpu = now + 1.0, cpu + 1.0
    return now


def test_a_compare_of_k_runs_counts_as_k_sessions():
    sch = FrameScheduler(share=0.6)
    one, compare = P(), P(runs=3)
    now = saturate(sch, [one, compare])
    assert sch.active(now=now) == 4
    sch.leave(one)
    assert sch.active(now=now) == 3


def test_a_lone_compare_page_is_stretched_on_a_busy_server():
    """A single run alone keeps its period; a compare of 2 runs alone shares the core like two sessions."""
    alone, compare = FrameScheduler(share=0.6), FrameScheduler(share=0.6)
    saturate(alone, [P()])
    saturate(compare, [P(runs=2)])
    assert alone.period_ms(40) == 40
    assert compare.period_ms(40) > 40


def test_the_lecturer_lowers_the_cap_for_every_session_the_server_builds():
    """serve(max_compare=2) builds each page with the cap of 2 runs; outside it the program's 4 hold."""
    from simulator.serving.server import _deciding_seeds
    from simulator.state.compare import allowed_runs
    assert _deciding_seeds(allowed_runs, True, 2)() == 2
    assert _deciding_seeds(allowed_runs, True)() == 4
    assert allowed_runs() == 4
