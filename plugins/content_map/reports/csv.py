"""The model and matrix as CSV tables, for spreadsheets and BI tools.

The `pieces` table has one row per piece × persona × stage (a page serving two
personas is two rows, so a pivot table counts it for each); the `cells` table has
one row per persona × stage cell, gaps included. (The JSON export, which is also
the site's `content-map.json`, is `reports.json`'s.)

Cells that a spreadsheet would run as a formula (text starting with `=`, `+`,
`-`, `@`, a tab or a carriage return) are written with a leading `'`, so a
value in a YAML file cannot become a formula on a colleague's machine. Hidden
characters (controls, bidi, a byte of a name that is not UTF-8) are written as
escapes (`terminal.visible`); tabs and line breaks stay, quoted as CSV quotes them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..model import Analysis
from ..rules.coverage import counting_paths
from ..rules.schedule import is_overdue
from ..settings import Settings
from ..terminal import visible

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["CELL_COLUMNS", "PIECE_COLUMNS", "cells", "cells_csv", "pieces", "pieces_csv"]

PIECE_COLUMNS = (
    "path", "file", "title", "persona", "persona_name", "journey", "stage", "stage_name",
    "stage_order", "status", "counts", "cell_state", "owner", "channel", "format", "intent",
    "review_by", "stale", "next", "due", "overdue",
)
CELL_COLUMNS = (
    "persona", "persona_name", "journey", "stage", "stage_name", "stage_order", "state",
    "count", "threshold", "in_progress", "pieces", "in_progress_pieces", "reason",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_COMMAND_AFTER_BREAK = re.compile(r"([\r\n]\s*)::")


def _safe(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = visible(str(value), "\t\n\r", starts_line=True)
    if "::" in text:  # a line of a multi-line cell, printed to a CI log, starts no command
        text = _COMMAND_AFTER_BREAK.sub(r"\1\\x3a:", text)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue()


def pieces(report: Report) -> str:
    """`export --format csv`: the `pieces` table."""
    return pieces_csv(report.analysis, report.settings)


def cells(report: Report) -> str:
    """`export --format csv --table cells`: the `cells` table."""
    return cells_csv(report.analysis)


def pieces_csv(analysis: Analysis, settings: Settings) -> str:
    """One row per piece × persona × stage; a piece without personas or stages still has one."""
    counting = counting_paths(list(analysis.pieces), settings, analysis.today)
    cells = {(c.persona, c.journey, c.stage): c for c in analysis.cells}
    rows = []
    for piece in analysis.pieces:
        stale = piece.review_by is not None and piece.review_by < analysis.today
        for persona_id in piece.personas or (None,):
            persona = analysis.persona(persona_id) if persona_id else None
            for ref in piece.stages or (None,):
                journey = analysis.journey(ref.journey) if ref else None
                stage = journey.stage(ref.stage) if journey and ref else None
                cell = cells.get((persona_id, ref.journey, ref.stage)) if ref and persona_id \
                    else None
                rows.append((
                    piece.path, piece.file, piece.title, persona_id,
                    persona.name if persona else None,
                    ref.journey if ref else None, ref.stage if ref else None,
                    stage.name if stage else None,
                    stage.index + 1 if stage else None,
                    piece.status, piece.path in counting,
                    cell.display_state if cell else None,
                    piece.owner, piece.channel, piece.format, piece.intent,
                    piece.review_by.isoformat() if piece.review_by else None,
                    stale, "; ".join(piece.next),
                    piece.due.isoformat() if piece.due else None,
                    is_overdue(piece, analysis.today),
                ))
    return _csv(PIECE_COLUMNS, rows)


def cells_csv(analysis: Analysis) -> str:
    """One row per persona × stage cell of the matrix."""
    rows = []
    for cell in analysis.cells:
        persona = analysis.persona(cell.persona)
        journey = analysis.journey(cell.journey)
        stage = journey.stage(cell.stage) if journey else None
        rows.append((
            cell.persona, persona.name if persona else None, cell.journey, cell.stage,
            stage.name if stage else None, stage.index + 1 if stage else None,
            cell.display_state, cell.count, cell.threshold, len(cell.in_progress),
            "; ".join(cell.pieces), "; ".join(cell.in_progress), cell.reason,
        ))
    return _csv(CELL_COLUMNS, rows)
