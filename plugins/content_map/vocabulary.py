"""The words and symbols every output uses for the same facts, spelled once.

A cell's state is shown by colour, symbol and words together (colour is never the only
signal); the text report, the Markdown reports, the generated pages and the HTML map
all take them from here, so one fact reads the same everywhere.
"""

from __future__ import annotations

from .model import Cell

__all__ = ["LEGEND", "SEVERITY_LABELS", "STATES", "cell_label", "severity_label", "state_of"]

STATES: dict[str, tuple[str, str]] = {
    "covered": ("✔", "covered"),
    "gap": ("✖", "gap"),
    "in-progress": ("◐", "gap, work in progress"),
    "waived": ("≈", "waived"),
    "skipped": ("–", "skipped"),
}
"""Each display state (`Cell.display_state`): its symbol and its words."""

LEGEND = " · ".join(f"{symbol} {words}" for symbol, words in STATES.values()) + \
    ". Numbers count the pieces that count towards coverage."
"""The key to the matrix, for outputs that have no room for a list."""

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
