"""Schedule: pieces not yet published whose `due` date has passed.

Judged here, against the day of the run, as `stale` is: a page's outcome in the cache
does not depend on the day, and a new day costs one pass over the pieces.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..model import Finding, Piece
from ..suggestion import shown

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["UNPUBLISHED", "is_overdue", "overdue"]

UNPUBLISHED = frozenset(("idea", "planned", "draft", "review"))
"""The statuses of a piece that is not published yet (a retired piece is past that)."""


def is_overdue(piece: Piece, today: dt.date) -> bool:
    """Whether `piece` is not yet published and its `due` date is before `today`."""
    return piece.due is not None and piece.due < today and piece.status in UNPUBLISHED


def overdue(facts: Facts) -> list[Finding]:
    """`overdue`: a piece not yet published whose `due` date is before the day of the run;
    the message names its owner, who is the one to ask."""
    today = facts.today
    found = []
    for piece in facts.pieces:
        if not is_overdue(piece, today):
            continue
        assert piece.due is not None
        days = (today - piece.due).days
        who = f"its owner is {shown(piece.owner)}" if piece.owner else \
            "it has no owner (set `owner`)"
        found.append(Finding(
            "overdue", piece.file, piece.lines.get("due", 2),
            f"was due {piece.due.isoformat()} ({days} day{'s' if days != 1 else ''} ago) and "
            f"is still {piece.status}; {who}: publish it, or move `due` to a new date"))
    return found
