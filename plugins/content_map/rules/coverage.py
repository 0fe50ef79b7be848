"""The persona × stage matrix, and the findings it yields: gaps, expired waivers, orphans."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..model import IN_PROGRESS_STATUSES, Cell, Finding, Journey, Persona, Piece, Waiver
from ..settings import Settings

__all__ = ["counting_paths", "matrix"]


def counting_paths(pieces: list[Piece], settings: Settings, today: dt.date) -> set[str]:
    """Paths of the pieces that count towards coverage."""
    return {
        p.path for p in pieces
        if p.status in settings.count_status
        and (settings.count_stale or p.review_by is None or p.review_by >= today)
    }


def matrix(
    journeys: list[Journey],
    personas: list[Persona],
    pieces: list[Piece],
    settings: Settings,
    today: dt.date,
    settings_file: str = "mkdocs.yml",
) -> tuple[list[Cell], list[Finding]]:
    """Every cell of every persona's journeys, in persona then journey-stage order.

    One pass over the pieces files them under their cells, so the work is linear in
    pieces plus cells however large the site.
    """
    counting = counting_paths(pieces, settings, today)
    counted: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    progress: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    other: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    touched: set[str] = set()
    for piece in pieces:
        for persona_id in piece.personas:
            touched.add(persona_id)
            for ref in piece.stages:
                key = (persona_id, ref.journey, ref.stage)
                if piece.path in counting:
                    counted[key].append(piece.path)
                elif piece.status in IN_PROGRESS_STATUSES:
                    progress[key].append(piece.path)
                else:
                    other[key].append(piece.path)

    findings: list[Finding] = []
    waivers: dict[tuple[str, str, str], Waiver] = {}
    known = {(p.id, j.id, s.id) for p in personas for j in journeys for s in j.stages}
    for waiver in settings.waivers:
        matched = False
        for journey in journeys:
            if waiver.journey not in (None, journey.id) or journey.stage(waiver.stage) is None:
                continue
            if (waiver.persona, journey.id, waiver.stage) in known:
                waivers[(waiver.persona, journey.id, waiver.stage)] = waiver
                matched = True
        if not matched:
            findings.append(Finding(
                "schema", settings_file, None,
                f"the coverage waiver for `{waiver.persona}` at `{waiver.stage}` names no known "
                "persona and stage; fix or remove it",
                persona=waiver.persona, stage=waiver.stage,
            ))

    cells: list[Cell] = []
    for persona in personas:
        for journey in journeys:
            if not persona.follows(journey.id):
                continue
            for stage in journey.stages:
                key = (persona.id, journey.id, stage.id)
                threshold = stage.min_content if stage.min_content is not None \
                    else settings.min_per_cell
                found = tuple(counted.get(key, ()))
                working = tuple(progress.get(key, ()))
                rest = tuple(other.get(key, ()))
                skip = persona.skip_reason(journey.id, stage.id)
                cell_waiver = waivers.get(key)
                until = cell_waiver.until if cell_waiver is not None else None
                expired = until is not None and until < today
                reason = None
                if skip is not None:
                    state, reason = "skipped", skip
                elif len(found) >= threshold:
                    state = "covered"
                elif cell_waiver is not None and not expired:
                    state, reason = "waived", cell_waiver.reason
                else:
                    state = "gap"
                cells.append(Cell(persona.id, journey.id, stage.id, state, len(found), threshold,
                                  found, working, rest, reason))
                if expired and state != "skipped":
                    findings.append(Finding(
                        "waiver-expired", settings_file, None,
                        f"the waiver for `{persona.id}` at `{journey.id}/{stage.id}` expired on "
                        f"{until.isoformat() if until else ''}; close the gap or renew the waiver",
                        persona=persona.id, journey=journey.id, stage=stage.id,
                    ))
                if state in ("gap", "waived"):
                    waived = cell_waiver if state == "waived" else None
                    findings.append(_gap(persona, journey, stage.id, stage.name, found, threshold,
                                         working, settings, waived))
        if persona.id not in touched:
            findings.append(Finding(
                "orphan-persona", persona.file, persona.line,
                f"no page serves `{persona.id}`; map pages to it with `personas: [{persona.id}]`",
                persona=persona.id,
            ))
    return cells, findings


def _gap(persona: Persona, journey: Journey, stage_id: str, stage_name: str,
         found: tuple[str, ...], threshold: int, working: tuple[str, ...],
         settings: Settings, waiver: object) -> Finding:
    statuses = "/".join(settings.count_status)
    have = f"{len(found)} of {threshold}" if threshold > 1 else "no"
    message = (f"{have} {statuses} page{'s' if threshold > 1 else ''} for `{persona.id}` at "
               f"`{journey.id}/{stage_id}` ({stage_name})")
    if working:
        message += f"; {len(working)} in progress: " + ", ".join(working[:3])
    if waiver is not None:
        message += f"; waived: {getattr(waiver, 'reason', '')}"
        return Finding("coverage-gap", persona.file, persona.line, message, severity="info",
                       persona=persona.id, journey=journey.id, stage=stage_id)
    message += ("; write one with `content-map new page PATH --persona "
                f"{persona.id} --stage {journey.id}/{stage_id}`, or skip or waive the stage")
    return Finding("coverage-gap", persona.file, persona.line, message,
                   persona=persona.id, journey=journey.id, stage=stage_id)
