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
"""
import param
from panel.custom import JSComponent

from simulator.serving.assets import STATIC


class FramePacer(JSComponent):
    """``sent`` is set by the Player for each frame; the page sets ``shown`` as it applies it."""

    sent = param.Integer(default=0, doc="Training frames the server has sent.")
    shown = param.Integer(default=0, doc="The last frame the page has applied.")
    ahead = param.Integer(default=1, bounds=(1, None), doc="Frames the server may run ahead of the page.")

    _esm = STATIC / "pacer.js"

    def behind(self):
        """True while the page has not caught up (only once it has answered at least once)."""
        return self.shown > 0 and self.sent - self.shown >= self.ahead

    def frame_sent(self):
        self.sent += 1
