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

from ..model import Cell, Continuity, Finding, Journey, Persona, Piece

__all__ = ["continuity"]


def continuity(journeys: list[Journey], personas: list[Persona], pieces: list[Piece],
               cells: list[Cell], counting: set[str]) -> tuple[list[Continuity], list[Finding]]:
    covered: dict[tuple[str, str], list[str]] = defaultdict(list)  # (persona, journey) -> stages
    gaps: set[tuple[str, str]] = set()
    for cell in cells:
        if cell.state == "covered" and cell.count:
            covered[(cell.persona, cell.journey)].append(cell.stage)
        elif cell.state == "gap":
            gaps.add((cell.persona, cell.journey))
    position = {(j.id, s.id): s.index for j in journeys for s in j.stages}
    # Each counting piece's earliest stage per journey, and the pieces filed under
    # (persona, journey, stage index): built once, so each walk starts without a scan.
    where: dict[str, dict[str, int]] = {}
    starts: dict[tuple[str, str, int], list[Piece]] = defaultdict(list)
    for piece in pieces:
        if piece.path not in counting:
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
    by_path = {p.path: p for p in pieces}

    results: list[Continuity] = []
    findings: list[Finding] = []
    for persona in personas:
        for journey in journeys:
            stages = covered.get((persona.id, journey.id), [])
            if not persona.follows(journey.id) or len(stages) < 2:
                continue
            first, last = stages[0], stages[-1]
            last_index = position[(journey.id, last)]
            start = starts.get((persona.id, journey.id, position[(journey.id, first)]), [])
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
                    target = by_path.get(target_path)
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
            result = Continuity(persona.id, journey.id, reached_last is not None, first, last,
                                reached, tuple(path))
            results.append(result)
            if not result.continuous and (persona.id, journey.id) not in gaps:
                # (with a gap, the gap is the problem to fix first: it is reported already)
                findings.append(Finding(
                    "journey-break", persona.file, persona.line,
                    f"a reader who is `{persona.id}` cannot follow `next` links from "
                    f"`{first}` to `{last}` in the `{journey.id}` journey: the way stops at "
                    f"`{reached}`" + (f" ({path[-1]})" if path else "")
                    + f"; link a `{reached}` page to a later page that serves `{persona.id}`",
                    persona=persona.id, journey=journey.id, stage=reached,
                ))
    return results, findings
