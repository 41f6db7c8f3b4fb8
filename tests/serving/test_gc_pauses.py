"""The collector policy of a served process (simulator/serving/gc_pauses.py): sessions' objects are frozen
out of the cyclic collector's sight, and closed sessions' garbage is still freed, once enough
of them have closed."""
import gc
import weakref

import pytest
from tornado.ioloop import IOLoop

from simulator.serving.gc_pauses import CollectorPolicy, follow_session


class Node:
    pass


@pytest.fixture
def policy():
    p = CollectorPolicy(delay=5.0, fraction=0.25)
    yield p
    if p._handle is not None:
        IOLoop.current().remove_timeout(p._handle)
    gc.unfreeze()  # the rest of the test run keeps the normal collector


def cycle():
    """A self-referencing object (only the cyclic collector frees it) and a weak reference to it."""
    node = Node()
    node.me = node
    return node, weakref.ref(node)


def test_frozen_garbage_waits_for_the_policy_s_collection(policy):
    node, ref = cycle()
    policy.session_built()
    assert gc.get_freeze_count() > 0
    del node
    gc.collect()
    assert ref() is not None, "a frozen cycle must be out of the collector's sight"
    freed = policy.collect()
    assert ref() is None and freed >= 1
    assert gc.get_freeze_count() > 0, "what is still alive is frozen again"
    assert len(policy.collections) == 1


def test_a_collection_waits_for_a_quarter_of_the_sessions_to_close(policy):
    for _ in range(8):
        policy.session_built()
    policy.session_closed()
    assert policy._handle is None, "one of 8 closed: not yet worth a full collection"
    policy.session_closed()
    assert policy._handle is not None, "2 of 8 closed: collect after the burst"
    policy.collect()
    assert (policy.frozen_sessions, policy.closed) == (6, 0)


def test_young_garbage_is_not_frozen(policy):
    node, ref = cycle()
    del node  # garbage already, in a young generation
    policy.session_built()
    assert ref() is None


def test_outside_a_server_nothing_is_frozen():
    gc.unfreeze()
    follow_session()
    assert gc.get_freeze_count() == 0
