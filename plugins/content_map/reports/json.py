"""The JSON report of SPEC §7, and the export that is also the site's `content-map.json`.

Written compact, by the C encoder of the standard library: an indent makes `json`
fall back to its pure-Python encoder, which took most of a warm `check` of a site
with tens of thousands of findings. Read it with `jq .` or `python -m json.tool`.
Letters stay as they are; bidi and other hidden characters are JSON escapes
(`terminal.json_visible`), so the document is safe to print on a terminal.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..metrics import results
from ..model import Analysis
from ..terminal import json_visible

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["REPORT_VERSION", "dumps", "export", "render", "summary", "to_json"]

REPORT_VERSION = 1

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                           check_circular=False).encode  # the C encoder: no indent
_indented = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def summary(analysis: Analysis) -> dict[str, Any]:
    """The headline figures every report starts from."""
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
                "due": p.due.isoformat() if p.due else None,
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


def dumps(document: dict[str, Any], *, compact: bool = True) -> str:
    """The document as one line of JSON and a line feed, safe to print; `compact=False`
    indents it instead, at several times the cost."""
    text = _encode(document) if compact else _indented(document)
    return json_visible(text) + "\n"


def render(report: Report) -> str:
    """`check --format json`: the report, and what a baseline accepted and found fixed."""
    document = to_json(report.analysis)
    comparison = report.baseline
    if comparison is not None:
        document["baseline"] = {
            "file": report.baseline_path,
            "known": len(comparison.known),
            "fixed": [e.to_dict() for e in comparison.fixed],
        }
    return dumps(document)


def export(report: Report) -> str:
    """`export --format json` and the site's `content-map.json`: the report and the model."""
    return dumps(to_json(report.analysis, model=True))
