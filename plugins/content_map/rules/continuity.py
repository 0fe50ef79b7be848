"""Journey continuity: can a reader walk a persona's journey by following `next` links?

For each persona and journey it follows, the stages that matter are the ones with
content that counts (skipped stages need none, and gaps are reported by coverage: a
persona × journey with a gap gets no `journey-break` finding on top).
The walk starts at any counting piece of the first such stage, follows `next` links
to counting pieces that serve the same persona at the same or a later stage, and
must reach a piece of the last such stage. Linear in pieces and links.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Continuity, Finding, Journey, Persona, Piece

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["breaks", "walks"]


@dataclass(frozen=True)
class _Index:
    """Built once, so each walk starts without a scan: each stage's position, each counting
    piece's earliest stage per journey, and the counting pieces filed under
    (persona, journey, stage index)."""

    position: dict[tuple[str, str], int]
    where: dict[str, dict[str, int]]
    starts: dict[tuple[str, str, int], list[Piece]]


def _index(facts: Facts) -> _Index:
    position = {(j.id, s.id): s.index for j in facts.journeys for s in j.stages}
    where: dict[str, dict[str, int]] = {}
    starts: dict[tuple[str, str, int], list[Piece]] = defaultdict(list)
    for piece in facts.pieces:
        if piece.path not in facts.counting:
            continue
        at: dict[str, int] = {}
        for ref in piece.stages:
            index = position.get((ref.journey, ref.stage))
            if index is not None and index < at.get(ref.journey, len(position)):
                at[ref.journey] = index
        where[piece.path] = at
        for persona_id in piece.personas:
            for journey_id, index in at.items():
                starts[(persona_id, journey_id, index)].append(piece)
    return _Index(position, where, starts)


def walks(facts: Facts) -> list[Continuity]:
    """A walk for each persona and journey it follows with two covered stages or more."""
    covered: dict[tuple[str, str], list[str]] = defaultdict(list)  # (persona, journey) -> stages
    for cell in facts.matrix.cells:
        if cell.state == "covered" and cell.count:
            covered[(cell.persona, cell.journey)].append(cell.stage)
    index = _index(facts)
    return [
        _walk(persona, journey, stages, index, facts)
        for persona in facts.personas
        for journey in facts.journeys
        if persona.follows(journey.id)
        and len(stages := covered.get((persona.id, journey.id), [])) >= 2
    ]


def _walk(persona: Persona, journey: Journey, stages: list[str], index: _Index,
          facts: Facts) -> Continuity:
    """Breadth first from the first covered stage, until a piece of the last one."""
    first, last = stages[0], stages[-1]
    position, where = index.position, index.where
    last_index = position[(journey.id, last)]
    start = index.starts.get((persona.id, journey.id, position[(journey.id, first)]), [])
    parent: dict[str, str | None] = {p.path: None for p in start}
    queue = deque(start)
    best: Piece | None = start[0] if start else None
    best_index = -1
    reached_last: Piece | None = None
    while queue:
        piece = queue.popleft()
        here = where[piece.path][journey.id]
        if last_index in (position.get((r.journey, r.stage)) for r in piece.stages
                          if r.journey == journey.id):
            reached_last = piece
            break
        if here > best_index:
            best, best_index = piece, here
        for target_path in piece.next:
            if target_path in parent:
                continue
            target = facts.piece.get(target_path)
            if target is None or persona.id not in target.personas:
                continue
            there = where.get(target_path, {}).get(journey.id)
            if there is None or there < here:  # not counting, other journey, backward
                continue
            parent[target_path] = piece.path
            queue.append(target)
    end = reached_last or best
    path: list[str] = []
    node = end.path if end else None
    while node is not None:
        path.append(node)
        node = parent.get(node)
    path.reverse()
    reached = last if reached_last else (
        journey.stages[best_index].id if best_index >= 0 else first)
    return Continuity(persona.id, journey.id, reached_last is not None, first, last, reached,
                      tuple(path))


def breaks(facts: Facts) -> list[Finding]:
    """`journey-break`: a walk that stops before the last covered stage, unless the persona
    has a gap in that journey (the gap is the problem to fix first: it is reported already)."""
    gaps = {(c.persona, c.journey) for c in facts.matrix.cells if c.state == "gap"}
    findings = []
    for walk in facts.walks:
        if walk.continuous or (walk.persona, walk.journey) in gaps:
            continue
        persona = facts.persona[walk.persona]
        findings.append(Finding(
            "journey-break", persona.file, persona.line,
            f"a reader who is `{walk.persona}` cannot follow `next` links from "
            f"`{walk.first}` to `{walk.last}` in the `{walk.journey}` journey: the way stops "
            f"at `{walk.reached}`" + (f" ({_file(facts, walk.path[-1])})" if walk.path else "")
            + f"; link a `{walk.reached}` page to a later page that serves `{walk.persona}`",
            persona=walk.persona, journey=walk.journey, stage=walk.reached,
        ))
    return findings


def _file(facts: Facts, path: str) -> str:
    """A piece as reports name files: from the folder of mkdocs.yml."""
    piece = facts.piece.get(path)
    return piece.file if piece is not None else path
