"""Fuzz the Python API: engine.Network, Sequences, bptt and Trainer, Session and the notebook App
with one bad argument each are refused with a ValueError naming it, and nothing they held changes
(the other entry points are in tests/test_fuzz.py)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuzz_inputs as F
from engine import Network, Sequences, Trainer, bptt
from fuzz_inputs import fuzz, trained
from simulator.notebook import App
from simulator.state.session import Session

API = trained(Session())


# -- 4. the Python API -----------------------------------------------------------------------------------
@fuzz(600)
@given(case=F.one_bad(F.NET_GOOD, F.NET_BAD))
def test_network_arguments(case):
    """engine.Network with one bad argument: a ValueError naming it (never a TypeError or numba error)."""
    key, kwargs = case
    if key == "bias":
        kwargs["b"] = np.array([0.0, 0.5, 0.0])
    with pytest.raises(Exception) as info:
        Network(**kwargs)
    F.assert_clear(info.value, *F.NET_NAMES[key])


@fuzz(400)
@given(case=st.one_of(F.one_bad({k: st.just(v) for k, v in F.SEQ.items()}, F.SEQ_BAD), st.tuples(st.just("pair"), st.sampled_from(F.PAIRS)),
                      st.tuples(st.just("size"), st.sampled_from(F.SIZES))), use_trainer=st.booleans())
def test_sequences_and_bptt(case, use_trainer):
    """engine.Sequences with one bad array or a size beyond engine/config.py's limits, and bptt or
    Trainer on a pair that does not fit: a ValueError naming what was wrong."""
    key, arg = case
    with pytest.raises(Exception) as info:
        if key == "pair":
            net, seq = arg
            seq = Sequences(**seq) if isinstance(seq, dict) and "targets" in seq else seq
            (Trainer if use_trainer else bptt)(net, seq)
        elif key == "size":
            Sequences() if arg is None else Sequences(inputs=np.zeros(arg))
        else:
            Sequences(**arg)
    names = dict(pair=("net", "seq", "N=", "cross-entropy"), size=("limit", "T >= 1", "at least one"))
    F.assert_clear(info.value, *names.get(key, (key, "sequences", "shape")))


TRAINER = Trainer(Network(F.W3), Sequences(**F.SEQ), learning_rate=0.1, momentum=0.5)
TRAINER.step(2)  # a velocity and an update count for a refusal to keep
@fuzz(500)
@given(call=st.sampled_from(sorted(F.CALLS)), data=st.data(), live=st.booleans())
def test_training_calls(call, data, live):
    """Trainer settings (at construction or changed live), Trainer.step and Session.step with a bad n,
    Network.set with a bad reference or value, Network.random with a bad size: a ValueError naming the
    argument, and the network, optimiser and session exactly as they were."""
    arg = data.draw(F.CALLS[call])
    opt, net = TRAINER.optimiser, TRAINER.net
    before = (net.params(), opt.velocity.copy(), opt.updates, (opt.learning_rate, opt.momentum, opt.clip), F.snapshot(API))
    with pytest.raises(Exception) as info:
        if call == "trainer" and live:
            opt.set_hyper(**{"learning_rate": 0.1, "momentum": 0.5, "clip": None, arg[0]: arg[1]})
        elif call == "trainer":
            Trainer(net, TRAINER.seq, **{arg[0]: arg[1]})
        elif call == "step":
            (API.step if live else TRAINER.step)(arg)
        elif call == "set":
            net.set(*arg)
        else:
            Network.random(arg, np.random.default_rng(0))
    names = dict(step=("n must",), set=("expected", "tied parameter", "indices"), random=("n_units",))
    F.assert_clear(info.value, *(names[call] if call != "trainer" else (arg[0],)))
    assert np.array_equal(net.params(), before[0]) and np.array_equal(opt.velocity, before[1])
    assert (opt.updates, (opt.learning_rate, opt.momentum, opt.clip)) == before[2:4]
    F.assert_unchanged(before[4], API)


@fuzz(200)
@given(how=st.sampled_from(["session", "app_lesson", "app_document"]), name=st.sampled_from(sorted(F.SETTING_JUNK)),
       data=st.data())
def test_session_and_notebook_app(how, name, data, tmp_path_factory):
    """Session(setting=junk), simulator.notebook.App(lesson=junk) and App(document=junk): a ValueError
    naming the setting, or saying the document is not a path, not a file or not a document."""
    with pytest.raises(Exception) as info:
        if how == "session":
            Session(**{name: data.draw(st.sampled_from(F.SETTING_JUNK[name]))})
        elif how == "app_lesson":
            App(lesson=data.draw(st.sampled_from(["nope", 1, "", "Binary-addition", ["binary-addition"]])))
        else:
            App(document=data.draw(st.sampled_from([5, 1.5, ["a.json"], b"a.json", {"x": 1}, {}, "/no/such.json", "",
                                                    str(tmp_path_factory.getbasetemp())])))
    names = {"session": (name,), "app_lesson": ("lesson",), "app_document": ("path", "no such file", "document")}
    F.assert_clear(info.value, *names[how])
