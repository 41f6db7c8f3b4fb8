"""Record: a picture, or the stage (the two network pictures), filmed as a WebM video in the browser.

PNG and SVG are still frames; the moving pictures are the app's best part, and a lecturer wants
them in slides. The browser films them itself (static/record.js: the figures' canvas layers
copied each animation frame onto one canvas, its ``captureStream()`` fed to a ``MediaRecorder``),
so a recording costs the server nothing and keeps the frame rate the page showed. A net picture's
video, and the stage's video of both, show the nets' legend below the pictures, drawn as the PNG and
SVG exports draw it (views/save_tool.py's LEGEND_SVG, the one drawing of it).

GIF is not offered: browsers have no GIF encoder, and a JavaScript one from npm (gifenc, gif.js)
would have to be copied into static/ and would quantise every frame's colours on the page's own
thread, slowing the live view it films.
"""
from base64 import b64encode

import param
from bokeh.models import CustomAction, CustomJS
from panel.custom import JSComponent

from simulator.serving.assets import STATIC

#: The stage: the figures the stage's Record button films, the legend shown below them (the
#: entries RecurrentView keeps for both pictures), and the name it gives the file.
STAGE_FIGURES = ("network_figure", "unrolled_figure")
STAGE_LEGEND = "net_legend_entries"
STAGE_PICTURE = "recurrent-and-unrolled"

RECORD_ICON = "data:image/svg+xml;base64," + b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">'
    b'<circle cx="10" cy="10" r="8" fill="none" stroke="#666" stroke-width="1.4"/>'
    b'<circle cx="10" cy="10" r="4.5" fill="#c62828"/></svg>').decode()

# static/record.js registers window.bpttRecord as the app's page draws (its Recorder is on the stage).
RECORD_JS = """
const reg = window.bpttRecord
if (reg == null)
  console.warn("Record: this page has no recorder (the app's stage Record button loads it)")
else
  reg.toggle_figure(fig, filename, cb_obj, typeof legend_image === "function" ? legend_image : null)
"""
# With a legend: ``legend_image(W)`` gives {svg, H}, the legend drawn W wide and H high as the PNG and
# SVG exports draw it (``legend_code``: views/save_tool.py's LEGEND_SVG, which sets ``body`` and ``H``
# from the args ``legend`` and ``fig``), and the video shows it below the picture.
LEGEND_IMAGE = """
const legend_image = (W) => {
%s
  return {H, svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${body}</svg>`}
}
"""


def legend_image_js(legend_code):
    """JS defining ``legend_image(W)`` from the code that draws the legend (``legend_code``), for a
    picture's Record tool and, compiled in the page (static/record.js), for the stage's."""
    return LEGEND_IMAGE % legend_code


class Recorder(JSComponent):
    """The stage's Record button: starts and stops a WebM recording of the two network pictures,
    with their legend below them when given ``legend_image`` (the download is named
    ``<lesson>-<picture>-update<n>.webm``, or ``-update<n>-<m>`` when the net was updated while it
    filmed). It also loads the recorder that every picture's Record tool (``record_tool``) uses."""

    lesson = param.String(default="", doc="The lesson's short name: the file name begins with it.")
    figures = param.List(default=list(STAGE_FIGURES), item_type=str, doc="Names of the Bokeh figures filmed.")
    picture = param.String(default=STAGE_PICTURE, doc="What the file name calls the stage.")
    legend = param.String(default=STAGE_LEGEND, doc="Name of the ColumnDataSource of the legend's labels "
                                                    "and swatches, shown below the pictures.")
    legend_image = param.String(default="", doc="``legend_image_js(legend_code)``: the JS that draws the "
                                                "legend; empty, the video has none.")

    _esm = STATIC / "record.js"


def record_tool(fig, filename, legend=None, legend_code=""):
    """A toolbar button recording ``fig`` as ``<lesson>-<filename>-update<n>.webm``, pressed again to stop.
    With ``legend`` (a ColumnDataSource of labels and swatches) and the JS that draws it
    (``legend_code``), each frame of the video shows the legend below the picture."""
    args, code = dict(fig=fig, filename=filename), RECORD_JS
    if legend is not None:
        args["legend"], code = legend, legend_image_js(legend_code) + RECORD_JS
    return CustomAction(icon=RECORD_ICON, tags=["record"], description="Record this picture as a video (WebM) while it plays; "
                                                      "press again to stop and download it",
                        callback=CustomJS(args=args, code=code))
