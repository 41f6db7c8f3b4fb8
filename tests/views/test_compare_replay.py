"""A link's replay of n updates gives the event loop back between slices (issue 19): at the
5,000-update cap it held a served loop for seconds, and every other session's frames waited.
Counted, not timed: a task beside the replay sees each slice's update count."""
import asyncio

import numpy as np
from bokeh.document import Document

from simulator.views import compare as V

QUERY = {"lesson": "temporal-xor", "compare": "learning_rate:0.1,1.0"}


def same_runs(a, b):
    assert a.updates == b.updates
    for x, y in zip(a.runs, b.runs):
        assert np.array_equal(x.net.params(), y.net.params()) and x.history == y.history


def replay_beside_a_counter(comparison, n, budget):
    """Run replay_async(n) with a task that records comparison.updates each time the loop runs it."""
    seen, done = [], []

    async def counter():
        while not done:
            seen.append(comparison.updates)
            await asyncio.sleep(0)

    async def main():
        task = asyncio.create_task(counter())
        await V.replay_async(comparison, n, budget)
        done.append(True)
        await task
    asyncio.run(main())
    return seen


def test_the_replay_yields_to_the_loop_between_slices_and_equals_one_replay():
    c = V.comparison_of_query(QUERY)
    seen = replay_beside_a_counter(c, 12, budget=0)  # budget 0: one update per slice
    assert set(range(1, 12)) <= set(seen)  # the loop ran between every two slices
    same_runs(c, V.comparison_of_query({**QUERY, "n": "12"}))


def test_slices_grow_to_the_budget_but_still_yield():
    """With a real budget the slices hold many updates (fewer returns to the loop), at least two."""
    c = V.comparison_of_query(QUERY)
    seen = replay_beside_a_counter(c, 300, budget=V.C.REPLAY_SLICE)
    inside = sorted({u for u in seen if 0 < u < 300})
    assert inside and inside[0] == 1  # the first slice is one update, measured
    same_runs(c, V.comparison_of_query({**QUERY, "n": "300"}))


class FakeServedDoc(Document):
    """A served Bokeh document as compare_page uses it: its next-tick callbacks kept to run here."""

    def __init__(self):
        super().__init__()
        self.ticks = []

    def add_next_tick_callback(self, callback):
        self.ticks.append(callback)


def test_a_served_page_opens_at_once_and_shows_the_runs_after_the_replay(monkeypatch):
    import panel as pn
    served = FakeServedDoc()
    monkeypatch.setattr(V, "served_doc", lambda: served)
    monkeypatch.setattr(pn.state, "curdoc", served)
    monkeypatch.setattr(pn.state, "onload", lambda callback, threaded=False: callback())  # the page has loaded
    page = V.compare_page({**QUERY, "n": "40"})
    assert "Replaying the link's 40 updates" in page.objects[0].object and "compare-app" in page.css_classes
    assert len(served.ticks) == 1
    asyncio.run(served.ticks[0]())
    view = page.objects[0]
    assert "compare-replaying" not in str(getattr(view, "object", ""))
    statuses = [p.object for p in view.select(pn.pane.HTML) if "update 40" in str(p.object)]
    assert len(statuses) >= 2  # each run's status line: update 40
