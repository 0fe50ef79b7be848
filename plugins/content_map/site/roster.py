"""The overview's roster: each persona as a card with its coverage and its open gaps, the
way a phone shows the matrix (a row of the matrix is too wide for it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..model import Persona
from .attention import FixItem
from .views import Matrix, PersonaCard

__all__ = ["roster"]


def roster(tables: Sequence[Matrix], ranked: Sequence[FixItem]) -> tuple[PersonaCard, ...]:
    """A card a persona, those with the most open gaps first (then as the matrix lists
    them)."""
    gaps: dict[str, list[FixItem]] = defaultdict(list)
    for item in ranked:
        gaps[item.cell.persona].append(item)
    totals: dict[str, list[int]] = {}
    people: dict[str, Persona] = {}
    for table in tables:
        for row in table.rows:
            pid = row.persona.id
            people.setdefault(pid, row.persona)
            total = totals.setdefault(pid, [0, 0, 0])
            total[0] += row.covered
            total[1] += row.counted
            total[2] += sum(c is not None and c.cell.state == "waived" for c in row.cells)
    cards = [PersonaCard(person, totals[pid][0], totals[pid][1], totals[pid][2],
                         tuple(gaps.get(pid, ()))) for pid, person in people.items()]
    return tuple(sorted(cards, key=lambda card: -len(card.gaps)))
