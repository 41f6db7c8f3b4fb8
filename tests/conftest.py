"""Shared fixtures. Engine: ``rng``, a NumPy Generator seeded from the test's own id."""
import zlib

import numpy as np
import pytest


@pytest.fixture
def rng(request):
    """A np.random.Generator seeded per test (stable across runs, different between tests)."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
