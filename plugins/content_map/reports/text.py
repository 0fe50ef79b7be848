"""Reports of an analysis: the JSON document, the terminal listing and the matrix.

Every value from the repository they print passes through `terminal.visible` (the
JSON document through `terminal.json_visible`), so no file name or value can
colour, retitle or reorder a terminal, or start a line of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..metrics import results
from ..model import Analysis, Finding
from ..terminal import json_visible, visible
from ..vocabulary import LEGEND, cell_label, severity_label

__all__ = ["REPORT_VERSION", "Style", "summary", "to_json", "text_report", "text_matrix"]

REPORT_VERSION = 1


def summary(analysis: Analysis) -> dict[str, Any]:
    states = {s: 0 for s in ("covered", "gap", "waived", "skipped")}
    for cell in analysis.cells:
        states[cell.state] += 1
    coverage = analysis.coverage
    return {
        "personas": len(analysis.personas),
        "journeys": len(analysis.journeys),
        "stages": sum(len(j.stages) for j in analysis.journeys),
        "pieces": len(analysis.pieces),
        "errors": analysis.count("error"),
        "warnings": analysis.count("warn"),
        "infos": analysis.count("info"),
        "coverage": None if coverage is None else round(coverage, 4),
        "cells": states,
        "gaps": states["gap"],
    }


def _model(analysis: Analysis) -> dict[str, Any]:
    return {
        "journeys": [
            {
                "id": j.id, "name": j.name, "description": j.description, "file": j.file,
                "stages": [
                    {"id": s.id, "name": s.name, "goal": s.goal, "questions": list(s.questions),
                     "emotions": list(s.emotions), "channels": list(s.channels),
                     "kpis": list(s.kpis), "min_content": s.min_content}
                    for s in j.stages
                ],
            }
            for j in analysis.journeys
        ],
        "personas": [
            {
                "id": p.id, "name": p.name, "file": p.file, "summary": p.summary, "type": p.type,
                "frequency": p.frequency,
                "journeys": list(p.journeys) if p.journeys is not None else None,
                "skip_stages": [{"journey": s.journey, "stage": s.stage, "reason": s.reason}
                                for s in p.skip_stages],
                "demographics": dict(p.demographics), "goals": list(p.goals),
                "pains": list(p.pains), "motivations": list(p.motivations),
                "channels": list(p.channels), "aliases": list(p.aliases),
                "stages": {k: {"emotion": v.emotion, "questions": list(v.questions)}
                           for k, v in p.stages.items()},
            }
            for p in analysis.personas
        ],
        "pieces": [
            {
                "path": p.path, "file": p.file, "title": p.title, "personas": list(p.personas),
                "stages": [str(s) for s in p.stages], "status": p.status, "owner": p.owner,
                "channel": p.channel, "format": p.format, "intent": p.intent,
                "review_by": p.review_by.isoformat() if p.review_by else None,
                "next": list(p.next),
            }
            for p in analysis.pieces
        ],
    }


def to_json(analysis: Analysis, *, model: bool = False) -> dict[str, Any]:
    """The report of SPEC §7; with `model`, also the journeys, personas and pieces."""
    document: dict[str, Any] = {
        "version": REPORT_VERSION,
        "generated": analysis.today.isoformat(),
        "summary": summary(analysis),
        "findings": [f.to_dict() for f in analysis.findings],
        "matrix": [c.to_dict() for c in analysis.cells],
        "continuity": [c.to_dict() for c in analysis.continuity],
    }
    if analysis.figures:
        document["results"] = results(analysis).to_dict()
    if model:
        document.update(_model(analysis))
    return document


def dumps(document: dict[str, Any], *, compact: bool = False) -> str:
    """The document as JSON: indented for people, or `compact` for a file tools read
    (a quarter of the bytes, and written several times faster). Letters stay as they
    are; bidi and other hidden characters are JSON escapes, safe on a terminal."""
    if compact:
        return json_visible(json.dumps(document, ensure_ascii=False,
                                       separators=(",", ":"))) + "\n"
    return json_visible(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


class Style:
    """ANSI colours, or none (when the output is not a terminal, or NO_COLOR is set)."""

    _CODES = {"error": "31;1", "warn": "33", "info": "36", "dim": "2", "bold": "1",
              "covered": "32", "gap": "31;1", "in-progress": "33", "waived": "35",
              "skipped": "2", "ok": "32;1"}

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, kind: str, text: str) -> str:
        if not self.enabled or kind not in self._CODES:
            return text
        return f"\033[{self._CODES[kind]}m{text}\033[0m"


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
    return (f"{head} · {facts['pieces']} pieces, {facts['personas']} personas, "
            f"{facts['stages']} stages · coverage {figure} ({cells['covered']} of {total} cells)")




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
