"""Compare mode's page without a browser (simulator/views/compare.py, issue 19): the link round
trip, Play's frames stepping every run in lockstep, one weight selected in every run, the overlaid
curves and bars, each run's own link, and a refused comparison's page."""
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pytest

from simulator.views import link as LK
from simulator.views.compare import CompareView, compare_page, comparison_of_query, query_of, run_link

QUERY = {"lesson": "learned-initial-state", "compare": "learn_h0:false,true"}


@pytest.fixture
def view():
    v = CompareView(comparison=comparison_of_query(QUERY))
    v.__panel__()
    return v


def test_the_link_round_trips():
    c = comparison_of_query({"lesson": "temporal-xor", "seed": "3", "compare": "optimizer:momentum,adam"})
    again = comparison_of_query(query_of(c))
    assert again.settings == c.settings == {"optimizer": ["momentum", "adam"]}
    assert again.base.seed == 3 and again.base.lesson == "temporal-xor"
    assert all(np.array_equal(a.net.W, b.net.W) for a, b in zip(c.runs, again.runs))


def test_the_players_frames_step_every_run_in_lockstep(view):
    c, p = view.comparison, view.player
    assert p.runs == 2
    for _ in range(3):
        p.step_once()
    p._step(4, lambda ok, n: ok)  # a Play frame of 4 updates
    assert [r.updates for r in c.runs] == [7, 7] and c.updates == 7
    assert [len(s.data["update"]) for s in view.curves.sources] == [7, 7, 0, 0]
    assert [item.label.value for item in view.curves.legend.items] == ["learn_h0=false", "learn_h0=true"]
    T = c.runs[0].sequences.T
    assert [len(s.data["G"]) for s in view.bars.sources] == [T, T, 0, 0]


def test_a_long_comparison_keeps_every_stride_th_point(view):
    """Each run's curve is thinned like the single run's (views/plotting.py ThinnedCurve)."""
    c, p = view.comparison, view.player
    for line in view.curves.thinned:
        line.most = 30
    for _ in range(20):
        p._step(9, lambda ok, n: ok)
    assert c.updates == 180
    for run, src, line in zip(c.runs, view.curves.sources, view.curves.thinned):
        assert line.stride == 8
        assert list(src.data["update"]) == [u for u, _ in run.history[::8]]
        np.testing.assert_array_equal(src.data["loss"], [e for _, e in run.history[::8]])


def test_a_weight_is_selected_in_every_run(view):
    c = view.comparison
    names = c.runs[0].unit_names
    view.selection.weight = (names.index("o1"), names.index("h2"))  # a click in any run's picture
    assert view.weight == "o1←h2"
    i, j = view.selection.weight
    assert all(np.array_equal(src.data["G"], run.gradients.dW_by_step[:, i, j])
               for src, run in zip(view.bars.sources, c.runs))
    view.weight = "h1←h1"  # the menu
    assert view.selection.weight == (names.index("h1"), names.index("h1"))


def test_each_run_opens_on_its_own_with_its_settings():
    c = comparison_of_query({"lesson": "temporal-xor", "compare": "truncate:0,2;learning_rate:0.2,0.5"})
    doc = LK.link_document(dict(parse_qsl(run_link(c, 1)[1:])))
    assert doc["training"]["truncate"] == 2 and doc["training"]["learning_rate"] == 0.5
    assert np.array_equal(np.array(doc["network"]["W"]), c.runs[1].net.W)


def test_a_refused_comparison_says_why():
    page = compare_page({"lesson": "temporal-xor", "compare": "learning_rate:0.1,0.2,0.3"}, most=2)
    text = page.objects[0].object
    assert "this server compares at most 2 runs" in text and "?lesson=temporal-xor" in text


def test_every_lesson_comparison_opens_and_its_card_links_to_it():
    """Each comparison a lecture makes (Lesson.compare) is one the app accepts, and its card links to it."""
    from simulator.app import SimulatorApp
    from simulator.lessons.registry import REGISTRY
    from simulator.state.session import Session
    made = [(name, card, label, text) for name, lesson in REGISTRY.items() for card, label, text in lesson.compare]
    assert {m[0] for m in made} >= {"learned-initial-state", "temporal-xor", "binary-addition", "vanishing-exploding"}
    for name, card, label, text in made:
        c = comparison_of_query({"lesson": name, "compare": text})
        assert len(c.runs) == 2 and c.differing()
        app = SimulatorApp(session=Session(lesson=name))
        app.lecture.card = card
        assert f"Compare side by side: {label}" in app.lecture.card_html()
        assert f"compare={text.replace(':', '%3A').replace(',', '%2C').replace(';', '%3B')}" in app.lecture.card_html()
        app.lecture.card = (card + 1) % len(app.lecture.cards)
        assert "card-compare" not in app.lecture.card_html()


def test_a_saved_comparison_opens_as_a_compare_page(view):
    """Save comparison writes the start and the runs' settings; create_app(doc=...) (bptt-sim serve
    FILE) opens that document as a Compare page again, and without the section as the single app."""
    from simulator import document
    from simulator.app import create_app
    doc = document.parse(view.save.callback().getvalue())
    assert doc["compare"] == {"settings": {"learn_h0": [False, True]}}
    page = create_app(doc=doc)
    assert "compare-app" in page.css_classes
    del doc["compare"]
    assert "compare-app" not in create_app(doc=doc).css_classes


@pytest.fixture
def served(monkeypatch):
    """A served page's document and URL, as a browser's request gives them (timers never run)."""
    import panel as pn
    from bokeh.document import Document
    monkeypatch.setattr(pn.state, "curdoc", Document())
    location = pn.state.location
    location.search = "?" + urlencode(QUERY)
    return location


def test_the_page_url_follows_the_runs_and_a_reload_replays_them(served):
    """After Play's updates the URL holds the start, compare= and n; opening it replays the runs
    from the start in lockstep, to the last digit; Reset clears n."""
    v = CompareView(comparison=comparison_of_query(QUERY))
    c = v.comparison
    v.player.step_once()
    v.player._step(6, lambda ok, n: ok)
    v.link._write()  # what the page's timer does
    query = dict(parse_qsl(served.search[1:]))
    assert query["compare"] == "learn_h0:false,true" and query["n"] == "7" and query["lesson"] == QUERY["lesson"]
    again = comparison_of_query(query)
    assert again.updates == 7 and [r.updates for r in again.runs] == [r.updates for r in c.runs] == [7, 7]
    for a, b in zip(again.runs, c.runs):
        assert np.array_equal(a.net.params(), b.net.params()) and a.history == b.history
    c.reset()
    v.link._write()
    assert "n" not in dict(parse_qsl(served.search[1:]))


def test_a_trained_start_keeps_only_n_in_the_url(served):
    """A document trained before the comparison has a velocity and history no link carries: the
    URL then says only n (a reload serves the document again), never a start it would not open."""
    from simulator import document
    from simulator.state.compare import Comparison
    from simulator.state.session import Session
    s = Session(lesson="temporal-xor")
    s.step(5)
    doc = document.to_document(s)
    c = Comparison(lambda: document.session_from_document(doc, validated=True), "learning_rate:0.1,0.2")
    v = CompareView(comparison=c)
    c.step(3)
    v.link._write()
    query = dict(parse_qsl(served.search[1:]))
    assert query["n"] == "3" and query["compare"] == QUERY["compare"]  # the URL's own compare, untouched


@pytest.mark.parametrize("n", ["5001", "-1", "x", "1e3"])
def test_a_link_asking_too_many_or_bad_updates_is_refused(n):
    page = compare_page({**QUERY, "n": n})
    assert "n: expected the updates to replay, 0 to 5000" in page.objects[0].object


def test_loading_a_comparison_in_the_single_app_offers_it_as_a_comparison(view):
    """Load of a saved comparison shows its start as before, and a link that opens the same
    comparison on Compare mode's page (the same runs from the same start)."""
    import html
    import re
    from simulator.state.session import Session
    from simulator.views.share import ShareView
    share = ShareView(session=Session(lesson="temporal-xor"))
    share.upload.filename = "both.json"
    share.upload.value = view.save.callback().getvalue().encode()
    text = share.feedback.object
    assert share.session.lesson == QUERY["lesson"] and "Loaded both.json" in text
    assert "This file holds a comparison of 2 runs" in text
    href = html.unescape(re.search(r"class='share-compare' href='\?([^']*)'", text).group(1))
    again = comparison_of_query(dict(parse_qsl(href)))
    assert again.settings == view.comparison.settings
    assert all(np.array_equal(a.net.params(), b.net.params()) for a, b in zip(again.runs, view.comparison.runs))


def test_a_comparison_no_link_carries_says_to_serve_the_file():
    from simulator import document
    from simulator.state.compare import Comparison
    from simulator.state.session import Session
    from simulator.views.share import ShareView
    s = Session(lesson="temporal-xor")
    s.step(5)  # a trained start: its velocity and history are in no link
    doc = document.to_document(s)
    c = Comparison(lambda: document.session_from_document(doc, validated=True), "learning_rate:0.1,0.2")
    share = ShareView(session=Session(lesson="temporal-xor"))
    share.upload.filename = "trained.json"
    share.upload.value = document.dumps(document.comparison_document(c)).encode()
    text = share.feedback.object
    assert share.session.updates == 5 and "a comparison of 2 runs: no link carries its start" in text
    assert "<code>bptt-sim serve trained.json</code>" in text and "share-compare" not in text


def test_a_plain_document_offers_no_comparison(view):
    from simulator import document
    from simulator.state.session import Session
    from simulator.views.share import ShareView
    share = ShareView(session=Session(lesson="temporal-xor"))
    share.upload.filename = "one.json"
    share.upload.value = document.dumps(document.to_document(view.comparison.base)).encode()
    assert "Loaded one.json" in share.feedback.object and "comparison" not in share.feedback.object
