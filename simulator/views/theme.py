"""Themes: light (default), dark and projector (high contrast, thick lines, large type) for
every part of the page, the pictures included.

The theme is ``Selection.theme`` (its one writer is the param: the page's chooser, ``?theme=``
and a loaded document's view section all set it). ``ThemePainter`` follows it on both sides:

- in the browser (static/theme.js) it puts ``theme-<name>`` on the page's <html> and adopts
  static/themes.css into every shadow root, so widgets, tables, cards, the status line and the
  tooltips take the palette's CSS variables (Bokeh defines its widget colours on each
  component's :host, where a variable set on the page cannot reach);
- on the server it sets the session document's Bokeh theme (axes, grids, titles and
  backgrounds the views left alone) and repaints the colours the views did set: their ink and
  paper colours (``#222``, ``white``...) become the palette's, and the projector's lines and
  fonts grow. The views' colours stay as written, kept in ``originals``, so any theme can go
  back to them.

Lecture mode's large type (``LectureMode.large_type``, ?large=true) grows the page's text by CSS
(static/lecture.css) and the text drawn inside the pictures here: the painter follows it too, and
every font size the views wrote (titles, axes, unit and value labels, legends) is multiplied by
``LARGE_TYPE`` (the projector theme's own, larger factor is not compounded with it); turned off,
they go back to the views' sizes.

Sign and role colours (style.py) are the same in every theme: they are chosen to read on a
light and on a dark background, and for the common colour-vision deficiencies.
"""
import functools
import re

import panel as pn
import param
from bokeh.core.property.vectorization import Value
from bokeh.themes import Theme
from panel.custom import JSComponent

from simulator.serving.assets import STATIC, stylesheet
from simulator.state.selection import THEMES

#: Each theme's colours: page and picture background, a surface for cards and tables, the ink
#: of text and lines, a muted ink (still WCAG AA on the background), grid lines, and the
#: projector's factor for line widths and font sizes.
PALETTES = {
    "light": dict(background="#ffffff", surface="#f3f3f3", ink="#1a1a1a", muted="#555555", grid="#e5e5e5",
                  scale=1.0),
    "dark": dict(background="#15171b", surface="#23272e", ink="#ececec", muted="#b8b8b8", grid="#3b4048",
                 scale=1.0),
    "projector": dict(background="#ffffff", surface="#eeeeee", ink="#000000", muted="#2b2b2b", grid="#b0b0b0",
                      scale=1.5),
}

#: Colours the views write for text and lines that must contrast with the background ("ink"),
#: for backgrounds ("paper"), for the matrices' backdrop ("surface") and for secondary lines
#: ("muted"); lower case, as Bokeh keeps them.
INKS = {"#222", "#222222", "black", "#000000", "#1a1a1a", "#333", "#333333", "#444", "#444444"}
PAPERS = {"white", "#fff", "#ffffff"}
SURFACES = {"#f3f3f3"}
MUTED = {"#555", "#555555", "#888", "#888888", "#999", "#999999", "#8a8a8a"}
COLOUR_PROPS = ("line_color", "fill_color", "text_color", "background_fill_color", "border_fill_color",
                "grid_line_color", "axis_line_color", "major_label_text_color", "axis_label_text_color",
                "major_tick_line_color", "minor_tick_line_color", "hatch_color")
WIDTH_PROPS = ("line_width", "axis_line_width", "major_tick_line_width", "grid_line_width")
FONT_PROPS = ("text_font_size", "axis_label_text_font_size", "major_label_text_font_size", "label_text_font_size")
#: Large type's factor for the fonts inside the pictures (the page's text grows ~1.35x by CSS; the
#: pictures' fonts are projector-sized already, so a little less keeps titles inside narrow figures).
LARGE_TYPE = 1.3


def font_factor(name, large=False):
    """How much theme ``name`` (and large type, if on) grows the views' font sizes. The projector
    theme is large type already: the two do not compound (the page's CSS gives both ~20 px
    text too), the larger factor wins; at 1.95x the sidebar's charts could not hold a title."""
    return max(PALETTES[name]["scale"], LARGE_TYPE if large else 1.0)


def theme_colour(value, palette):
    """The palette's colour for one a view wrote (None: not a colour a theme changes)."""
    if not isinstance(value, str):
        return None
    v = value.lower()
    for names, key in ((INKS, "ink"), (PAPERS, "background"), (SURFACES, "surface"), (MUTED, "muted")):
        if v in names:
            return palette[key]
    return None


def scaled_font(value, factor):
    """'14px' (or '12pt') times ``factor``, in the same unit; None for anything else. A glyph's
    size is kept as a Value ('12pt' given to fig.text): its value is scaled (a field is left alone)."""
    value = value.value if isinstance(value, Value) else value
    m = re.fullmatch(r"\s*([0-9.]+)(px|pt)\s*", value) if isinstance(value, str) else None
    return None if m is None else f"{float(m.group(1)) * factor:.3g}{m.group(2)}"


@functools.lru_cache(maxsize=None)
def bokeh_theme(name, large=False):
    """The Bokeh Theme of theme ``name`` (in large type, if ``large``): what the views leave at
    Bokeh's defaults (built once per process; a Theme is only read)."""
    p = PALETTES[name]
    k, f = p["scale"], font_factor(name, large)
    font = lambda px: f"{px * f:.3g}px"
    axis = dict(axis_line_color=p["ink"], major_tick_line_color=p["ink"], minor_tick_line_color=p["muted"],
                major_label_text_color=p["ink"], axis_label_text_color=p["ink"], axis_line_width=k,
                major_tick_line_width=k, major_label_text_font_size=font(12), axis_label_text_font_size=font(13))
    return Theme(json={"attrs": {
        "Plot": dict(background_fill_color=p["background"], border_fill_color=p["background"],
                     outline_line_color=None),
        "Axis": axis,
        "Grid": dict(grid_line_color=p["grid"]),
        "Title": dict(text_color=p["ink"], text_font_size=font(14)),
        "Legend": dict(background_fill_color=p["background"], label_text_color=p["ink"],
                       border_line_color=p["grid"], label_text_font_size=font(12)),
        "Label": dict(text_color=p["ink"]),
        "Span": dict(line_color=p["muted"]),
    }})


def repaint(models, name, originals, large=False):
    """Set every theme-able colour, width and font size the views wrote on ``models`` to theme
    ``name``'s (fonts in large type too, if ``large``). ``originals`` ({(model id, property):
    value}) keeps what the views wrote, filled on first sight, so that each theme starts from the
    views' own values."""
    p, grow = PALETTES[name], font_factor(name, large)
    for model in models:
        own = model.properties_with_values(include_defaults=False)
        for prop in (*COLOUR_PROPS, *WIDTH_PROPS, *FONT_PROPS):
            key = (model.id, prop)
            if key not in originals:
                if prop not in own:
                    continue
                originals[key] = own[prop]
            value = originals[key]
            if prop in COLOUR_PROPS:
                new = theme_colour(value, p)
            elif prop in WIDTH_PROPS:
                new = value * p["scale"] if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            else:
                new = scaled_font(value, grow)
            if new is not None and new != getattr(model, prop, None):
                setattr(model, prop, new)


class ThemePainter(JSComponent):
    """Follows ``Selection.theme`` in the page (theme.js) and in the session's Bokeh document, and
    lecture mode's large type in the pictures' fonts."""

    theme = param.Selector(default=THEMES[0], objects=list(THEMES), doc="The theme shown (Selection.theme's).")
    large = param.Boolean(default=False, doc="Large type (LectureMode.large_type's): the pictures' fonts grow.")
    css = param.String(default="", doc="static/themes.css, adopted into every shadow root.")

    _esm = STATIC / "theme.js"

    def __init__(self, selection=None, lecture=None, **params):
        params.setdefault("css", stylesheet("themes.css"))
        if selection is not None:
            params["theme"] = selection.param.theme  # a reference: the painter follows, never writes
        if lecture is not None:
            params["large"] = lecture.param.large_type
        super().__init__(height=0, width=0, margin=0, **params)
        self.originals = {}
        if pn.state.curdoc is not None:  # served: the views' models reach the document only as the page opens
            pn.state.onload(self.paint)

    @param.depends("theme", "large", watch=True)
    def paint(self):
        """Give the session's document the Bokeh theme and repaint the views' own colours and fonts."""
        doc = pn.state.curdoc
        if doc is None:
            return
        doc.theme = bokeh_theme(self.theme, self.large)
        repaint(list(doc.models), self.theme, self.originals, self.large)

    def paint_part(self, layout):
        """Repaint the Bokeh figures of a Panel ``layout`` about to be added to the page after the
        first paint (a detail tab filled when first shown); the document's theme reaches them by
        itself. Call it before adding them: painted outside the document, they reach the browser
        painted. Painted once in it, from the browser event that opened the tab, the edits ran
        without the document lock ("_pending_writes should be non-None", losing key presses
        handled with them), and deferred to the next tick they raced the page's own sync
        ("reference isn't known" in the robot writer's read-out)."""
        figures = [pane.object for pane in layout.select(pn.pane.Bokeh) if pane.object is not None]
        repaint([m for fig in figures if fig.document is None for m in fig.references()],
                self.theme, self.originals, self.large)


def theme_chooser(selection):
    """The page's theme chooser (a labelled select), writing ``Selection.theme``."""
    return pn.widgets.Select.from_param(selection.param.theme, options={t.capitalize(): t for t in THEMES},
                                        css_classes=["theme-select"], width=130)


def follow_url(selection, session=None):
    """Keep ``?theme=`` and ``selection.theme`` in step (a link opens in its theme). A name that is
    not a theme is refused with a message, and the page stays light. Panel would read ``?theme=dark``
    as its own theme (a dark frame around white pictures): this session keeps Panel's default."""
    location = pn.state.location
    if location is None:
        return
    pn.config.theme = "default"
    given = (location.query_params or {}).get("theme")
    if given is not None and given not in THEMES:
        def refuse():
            raise ValueError(f"theme: expected one of {', '.join(THEMES)}; got {given!r}")
        if session is not None:
            session.attempt(refuse, "Could not open the link")
        location.update_query(theme=selection.theme)
    location.sync(selection, {"theme": "theme"})
