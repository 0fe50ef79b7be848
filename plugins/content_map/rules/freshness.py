"""Freshness: pages whose `review_by` date has passed.

Judged here, against the day of the run, and not while a page is read: a page's outcome
depends on its own file and the registry only, so the cache keeps it from one day to
the next, and a new day costs this one pass over the pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Finding

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["stale"]


def stale(facts: Facts) -> list[Finding]:
    """`stale`: a piece whose `review_by` date is before the day of the run."""
    today = facts.today
    return [
        Finding("stale", piece.file, piece.lines.get("review_by", 2),
                f"the review date {piece.review_by.isoformat()} has passed; review the page "
                "and move `review_by` forward")
        for piece in facts.pieces
        if piece.review_by is not None and piece.review_by < today
    ]
