"""Save buttons on a picture: PNG (Bokeh's SaveTool) and SVG, both drawn in the browser.

The pictures otherwise hide their toolbar (no pan/zoom a student could drag by accident), so
this shows it only while the pointer is over the figure (autohide) with the two save buttons:
the figure's other tools (hover, tap) stay active but get no button a student could toggle off.

SVG: Bokeh's SaveTool saves whatever the figure is drawn with (``output_backend``), and a figure
drawn as SVG is slow to redraw while training streams frames. Changing ``output_backend`` on
a figure already on the page does nothing (checked in Chromium with Bokeh 3.9: the view keeps
the canvas it was built with, and the SaveTool still saves a PNG). So the SVG button asks the
figure's view to draw itself once into an SVG context, as ``bokeh.io.export_svg`` does, while
the page keeps drawing on the fast canvas.
"""
from base64 import b64encode

from bokeh.models import CustomAction, CustomJS, SaveTool

from simulator.views.record import record_tool

SVG_ICON = "data:image/svg+xml;base64," + b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">'
    b'<rect x="1" y="4" width="18" height="12" rx="2" fill="none" stroke="#666" stroke-width="1.4"/>'
    b'<text x="10" y="13.3" font-family="sans-serif" font-size="7.5" font-weight="bold" fill="#666" '
    b'text-anchor="middle">SVG</text></svg>').decode()

# Draw the figure's view once into an SVG context and download it (``fig`` and ``filename`` are args).
SAVE_SVG = """
const view = fig.document == null ? null : fig.document.views_manager.find_one(fig)
if (view == null)
  return
view.export("svg").to_blob().then((blob) => {
  const link = document.createElement("a")
  link.href = URL.createObjectURL(blob)
  link.download = filename + ".svg"
  link.dispatchEvent(new MouseEvent("click"))
  setTimeout(() => URL.revokeObjectURL(link.href), 60000)
})
"""


def add_save_tool(fig, filename):
    """Give ``fig`` save buttons that download ``filename``.png and ``filename``.svg, and a Record
    button (views/record.py) that films it as a WebM video; call after the
    styling helpers (they set toolbar_location=None) and after the figure's other tools. Returns the figure."""
    for tool in fig.tools:
        tool.visible = False
    fig.add_tools(SaveTool(filename=filename, description="Save this picture as PNG"),
                  CustomAction(icon=SVG_ICON, description="Save this picture as SVG (sharp at any size, "
                                                          "editable in a vector drawing program)",
                               callback=CustomJS(args=dict(fig=fig, filename=filename), code=SAVE_SVG)),
                  record_tool(fig, filename))
    fig.toolbar_location = "right"
    fig.toolbar.autohide = True
    fig.toolbar.logo = None
    return fig
