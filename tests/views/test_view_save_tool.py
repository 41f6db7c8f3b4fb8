"""Every picture of the app can be saved: a PNG button (Bokeh's SaveTool) and an SVG button beside it."""
import panel as pn
from bokeh.models import CustomAction, Plot, SaveTool

from simulator.app import TAB_VIEWS, SimulatorApp


def figures(app):
    """The Bokeh figures held by the app's views (also those of tabs not rendered yet)."""
    found = {}
    tab_views = [getattr(app, name) for views in TAB_VIEWS for name, _ in views]  # built on first use
    for view in [*vars(app).values(), *tab_views]:
        if isinstance(view, pn.viewable.Viewer):
            for value in vars(view).values():
                for fig in value.values() if isinstance(value, dict) else [value]:
                    if isinstance(fig, Plot):
                        found[fig.name] = fig
    return found


def png_button(fig):
    """The figure's PNG buttons: Bokeh's SaveTool, or for the net pictures a CustomAction with the
    save icon that adds the net legend below the picture (save_tool.SAVE_WITH_LEGEND)."""
    return [t for t in fig.tools if t.visible and (isinstance(t, SaveTool) or
                                                   (isinstance(t, CustomAction) and t.icon == "save"))]


def png_filename(tool):
    return tool.filename if isinstance(tool, SaveTool) else tool.callback.args["filename"]


def test_every_picture_has_png_and_svg_buttons():
    """Each figure, lesson read-out pictures included, shows PNG and SVG save buttons saving under one name."""
    app = SimulatorApp()
    app.session.lesson = "attractors"  # builds the attractor read-out's picture next to the adder's
    figs = figures(app)
    assert {"network_figure", "unrolled_figure", "loss_figure", "matrix_W_figure", "grid_figure", "automaton",
            "hidden_trajectory", "attractor_settle"} <= set(figs)
    for name, fig in figs.items():
        png = png_button(fig)
        svg = [t for t in fig.tools if isinstance(t, CustomAction) and "SVG" in t.description]
        assert len(png) == len(svg) == 1, name
        assert svg[0].callback.args["filename"] == png_filename(png[0]) and svg[0].callback.args["fig"] is fig
        assert fig.toolbar_location is not None and fig.toolbar.autohide
