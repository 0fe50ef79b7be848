"""A Markdown summary of a check, for pull-request comments and GitHub's step summary.

It carries the headline figures, the persona × stage matrix and the findings,
and starts with a fixed HTML comment so a bot can find and update its own
comment instead of adding a new one on every push. Values from the repository
show hidden characters as escapes (`terminal.visible`), and no line of it can be
read as a workflow command when it is printed on a CI runner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from ..model import Analysis, Finding
from ..terminal import visible
from ..vocabulary import cell_label
from .github import markup_without_commands
from .json import summary
from .markdown_text import code, link, message, table, text

if TYPE_CHECKING:
    from .baseline import Comparison
    from .registry import Report

__all__ = ["MARKER", "render"]

MARKER = "<!-- content-map report -->"
MAX_FINDINGS = 100
"""Findings listed in full; a PR comment holds at most 65,536 characters."""

_SEVERITY = {"error": "✖ error", "warn": "⚠ warning", "info": "ℹ info"}
_SPACES = "\t\n\r"  # Markdown cells flatten white space themselves


def _shown(value: object) -> str:
    return visible(str(value), _SPACES)


def render(report: Report) -> str:
    """The whole summary; on GitHub Actions each file links to its line in the commit."""
    analysis = report.analysis
    facts = summary(analysis)
    out = [MARKER, ""]
    counts = [f"{facts[key]} {word}{'s' if facts[key] != 1 else ''}"
              for key, word in (("errors", "error"), ("warnings", "warning"))
              if facts[key]]
    if counts:
        mark = "✖" if facts["errors"] else "⚠"
        out.append(f"## {mark} Content map: {', '.join(counts)}")
    else:
        out.append("## ✔ Content map: no problems")
    out.append("")
    cells = facts["cells"]
    total = cells["covered"] + cells["gap"] + cells["waived"]
    coverage = facts["coverage"]
    figure = "n/a" if coverage is None else f"{coverage:.0%} ({cells['covered']} of {total} cells)"
    out.append(table(
        ["Personas", "Stages", "Pieces", "Coverage", "Gaps", "Waived", "Errors", "Warnings"],
        [[str(facts["personas"]), str(facts["stages"]), str(facts["pieces"]), figure,
          str(cells["gap"]), str(cells["waived"]), str(facts["errors"]),
          str(facts["warnings"])]],
    ))
    if report.baseline is not None:
        out.append(_baseline(report.baseline, report.baseline_path))
    matrix = _matrix(analysis)
    if matrix:
        out.append("### Coverage\n")
        out.append(matrix)
    out.append(_findings(analysis.findings, report.link_base))
    return markup_without_commands("\n".join(out).rstrip("\n") + "\n")


def _baseline(comparison: Comparison, name: str) -> str:
    path = _shown(name)
    known, fixed = len(comparison.known), comparison.fixed_count
    lines = [f"Baseline {code(path)}: {known} known "
             f"finding{'s' if known != 1 else ''} accepted; only new findings are listed."]
    if fixed:
        lines.append(f"{fixed} baseline entr{'ies are' if fixed != 1 else 'y is'} "
                     f"fixed: run {code('content-map check --write-baseline ' + path)} "
                     "to shrink the file"
                     + (" once the new findings are fixed (it would accept them too)."
                        if comparison.new else "."))
    return "\n\n".join(lines) + "\n"


def _matrix(analysis: Analysis) -> str:
    cells = {(c.persona, c.journey, c.stage): c for c in analysis.cells}
    blocks = []
    for journey in analysis.journeys:
        personas = [p for p in analysis.personas if p.follows(journey.id)]
        if not personas:
            continue
        rows = []
        for persona in personas:
            row = [code(_shown(persona.id))]
            for stage in journey.stages:
                cell = cells.get((persona.id, journey.id, stage.id))
                if cell is None:
                    row.append("")
                    continue
                row.append(cell_label(cell))
            rows.append(row)
        heads = ["Persona", *(text(_shown(s.name)) for s in journey.stages)]
        blocks.append(f"**{text(_shown(journey.name))}** ({code(_shown(journey.id))})\n\n"
                      + table(heads, rows))
    if not blocks:
        return ""
    blocks.append("✔ covered · ✖ gap · ◐ gap, work in progress · ≈ waived · – skipped; "
                  "numbers count the pieces that count.\n")
    return "\n".join(blocks)


def _where(finding: Finding, link_base: str | None) -> str:
    label = code(_shown(finding.location))
    if link_base:
        anchor = f"#L{finding.line}" if finding.line else ""
        # A name that is not UTF-8 is linked by its bytes (`caf%E9.md`).
        path = quote(finding.file, safe="/", errors="surrogateescape")
        return link(label, f"{link_base}{path}{anchor}")
    return label


def _findings(findings: tuple[Finding, ...], link_base: str | None) -> str:
    if not findings:
        return "No findings.\n"
    rows = [
        [_SEVERITY.get(f.severity or "error", text(_shown(f.severity))), code(_shown(f.rule)),
         _where(f, link_base), message(_shown(f.message))]
        for f in sorted(findings, key=_order)[:MAX_FINDINGS]
    ]
    out = f"### Findings ({len(findings)})\n\n" + table(["Severity", "Rule", "Where", "Message"],
                                                        rows)
    if len(findings) > MAX_FINDINGS:
        out += (f"\n… and {len(findings) - MAX_FINDINGS} more: run "
                f"{code('content-map check')} for the full list.\n")
    return out


def _order(finding: Finding) -> tuple[int, str, int, str]:
    rank = {"error": 0, "warn": 1, "info": 2}.get(finding.severity or "error", 3)
    return rank, finding.file, finding.line or 0, finding.rule
