"""The rule catalogue, and the rules that look at the whole set of pieces.

Rules that belong to one file (syntax, schema, references) fire while that file is
loaded; the ones here need every piece at once: where `next` links lead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Finding, Journey, Persona, Piece

__all__ = ["RULES", "Rule", "flow_findings"]


@dataclass(frozen=True)
class Rule:
    id: str
    default: str
    summary: str
    help: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("yaml-syntax", "error", "A file is not valid YAML or its front-matter is broken.",
             "Fix the YAML at the line shown: close the `---` block, indent consistently, quote "
             "values that contain `: `, and keep one document per file."),
        Rule("schema", "error", "A field has the wrong type or value, or a required field is "
             "missing.", "Give the field the type the message names; ids use lower-case letters, "
             "digits and hyphens; dates are written YYYY-MM-DD."),
        Rule("unknown-field", "warn", "A persona or journey file has a key the tool does not know.",
             "Check the spelling of the key against the documented fields, or remove it."),
        Rule("duplicate-id", "error", "Two personas or journeys share an id or alias.",
             "Give each persona and journey its own id, and each alias to one persona only."),
        Rule("unknown-persona", "error", "A page names a persona that does not exist.",
             "Use the id of a file in personas/ (or one of its aliases)."),
        Rule("unknown-stage", "error", "A page names a stage or journey that does not exist, or "
             "an ambiguous one.", "Use a stage id from journeys/; write `journey/stage` when "
             "the stage id is in several journeys."),
        Rule("persona-journey", "error", "A page maps a persona to a journey it does not follow.",
             "Add the journey to the persona's `journeys`, or map the page to another stage."),
        Rule("unknown-next", "error", "`next` names a page that does not exist.",
             "Write the path of a Markdown page relative to the docs directory."),
        Rule("coverage-gap", "error", "A persona has too little content at a stage.",
             "Write (or publish) a page for the persona and stage, skip the stage for the "
             "persona with a reason, or waive the gap for a while in `coverage.waivers`."),
        Rule("orphan-persona", "warn", "A persona has no content at all.",
             "Map pages to the persona, or remove the persona."),
        Rule("stale", "warn", "A page's `review_by` date has passed.",
             "Review the page and move `review_by` forward."),
        Rule("dead-end", "warn", "A page leaves a persona with nowhere to go next.",
             "Add a `next` page at a later stage that serves the same persona."),
        Rule("journey-break", "warn", "A persona's reader cannot follow `next` links from the "
             "first stage of a journey to the last.", "Link the page where the way stops to a "
             "page at a later stage that serves the same persona."),
        Rule("backward-next", "info", "A `next` link points to an earlier stage.",
             "Next steps usually move the reader forward; check that this is intended."),
        Rule("waiver-expired", "error", "A coverage waiver's `until` date has passed.",
             "Close the gap, or renew the waiver with a new date and reason."),
        Rule("metrics-data", "warn", "A row of the metrics file names no page, or holds a value "
             "that is not a number in range.", "Fix the row's `page` (a docs-relative path or a "
             "site URL) or its figures, or remove the row."),
        Rule("low-engagement", "ignore", "A counting piece is under a configured metrics floor "
             "(or over a ceiling).", "Improve the page, or rethink where it is promoted; "
             "floors are set in `metrics.floors`."),
        Rule("unmapped-page", "ignore", "A page names no persona and no stage.",
             "Add `personas` and `stage` to the page's front-matter, or exclude it."),
    )
}


def flow_findings(pieces: list[Piece], personas: dict[str, Persona],
                  journeys: dict[str, Journey], counting: set[str]) -> list[Finding]:
    """`dead-end` and `backward-next`: where each piece's next steps lead.

    Linear in pieces × their next links: each piece's stage positions are looked up once.
    """
    position = {(j.id, s.id): s.index for j in journeys.values() for s in j.stages}
    last_stage = {(p.id, j.id): _last_stage(p, j) for p in personas.values()
                  for j in journeys.values()}
    spots: dict[str, tuple[tuple[str, int], ...]] = {}  # piece -> (journey, stage index)…
    for piece in pieces:
        spots[piece.path] = tuple((ref.journey, index) for ref in piece.stages
                                  if (index := position.get((ref.journey, ref.stage)))
                                  is not None)
    by_path = {p.path: p for p in pieces}
    findings: list[Finding] = []
    for piece in pieces:
        mine = spots[piece.path]
        targets = [(target, spots[path]) for path in piece.next
                   if (target := by_path.get(path)) is not None]
        counts = piece.path in counting
        if not mine or not (targets or counts):
            continue
        next_line = piece.lines.get("next") or piece.lines.get("stage") or piece.line
        for journey_id, here in mine:
            journey = journeys[journey_id]
            stage_id = journey.stages[here].id
            for target, theirs in targets:
                there = [index for j, index in theirs if j == journey_id]
                if there and max(there) < here:
                    findings.append(Finding(
                        "backward-next", piece.file, next_line,
                        f"the next step `{target.path}` is at an earlier stage "
                        f"(`{journey.stages[min(there)].id}`) than this page (`{stage_id}`)",
                        journey=journey_id, stage=stage_id,
                    ))
            if not counts or here == len(journey.stages) - 1:
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
                    for target, theirs in targets
                )
                if not onward:
                    findings.append(Finding(
                        "dead-end", piece.file, next_line,
                        f"a reader who is `{persona_id}` has nowhere to go after this "
                        f"`{stage_id}` page: add a `next` page at a later stage of "
                        f"`{journey_id}` that serves `{persona_id}`",
                        persona=persona_id, journey=journey_id, stage=stage_id,
                    ))
    return findings


def _last_stage(persona: Persona, journey: Journey) -> int:
    """Index of the last stage of `journey` that `persona` does not skip."""
    for stage in reversed(journey.stages):
        if persona.skip_reason(journey.id, stage.id) is None:
            return stage.index
    return -1
