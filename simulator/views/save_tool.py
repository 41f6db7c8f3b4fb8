"""A "save as PNG" button on a picture: Bokeh's SaveTool, drawn in the browser from the canvas.

The pictures otherwise hide their toolbar (no pan/zoom a student could drag by accident), so
this shows it only while the pointer is over the figure (autohide) with the one save button:
the figure's other tools (hover, tap) stay active but get no button a student could toggle off.
"""
from bokeh.models import SaveTool


def add_save_tool(fig, filename):
    """Give ``fig`` a save button that downloads ``filename``.png; call after the styling helpers
    (they set toolbar_location=None) and after the figure's other tools. Returns the figure."""
    for tool in fig.tools:
        tool.visible = False
    fig.add_tools(SaveTool(filename=filename, description="Save this picture as PNG"))
    fig.toolbar_location = "right"
    fig.toolbar.autohide = True
    fig.toolbar.logo = None
    return fig
