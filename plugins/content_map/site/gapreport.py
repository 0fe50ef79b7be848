"""The two reports: Gaps, for stakeholders (who lacks what, what is under way, what was
accepted), and Problems, for editors (every finding of the check, grouped by file)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Analysis, Cell, Finding, severity_rank
from ..settings import Settings
from .index import Index
from .pagedata import LIST_CAP, shares
from .views import Tally, Worded

__all__ = ["AcceptedGap", "FileGroup", "GapEntry", "GapsView", "ProblemsView", "gaps_view",
           "problems_view"]


@dataclass(frozen=True)
class GapEntry:
    """One open gap, in names: who lacks what, and the work under way on it."""

    cell: Cell
    persona: str  # the persona's name
    stage: str  # the stage's label
    work: tuple[tuple[str, str, str], ...]  # (path, title, owner or "") under way

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(sorted({owner for _, _, owner in self.work if owner}))


@dataclass(frozen=True)
class AcceptedGap:
    cell: Cell
    persona: str
    stage: str
    reason: str
    until: dt.date | None


@dataclass(frozen=True)
class GapsView(Worded):
    title: str
    nav_title: str
    today: dt.date
    gaps: tuple[GapEntry, ...]  # biggest shortfall first
    accepted: tuple[AcceptedGap, ...]
    problems: int  # errors and warnings, for the editors' report


@dataclass(frozen=True)
class FileGroup:
    """The findings of one file, worst first; past its share (none, when there are many
    files), the rest in short."""

    file: str
    findings: tuple[Finding, ...]
    listed: int

    @property
    def shown(self) -> tuple[Finding, ...]:
        return self.findings[: self.listed]

    @property
    def rest(self) -> tuple[Finding, ...]:
        return self.findings[self.listed:]


@dataclass(frozen=True)
class ProblemsView(Worded):
    title: str
    nav_title: str
    today: dt.date
    tally: Tally
    groups: tuple[FileGroup, ...]  # the file with the worst finding first
    export: bool

    @property
    def headed(self) -> tuple[FileGroup, ...]:
        """The files with findings listed in full, each under its own heading."""
        return tuple(group for group in self.groups if group.listed)

    @property
    def brief(self) -> tuple[FileGroup, ...]:
        """The files whose findings are all listed in short, together under one heading."""
        return tuple(group for group in self.groups if not group.listed)

    @property
    def in_short(self) -> int:
        """How many findings are listed in short (past the page's share of LIST_CAP)."""
        return sum(len(group.rest) for group in self.groups)


def gaps_view(title: str, analysis: Analysis, settings: Settings, index: Index,
              tally: Tally) -> GapsView:
    """The open gaps, biggest shortfall first, then matrix order; and the accepted ones."""
    entries = []
    for cell in (c for c in analysis.cells if c.state == "gap"):
        work = []
        for path in cell.in_progress:
            piece = analysis.piece(path)
            work.append((path, index.page_title(path), (piece.owner or "") if piece else ""))
        entries.append(GapEntry(cell, index.persona_name(cell.persona),
                                index.stage_label(cell.journey, cell.stage), tuple(work)))
    entries.sort(key=lambda e: -(e.cell.threshold - e.cell.count))  # stable: matrix order
    accepted = tuple(
        AcceptedGap(c, index.persona_name(c.persona), index.stage_label(c.journey, c.stage),
                    c.reason or "", _until(settings, c))
        for c in analysis.cells if c.state == "waived")
    return GapsView(title=title, nav_title=settings.nav_title, today=analysis.today,
                    gaps=tuple(entries), accepted=accepted,
                    problems=tally.errors + tally.warnings)


def _until(settings: Settings, cell: Cell) -> dt.date | None:
    for waiver in settings.waivers:
        if waiver.persona == cell.persona and waiver.stage == cell.stage and \
                waiver.journey in (None, cell.journey):
            return waiver.until
    return None


def problems_view(title: str, analysis: Analysis, settings: Settings,
                  tally: Tally) -> ProblemsView:
    """Every finding, grouped by file: the file with the worst finding first."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in analysis.findings:
        by_file[finding.file].append(finding)

    def rank(f: Finding) -> int:
        return severity_rank(f.severity or "error")

    for findings in by_file.values():
        findings.sort(key=lambda f: (-rank(f), f.line or 0))
    groups: Sequence[tuple[str, list[Finding]]] = sorted(
        by_file.items(), key=lambda item: (-rank(item[1][0]), item[0]))
    # Many small files share the page's list: those first in order are listed in full.
    limits = shares([len(findings) for _, findings in reversed(groups)], LIST_CAP, floor=0)
    limits.reverse()
    return ProblemsView(
        title=title, nav_title=settings.nav_title, today=analysis.today, tally=tally,
        export=settings.export,
        groups=tuple(FileGroup(file, tuple(findings), limit)
                     for (file, findings), limit in zip(groups, limits, strict=True)))
