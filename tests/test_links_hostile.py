"""Hostile links (issue 21, item 6): any value of any query key gives the page and a message,
never HTTP 500 from Panel's own query parsing; a link longer than the cap is refused whole."""
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from simulator.state import caps
from simulator.state.session import Session
from simulator.views.link import link_document

DIGITS = "9" * 5000


@pytest.fixture(scope="module")
def served():
    """The real app served in-process; ``built`` holds each page's Session, newest last."""
    from panel.io.state import state

    from simulator.app import create_app
    from simulator.serving.server import serve
    built = []

    def factory():
        built.append(Session())
        return create_app(session=built[-1])

    sid = uuid.uuid4().hex
    thread = serve(factory, port=0, threaded=True, server_id=sid)
    t0 = time.monotonic()
    while sid not in state._servers and time.monotonic() - t0 < 30:
        time.sleep(0.02)
    yield f"http://localhost:{state._servers[sid][0].port}/", built
    try:
        thread.stop()
    except RuntimeError:  # Panel's own shutdown got there first
        pass


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@pytest.mark.parametrize("query, message", [
    ("seed=%C2%B2", "Could not open the link: seed: expected an integer; got '²'"),
    (f"seed={DIGITS}", "Could not open the link: seed: expected an integer; got '9999"),
    (f"n={DIGITS}", "Could not open the link: n: expected an integer; got '9999"),
    (f"lr={DIGITS}", "Could not open the link: lr: expected a number; got '9999"),
    ("T=%C2%B2%C2%B3", "Could not open the link: T: expected an integer; got '²³'"),
])
def test_digit_strings_give_the_page_and_a_message(served, query, message):
    """'²'.isdigit() is true but int('²') fails, and 5,000 digits exceed Python's int limit: Panel
    parsed both before the app and answered 500. Now the page loads and says what was wrong."""
    url, built = served
    status, page = _get(f"{url}?{query}")
    assert status == 200 and "bokeh" in page.lower()
    s = built[-1]
    assert s.message.startswith(message) and s.message_kind == "error"
    assert len(s.message) < 200, "the message quotes at most ~80 characters of the value"
    assert (s.seed, s.updates) == (Session().seed, 0), "the page keeps the default state"


def test_unknown_keys_with_any_value_are_ignored(served):
    """A key the app does not use, with a value Panel could not turn into a number, still gives the page."""
    url, built = served
    status, _ = _get(f"{url}?x={DIGITS}&y=%C2%B2&z=[[[[")
    assert status == 200 and built[-1].message == ""


def test_a_link_beyond_the_cap_is_refused_whole(served):
    """A query longer than MAX_LINK_CHARS is not read at all (not even its good seed), with a message."""
    url, built = served
    status, _ = _get(f"{url}?seed=7&w={'A' * caps.MAX_LINK_CHARS}")
    s = built[-1]
    assert status == 200 and s.seed == Session().seed != 7
    assert s.message.startswith("Could not open the link: the link is ") and str(caps.MAX_LINK_CHARS) in s.message


def test_a_good_link_still_opens(served):
    url, built = served
    status, _ = _get(f"{url}?seed=7&lr=0.3")
    assert status == 200 and (built[-1].seed, built[-1].learning_rate) == (7, 0.3)


@pytest.mark.parametrize("key", ["seed", "lr", "T", "n", "act", "loss", "h0", "lesson", "momentum", "clip"])
def test_link_messages_quote_at_most_80_characters(key):
    """A 30 kB value is not echoed whole: the message quotes ~80 characters of it."""
    with pytest.raises(ValueError) as err:
        link_document({key: "x" * 30_000})
    assert str(err.value).startswith(f"{key}: expected") and len(str(err.value)) < 80 + 200
