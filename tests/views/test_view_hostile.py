"""Hostile text without a browser: unit names, typed values and file names that are HTML, script or
Markdown reach every view of the whole app, and every pane that renders markup shows them as text.

The names arrive as a student's would: in a document loaded through the app's own Load
(ShareView). Every HTML and Markdown pane of the app (all tabs) and every MultiChoice picker
(Choices.js inserts its labels as HTML) is then read as the page would get it and parsed: no
element or attribute may come from the text, and the names must read exactly as typed.
"""
import json
import re
from html.parser import HTMLParser

import panel as pn
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from markup_text import shown, shown_html
from simulator import document
from simulator.app import SimulatorApp
from simulator.views.text import choice_options, esc, md

PAYLOADS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>",
            '"><svg onload=window.__pwned=1>', "[x](javascript:window.__pwned=1)"]
#: The default lesson's six units, renamed: the payloads, Markdown that would change a table, and
#: entities that must not be decoded.
NAMES = [*PAYLOADS, "*b* | `c` $x$ # _d_", "a&lt;b &amp; c\nnext"]
#: Tags the views write themselves (the legend draws its swatches in SVG); any other tag came from
#: user text, and so did any on* attribute.
OURS = {"p", "b", "strong", "em", "i", "code", "pre", "span", "div", "small", "sub", "sup", "br", "table",
        "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "h1", "h2", "h3", "h4", "hr",
        "svg", "line", "circle", "rect"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup):
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


def assert_inert(markup, where):
    """No element or attribute in ``markup`` that the views do not write themselves."""
    for tag, attrs in parse(markup).tags:
        assert tag in OURS, f"{where}: a <{tag}> element in {markup[:300]!r}"
        for name, value in attrs:
            assert not name.startswith("on") and "javascript" not in (value or "").lower(), \
                f"{where}: attribute {name}={value!r} in <{tag}>"


def every_markup(root):
    """(where, HTML the page gets) for every pane and picker of ``root`` that renders markup."""
    for pane in root.select(pn.pane.Markdown) + root.select(pn.pane.HTML):
        yield f"{type(pane).__name__} {pane.css_classes}", shown_html(pane)
    for picker in root.select(pn.widgets.MultiChoice):
        for label in picker.options:
            yield f"MultiChoice {picker.css_classes} label", label


def plain(text):
    """``text`` as a page shows it: control characters as spaces, runs of white space as one."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text).split())


def upload(app, doc, filename="net.json"):
    app.share.upload.param.update(filename=filename, value=json.dumps(doc).encode())


def named(app, names):
    """The app's own Load with the current state under other unit names."""
    doc = document.to_document(app.session)
    doc["units"]["names"] = list(names)
    upload(app, doc)
    assert app.session.unit_names == list(names), app.session.message


@pytest.fixture(scope="module")
def app():
    app = SimulatorApp()
    root = app.__panel__()
    for view in (app.matrices, app.grid, app.inspector, app.error_split, app.byhand):
        view.redraw.shown = True  # every tab draws, as if each were open
    app.equivalence.active = True
    app.root = root
    return app


def exercise(app):
    """Make every view write what it writes about names: a selection, a tie, bad typed values."""
    s, sel = app.session, app.selection
    sel.param.update(weight=(2, 0), unit=(3, 2))
    assert s.tie([("W", 2, 0), ("W", 3, 1)]), s.message
    app.equivalence.refresh()
    app.grid.brush.value, app.grid.value.value_input = "Target", PAYLOADS[1]
    app.grid.paint(1, 3)  # refused: the typed value is echoed in the grid's message
    app.inspector.kind.value = "W"
    app.inspector.input.value_input = PAYLOADS[0]
    app.inspector.apply()  # refused: echoed in the inspector's message and the status line


def test_every_pane_shows_hostile_names_as_text(app):
    """Names from a loaded document, a tie of theirs and typed values reach the panes as text."""
    named(app, NAMES)
    exercise(app)
    for where, markup in every_markup(app.root):
        assert_inert(markup, where)
    table = plain(shown(app.equivalence.table))
    for name in NAMES:
        assert plain(f"b[{name}]") in table  # the BPTT-vs-unrolled table names every unit's bias
    assert plain(f"{NAMES[2]} at t = 3") in plain(shown(app.inspector.text))
    assert plain(f"W[{NAMES[2]}←{NAMES[0]}] = W[{NAMES[3]}←{NAMES[1]}]") in plain(shown(app.structure.ties_text))
    assert PAYLOADS[0] in shown(app.inspector.feedback) and PAYLOADS[1] in shown(app.grid.help)
    assert PAYLOADS[0] in shown(app.status._message)
    for picker in (app.grid.units, app.structure.tie_choice):
        labels = [plain("".join(parse(label).text)) for label in picker.options]
        assert plain(NAMES[0]) in " ".join(labels)  # Choices.js shows the name, not an image


def test_refused_documents_echo_file_names_and_groups_as_text(app):
    """A refused load quotes the file's name and the bad group; both stay text in every pane."""
    doc = document.to_document(app.session)
    doc["units"]["groups"][2] = PAYLOADS[2]
    upload(app, doc, filename=PAYLOADS[0] + ".json")
    assert app.session.message.startswith(f"Could not load {PAYLOADS[0]}.json")
    for where, markup in every_markup(app.root):
        assert_inert(markup, where)
    assert PAYLOADS[0] in shown(app.share.feedback) and PAYLOADS[0] in shown(app.status._message)


NAME = st.one_of(st.sampled_from(PAYLOADS), st.text(min_size=1, max_size=40),
                 st.lists(st.sampled_from(["<", ">", "&", '"', "'", "*", "_", "|", "`", "$", "[", "](", "\\",
                                           "#", "\n", " ", "amp;", "lt;", "x", "script", "onerror="]),
                          min_size=1, max_size=12).map("".join)).map(lambda t: t[:40])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAME, min_size=6, max_size=6, unique=True))
def test_any_names_read_as_typed_and_make_no_markup(app, names):
    """Whatever six names a document gives, every pane is inert and the table shows them as typed."""
    named(app, names)
    for where, markup in every_markup(app.root):
        assert_inert(markup, where)
    table = plain(shown(app.equivalence.table))
    assert all(plain(f"b[{n}]") in table for n in names)


@given(text=st.text(max_size=60))
def test_md_and_esc_give_back_the_text(text):
    """Markdown of md(text) and HTML of esc(text) show exactly the text and contain no element but
    Markdown's own paragraph."""
    pane = pn.pane.Markdown(md(text))
    assert plain(shown(pane)) == plain(text)
    assert {tag for tag, _ in parse(shown_html(pane)).tags} <= {"p"}
    assert "".join(parse(esc(text)).text) == text and not parse(esc(text)).tags


def test_choice_options_keep_values_plain():
    """MultiChoice labels are escaped for Choices.js; the values the views read stay the names."""
    assert choice_options(["<b>", "a"]) == {"&lt;b&gt;": "<b>", "a": "a"}
    assert choice_options({"<i>x</i>": ("W", 1, 0)}) == {"&lt;i&gt;x&lt;/i&gt;": ("W", 1, 0)}
