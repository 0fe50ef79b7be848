"""What the rules across pieces look at, each part worked out once.

The engine gives the model, the options, the day, the pieces that count and the figures;
what several rules share (the matrix, the journey walks, where `next` links lead) is
worked out by the rule module that owns it, when a rule first asks, and then kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..model import Continuity, Journey, Persona, Piece
from . import continuity, coverage, links

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["Facts"]


@dataclass(frozen=True, eq=False)
class Facts:
    journeys: Sequence[Journey]
    personas: Sequence[Persona]
    pieces: Sequence[Piece]
    settings: Settings
    today: dt.date
    counting: frozenset[str] | set[str]  # paths of the pieces that count towards coverage
    figures: Mapping[str, Mapping[str, float]]  # page -> metric -> value
    config_file: str = "mkdocs.yml"  # where the options (and so the waivers) are written

    @cached_property
    def persona(self) -> dict[str, Persona]:
        return {p.id: p for p in self.personas}

    @cached_property
    def journey(self) -> dict[str, Journey]:
        return {j.id: j for j in self.journeys}

    @cached_property
    def piece(self) -> dict[str, Piece]:
        return {p.path: p for p in self.pieces}

    @cached_property
    def matrix(self) -> coverage.Matrix:
        return coverage.matrix(self)

    @cached_property
    def walks(self) -> list[Continuity]:
        return continuity.walks(self)

    @cached_property
    def spots(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Each piece's (journey, stage index) pairs."""
        return links.spots(self)

    @cached_property
    def targets(self) -> dict[str, list[tuple[Piece, tuple[tuple[str, int], ...]]]]:
        """The pieces each piece names as next steps, with their spots."""
        return links.targets(self)

    @cached_property
    def dead_ends(self) -> list[links.DeadEnd]:
        return links.find_dead_ends(self)
