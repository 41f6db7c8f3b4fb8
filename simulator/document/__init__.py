"""The document layer: a whole simulator state as versioned JSON (format.py; its shape is
document.schema.json, checked by schema.py), its optional sections (view_section.py,
lesson_data.py), the shared link codec and exports for other tools (export.py). Pure functions
of state: no panel, no bokeh.

``simulator.document.save/load/...`` is the public API (README, docs/document-format.md).
"""
from simulator.document.format import (  # noqa: F401 (the layer's public API)
    KEYS, MAX_BYTES, MAX_CELLS, MAX_UPDATES, OPTIONAL, SETTINGS, apply_document, build, comparison_document,
    comparison_from_document, dumps, load, parse, read, save, session_from_document, to_document, validate,
)
from simulator.document.view_section import VIEW_DEFAULTS, apply_view, check_view, view_of  # noqa: F401
