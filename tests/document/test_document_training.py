"""The training section's rule, minibatch, decay, truncation, stopping, frozen and optimizer-state
keys (issue 16): optional, written only when not the default, and a load continues exactly."""
import copy

import numpy as np
import pytest

from simulator import document as D
from simulator.document import schema as S
from simulator.state.session import Session
from simulator.state.training import TRAINING_SETTINGS

NEW_KEYS = set(TRAINING_SETTINGS) | {"frozen", "optimizer_state"}


def configured(optimizer="adam"):
    s = Session()
    s.param.update(optimizer=optimizer, batch_size=24, truncate=4, weight_decay=0.02, decay_all=True,
                   stop_at_loss=1e-4, stop_when_right=True, stop_at_updates=500)
    s.set_frozen(("W", 3, 1))
    s.set_frozen(("h0", 2))
    s.step(5)
    return s


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "momentum", "sgd"])
def test_save_load_continues_exactly(optimizer):
    """After save and load, the next updates equal those without the round trip (==), and every
    setting is back."""
    a = configured(optimizer)
    doc = D.parse(D.dumps(D.to_document(a)))
    b = D.session_from_document(doc, validated=True)
    for name in TRAINING_SETTINGS + ("frozen",):
        assert getattr(b, name) == getattr(a, name), name
    a.step(4)
    b.step(4)
    np.testing.assert_array_equal(b.net.params(), a.net.params())
    sa, sb = a.trainer.state_dict(), b.trainer.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        np.testing.assert_array_equal(sb[k], sa[k])


def test_default_training_writes_no_new_keys_and_old_documents_load():
    """A session with today's defaults saves exactly the keys it always did; a document without
    the new keys loads as momentum, all cases, full BPTT, nothing frozen."""
    s = Session(lesson="tied-weights")
    s.step(3)
    doc = D.to_document(s)
    assert not NEW_KEYS & set(doc["training"])
    loaded = D.session_from_document(copy.deepcopy(doc))
    assert (loaded.optimizer, loaded.batch_size, loaded.truncate, loaded.frozen) == ("momentum", 0, 0, [])
    s.step(2)
    loaded.step(2)
    np.testing.assert_array_equal(loaded.net.params(), s.net.params())


@pytest.mark.parametrize("change, match", [
    (lambda tr: tr.update(batch_size=257), r"training\.batch_size: expected 0 \(all cases\) or at most the 256"),
    (lambda tr: tr.update(optimizer="adagrad"), r"training\.optimizer"),
    (lambda tr: tr.update(frozen=[["W", 9, 0]]), r"training\.frozen\[0\]: unit index 9 is outside 0\.\.5"),
    (lambda tr: tr.update(optimizer="momentum"), r"training\.optimizer_state\.m: expected only with"),
    (lambda tr: tr["optimizer_state"].update(m=[0.0]), r"training\.optimizer_state\.m"),
    (lambda tr: tr["optimizer_state"].update(position=300), r"training\.optimizer_state\.position"),
    (lambda tr: tr.update(truncate=-1), r"training\.truncate"),
])
def test_bad_training_keys_are_refused_by_place(change, match):
    """Each bad new key is refused naming its place; the session loading it keeps its state."""
    doc = D.to_document(configured())
    change(doc["training"])
    with pytest.raises(ValueError, match=match):
        D.validate(doc)


@pytest.mark.parametrize("name", ["batch_size", "weight_decay", "truncate", "stop_at_loss", "stop_at_updates"])
def test_bounds_agree_with_the_session(name):
    """The schema's bounds are the Session parameters' own."""
    rule = S.schema()["properties"]["training"]["properties"][name]
    assert (rule["minimum"], rule["maximum"]) == tuple(Session.param[name].bounds)
    assert list(S.schema()["properties"]["training"]["properties"]["optimizer"]["enum"]) == \
        list(Session.param["optimizer"].objects)
