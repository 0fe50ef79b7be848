"""The domain: journeys and their stages, personas, content pieces, findings and cells.

Everything here is immutable and free of I/O, so the rules, the coverage and the
renderers can share one loaded model without defending against each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "ID_PATTERN",
    "SEVERITIES",
    "STATUSES",
    "IN_PROGRESS_STATUSES",
    "Analysis",
    "MAX_PER_FILE",
    "at_or_above",
    "capped", "flood_note",
    "Cell", "Continuity", "Finding",
    "Inventory",
    "Journey",
    "Persona",
    "PersonaStage",
    "Piece",
    "SkipStage",
    "Stage",
    "StageRef",
    "Waiver",
    "severity_rank",
]

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""Persona, journey and stage ids: lower-case letters, digits and hyphens."""

SEVERITIES = ("error", "warn", "info", "ignore")
STATUSES = ("idea", "planned", "draft", "review", "published", "retired")
IN_PROGRESS_STATUSES = ("planned", "draft", "review")
CELL_STATES = ("covered", "gap", "waived", "skipped")

_RANK = {"ignore": 0, "info": 1, "warn": 2, "error": 3, "never": 4}


def severity_rank(severity: str) -> int:
    """Order severities so that `fail_on` comparisons read naturally (`never` is above all)."""
    return _RANK[severity]


def at_or_above(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """The findings at `threshold` or more severe (none for `never`)."""
    if threshold == "never":
        return []
    rank = severity_rank(threshold)
    return [f for f in findings if severity_rank(f.severity or "error") >= rank]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, pointing at the file and line an editor has to open."""

    rule: str
    file: str
    line: int | None
    message: str
    severity: str | None = None  # None until the rule's configured severity is applied
    column: int | None = None
    suggestion: str | None = None
    persona: str | None = None
    journey: str | None = None
    stage: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Finding, (self.rule, self.file, self.line, self.message, self.severity,
                         self.column, self.suggestion, self.persona, self.journey, self.stage)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "suggestion": self.suggestion,
            "persona": self.persona,
            "journey": self.journey,
            "stage": self.stage,
        }


MAX_PER_FILE = 100
"""Findings of one rule in one file listed before the rest are summed up in one line: a
file that repeats one mistake (or a hostile one, with a million bad rows) cannot flood a
report, a log or `content-map.json`."""


_NOTE = re.compile(r"and ([0-9,]+) more `[a-z-]+` findings? in this file, not listed")


def flood_note(rule: str, file: str, line: int | None, more: int,
               severity: str | None = None) -> Finding:
    """The one finding that stands for `more` findings of `rule` in `file` not listed."""
    return Finding(rule, file, line,
                   f"and {more:,} more `{rule}` finding{'s' if more != 1 else ''} in this file, "
                   f"not listed (only the first {MAX_PER_FILE} are); fix those, then check "
                   "again", severity)


def _left_out(finding: Finding) -> int:
    """How many findings `finding` stands for when it is a `flood_note`, else 0."""
    match = _NOTE.match(finding.message)
    return int(match.group(1).replace(",", "")) if match else 0


def capped(findings: list[Finding]) -> list[Finding]:
    """At most `MAX_PER_FILE` findings of each rule in each file, then one note that counts
    the rest. A loader that stopped building findings early (a million bad CSV rows) adds
    its own note, which is merged here: capping twice gives the same list."""
    listed: dict[tuple[str, str], int] = {}
    more: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.rule, finding.file)
        left_out = _left_out(finding)
        if left_out:
            more[key] = more.get(key, 0) + left_out
        else:
            listed[key] = listed.get(key, 0) + 1
    if all(count <= MAX_PER_FILE for count in listed.values()) and \
            all(len([1 for f in findings if (f.rule, f.file) == key and _left_out(f)]) == 1
                for key in more):
        return findings
    out: list[Finding] = []
    kept: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.rule, finding.file)
        if _left_out(finding):
            continue
        count = kept[key] = kept.get(key, 0) + 1
        if count <= MAX_PER_FILE:
            out.append(finding)
        if count == min(listed[key], MAX_PER_FILE + 1) and (count > MAX_PER_FILE or key in more):
            total = more.get(key, 0) + max(0, listed[key] - MAX_PER_FILE)
            out.append(flood_note(finding.rule, finding.file, finding.line, total,
                                  finding.severity))
    return out


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    name: str
    journey: str
    index: int
    goal: str = ""
    questions: tuple[str, ...] = ()
    emotions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    min_content: int | None = None
    line: int | None = None
    labels: tuple[str, ...] = ()  # the site's own names for it, as pages write them


@dataclass(frozen=True, slots=True)
class Journey:
    id: str
    name: str
    stages: tuple[Stage, ...]
    description: str = ""
    file: str | None = None  # None for the built-in default journey
    line: int | None = None

    def stage(self, stage_id: str) -> Stage | None:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        return None

    @property
    def last(self) -> Stage:
        return self.stages[-1]


@dataclass(frozen=True, slots=True)
class SkipStage:
    stage: str
    reason: str
    journey: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class PersonaStage:
    emotion: str = ""
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Persona:
    id: str
    name: str
    file: str
    line: int | None = 1
    summary: str = ""
    type: str = "external"
    frequency: str | None = None
    journeys: tuple[str, ...] | None = None  # None: every journey
    skip_stages: tuple[SkipStage, ...] = ()
    demographics: Mapping[str, str] = field(default_factory=dict)
    goals: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    motivations: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    stages: Mapping[str, PersonaStage] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    narrative: str = ""
    labels: tuple[str, ...] = ()  # the site's own names for it, as pages write them

    def follows(self, journey_id: str) -> bool:
        return self.journeys is None or journey_id in self.journeys

    def skip_reason(self, journey_id: str, stage_id: str) -> str | None:
        for skip in self.skip_stages:
            if skip.stage == stage_id and skip.journey in (None, journey_id):
                return skip.reason
        return None


@dataclass(frozen=True, slots=True, order=True)
class StageRef:
    journey: str
    stage: str

    def __str__(self) -> str:
        return f"{self.journey}/{self.stage}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return StageRef, (self.journey, self.stage)


@dataclass(frozen=True, slots=True)
class Piece:
    """A Markdown page mapped to personas and journey stages by its front-matter."""

    path: str  # docs-relative, POSIX separators: the key other pieces' `next` uses
    file: str  # relative to the directory of mkdocs.yml, for reports
    title: str
    personas: tuple[str, ...] = ()
    stages: tuple[StageRef, ...] = ()
    status: str = "published"
    owner: str | None = None
    channel: str | None = None
    format: str | None = None
    intent: str | None = None
    review_by: date | None = None
    next: tuple[str, ...] = ()
    line: int = 1
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter field -> line
    due: date | None = None  # not yet published: when it is due

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Piece, (self.path, self.file, self.title, self.personas, self.stages,
                       self.status, self.owner, self.channel, self.format, self.intent,
                       self.review_by, self.next, self.line, self.lines, self.due)


@dataclass(frozen=True, slots=True)
class Waiver:
    persona: str
    stage: str
    reason: str
    journey: str | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One persona × stage cell of the coverage matrix."""

    persona: str
    journey: str
    stage: str
    state: str  # covered | gap | waived | skipped
    count: int
    threshold: int
    pieces: tuple[str, ...] = ()  # paths of the pieces that count
    in_progress: tuple[str, ...] = ()  # paths of planned/draft/review pieces
    other: tuple[str, ...] = ()  # paths of pieces that neither count nor are in progress
    reason: str | None = None  # waiver or skip reason

    @property
    def display_state(self) -> str:
        """The state as the map colours it: a gap with work under way is its own colour."""
        if self.state == "gap" and self.in_progress:
            return "in-progress"
        return self.state

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": self.persona,
            "journey": self.journey,
            "stage": self.stage,
            "state": self.state,
            "count": self.count,
            "in_progress": len(self.in_progress),
            "threshold": self.threshold,
            "pieces": list(self.pieces),
            "in_progress_pieces": list(self.in_progress),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Continuity:
    """Whether a persona's reader can walk a journey from its first covered stage to its last."""

    persona: str
    journey: str
    continuous: bool
    first: str
    last: str
    reached: str  # the furthest stage the `next` links lead to
    path: tuple[str, ...] = ()  # pieces along the way, first to furthest

    def to_dict(self) -> dict[str, Any]:
        return {"persona": self.persona, "journey": self.journey,
                "continuous": self.continuous, "first": self.first, "last": self.last,
                "reached": self.reached, "path": list(self.path)}


@dataclass(frozen=True, slots=True)
class Inventory:
    """The files a check looked at, by kind, relative to the directory of mkdocs.yml
    (JUnit lists every file checked, not only those with findings)."""

    config: tuple[str, ...] = ("mkdocs.yml",)
    personas: tuple[str, ...] = ()
    journeys: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()  # every page that is not excluded
    pieces: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()  # the metrics file, when there is one


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one run of the engine knows: the model, the matrix and the findings."""

    journeys: tuple[Journey, ...]
    personas: tuple[Persona, ...]
    pieces: tuple[Piece, ...]
    cells: tuple[Cell, ...]
    findings: tuple[Finding, ...]
    today: date
    continuity: tuple[Continuity, ...] = ()
    figures: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # page -> metrics
    counting: frozenset[str] = frozenset()  # paths of the pieces that count for coverage
    # (persona, journey) -> the pieces that leave its reader nowhere to go (rule `dead-end`)
    dead_ends: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    _by_path: dict[str, Piece] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {p.path: p for p in self.pieces})

    @property
    def coverage(self) -> float | None:
        """Covered cells over the cells that should be covered (skipped cells do not count)."""
        counted = [c for c in self.cells if c.state != "skipped"]
        if not counted:
            return None
        return sum(c.state == "covered" for c in counted) / len(counted)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    def at_or_above(self, threshold: str) -> list[Finding]:
        return at_or_above(self.findings, threshold)

    def journey(self, journey_id: str) -> Journey | None:
        for journey in self.journeys:
            if journey.id == journey_id:
                return journey
        return None

    def persona(self, persona_id: str) -> Persona | None:
        for persona in self.personas:
            if persona.id == persona_id:
                return persona
        return None

    def piece(self, path: str) -> Piece | None:
        return self._by_path.get(path)
