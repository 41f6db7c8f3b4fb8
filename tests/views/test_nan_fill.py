"""A net whose states went NaN is drawn without the server logging 'invalid value encountered in
cast' (issue 20, item 17): NaN activities are filled white, the bottom of the range."""
import warnings

import numpy as np

from simulator.views import graph_layout as gl


def test_nan_activities_fill_white_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fill = gl.activity_fill(np.array([np.nan, 1.0, -np.inf]), ["logistic", "logistic", "tanh"])
    assert list(fill) == ["#ffffff", "#000000", "#ffffff"]
