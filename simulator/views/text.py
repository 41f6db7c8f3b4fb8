"""Text a user supplied, made safe for the panes that render markup: one helper per kind of pane.

Unit names, typed values, file names and the messages that quote them come from users (a
loaded document, a link, a text box). Panel's HTML pane and Choices.js (the MultiChoice
picker) insert their text as HTML, and the Markdown pane (pn.pane.Alert too) passes raw HTML
through and reads ``*``, ``|``, ``[..](..)`` and ``$`` as markup. Every view puts such text
through ``esc`` (HTML) or ``md`` (Markdown) so that it shows as the characters typed, never as
markup. Bokeh's own text (titles, axis labels, glyph text, hover values, DataTable cells) is
drawn as text already and needs neither.

``TextHTML`` is the HTML pane for text that changes on every training frame.
"""
import html

import panel as pn

#: Characters that would start markup in HTML, written as entities in Markdown too (a backslash
#: does not escape them in every Markdown dialect, an entity does).
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
#: The rest of ASCII punctuation: CommonMark lets a backslash make each one a plain character.
_PUNCTUATION = frozenset("!#$%()*+,-./:;=?@[\\]^_`{|}~")


def esc(value):
    """``value`` as text for an HTML pane: ``<img onerror=...>`` shows as those characters."""
    return html.escape(str(value), quote=True)


def md(value):
    """``value`` as literal text inside Markdown (an Alert, a table cell, a sentence).

    HTML's special characters become entities, every other ASCII punctuation character is
    backslash-escaped (no emphasis, links, tables, headings or math), and line breaks and other
    control characters become spaces (a name must not end a table row or start a block).
    """
    out = []
    for ch in str(value):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ch < " " or "\x7f" <= ch < "\xa0" or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def choice_options(options):
    """MultiChoice options {label as HTML: value} from {label: value} (or a list of labels, each
    its own value): Choices.js inserts labels as HTML, and the widget's values stay plain."""
    pairs = options.items() if isinstance(options, dict) else ((o, o) for o in options)
    return {esc(label): value for label, value in pairs}


class TextHTML(pn.pane.HTML):
    """An HTML pane whose new ``object`` sends only its text.

    Panel's markup panes recompute and set every property of the Bokeh model (styles, classes,
    sizes, stylesheets ...) when the object changes: 0.6 ms per change, against 0.05 ms for the
    text alone (measured on the status line, which changes every training frame). The other
    properties still follow their parameters as in any pane, each when it changes."""

    def _update(self, ref, model):
        model.text = self._transform_object(self.object)["object"]
