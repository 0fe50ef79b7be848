"""Results (SPEC §5b): the metrics an analytics CSV may hold, and figures per group.

Figures are joined to the pieces by `load.metrics_csv`; here they are combined: counts
are added, averages are averaged weighted by views (plain mean when views are missing),
and each group (a cell, a persona, a stage, the whole site) counts each piece once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import Analysis

__all__ = ["METRICS", "Figures", "Metric", "Results", "aggregate", "results"]


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    kind: str  # "count" (added up) or "mean" (averaged)
    low: float | None = None
    high: float | None = None
    higher_is_better: bool = True
    unit: str = ""


METRICS: dict[str, Metric] = {m.id: m for m in (
    Metric("views", "Views", "count", low=0),
    Metric("avg_time_on_page", "Avg. time on page", "mean", low=0, unit="s"),
    Metric("bounce_rate", "Bounce rate", "mean", low=0, high=1, higher_is_better=False),
    Metric("conversions", "Conversions", "count", low=0),
    Metric("rating", "Rating", "mean", low=1, high=5),
)}

Figures = dict[str, float]


def aggregate(parts: Iterable[Mapping[str, float]]) -> Figures:
    """Counts added up; averages weighted by views where every part has views."""
    parts = [p for p in parts if p]
    out: Figures = {}
    for metric in METRICS.values():
        values = [(p[metric.id], p.get("views")) for p in parts if metric.id in p]
        if not values:
            continue
        if metric.kind == "count":
            out[metric.id] = sum(v for v, _ in values)
        elif all(w for _, w in values):
            total = sum(w for _, w in values if w)
            out[metric.id] = sum(v * (w or 0) for v, w in values) / total
        else:
            out[metric.id] = sum(v for v, _ in values) / len(values)
    return out


@dataclass(frozen=True)
class Results:
    """Figures per piece and per group of counting pieces: cells, personas, stages, overall."""

    pieces: Mapping[str, Figures]
    cells: Mapping[tuple[str, str, str], Figures]
    personas: Mapping[str, Figures]
    stages: Mapping[tuple[str, str], Figures]
    overall: Figures

    def to_dict(self) -> dict:
        return {
            "metrics": list(METRICS),
            "pieces": dict(self.pieces),
            "cells": [{"persona": p, "journey": j, "stage": s, "figures": f}
                      for (p, j, s), f in self.cells.items()],
            "personas": dict(self.personas),
            "stages": {f"{j}/{s}": f for (j, s), f in self.stages.items()},
            "overall": self.overall,
        }


def results(analysis: Analysis) -> Results:
    """Group the joined figures; every group counts each piece once."""
    figures = analysis.figures
    counting = {path for cell in analysis.cells for path in cell.pieces}
    cells = {(c.persona, c.journey, c.stage): aggregate(figures.get(p, {}) for p in c.pieces)
             for c in analysis.cells}
    by_persona: dict[str, list[Mapping[str, float]]] = {}
    by_stage: dict[tuple[str, str], list[Mapping[str, float]]] = {}
    for piece in analysis.pieces:
        got = figures.get(piece.path)
        if not got or piece.path not in counting:
            continue
        for persona in piece.personas:
            by_persona.setdefault(persona, []).append(got)
        for ref in piece.stages:
            by_stage.setdefault((ref.journey, ref.stage), []).append(got)
    return Results(
        pieces={path: dict(values) for path, values in figures.items()},
        cells={k: v for k, v in cells.items() if v},
        personas={k: aggregate(v) for k, v in by_persona.items()},
        stages={k: aggregate(v) for k, v in by_stage.items()},
        overall=aggregate(figures.get(p, {}) for p in sorted(counting)),
    )
