"""The look-ups every map page shares, made once per build: the pieces of each cell and
stage, names and labels, the orders pages list things in, the filters' options and the
personas' segments.

Building the index is linear in pieces plus cells, and each look-up is a dictionary
access, so no page costs more than what it shows.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..metrics import METRICS, results
from ..model import (
    IN_PROGRESS_STATUSES,
    STATUSES,
    Analysis,
    Cell,
    Continuity,
    Finding,
    Journey,
    Persona,
    Piece,
    Stage,
)
from .figures import Figure, figures_of

if TYPE_CHECKING:
    from ..metrics import Results

__all__ = ["FACETS", "PERSONA_FACETS", "PERSONA_FACET_ORDER", "ROLES", "Index", "in_stage_order"]

FACETS = ("status", "channel", "owner", "format", "intent")
"""The piece fields the browser-side filters work on, in the order the form shows them."""

PERSONA_FACETS = ("type", "frequency")
"""The persona fields (segments) the filters also work on: a piece matches when one of the
personas it is shown for does. Their values are schema enums, so they never hold a space."""

PERSONA_FACET_ORDER = {"type": ("external", "internal"),
                       "frequency": ("first-time", "occasional", "frequent")}

ROLES = ("counting", "progress", "other")
"""What a piece is to coverage: it counts, it is work in progress, or neither."""

Key = tuple[str, str, str]
"""A cell: persona, journey, stage."""


def in_stage_order(analysis: Analysis) -> list[Piece]:
    """The pieces by the journey and stage of their first stage, then by title; pieces with
    no stage (or one the site does not define) come last."""
    journeys: dict[str, int] = {}
    for journey in analysis.journeys:
        journeys.setdefault(journey.id, len(journeys))
    stages = {(j.id, s.id): s.index for j in analysis.journeys for s in j.stages}
    last = len(journeys)

    def order(piece: Piece) -> tuple[int, int, str]:
        if not piece.stages:
            return (last, 0, piece.title.lower())
        ref = piece.stages[0]
        return (journeys.get(ref.journey, last), stages.get((ref.journey, ref.stage), 0),
                piece.title.lower())

    return sorted(analysis.pieces, key=order)


class Index:
    """The analysis indexed for the pages. Make one per build."""

    def __init__(self, analysis: Analysis):
        a = self.analysis = analysis
        self.counting = analysis.counting
        self.personas: dict[str, Persona] = {p.id: p for p in a.personas}
        self.journeys: dict[str, Journey] = {j.id: j for j in a.journeys}
        self.stages: dict[tuple[str, str], Stage] = {
            (j.id, s.id): s for j in a.journeys for s in j.stages}
        self.cells: dict[Key, Cell] = {(c.persona, c.journey, c.stage): c for c in a.cells}
        self.by_cell: dict[Key, list[Piece]] = defaultdict(list)
        """The pieces of each cell, those that count first (`piece_order`)."""
        self.by_stage: dict[tuple[str, str], dict[str | None, list[Piece]]] = defaultdict(dict)
        """The pieces at each stage by persona (None: the pieces that name no persona)."""
        self.cell_keys: dict[str, tuple[str, ...]] = {}
        """Each piece's cells, as `persona/journey/stage`."""
        for piece in a.pieces:
            keys = []
            for ref in piece.stages:
                groups = self.by_stage[(ref.journey, ref.stage)]
                for persona_id in piece.personas or (None,):
                    groups.setdefault(persona_id, []).append(piece)
                    key = (persona_id or "", ref.journey, ref.stage)
                    if key in self.cells:
                        self.by_cell[key].append(piece)
                        keys.append("/".join(key))
            self.cell_keys[piece.path] = tuple(keys)
        for pieces in self.by_cell.values():
            pieces.sort(key=self.piece_order)
        for groups in self.by_stage.values():
            for pieces in groups.values():
                pieces.sort(key=self.piece_order)
        self.cell_findings: dict[Key, list[Finding]] = defaultdict(list)
        self.persona_findings: dict[str, list[Finding]] = defaultdict(list)
        for finding in a.findings:
            if finding.persona and finding.journey and finding.stage:
                self.cell_findings[(finding.persona, finding.journey, finding.stage)] \
                    .append(finding)
            elif finding.persona:
                self.persona_findings[finding.persona].append(finding)
        self.persona_files = {p.file: p.id for p in a.personas}
        self.journey_files = {j.file: j for j in a.journeys if j.file}
        self.options = self._facet_options()
        self.ordered_pieces = in_stage_order(a)
        self.walks: dict[tuple[str, str], Continuity] = {
            (w.persona, w.journey): w for w in a.continuity}
        self.dead_ends: dict[tuple[str, str], tuple[Piece, ...]] = {
            key: tuple(p for p in map(a.piece, paths) if p is not None)
            for key, paths in a.dead_ends.items()}
        self.results: Results | None = results(a) if a.figures else None
        self.piece_metrics = [m for m in METRICS if any(m in f for f in a.figures.values())]
        self.segments = {p.id: {facet: _segment(p, facet) for facet in PERSONA_FACETS}
                         for p in a.personas}
        self._segments_of: dict[tuple[str | None, ...], tuple[tuple[str, str], ...]] = {}

    def _facet_options(self) -> dict[str, list[str]]:
        """The values each filter offers: those the pieces (and personas) have, in order."""
        options: dict[str, set[str]] = {facet: set() for facet in FACETS}
        for piece in self.analysis.pieces:
            for facet in FACETS:
                value = getattr(piece, facet)
                if value:
                    options[facet].add(str(value))
        ordered = {facet: sorted(values, key=str.lower) for facet, values in options.items()}
        ordered["status"] = [s for s in STATUSES if s in options["status"]] + sorted(
            options["status"] - set(STATUSES))
        for facet, order in PERSONA_FACET_ORDER.items():
            present = {str(getattr(p, facet)) for p in self.analysis.personas
                       if getattr(p, facet)}
            ordered[facet] = [v for v in order if v in present] + sorted(present - set(order))
        return ordered

    # -- what a piece is -----------------------------------------------------------------

    def role(self, piece: Piece) -> str:
        """One of `ROLES`."""
        if piece.path in self.counting:
            return "counting"
        if piece.status in IN_PROGRESS_STATUSES:
            return "progress"
        return "other"

    def piece_order(self, piece: Piece) -> tuple[int, int, str]:
        """The order of a cell's pieces: those that count, then work in progress, then by
        status and title."""
        return ({"counting": 0, "progress": 1}.get(self.role(piece), 2),
                STATUSES.index(piece.status) if piece.status in STATUSES else 0,
                piece.title.lower())

    def values(self, piece: Piece) -> tuple[tuple[str, float], ...]:
        """The piece's raw figures, for the filters (`data-m-*`)."""
        return tuple((name, value) for name, value in
                     (self.analysis.figures.get(piece.path) or {}).items() if name in METRICS)

    # -- names and labels ----------------------------------------------------------------

    def persona_name(self, persona_id: str) -> str:
        persona = self.personas.get(persona_id)
        return persona.name if persona else persona_id

    def stage_name(self, journey_id: str, stage_id: str) -> str:
        stage = self.stages.get((journey_id, stage_id))
        return stage.name if stage else stage_id

    def stage_label(self, journey_id: str, stage_id: str) -> str:
        """The stage's name, after its journey's when the site has several."""
        name = self.stage_name(journey_id, stage_id)
        if len(self.journeys) > 1:
            journey = self.journeys.get(journey_id)
            return f"{journey.name if journey else journey_id} · {name}"
        return name

    def page_title(self, path: str) -> str:
        """A piece's title; for another page, its file name in words."""
        piece = self.analysis.piece(path)
        if piece is not None:
            return piece.title
        stem = posixpath.splitext(posixpath.basename(path))[0]
        return stem.replace("-", " ").replace("_", " ").capitalize()

    def segments_of(self, persona_ids: Iterable[str | None]) -> tuple[tuple[str, str], ...]:
        """(facet, space-separated values) of the personas an item is shown for, for each
        persona facet they have a value of."""
        ids = tuple(persona_ids)
        found = self._segments_of.get(ids)
        if found is None:
            found = self._segments_of[ids] = tuple(
                (facet, tokens) for facet in PERSONA_FACETS
                if (tokens := " ".join(sorted({self.segments[pid][facet] for pid in ids
                                               if pid in self.segments
                                               and self.segments[pid][facet]}))))
        return found

    # -- results -------------------------------------------------------------------------

    def piece_figures(self, piece: Piece) -> tuple[Figure, ...]:
        return figures_of(self.analysis.figures.get(piece.path))

    def cell_figures(self, persona: str, journey: str, stage: str) -> tuple[Figure, ...]:
        return figures_of(self.results.cells.get((persona, journey, stage))) \
            if self.results else ()

    def persona_figures(self, persona: str) -> tuple[Figure, ...]:
        return figures_of(self.results.personas.get(persona)) if self.results else ()

    def stage_figures(self, journey: str, stage: str) -> tuple[Figure, ...]:
        return figures_of(self.results.stages.get((journey, stage))) if self.results else ()

    def overall_figures(self) -> tuple[Figure, ...]:
        return figures_of(self.results.overall) if self.results else ()

    def cell_results(self) -> Mapping[Key, Mapping[str, float]]:
        return self.results.cells if self.results else {}


def _segment(persona: Persona, facet: str) -> str:
    value = getattr(persona, facet)
    return str(value) if value else ""
