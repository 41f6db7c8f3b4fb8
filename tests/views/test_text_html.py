"""TextHTML, the HTML pane of text that changes every frame: its model gets the new text, and
its other properties still follow their parameters."""
import panel as pn
from bokeh.document import Document

from simulator.views.text import TextHTML


def served(pane):
    doc = Document()
    model = pane.get_root(doc)
    doc.add_root(model)
    return model


def test_a_new_object_reaches_the_model_as_panels_html_pane_sends_it():
    ours, panels = TextHTML("<b>a</b>"), pn.pane.HTML("<b>a</b>")
    mine, theirs = served(ours), served(panels)
    for text in ('<span class="status">update 3 · loss 0.25</span>', "", "a & b < c"):
        ours.object = panels.object = text
        assert mine.text == theirs.text  # escaped for transport the same way


def test_its_other_properties_follow_their_parameters():
    pane = TextHTML("x", css_classes=["status-line"], visible=True)
    model = served(pane)
    pane.object = "y"
    pane.visible = False
    pane.css_classes = ["status-line", "busy"]
    pane.styles = {"color": "red"}
    assert not model.visible and "busy" in model.css_classes and model.styles["color"] == "red"
    pane.object = "z"  # a new text keeps them
    assert not model.visible and "busy" in model.css_classes and model.styles["color"] == "red"
    assert "z" in model.text
