"""Random small BPTT problems for the engine tests, and a hypothesis strategy that draws them.

A ``Problem`` holds plain arrays (the model of docs/model.md) and builds the engine's ``Network``
and ``Sequences`` from them, or runs ``reference.bptt_reference`` on them, so a test can put
the two side by side. Structural choices (sizes, activations, masks, modes) are drawn by
hypothesis; the numbers come from a NumPy Generator seeded by hypothesis.
"""
from dataclasses import dataclass, field, replace

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from engine import Network, Sequences
from reference import bptt_reference

ACTS = ("logistic", "tanh", "linear", "softmax")
CLAMP_MODES = ("none", "initial-all", "initial-subset", "every-step-subset", "step-subsets", "random", "all")
TARGET_MODES = ("none", "final-all", "last-k", "subset-every-step", "random", "all")
WEIGHT_MODES = ("random", "random", "random", "zeros", "equal")

# Hypothesis settings for the engine suite: no deadline (the first call may compile), and a
# modest number of examples so the whole suite stays well under two minutes.
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Problem:
    W: np.ndarray
    b: np.ndarray
    h0: np.ndarray
    C: np.ndarray
    acts: list
    loss: str
    X: np.ndarray  # (B, T+1, N)
    K: np.ndarray
    Y: np.ndarray
    M: np.ndarray
    learn_h0: np.ndarray = None
    bias: bool = True
    ties: tuple = ()
    unbatched: bool = False  # give the Sequences (T+1, N) arrays (needs B == 1)
    notes: dict = field(default_factory=dict)

    @property
    def shape(self):
        return self.X.shape  # (B, T+1, N)

    def network(self, **changes):
        kw = dict(W=self.W, b=self.b, h0=self.h0, connections=self.C, activation=self.acts, loss=self.loss,
                  learn_h0=False if self.learn_h0 is None else self.learn_h0, bias=self.bias,
                  ties=self.ties)
        kw.update(changes)
        return Network(**kw)

    def sequences(self):
        arrays = (self.X, self.K, self.Y, self.M)
        if self.unbatched:
            arrays = tuple(a[0] for a in arrays)
        return Sequences(*arrays)

    def reference(self):
        """The reference's numbers; overflow in a wild problem shows up as inf/nan in them, not as warnings."""
        with np.errstate(all="ignore"):
            return bptt_reference(self.W, self.b, self.h0, self.C, self.acts, self.loss,
                                  self.X, self.K, self.Y, self.M, bias=self.bias)

    def replace(self, **changes):
        return replace(self, **changes)


def _subset(rng, N):
    """A random non-empty subset of units, as an index array."""
    return rng.choice(N, size=rng.integers(1, N + 1), replace=False)


def clamp_mask(rng, mode, B, T, N):
    K = np.zeros((B, T + 1, N))  # (B, T+1, N)
    if mode == "initial-all":
        K[:, 0, :] = 1
    elif mode == "initial-subset":
        K[:, 0, _subset(rng, N)] = 1
    elif mode == "every-step-subset":
        K[:, :, _subset(rng, N)] = 1
    elif mode == "step-subsets":  # a different subset at each step, the same for every case
        for t in range(T + 1):
            K[:, t, _subset(rng, N)] = 1
    elif mode == "random":
        K[...] = rng.random((B, T + 1, N)) < 0.3
    elif mode == "all":
        K[...] = 1
    return K


def target_mask(rng, mode, B, T, N):
    M = np.zeros((B, T + 1, N))  # (B, T+1, N)
    if mode == "final-all":
        M[:, T, :] = 1
    elif mode == "last-k":
        M[:, T + 1 - rng.integers(1, T + 2):, :] = 1
    elif mode == "subset-every-step":
        M[:, :, _subset(rng, N)] = 1
    elif mode == "random":
        M[...] = rng.random((B, T + 1, N)) < 0.4
    elif mode == "all":
        M[...] = 1
    return M


def make_problem(rng, N, T, B, acts, loss="squared", clamp="random", target="random", density=1.0,
                 bias=True, learn="none", weights="random", scale=1.0, tie=False, unbatched=False):
    """A random problem with these structural choices; the numbers come from ``rng``."""
    acts = list(acts)
    C = (rng.random((N, N)) < density).astype(float)  # (N, N)
    if weights == "zeros":
        W = np.zeros((N, N))
    elif weights == "equal":
        W = np.full((N, N), 0.3)  # equal net inputs: ties inside the softmax
    else:
        W = rng.uniform(-scale, scale, (N, N))
    # W keeps its values where C is 0: the engine must mask them (MODEL: absent means weight 0).
    b = rng.uniform(-1, 1, N) if bias else np.zeros(N)
    h0 = rng.uniform(0.05, 0.95, N)  # inside (0, 1): row-0 cross-entropy targets stay finite
    learn_h0 = {"none": np.zeros(N, bool), "all": np.ones(N, bool),
                "some": rng.random(N) < 0.5}[learn]
    ce = loss == "cross_entropy"
    K = clamp_mask(rng, clamp, B, T, N)
    X = rng.uniform(0.05, 0.95, (B, T + 1, N)) if ce else rng.uniform(-1, 1, (B, T + 1, N))
    X *= K  # unclamped entries of X are ignored; zero them so nothing depends on them
    M = target_mask(rng, target, B, T, N)
    Y = rng.uniform(-1, 1, (B, T + 1, N))
    if ce:
        ok = np.isin(acts, ("logistic", "softmax"))  # (N,): units where cross-entropy is defined
        M = M * ok
        Y = rng.uniform(0, 1, (B, T + 1, N))
        Y[rng.random(Y.shape) < 0.25] = 0.0  # exact 0 and 1 targets (the 0 log 0 convention)
        Y[rng.random(Y.shape) < 0.25] = 1.0
    Y *= M
    ties = ()
    if tie:
        ties = _tie_groups(rng, W, b, h0, C, learn_h0, bias)
    return Problem(W=W, b=b, h0=h0, C=C, acts=acts, loss=loss, X=X, K=K, Y=Y, M=M, learn_h0=learn_h0,
                   bias=bias, ties=ties, unbatched=unbatched and B == 1,
                   notes=dict(clamp=clamp, target=target, weights=weights))


def _tie_groups(rng, W, b, h0, C, learn_h0, bias):
    """Pick tie groups among existing connections, biases and learned h0; set each to its mean
    in place (tied parameters must start equal)."""
    groups = []
    present = np.argwhere(C == 1)
    if len(present) >= 2:
        pick = present[rng.choice(len(present), size=min(len(present), rng.integers(2, 4)), replace=False)]
        groups.append(tuple(("W", int(i), int(j)) for i, j in pick))
        W[pick[:, 0], pick[:, 1]] = W[pick[:, 0], pick[:, 1]].mean()
    N = len(b)
    if bias and N >= 2:
        pick = rng.choice(N, size=2, replace=False)
        groups.append(tuple(("b", int(i)) for i in pick))
        b[pick] = b[pick].mean()
    learned = np.flatnonzero(learn_h0)
    if len(learned) >= 2:
        pick = learned[:2]
        groups.append(tuple(("h0", int(i)) for i in pick))
        h0[pick] = h0[pick].mean()
    return tuple(groups)


@st.composite
def problems(draw, max_N=5, max_T=5, max_B=3, B=None, min_N=1, losses=("squared", "cross_entropy"), clamps=CLAMP_MODES,
             targets=TARGET_MODES, tie=None):
    """A hypothesis strategy for small random problems covering every structural case."""
    N = draw(st.integers(min_N, max_N), label="N")
    T = draw(st.integers(1, max_T), label="T")
    if B is None:
        B = draw(st.integers(1, max_B), label="B")
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=N, max_size=N), label="acts")
    loss = draw(st.sampled_from(losses), label="loss")
    return make_problem(
        np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed")), N, T, B, acts, loss=loss,
        clamp=draw(st.sampled_from(clamps), label="clamp"),
        target=draw(st.sampled_from(targets), label="target"),
        density=draw(st.sampled_from((1.0, 0.6, 0.3)), label="density"),
        bias=draw(st.booleans(), label="bias"),
        learn=draw(st.sampled_from(("none", "all", "some")), label="learn"),
        weights=draw(st.sampled_from(WEIGHT_MODES), label="weights"),
        scale=draw(st.sampled_from((0.5, 1.0, 2.0)), label="scale"),
        tie=draw(st.booleans(), label="tie") if tie is None else tie,
        unbatched=draw(st.booleans(), label="unbatched"),
    )


def assert_close(actual, desired, rtol=1e-9, name=""):
    """assert_allclose at rtol, with a tiny atol (1e-12 of the array's scale) for entries that
    are zero up to rounding."""
    desired = np.asarray(desired, dtype=float)
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=1e-12 * scale, err_msg=name)
