"""Results (SPEC §5b): an analytics CSV joined to the pieces, and figures per group.

The CSV has a `page` column — a docs-relative path (`guides/pricing.md`) or a site
URL (`/guides/pricing/`, `https://example.com/guides/pricing.html`) — and any of the
columns in `METRICS`. Several rows for one page are combined: counts are added,
averages are averaged weighted by views (plain mean when views are missing).
Rows that name no page of the site, and values that are not numbers in range, are
findings with the CSV line, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .load.source import SourceProblem, read_text
from .model import MAX_PER_FILE, Analysis, Finding, Piece, flood_note

__all__ = ["METRICS", "Metric", "Results", "aggregate", "engagement_findings", "load_metrics",
           "results"]


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


def _page_for(value: str, pages: set[str]) -> str | None:
    """The docs-relative page a CSV `page` value names, if any."""
    text = value.strip()
    if text in pages:
        return text
    path = urlsplit(text).path if "://" in text or text.startswith("/") else text
    path = posixpath.normpath("/" + path.split("#", 1)[0].split("?", 1)[0]).lstrip("/")
    if path in ("", "."):
        return "index.md" if "index.md" in pages else None
    if path.endswith(".md"):
        return path if path in pages else None
    for suffix in ("/index.html", ".html", "/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    for candidate in (f"{path}.md", f"{path}/index.md", f"{path}/README.md"):
        if candidate in pages:
            return candidate
    return None


def load_metrics(path: Path, root: Path, pages: Iterable[str],
                 file: str) -> tuple[dict[str, Figures], list[Finding]]:
    """Figures per docs-relative page, and findings about the rows that do not fit."""
    findings: list[Finding] = []
    try:
        text = read_text(path, root, limit=16 * 1024 * 1024)
    except SourceProblem as exc:
        return {}, [Finding("metrics-data", file, exc.line or 1,
                            f"the metrics file {exc.message}")]
    known = set(pages)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return {}, [Finding("metrics-data", file, 1, "the metrics file is empty")]
    except csv.Error as exc:
        return {}, [Finding("metrics-data", file, 1, f"the metrics file is not CSV ({exc})")]
    if "page" not in header:
        return {}, [Finding("metrics-data", file, 1,
                            "the metrics file needs a `page` column (a docs-relative path or a "
                            "site URL)")]
    columns = {name: index for index, name in enumerate(header) if name in METRICS}
    rows: dict[str, list[Figures]] = {}
    page_index = header.index("page")
    left_out: list[int] = []  # the line of the first row left out, and how many were

    def add(line: int, message: str) -> None:
        """A finding on a row; past `MAX_PER_FILE` only counted (a hostile file may hold a
        million bad rows)."""
        if len(findings) < MAX_PER_FILE:
            findings.append(Finding("metrics-data", file, line, message))
        elif left_out:
            left_out[1] += 1
        else:
            left_out.extend((line, 1))

    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            value = row[page_index] if page_index < len(row) else ""
            page = _page_for(value, known)
            if page is None:
                add(line, f"the row for `{value.strip()[:200]}` names no page of this site; "
                    "fix the path or URL, or remove the row")
                continue
            figures: Figures = {}
            for name, index in columns.items():
                raw = row[index].strip() if index < len(row) else ""
                if not raw:
                    continue
                metric = METRICS[name]
                try:
                    number = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
                except ValueError:
                    number = float("nan")
                if number != number or (metric.low is not None and number < metric.low) or (
                        metric.high is not None and number > metric.high):
                    bounds = (f" (from {metric.low:g} to {metric.high:g})"
                              if metric.high is not None else "")
                    add(line, f"`{name}` is `{raw[:50]}`, not a number in range{bounds}")
                    continue
                figures[name] = number
            rows.setdefault(page, []).append(figures)
    except csv.Error as exc:
        findings.append(Finding("metrics-data", file, reader.line_num,
                                f"the metrics file is not valid CSV here ({exc})"))
    if left_out:
        findings.append(flood_note("metrics-data", file, left_out[0], left_out[1]))
    return {page: _combine(parts) for page, parts in rows.items()}, findings


def _combine(parts: list[Figures]) -> Figures:
    if len(parts) == 1:
        return parts[0]
    return aggregate(parts)


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


def engagement_findings(pieces: Iterable[Piece], figures: Mapping[str, Figures],
                        counting: set[str], floors: Mapping[str, float],
                        ceilings: Mapping[str, float]) -> list[Finding]:
    """`low-engagement`: counting pieces under a floor (or over a ceiling, for bounce rate)."""
    findings = []
    for piece in pieces:
        got = figures.get(piece.path)
        if piece.path not in counting or not got:
            continue
        for name, floor in floors.items():
            if name in got and got[name] < floor:
                findings.append(Finding(
                    "low-engagement", piece.file, 1,
                    f"{METRICS[name].label.lower()} is {got[name]:g}, under the floor of "
                    f"{floor:g}; improve the page or rethink where it is promoted"))
        for name, ceiling in ceilings.items():
            if name in got and got[name] > ceiling:
                findings.append(Finding(
                    "low-engagement", piece.file, 1,
                    f"{METRICS[name].label.lower()} is {got[name]:g}, over the ceiling of "
                    f"{ceiling:g}; improve the page or rethink where it is promoted"))
    return findings


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
