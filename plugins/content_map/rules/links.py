"""Where each piece's `next` links lead: dead ends and backward links.

Linear in pieces × their next links: each piece's stage positions and next pieces are
looked up once (`Facts.spots`, `Facts.targets`), and shared by both rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Finding, Journey, Persona, Piece

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["DeadEnd", "backward", "by_persona", "dead_ends", "find_dead_ends", "spots",
           "targets"]

Spots = tuple[tuple[str, int], ...]  # (journey, stage index) of each stage a piece is at


@dataclass(frozen=True)
class DeadEnd:
    """A counting piece that leaves a persona's reader with nowhere to go: no `next` page
    at a later stage of the journey serves that persona."""

    path: str
    file: str
    line: int
    persona: str
    journey: str
    stage: str


def spots(facts: Facts) -> dict[str, Spots]:
    position = {(j.id, s.id): s.index for j in facts.journeys for s in j.stages}
    return {
        piece.path: tuple((ref.journey, index) for ref in piece.stages
                          if (index := position.get((ref.journey, ref.stage))) is not None)
        for piece in facts.pieces
    }


def _next_line(piece: Piece) -> int:
    return piece.lines.get("next") or piece.lines.get("stage") or piece.line


def targets(facts: Facts) -> dict[str, list[tuple[Piece, Spots]]]:
    """The pieces each piece names as next steps, with where each of them is."""
    spots, by_path = facts.spots, facts.piece
    return {piece.path: [(target, spots[path]) for path in piece.next
                         if (target := by_path.get(path)) is not None]
            for piece in facts.pieces}


def find_dead_ends(facts: Facts) -> list[DeadEnd]:
    """Every counting piece at a stage before a persona's last whose next steps take that
    persona no further, in piece order."""
    last_stage = {(p.id, j.id): _last_stage(p, j) for p in facts.personas
                  for j in facts.journeys}
    spots, targets, counting = facts.spots, facts.targets, facts.counting
    journeys, personas = facts.journey, facts.persona
    ends: list[DeadEnd] = []
    for piece in facts.pieces:
        mine = spots[piece.path]
        if not mine or piece.path not in counting:
            continue
        onward_pieces = targets[piece.path]
        for journey_id, here in mine:
            journey = journeys[journey_id]
            if here == len(journey.stages) - 1:
                continue
            for persona_id in piece.personas:
                persona = personas.get(persona_id)
                if persona is None or not persona.follows(journey_id):
                    continue
                if here >= last_stage[(persona_id, journey_id)]:
                    continue  # the persona's journey ends here: later stages are skipped
                onward = any(
                    persona_id in target.personas
                    and any(j == journey_id and index > here for j, index in theirs)
                    for target, theirs in onward_pieces
                )
                if not onward:
                    ends.append(DeadEnd(piece.path, piece.file, _next_line(piece), persona_id,
                                        journey_id, journey.stages[here].id))
    return ends


def dead_ends(facts: Facts) -> list[Finding]:
    """`dead-end`: one finding for each dead end."""
    return [
        Finding("dead-end", end.file, end.line,
                f"a reader who is `{end.persona}` has nowhere to go after this `{end.stage}` "
                f"page: add a `next` page at a later stage of `{end.journey}` that serves "
                f"`{end.persona}`",
                persona=end.persona, journey=end.journey, stage=end.stage)
        for end in facts.dead_ends
    ]


def by_persona(ends: Iterable[DeadEnd]) -> dict[tuple[str, str], tuple[str, ...]]:
    """The paths of the dead ends of each persona and journey, in the order found."""
    found: dict[tuple[str, str], list[str]] = {}
    for end in ends:
        paths = found.setdefault((end.persona, end.journey), [])
        if end.path not in paths:
            paths.append(end.path)
    return {key: tuple(paths) for key, paths in found.items()}


def backward(facts: Facts) -> list[Finding]:
    """`backward-next`: a `next` link to a page that is only at earlier stages of the
    journey than this one."""
    spots, targets, journeys = facts.spots, facts.targets, facts.journey
    findings: list[Finding] = []
    for piece in facts.pieces:
        if not piece.next:
            continue
        for journey_id, here in spots[piece.path]:
            journey = journeys[journey_id]
            for target, theirs in targets[piece.path]:
                there = [index for j, index in theirs if j == journey_id]
                if there and max(there) < here:
                    findings.append(Finding(
                        "backward-next", piece.file, _next_line(piece),
                        f"the next step `{target.path}` is at an earlier stage "
                        f"(`{journey.stages[min(there)].id}`) than this page "
                        f"(`{journey.stages[here].id}`)",
                        journey=journey_id, stage=journey.stages[here].id,
                    ))
    return findings


def _last_stage(persona: Persona, journey: Journey) -> int:
    """Index of the last stage of `journey` that `persona` does not skip."""
    for stage in reversed(journey.stages):
        if persona.skip_reason(journey.id, stage.id) is None:
            return stage.index
    return -1
