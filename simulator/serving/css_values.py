"""CssValues: an invisible component whose script makes the page's Bokeh paints cheaper.

BokehJS reads a CSS variable for every colour it paints (so a page may restyle a plot from CSS);
in a training frame that was ~2,200 ``getComputedStyle`` calls and about a quarter of the page's
paint time. static/css_values.js keeps each value for the rest of the synchronous paint, which
reads the same as before because nothing changes styles in the middle of a paint.
"""
from panel.custom import JSComponent

from simulator.serving.assets import STATIC


class CssValues(JSComponent):
    """Put one in the page (zero size); its script patches BokehJS once per page."""

    _esm = STATIC / "css_values.js"
