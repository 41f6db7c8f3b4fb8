"""CssValues: an invisible component whose script makes the page's Bokeh paints cheaper.

BokehJS reads a CSS variable for every colour it paints (so a page may restyle a plot from CSS)
and the plot's font size (for em sizes): ~2,200 ``getComputedStyle`` calls in a training frame,
most forcing a style recalculation (a fifth of the page's time in a profile). The app sets
neither, so static/css_values.js keeps each element's values until a class or style changes
outside the shadow roots (a theme switch), then reads them again: the same values, read once.
"""
from panel.custom import JSComponent

from simulator.serving.assets import STATIC


class CssValues(JSComponent):
    """Put one in the page (zero size); its script patches BokehJS once per page."""

    _esm = STATIC / "css_values.js"
