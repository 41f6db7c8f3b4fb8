"""The lecture's clamp and target patterns by name equal docs/model.md's masks."""
import numpy as np
import pytest

from engine import CLAMP_MODES, TARGET_MODES, Network, Sequences, bptt, clamp_pattern, target_pattern

T, N, S = 5, 4, [1, 3]


def expected_clamp(mode):
    K = np.zeros((T + 1, N))
    if mode == "initial-all":
        K[0, :] = 1                # initial states of all units
    elif mode == "initial-subset":
        K[0, S] = 1                # initial states of a subset
    else:
        K[:, S] = 1                # the same subset at every step
    return K


def expected_target(mode, k=2):
    M = np.zeros((T + 1, N))
    if mode == "final-all":
        M[T, :] = 1                # final activities of all units
    elif mode == "last-k-all":
        M[T - k + 1:, :] = 1       # all units for the last k steps (attractors)
    else:
        M[:, S] = 1                # a subset of units
    return M


@pytest.mark.parametrize("mode", CLAMP_MODES)
def test_clamp_patterns(mode):
    """Each clamp mode gives exactly docs/model.md's K."""
    got = clamp_pattern(mode, T, N, units=S)
    assert got.shape == (T + 1, N)
    np.testing.assert_array_equal(got, expected_clamp(mode))


@pytest.mark.parametrize("mode", TARGET_MODES)
def test_target_patterns(mode):
    """Each target mode gives exactly docs/model.md's M."""
    got = target_pattern(mode, T, N, units=S, last=2)
    np.testing.assert_array_equal(got, expected_target(mode))


def test_patterns_drive_bptt(rng):
    """A clamped pattern fixes those states in the stack; a target pattern sets where E counts."""
    K, M = clamp_pattern("every-step-subset", T, N, units=S), target_pattern("final-all", T, N)
    X, Y = rng.random((T + 1, N)), rng.random((T + 1, N))
    g = bptt(Network.random(N, rng), Sequences(X, K, Y, M))
    np.testing.assert_array_equal(g.states[0][:, S], X[:, S])
    assert np.all(g.loss_by_step[:T] == 0) and g.loss_by_step[T] > 0
