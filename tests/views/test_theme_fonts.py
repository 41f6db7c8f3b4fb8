"""Large type in the pictures without a browser: the fonts the views wrote (titles, axes, glyph
labels, legends) grow with lecture mode's large type and go back to the views' own sizes, in
every theme; the painter follows LectureMode.large_type."""
from bokeh.models import Legend, LegendItem, Range1d
from bokeh.plotting import figure

from simulator.state.selection import Selection
from simulator.state.session import Session
from simulator.views.lecture import LectureMode
from simulator.views.theme import LARGE_TYPE, PALETTES, ThemePainter, bokeh_theme, font_factor, repaint


def labelled_figure():
    """A figure with every kind of font a view writes: title, axis labels, a text glyph, a legend."""
    fig = figure(x_range=Range1d(0, 1), y_range=Range1d(0, 1))
    fig.title.text_font_size = "14px"
    # 16px and 10px, not Bokeh's defaults 13px and 11px: a value equal to the default counts as unset, and the Bokeh
    # theme (below) grows those.
    fig.xaxis[0].axis_label_text_font_size, fig.xaxis[0].major_label_text_font_size = "16px", "10px"
    text = fig.text([0.5], [0.5], text=["0.5"], text_font_size="12pt").glyph
    line = fig.line([0, 1], [0, 1], line_width=2)
    fig.add_layout(Legend(items=[LegendItem(label="E", renderers=[line])], label_text_font_size="12px"))
    return fig, text, line.glyph


def fonts(fig, text):
    return (fig.title.text_font_size, fig.xaxis[0].axis_label_text_font_size,
            fig.xaxis[0].major_label_text_font_size, text.text_font_size, fig.legend[0].label_text_font_size)


def test_large_type_grows_every_font_and_turning_it_off_gives_the_views_sizes_back():
    fig, text, line = labelled_figure()
    models, originals = list(fig.references()), {}
    written = fonts(fig, text)
    assert written == ("14px", "16px", "10px", "12pt", "12px")
    repaint(models, "light", originals, large=True)
    k = LARGE_TYPE
    assert fonts(fig, text) == (f"{14 * k:.3g}px", f"{16 * k:.3g}px", f"{10 * k:.3g}px", f"{12 * k:.3g}pt",
                                f"{12 * k:.3g}px")
    assert line.line_width == 2  # large type is type: lines keep their width
    repaint(models, "light", originals, large=False)
    assert fonts(fig, text) == written


def test_projector_and_large_type_take_the_larger_factor_and_go_back_to_projector():
    fig, text, _ = labelled_figure()
    models, originals = list(fig.references()), {}
    repaint(models, "projector", originals)
    projector = fonts(fig, text)
    repaint(models, "projector", originals, large=True)
    grow = max(PALETTES["projector"]["scale"], LARGE_TYPE)
    assert font_factor("projector", True) == grow and fig.title.text_font_size == f"{14 * grow:.3g}px"
    repaint(models, "projector", originals, large=False)
    assert fonts(fig, text) == projector
    repaint(models, "dark", originals, large=True)
    assert fig.title.text_font_size == f"{14 * LARGE_TYPE:.3g}px"


def test_the_bokeh_theme_in_large_type_has_larger_default_fonts():
    """What the views leave at Bokeh's defaults (a title, an axis) grows too."""
    plain, large = figure(), figure()
    bokeh_theme("light").apply_to_model(plain.title)
    bokeh_theme("light", True).apply_to_model(large.title)
    assert (plain.title.text_font_size, large.title.text_font_size) == ("14px", f"{14 * LARGE_TYPE:.3g}px")


def test_the_painter_follows_lecture_modes_large_type():
    s, sel = Session(), Selection()
    lecture = LectureMode(session=s, selection=sel, player=None)
    painter = ThemePainter(selection=sel, lecture=lecture)
    assert painter.large is False
    lecture.large_type = True
    assert painter.large is True
    lecture.large_type = False
    assert painter.large is False
