"""The words and symbols every output uses for the same facts, spelled once.

A cell's state is shown by colour, symbol and words together (colour is never the only
signal); the text report, the Markdown reports, the generated pages and the HTML map
all take them from here, so one fact reads the same everywhere.
"""

from __future__ import annotations

from .model import Cell

__all__ = ["FACET_LABELS", "GLOSSARY", "LEGEND", "PLAIN_STATES", "SEVERITY_LABELS", "STATES",
           "cell_label", "plain_name", "severity_label", "state_of"]

STATES: dict[str, tuple[str, str]] = {
    "covered": ("✔", "covered"),
    "gap": ("✖", "gap"),
    "in-progress": ("◐", "gap, work in progress"),
    "waived": ("≈", "waived"),
    "skipped": ("–", "skipped"),
}
"""Each display state (`Cell.display_state`): its symbol and its words."""

PLAIN_STATES: dict[str, tuple[str, str]] = {
    "covered": ("✔", "covered"),
    "gap": ("✖", "gap"),
    "in-progress": ("◐", "gap, work under way"),
    "waived": ("≈", "accepted gap"),
    "skipped": ("–", "not relevant"),
}
"""The same states in the words of the map's pages, read by people who plan rather than
edit: the reports keep `STATES`, whose words their users and golden files know."""

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Published", "a page whose status counts towards the target (for example published)."),
    ("Target", "how many published pages a persona needs at a stage."),
    ("Gap", "fewer published pages than the target."),
    ("Work under way", "a planned, draft or in-review page that would close a gap."),
    ("Accepted gap", "a gap left open on purpose, with a reason and an end date."),
    ("Not relevant", "a stage that does not matter to a persona."),
    ("Coverage", "covered persona-stage pairs over those that should be covered."),
    ("Due date", "when a page not yet published should be ready; the Plan lists pages by it."),
    ("Overdue", "past its date: a page not yet published past its due date, or a published "
     "page past its review date."),
)
"""What the map's words mean, for the overview's glossary."""

LEGEND = " · ".join(f"{symbol} {words}" for symbol, words in STATES.values()) + \
    ". Numbers count the pieces that count towards coverage."
"""The key to the matrix, for outputs that have no room for a list."""

FACET_LABELS = {"status": "Status", "channel": "Channel", "owner": "Owner", "format": "Format",
                "intent": "Intent", "type": "Audience", "frequency": "Visits"}
"""The filters' labels: a persona's `type` (external, internal) is who the reader is, its
`frequency` (first-time, occasional, frequent) how often they come."""


def plain_name(text: str) -> str:
    """A code name (`referrals_submitted`, `demo-requests`) as words (`Referrals
    submitted`); any other text as it is."""
    if text and all(c.islower() or c.isdigit() or c in "_-" for c in text) and \
            any(c in "_-" for c in text):
        words = text.replace("_", " ").replace("-", " ").split()
        return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else text
    return text


SEVERITY_LABELS = {"error": "error", "warn": "warning", "info": "info"}
"""Severities as readers see them (`warn` is the option's spelling)."""


def severity_label(severity: str | None) -> str:
    return SEVERITY_LABELS.get(severity or "error", severity or "error")


def state_of(cell: Cell) -> tuple[str, str]:
    """The symbol and the words of a cell's state."""
    return STATES[cell.display_state]


def cell_label(cell: Cell | None, in_progress: bool = False) -> str:
    """A cell in a few characters: its symbol and count (`✔ 2`), the symbol alone when the
    stage is skipped; with `in_progress`, the work under way too (`✖ 0 (+1 in progress)`)."""
    if cell is None:
        return ""
    symbol = STATES[cell.display_state][0]
    if cell.display_state == "skipped":
        return symbol
    extra = f" (+{len(cell.in_progress)} in progress)" if in_progress and cell.in_progress \
        else ""
    return f"{symbol} {cell.count}{extra}"
