"""The rule catalogue: every rule registered once.

A registration gives a rule's id, default severity, scope, summary and help, and how it
is found. A rule about one file fires while that file is loaded (`fired_by` names the
modules that fire it); a rule that looks at all the pieces at once has its `check`, a
function from the `Facts` of a run to findings, and the engine runs the checks in the
order registered here. Everything that lists rules reads them here: the `rules` option,
the engine, the reports (SARIF's rule table, JUnit's suites and test cases, the
baseline's keys) and the map's gap report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Finding
from . import continuity, coverage, engagement, freshness, links, schedule

if TYPE_CHECKING:
    from .facts import Facts

__all__ = [
    "BACKWARD_NEXT", "CELLS", "CONFIG", "COVERAGE_GAP", "DEAD_END", "DUPLICATE_ID",
    "JOURNEYS", "JOURNEY_BREAK", "LOW_ENGAGEMENT", "METRICS_DATA", "METRICS_FILE",
    "ORPHAN_PERSONA", "OVERDUE", "PAGES", "PERSONAS", "PERSONA_JOURNEY", "PIECES", "RULES", "Rule",
    "SCHEMA", "STALE", "Scope", "UNKNOWN_FIELD", "UNKNOWN_NEXT", "UNKNOWN_PERSONA",
    "UNKNOWN_STAGE", "UNMAPPED_PAGE", "WAIVER_EXPIRED", "YAML_SYNTAX", "every", "some",
]

Check = Callable[["Facts"], list[Finding]]

# What a rule looks at: the kinds of file a run checks, as `Inventory` names them, and
# the persona × stage cells of the matrix.
CONFIG = "config"
PERSONAS = "personas"
JOURNEYS = "journeys"
PAGES = "pages"  # every page that is not excluded
PIECES = "pieces"  # the pages mapped to personas and stages
METRICS_FILE = "metrics"
CELLS = "cells"


@dataclass(frozen=True)
class Scope:
    """What a rule fires on. With `every`, the rule checks each file (or cell) of these
    kinds, so one without a finding passed it: JUnit lists it as a passing test case. A
    rule that checks only some of them (the journeys a persona can walk, the pieces with
    figures) lists only those it fired on."""

    kinds: tuple[str, ...]
    every: bool = True


def every(*kinds: str) -> Scope:
    return Scope(kinds)


def some(*kinds: str) -> Scope:
    return Scope(kinds, every=False)


@dataclass(frozen=True)
class Rule:
    id: str
    default: str  # severity: error, warn, info or ignore
    scope: Scope
    summary: str
    help: str
    check: Check | None = None  # for a rule across pieces: how it is found
    fired_by: tuple[str, ...] = ()  # for a rule about one file: the modules that fire it
    about_matrix: bool = False
    """Its findings are about the coverage matrix (a cell, or a persona's row): their
    persona, journey and stage name the problem, and the message lists pieces that come
    and go, so a baseline matches them by what they name, not by the message."""


YAML_SYNTAX = "yaml-syntax"
SCHEMA = "schema"
UNKNOWN_FIELD = "unknown-field"
DUPLICATE_ID = "duplicate-id"
UNKNOWN_PERSONA = "unknown-persona"
UNKNOWN_STAGE = "unknown-stage"
PERSONA_JOURNEY = "persona-journey"
UNKNOWN_NEXT = "unknown-next"
COVERAGE_GAP = "coverage-gap"
ORPHAN_PERSONA = "orphan-persona"
STALE = "stale"
OVERDUE = "overdue"
DEAD_END = "dead-end"
JOURNEY_BREAK = "journey-break"
BACKWARD_NEXT = "backward-next"
WAIVER_EXPIRED = "waiver-expired"
METRICS_DATA = "metrics-data"
LOW_ENGAGEMENT = "low-engagement"
UNMAPPED_PAGE = "unmapped-page"

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(YAML_SYNTAX, "error", every(PERSONAS, JOURNEYS, PAGES),
             "A file is not valid YAML or its front-matter is broken.",
             "Fix the YAML at the line shown: close the `---` block, indent consistently, quote "
             "values that contain `: `, and keep one document per file.",
             fired_by=("load.registry", "load.pages", "load.pieces", "load.source")),
        Rule(SCHEMA, "error", every(CONFIG, PERSONAS, JOURNEYS, PIECES),
             "A field has the wrong type or value, or a required field is missing.",
             "Give the field the type the message names; ids use lower-case letters, "
             "digits and hyphens; dates are written YYYY-MM-DD.",
             check=coverage.unknown_waivers,
             fired_by=("load.schema", "load.registry", "load.pieces")),
        Rule(UNKNOWN_FIELD, "warn", every(PERSONAS, JOURNEYS),
             "A persona or journey file has a key the tool does not know.",
             "Check the spelling of the key against the documented fields, or remove it.",
             fired_by=("load.schema",)),
        Rule(DUPLICATE_ID, "error", every(PERSONAS, JOURNEYS),
             "Two personas or journeys share an id or alias.",
             "Give each persona and journey its own id, and each alias to one persona only.",
             fired_by=("load.registry",)),
        Rule(UNKNOWN_PERSONA, "error", every(PIECES),
             "A page names a persona that does not exist.",
             "Use the id of a file in personas/ (or one of its aliases).",
             fired_by=("load.pieces",)),
        Rule(UNKNOWN_STAGE, "error", every(PIECES),
             "A page names a stage or journey that does not exist, or an ambiguous one.",
             "Use a stage id from journeys/; write `journey/stage` when the stage id is in "
             "several journeys.",
             fired_by=("load.pieces",)),
        Rule(PERSONA_JOURNEY, "error", every(PIECES),
             "A page maps a persona to a journey it does not follow.",
             "Add the journey to the persona's `journeys`, or map the page to another stage.",
             fired_by=("load.pieces",)),
        Rule(UNKNOWN_NEXT, "error", every(PIECES),
             "`next` names a page that does not exist.",
             "Write the path of a Markdown page relative to the docs directory.",
             fired_by=("load.pieces",)),
        Rule(COVERAGE_GAP, "error", every(CELLS),
             "A persona has too little content at a stage.",
             "Write (or publish) a page for the persona and stage, skip the stage for the "
             "persona with a reason, or waive the gap for a while in `coverage.waivers`.",
             check=coverage.gaps, about_matrix=True),
        Rule(ORPHAN_PERSONA, "warn", every(PERSONAS),
             "A persona has no content at all.",
             "Map pages to the persona, or remove the persona.",
             check=coverage.orphans, about_matrix=True),
        Rule(STALE, "warn", every(PIECES),
             "A page's `review_by` date has passed.",
             "Review the page and move `review_by` forward.",
             check=freshness.stale),
        Rule(OVERDUE, "warn", every(PIECES),
             "A page not yet published has passed its `due` date.",
             "Publish the page, or agree a new date with its owner and move `due` forward. "
             "`due` is for pieces not yet published (idea, planned, draft, review); the plan "
             "page shows them by date, and `review_by` is for published ones.",
             check=schedule.overdue),
        Rule(DEAD_END, "warn", every(PIECES),
             "A page leaves a persona with nowhere to go next.",
             "Add a `next` page at a later stage that serves the same persona.",
             check=links.dead_ends),
        Rule(JOURNEY_BREAK, "warn", some(PERSONAS),
             "A persona's reader cannot follow `next` links from the first stage of a "
             "journey to the last.",
             "Link the page where the way stops to a page at a later stage that serves the "
             "same persona.",
             check=continuity.breaks),
        Rule(BACKWARD_NEXT, "info", every(PIECES),
             "A `next` link points to an earlier stage.",
             "Next steps usually move the reader forward; check that this is intended.",
             check=links.backward),
        Rule(WAIVER_EXPIRED, "error", every(CONFIG),
             "A coverage waiver's `until` date has passed.",
             "Close the gap, or renew the waiver with a new date and reason.",
             check=coverage.expired_waivers, about_matrix=True),
        Rule(METRICS_DATA, "warn", every(METRICS_FILE),
             "A row of the metrics file names no page, or holds a value that is not a "
             "number in range.",
             "Fix the row's `page` (a docs-relative path or a site URL) or its figures, or "
             "remove the row.",
             fired_by=("load.metrics_csv",)),
        Rule(LOW_ENGAGEMENT, "ignore", some(PIECES),
             "A counting piece is under a configured metrics floor (or over a ceiling).",
             "Improve the page, or rethink where it is promoted; floors are set in "
             "`metrics.floors`.",
             check=engagement.low_engagement),
        Rule(UNMAPPED_PAGE, "ignore", every(PAGES),
             "A page names no persona and no stage.",
             "Add `personas` and `stage` to the page's front-matter, or exclude it.",
             fired_by=("load.pieces",)),
    )
}
