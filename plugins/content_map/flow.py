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

from .model import Cell, Continuity, Finding, Journey, Persona, Piece

__all__ = ["continuity"]


def continuity(journeys: list[Journey], personas: list[Persona], pieces: list[Piece],
               cells: list[Cell], counting: set[str]) -> tuple[list[Continuity], list[Finding]]:
    by_path = {p.path: p for p in pieces}
    covered: dict[tuple[str, str], list[str]] = defaultdict(list)  # (persona, journey) -> stages
    gaps: set[tuple[str, str]] = set()
    for cell in cells:
        if cell.state == "covered" and cell.count:
            covered[(cell.persona, cell.journey)].append(cell.stage)
        elif cell.state == "gap":
            gaps.add((cell.persona, cell.journey))
    results: list[Continuity] = []
    findings: list[Finding] = []
    for persona in personas:
        for journey in journeys:
            if not persona.follows(journey.id):
                continue
            stages = covered.get((persona.id, journey.id), [])
            if len(stages) < 2:
                continue
            index = {s.id: s.index for s in journey.stages}
            first, last = stages[0], stages[-1]

            def stage_of(piece: Piece, journey_id: str = journey.id) -> int | None:
                found = [index[r.stage] for r in piece.stages
                         if r.journey == journey_id and r.stage in index]
                return min(found) if found else None

            def serves(piece: Piece, persona_id: str = persona.id) -> bool:
                return piece.path in counting and persona_id in piece.personas

            start = [p for p in pieces if serves(p) and any(
                r.journey == journey.id and r.stage == first for r in p.stages)]
            seen = {p.path for p in start}
            parent: dict[str, str | None] = {p.path: None for p in start}
            queue = deque(start)
            best: Piece | None = start[0] if start else None
            reached_last: Piece | None = None
            while queue:
                piece = queue.popleft()
                here = stage_of(piece)
                if here is None:
                    continue
                if any(r.journey == journey.id and r.stage == last for r in piece.stages):
                    reached_last = piece
                    break
                if best is None or (stage_of(best) or 0) < here:
                    best = piece
                for target_path in piece.next:
                    target = by_path.get(target_path)
                    if target is None or target_path in seen or not serves(target):
                        continue
                    there = stage_of(target)
                    if there is None or there < here:
                        continue
                    seen.add(target_path)
                    parent[target_path] = piece.path
                    queue.append(target)
            end = reached_last or best
            path: list[str] = []
            node = end.path if end else None
            while node is not None:
                path.append(node)
                node = parent.get(node)
            path.reverse()
            reached = journey.stages[stage_of(end) or 0].id if end else first
            result = Continuity(persona.id, journey.id, reached_last is not None, first, last,
                                reached if reached_last is None else last, tuple(path))
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
