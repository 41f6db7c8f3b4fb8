"""KeyboardShortcuts: a tiny JS component that forwards chosen key presses to Python."""
import param
from panel.custom import JSComponent

from simulator.serving.assets import STATIC

class KeyboardShortcuts(JSComponent):
    """Calls ``on_key(key, shift)`` for each press of one of ``keys`` outside a text field."""

    keys = param.List(default=[" ", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Enter"],
                      doc="KeyboardEvent.key values to forward.")

    _esm = STATIC / "keys.js"

    def __init__(self, on_key=None, **params):
        super().__init__(**params)
        self._on_key = on_key

    def _handle_msg(self, msg):
        if self._on_key is not None and isinstance(msg, dict) and msg.get("key") in self.keys:
            self._on_key(msg["key"], bool(msg.get("shift")))
