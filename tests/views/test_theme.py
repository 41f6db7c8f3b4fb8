"""Themes without a browser: WCAG contrast of every palette, sign and role colours told apart for
simulated colour-vision deficiencies and in greyscale, the pictures' repaint and its way back,
and the theme saved in a document's view section."""
import re

import numpy as np
import pytest
from bokeh.core.property.vectorization import Field
from bokeh.models import MultiLine, Range1d
from bokeh.plotting import figure

from simulator import document
from simulator.serving.assets import stylesheet
from simulator.state.selection import THEMES, Selection
from simulator.state.session import Session
from simulator.views import style
from simulator.views.matrices import MatricesView
from simulator.views.network import RecurrentView
from simulator.views.theme import PALETTES, ThemePainter, bokeh_theme, repaint, theme_chooser

# Machado, Oliveira & Fernandes (2009), severity 1: linear-RGB matrices simulating dichromacy.
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])


def linear(hex_colour):
    c = np.array([int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(hex_colour):
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(hex_colour)))


def contrast(a, b):
    """WCAG 2 contrast ratio of two colours."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(rgb_linear):
    """CIE L*a*b* (D65) of a linear-RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb_linear, 0, 1)
    f = lambda t: np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    x, y, z = f(xyz / np.array([0.95047, 1.0, 1.08883]))
    return np.array([116 * y - 16, 500 * (x - y), 200 * (y - z)])


def delta_e(a, b, vision=None):
    """CIE76 colour difference of two colours as seen with ``vision`` (None: typical vision)."""
    la, lb = linear(a), linear(b)
    if vision is not None:
        la, lb = vision @ la, vision @ lb
    return float(np.linalg.norm(lab(la) - lab(lb)))


def palette_css(theme):
    """The --th-* variables themes.css gives ``theme`` ({name: '#rrggbb'})."""
    css = stylesheet("themes.css")
    block = re.search(r"html\.theme-%s \{(.*?)\}" % theme, css, re.S).group(1)
    return dict(re.findall(r"--th-([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


def test_contrast_measures_what_wcag_says():
    """Black on white is 21:1, a colour on itself 1:1 (so the bounds below can fail)."""
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0) and contrast("#777777", "#777777") == 1.0


@pytest.mark.parametrize("theme", THEMES)
def test_every_text_colour_of_each_theme_passes_wcag_aa(theme):
    """Text on the background and on cards, white on every button colour and each message box's
    text on its box: at least 4.5:1."""
    v = palette_css(theme)
    pairs = [(v[k], v[bg]) for k in ("ink", "muted", "link", "accent", "error", "ok") for bg in ("bg", "surface")]
    pairs += [(v["on-accent"], v[k]) for k in ("primary", "success", "danger")]
    pairs += [(v[f"{k}-ink"], v[f"{k}-bg"]) for k in ("info", "warn", "bad", "good")]  # message boxes
    low = [(a, b, round(contrast(a, b), 2)) for a, b in pairs if contrast(a, b) < 4.5]
    assert low == []


@pytest.mark.parametrize("theme", THEMES)
def test_the_pictures_palette_passes_wcag_aa(theme):
    """Axis labels and titles (ink) and secondary text (muted) on the pictures' background."""
    p = PALETTES[theme]
    assert min(contrast(p["ink"], p["background"]), contrast(p["muted"], p["background"])) >= 4.5


def test_dark_is_dark_and_the_others_light():
    assert luminance(PALETTES["dark"]["background"]) < 0.02 < 0.9 < luminance(PALETTES["light"]["background"])


@pytest.mark.parametrize("pair", [(style.POSITIVE, style.NEGATIVE), (style.CLAMP, style.TARGET)])
@pytest.mark.parametrize("vision", [None, DEUTERANOPIA, PROTANOPIA], ids=["typical", "deuteranopia", "protanopia"])
def test_sign_and_role_colours_stay_apart_for_colour_blind_vision(pair, vision):
    """Positive/negative and clamp/target differ by far more than a just-noticeable difference
    (CIE76 about 2.3) for typical vision and simulated deuteranopia and protanopia."""
    assert delta_e(*pair, vision) > 40


def test_signs_in_greyscale_need_and_have_a_second_cue():
    """POSITIVE and NEGATIVE have nearly the same lightness, so greyscale alone would lose the
    sign: negative lines are dashed and negative squares hatched, positive ones plain."""
    assert abs(lab(linear(style.POSITIVE))[0] - lab(linear(style.NEGATIVE))[0]) < 10
    assert abs(lab(linear(style.CLAMP))[0] - lab(linear(style.TARGET))[0]) > 15  # and their glyphs differ
    view = RecurrentView(session=Session(), selection=Selection())
    dashes = [r.glyph.line_dash for r in view.figure.renderers if isinstance(r.glyph, MultiLine)
              and r.glyph.line_color == "colour" and isinstance(r.glyph.line_dash, Field)]
    assert dashes, "the arrows' dash must follow their sign"
    code = dashes[0].transform.v_func
    assert repr(style.NEGATIVE) in code and repr(style.NEGATIVE_DASH) in code and "'solid'" in code
    squares = MatricesView(session=Session(), selection=Selection()).figures["W"].renderers[0].glyph
    assert repr(style.NEGATIVE_HATCH) in squares.hatch_pattern.transform.v_func


def test_negative_arrows_are_drawn_dashed_in_the_legend_too():
    view = RecurrentView(session=Session(), selection=Selection())
    assert f'stroke="{style.NEGATIVE}" stroke-width="4" stroke-dasharray' in view.legend.object
    assert f'stroke="{style.POSITIVE}" stroke-width="4" stroke-linecap' in view.legend.object


def small_figure():
    fig = figure(x_range=Range1d(0, 1), y_range=Range1d(0, 1))
    fig.background_fill_color = "white"
    fig.title.text_font_size = "14px"
    line = fig.line([0, 1], [0, 1], line_color="#222", line_width=2)
    sign = fig.line([0, 1], [1, 0], line_color=style.POSITIVE, line_width=3)
    return fig, line.glyph, sign.glyph


def test_repaint_gives_the_views_ink_and_paper_the_themes_colours_and_takes_them_back():
    """Dark: ink lines light, white background dark; sign colours untouched; light again: as written."""
    fig, line, sign = small_figure()
    models, originals = list(fig.references()), {}
    repaint(models, "dark", originals)
    assert (line.line_color, fig.background_fill_color, sign.line_color) == (
        PALETTES["dark"]["ink"], PALETTES["dark"]["background"], style.POSITIVE)
    repaint(models, "projector", originals)
    k = PALETTES["projector"]["scale"]
    assert (line.line_color, line.line_width, sign.line_width, fig.title.text_font_size) == (
        PALETTES["projector"]["ink"], 2 * k, 3 * k, f"{14 * k:.3g}px")
    repaint(models, "light", originals)
    assert (line.line_color, line.line_width, fig.background_fill_color, fig.title.text_font_size) == (
        PALETTES["light"]["ink"], 2, PALETTES["light"]["background"], "14px")


def test_bokeh_theme_sets_what_the_views_leave_alone():
    """An axis nobody coloured takes the theme's ink (a Bokeh theme never overrides a set value)."""
    fig = figure()
    bokeh_theme("dark").apply_to_model(fig.xaxis[0])
    assert fig.xaxis[0].major_label_text_color == PALETTES["dark"]["ink"]


def test_the_painter_follows_the_selection_and_the_chooser_writes_it():
    sel = Selection()
    painter, chooser = ThemePainter(selection=sel), theme_chooser(sel)
    assert painter.theme == "light" and painter.css == stylesheet("themes.css")
    chooser.value = "dark"
    assert (sel.theme, painter.theme) == ("dark", "dark")


def test_the_theme_is_saved_and_loaded_with_the_view():
    """A document keeps the theme in its view section; an unknown theme is refused by name."""
    s, sel = Session(), Selection(theme="projector")
    doc = document.to_document(s, view=document.view_of(s, sel))
    assert doc["view"]["theme"] == "projector"
    other = Selection()
    document.apply_document(Session(), doc, selection=other)
    assert other.theme == "projector"
    doc["view"]["theme"] = "neon"
    with pytest.raises(ValueError, match="view.theme"):
        document.validate(doc)
