"""The optional "compare" section of a document (issue 19): Compare mode's runs from this state.

    {"compare": {"settings": {"learning_rate": [0.1, 1.0]}}}

The document's own state is the start of every run (its weights, data and settings); each run
then takes its own values of the settings named here (the training section's names, one value
per run), as a link's ``compare=learning_rate:0.1,1.0`` does (simulator/state/compare.py). A
document without the section is one run, as documents always were. Saved at the start, not
after training: the runs replay exactly from it (lockstep, the same seed unless changed).
"""
from simulator.document import schema as S
from simulator.state import caps
from simulator.state.compare import Comparison, check_settings


def check(section):
    """A checked "compare" section (its shape is document.schema.json's; names and values are the
    Session's settings); ValueError naming the place and what is expected."""
    S.check(section, "compare")
    try:
        settings = check_settings(section["settings"], caps.MAX_COMPARE_RUNS)
    except ValueError as exc:
        raise ValueError(f"compare.settings: {exc}") from None
    return {"settings": settings}


def section(comparison):
    """The "compare" section of ``comparison`` (a Comparison)."""
    return {"settings": {n: list(values) for n, values in comparison.settings.items()}}


def comparison_document(comparison, to_document, view=None):
    """The comparison as one document: its start's state (``to_document`` of the untrained base
    Session) with the "compare" section."""
    doc = to_document(comparison.base, view)
    doc["compare"] = section(comparison)
    return doc


def comparison_from_document(doc, session_from_document, most=None):
    """A Comparison of a checked document with a "compare" section: every run starts from the
    document's state (``session_from_document(doc)``); ``most``: the server's cap on runs."""
    if "compare" not in doc:
        raise ValueError("document has no \"compare\" section; expected one such as "
                         "{\"compare\": {\"settings\": {\"learning_rate\": [0.1, 1.0]}}}")
    start = {k: v for k, v in doc.items() if k != "compare"}
    return Comparison(lambda: session_from_document(start, validated=True), doc["compare"]["settings"], most)
