"""The persona × stage matrix, and the rules that read it: gaps, expired waivers, orphans,
and waivers that name no cell."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import IN_PROGRESS_STATUSES, Cell, Finding, Journey, Persona, Piece, Stage, Waiver

if TYPE_CHECKING:
    from ..settings import Settings
    from .facts import Facts

__all__ = ["Matrix", "counting_paths", "expired_waivers", "gaps", "matrix", "orphans",
           "unknown_waivers"]

CellKey = tuple[str, str, str]  # persona, journey, stage


def counting_paths(pieces: Sequence[Piece], settings: Settings,
                   today: dt.date) -> set[str]:
    """Paths of the pieces that count towards coverage."""
    return {
        p.path for p in pieces
        if p.status in settings.count_status
        and (settings.count_stale or p.review_by is None or p.review_by >= today)
    }


@dataclass(frozen=True)
class Matrix:
    """Every cell of every persona's journeys, in persona then journey-stage order, with
    the waiver each cell has, and the waivers that name no cell."""

    cells: list[Cell]
    waivers: dict[CellKey, Waiver]
    unmatched: list[Waiver]


@dataclass
class _Filed:
    """The pieces under each cell: those that count, those in progress, the others."""

    counted: defaultdict[CellKey, list[str]]
    progress: defaultdict[CellKey, list[str]]
    other: defaultdict[CellKey, list[str]]


def matrix(facts: Facts) -> Matrix:
    """One pass over the pieces files them under their cells, so the work is linear in
    pieces plus cells however large the site."""
    filed = _file(facts.pieces, facts.counting)
    waivers, unmatched = _match_waivers(facts)
    cells = [
        _cell(persona, journey, stage, filed, waivers.get((persona.id, journey.id, stage.id)),
              facts)
        for persona in facts.personas
        for journey in facts.journeys if persona.follows(journey.id)
        for stage in journey.stages
    ]
    return Matrix(cells, waivers, unmatched)


def _file(pieces: Sequence[Piece], counting: frozenset[str] | set[str]) -> _Filed:
    filed = _Filed(defaultdict(list), defaultdict(list), defaultdict(list))
    for piece in pieces:
        if piece.path in counting:
            under = filed.counted
        elif piece.status in IN_PROGRESS_STATUSES:
            under = filed.progress
        else:
            under = filed.other
        for persona_id in piece.personas:
            for ref in piece.stages:
                under[(persona_id, ref.journey, ref.stage)].append(piece.path)
    return filed


def _match_waivers(facts: Facts) -> tuple[dict[CellKey, Waiver], list[Waiver]]:
    """The waiver of each cell that has one (a waiver without a journey applies to the stage
    in every journey that has it), and the waivers that name no cell."""
    known = {(p.id, j.id, s.id) for p in facts.personas for j in facts.journeys
             for s in j.stages}
    waivers: dict[CellKey, Waiver] = {}
    unmatched: list[Waiver] = []
    for waiver in facts.settings.waivers:
        matched = False
        for journey in facts.journeys:
            if waiver.journey not in (None, journey.id) or journey.stage(waiver.stage) is None:
                continue
            if (waiver.persona, journey.id, waiver.stage) in known:
                waivers[(waiver.persona, journey.id, waiver.stage)] = waiver
                matched = True
        if not matched:
            unmatched.append(waiver)
    return waivers, unmatched


def _cell(persona: Persona, journey: Journey, stage: Stage, filed: _Filed,
          waiver: Waiver | None, facts: Facts) -> Cell:
    key = (persona.id, journey.id, stage.id)
    threshold = stage.min_content if stage.min_content is not None \
        else facts.settings.min_per_cell
    found = tuple(filed.counted.get(key, ()))
    skip = persona.skip_reason(journey.id, stage.id)
    reason = None
    if skip is not None:
        state, reason = "skipped", skip
    elif len(found) >= threshold:
        state = "covered"
    elif waiver is not None and not _expired(waiver, facts.today):
        state, reason = "waived", waiver.reason
    else:
        state = "gap"
    return Cell(persona.id, journey.id, stage.id, state, len(found), threshold, found,
                tuple(filed.progress.get(key, ())), tuple(filed.other.get(key, ())), reason)


def _expired(waiver: Waiver, today: dt.date) -> bool:
    return waiver.until is not None and waiver.until < today


# -- the rules --------------------------------------------------------------------------


def gaps(facts: Facts) -> list[Finding]:
    """`coverage-gap`: a cell with fewer counting pieces than its threshold (a waived one
    as `info`, naming the waiver's reason)."""
    findings = []
    for cell in facts.matrix.cells:
        if cell.state not in ("gap", "waived"):
            continue
        persona = facts.persona[cell.persona]
        journey = facts.journey[cell.journey]
        stage = journey.stage(cell.stage)
        assert stage is not None
        statuses = "/".join(facts.settings.count_status)
        threshold = cell.threshold
        have = f"{cell.count} of {threshold}" if threshold > 1 else "no"
        message = (f"{have} {statuses} page{'s' if threshold > 1 else ''} for `{persona.id}` "
                   f"at `{journey.id}/{stage.id}` ({stage.name})")
        if cell.in_progress:
            message += f"; {len(cell.in_progress)} in progress: " + ", ".join(
                facts.piece[p].file if p in facts.piece else p for p in cell.in_progress[:3])
        if cell.state == "waived":
            message += f"; waived: {cell.reason or ''}"
            severity: str | None = "info"
        else:
            message += ("; write one with `content-map new page PATH --persona "
                        f"{persona.id} --stage {journey.id}/{stage.id}`, or skip or waive the "
                        "stage")
            severity = None
        findings.append(Finding("coverage-gap", persona.file, persona.line, message, severity,
                                persona=persona.id, journey=journey.id, stage=stage.id))
    return findings


def expired_waivers(facts: Facts) -> list[Finding]:
    """`waiver-expired`: the waiver of a cell that is not skipped, past its `until` date."""
    findings = []
    for cell in facts.matrix.cells:
        waiver = facts.matrix.waivers.get((cell.persona, cell.journey, cell.stage))
        if waiver is None or cell.state == "skipped" or not _expired(waiver, facts.today):
            continue
        until = waiver.until.isoformat() if waiver.until else ""
        findings.append(Finding(
            "waiver-expired", facts.config_file, None,
            f"the waiver for `{cell.persona}` at `{cell.journey}/{cell.stage}` expired on "
            f"{until}; close the gap or renew the waiver",
            persona=cell.persona, journey=cell.journey, stage=cell.stage,
        ))
    return findings


def orphans(facts: Facts) -> list[Finding]:
    """`orphan-persona`: a persona no piece serves."""
    served = {persona_id for piece in facts.pieces for persona_id in piece.personas}
    return [
        Finding("orphan-persona", persona.file, persona.line,
                f"no page serves `{persona.id}`; map pages to it with "
                f"`personas: [{persona.id}]`", persona=persona.id)
        for persona in facts.personas if persona.id not in served
    ]


def unknown_waivers(facts: Facts) -> list[Finding]:
    """`schema`: a coverage waiver that names no persona and stage of the site."""
    return [
        Finding("schema", facts.config_file, None,
                f"the coverage waiver for `{waiver.persona}` at `{waiver.stage}` names no "
                "known persona and stage; fix or remove it",
                persona=waiver.persona, stage=waiver.stage)
        for waiver in facts.matrix.unmatched
    ]
