"""Record buttons: one on the stage (films the two network pictures), one beside every picture's PNG/SVG buttons."""
from bokeh.models import CustomAction

from simulator.app import SimulatorApp
from simulator.views.record import RECORD_JS, STAGE_FIGURES, Recorder

from test_view_save_tool import figures, png_button, png_filename


def test_every_picture_has_a_record_button_naming_its_file():
    """Each figure's toolbar has one Record button right after its PNG and SVG buttons, filming that
    figure under the PNG's file name."""
    app = SimulatorApp()
    app.session.lesson = "attractors"  # builds the attractor read-out's pictures too
    for name, fig in figures(app).items():
        png = png_button(fig)
        record = [t for t in fig.tools if isinstance(t, CustomAction) and "Record" in t.description]
        assert len(record) == 1, name
        legend = png[0].callback.args.get("legend") if isinstance(png[0], CustomAction) else None
        want = {"fig": fig, "filename": png_filename(png[0]), **({"legend": legend} if legend is not None else {})}
        assert record[0].callback.args == want, name
        # a picture whose PNG has the net legend films it too (static/record.js draws it under each frame)
        assert ("const legend_image" in record[0].callback.code) == (legend is not None), name
        assert fig.tools.index(record[0]) == fig.tools.index(png[0]) + 2, name
    filmed = [f for f in figures(app).values() for t in f.tools
              if isinstance(t, CustomAction) and "Record" in t.description and "legend" in t.callback.args]
    assert len(filmed) >= 2  # the recurrent and the unrolled picture at least


def test_stage_recorder_films_both_pictures_and_follows_the_lesson():
    """The stage's Recorder names the two network figures the app draws, and its file name's lesson
    follows the session's."""
    app = SimulatorApp()
    rec = app.passes.record
    assert isinstance(rec, Recorder) and rec.lesson == app.session.lesson
    assert set(rec.figures) == set(STAGE_FIGURES) <= set(figures(app))
    app.session.lesson = "attractors"
    assert rec.lesson == "attractors"


def test_stage_recorder_films_the_pictures_legend_drawn_as_their_record_tools_draw_it():
    """The stage's video shows the legend below both pictures: the Recorder names the legend's
    entries the pictures' own Record tools film, and draws them with the same code."""
    app = SimulatorApp()
    rec, figs = app.passes.record, figures(app)
    for name in STAGE_FIGURES:
        tool = [t for t in figs[name].tools if isinstance(t, CustomAction) and "Record" in t.description][0]
        assert tool.callback.args["legend"].name == rec.legend, name
        assert tool.callback.code == rec.legend_image + RECORD_JS, name
