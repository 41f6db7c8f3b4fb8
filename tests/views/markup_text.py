"""What a Panel pane shows in the page, for tests that read views without a browser.

Markdown is rendered the way Panel renders it for the page (simulator/views/text.py escapes user
text for it), so a test compares what a student reads, not the escaped source.
"""
import html
from html.parser import HTMLParser


def shown_html(pane):
    """The HTML the page gets for ``pane`` (Markdown rendered; Panel's transport escaping undone)."""
    return html.unescape(pane._transform_object(pane.object)["object"])


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def shown(pane):
    """The text ``pane`` shows: its HTML without tags, runs of white space made one space."""
    parser = _Text()
    parser.feed(shown_html(pane))
    parser.close()
    return " ".join("".join(parser.parts).split())
