"""Numeric params that refuse True and False, for the Session's settings (session.py, training.py)."""
import numpy as np
import param

from simulator.state import caps


class _NotBool:
    """A numeric param that refuses True and False. bool is an int to Python, so param.Number took
    learning_rate=True as 1, and the document saved from it then held true where the format wants
    a number (and was refused on load)."""

    def _validate_value(self, value, allow_None):
        if isinstance(value, (bool, np.bool_)):
            what, (lo, hi) = "an integer" if isinstance(self, param.Integer) else "a number", self.bounds
            raise ValueError(f"{self.name}: expected {what} in [{lo}, {hi}]; got {caps.quote(value)} (true/false is not a number)")
        super()._validate_value(value, allow_None)


class Number(_NotBool, param.Number):
    pass


class Integer(_NotBool, param.Integer):
    pass
