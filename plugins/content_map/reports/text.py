"""The terminal's reports: the findings (`check --format text`), the matrix, and the
rule catalogue (`content-map rules`).

Every value from the repository they print passes through `terminal.visible`, so no
file name or value can colour, retitle or reorder a terminal, or start a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Analysis, Finding
from ..rules.catalogue import RULES
from ..terminal import visible
from ..vocabulary import LEGEND, cell_label, severity_label
from .baseline import baseline_lines

# The JSON document's parts live in `reports.json`; they are also importable from here.
from .json import REPORT_VERSION, dumps, summary, to_json

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["REPORT_VERSION", "Style", "dumps", "render", "rule_list", "rule_text", "summary",
           "text_matrix", "text_report", "to_json"]


_CODES = {"error": "31;1", "warn": "33", "info": "36", "dim": "2", "bold": "1",
          "covered": "32", "gap": "31;1", "in-progress": "33", "waived": "35",
          "skipped": "2", "ok": "32;1"}


@dataclass(frozen=True)
class Style:
    """ANSI colours, or none (when the output is not a terminal, or NO_COLOR is set)."""

    enabled: bool = False

    @classmethod
    def chosen(cls, color: str, stream: object, environ: Mapping[str, str]) -> Style:
        """`--color always|never`, or with `auto` colours when `stream` is a terminal
        and `NO_COLOR` is not set."""
        if color != "auto":
            return cls(color == "always")
        if environ.get("NO_COLOR"):
            return cls(False)
        return cls(bool(getattr(stream, "isatty", lambda: False)()))

    def __call__(self, kind: str, text: str) -> str:
        if not self.enabled or kind not in _CODES:
            return text
        return f"\033[{_CODES[kind]}m{text}\033[0m"


def render(report: Report) -> str:
    """`check --format text`: the listing, and what a baseline accepted and found fixed."""
    text = text_report(report.analysis, report.style)
    if report.baseline is not None:
        text += "".join(line + "\n" for line in baseline_lines(report.baseline,
                                                                report.baseline_path))
    return text


_KEPT = "\t"  # one finding a line: every other hidden character shows as an escape


def text_report(analysis: Analysis, style: Style | None = None) -> str:
    """Findings grouped by file, eslint-style, and a one-line summary."""
    paint: Callable[[str, str], str] = style or Style(False)
    lines: list[str] = []
    current = None
    for finding in analysis.findings:
        if finding.file != current:
            if current is not None:
                lines.append("")
            current = finding.file
            lines.append(paint("bold", visible(finding.file, _KEPT, starts_line=True)))
        lines.append(_finding_line(finding, paint))
    if lines:
        lines.append("")
    lines.append(_summary_line(analysis, paint))
    return "\n".join(lines) + "\n"


def _finding_line(finding: Finding, paint: Callable[[str, str], str]) -> str:
    where = f"{finding.line or '-'}" + (f":{finding.column}" if finding.column else "")
    severity = finding.severity or "error"
    label = severity_label(severity)
    return (f"  {paint('dim', where.rjust(5))}  {paint(severity, label.ljust(7))}  "
            f"{visible(finding.message, _KEPT)}  {paint('dim', finding.rule)}")


def _summary_line(analysis: Analysis, paint: Callable[[str, str], str]) -> str:
    facts = summary(analysis)
    counts = []
    for key, word in (("errors", "error"), ("warnings", "warning"), ("infos", "info")):
        n = facts[key]
        if n:
            counts.append(paint(word if word != "warning" else "warn",
                                f"{n} {word}{'s' if n != 1 and word != 'info' else ''}"))
    head = ", ".join(counts) if counts else paint("ok", "no problems")
    cells = facts["cells"]
    total = cells["covered"] + cells["gap"] + cells["waived"]
    coverage = facts["coverage"]
    figure = "n/a" if coverage is None else f"{coverage:.0%}"
    return (f"{head} · {_many(facts['pieces'], 'piece')}, "
            f"{_many(facts['personas'], 'persona')}, {_many(facts['stages'], 'stage')} · "
            f"coverage {figure} ({cells['covered']} of {_many(total, 'cell')})")


def _many(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def text_matrix(analysis: Analysis, style: Style | None = None) -> str:
    """The persona × stage matrix as a terminal table, one block per journey."""
    paint: Callable[[str, str], str] = style or Style(False)
    cells = {(c.persona, c.journey, c.stage): c for c in analysis.cells}
    out: list[str] = []
    names = {p.id: visible(p.id, starts_line=True) for p in analysis.personas}
    width = max([len(name) for name in names.values()] + [7])
    for journey in analysis.journeys:
        personas = [p for p in analysis.personas if p.follows(journey.id)]
        if not personas:
            continue
        heads = [visible(s.id) for s in journey.stages]
        widths = [max(len(h), 4) for h in heads]
        out.append(paint("bold", visible(f"{journey.name} ({journey.id})", starts_line=True)))
        header = "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
        out.append(" " * width + "  " + header)
        for persona in personas:
            row = []
            for stage, w in zip(journey.stages, widths, strict=True):
                cell = cells.get((persona.id, journey.id, stage.id))
                if cell is None:
                    row.append(" " * w)
                    continue
                row.append(paint(cell.display_state, cell_label(cell).ljust(w)))
            out.append(names[persona.id].ljust(width) + "  " + "  ".join(row))
        out.append("")
    out.append(LEGEND)
    coverage = analysis.coverage
    out.append(f"coverage {'n/a' if coverage is None else f'{coverage:.0%}'}")
    return "\n".join(out) + "\n"


def rule_list() -> str:
    """Every rule of the catalogue: its id, default severity and summary, a line each."""
    width = max(len(rule_id) for rule_id in RULES)
    return "".join(f"{rule.id.ljust(width)}  {rule.default.ljust(6)}  {rule.summary}\n"
                   for rule in RULES.values())


def rule_text(rule_id: str) -> str:
    """One rule: its summary, default severity and help; `LookupError` (with the rule
    an editor most likely meant) for an id the catalogue does not have."""
    rule = RULES.get(rule_id)
    if rule is None:
        from ..suggestion import closest, shown

        guess = closest(rule_id, RULES)
        raise LookupError(f"`{shown(rule_id)}` is not a rule; " + (
            f"did you mean `{guess}`?" if guess else "`content-map rules` lists them all"))
    return (f"{rule.id}: {rule.summary}\n\ndefault severity: {rule.default} (set another "
            f"with the plugin's `rules` option)\n\n{rule.help}\n")
