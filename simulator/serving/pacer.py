"""FramePacer: keeps training frames from piling up in a browser that draws slower than the
server sends.

The server can compute a frame faster than a browser can apply and paint it when the picture is
big (the robot writer's unrolled net) or the laptop is slow. Frames then
queue in the page: what it shows lags seconds behind, and a Pause click waits behind the queue
(measured: Pause took effect 1 s after the click and the picture ran on for 3 s more). So the
page acknowledges each frame as it applies it, and the Player skips its tick while ``ahead``
frames are unacknowledged. One: Pause means the next frame shows the last update (issue 20;
with 8 in flight the page went on counting ~150 updates in the adder and ~800 in the robot
writer after the click). The page answers as it applies a frame, before painting, so the
wait is short. A client that never acknowledges (a protocol-level load
test client, which renders nothing) is never held back.

The count goes to the page as a message in the frame's own PATCH-DOC, not as a synced property:
Panel's path for a changed property of a custom component cost 0.34 ms a frame (a Bokeh
attribute lookup that fails and suggests close names), the message 0.03 ms.
"""
import panel as pn
import param
from panel.custom import JSComponent

from simulator.serving.assets import STATIC


class PacerPage(JSComponent):
    """The page's half: answers each count it receives by setting ``shown``. (Not ``_``-named:
    the page could not resolve a component class whose name starts with one.)"""

    shown = param.Integer(default=0, doc="The last frame the page has applied.")

    _esm = STATIC / "pacer.js"

    def tell(self, sent):
        """Send the page the count of frames sent, in the document's next message."""
        self._send_msg(sent)


class FramePacer(pn.viewable.Viewer):
    """``sent`` counts the Player's frames (each one told to the page); the page sets ``shown`` as
    it applies one. Lay it out anywhere in the page: it draws nothing."""

    sent = param.Integer(default=0, doc="Training frames the server has sent.")
    shown = param.Integer(default=0, doc="The last frame the page has applied.")
    ahead = param.Integer(default=1, bounds=(1, None), doc="Frames the server may run ahead of the page.")

    def __init__(self, **params):
        super().__init__(**params)
        self._page = PacerPage(height=0, width=0, margin=0)
        self._page.param.watch(lambda e: setattr(self, "shown", e.new), "shown")

    def behind(self):
        """True while the page has not caught up (only once it has answered at least once)."""
        return self.shown > 0 and self.sent - self.shown >= self.ahead

    def frame_sent(self):
        self.sent += 1
        self._page.tell(self.sent)

    def __panel__(self):
        return self._page
