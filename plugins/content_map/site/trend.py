"""Coverage and open gaps over time, drawn as a line: the history of the site (from
`content-map history`) on the overview and each persona's page, and the plan's forecast.

The drawing is worked out here, as coordinates; the template (`_trend.html`) writes it
as inline SVG, with the same figures in a table for those who cannot see it. No chart
library, nothing fetched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Project
from ..history import History, Point, history
from ..model import Analysis

__all__ = ["TREND_DAYS", "Chart", "Mark", "Trend", "chart", "site_trend", "trend"]

WIDTH, HEIGHT = 640, 180
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 44, 12, 28


@dataclass(frozen=True)
class Mark:
    """One point of a chart, and its figures in words."""

    x: float
    y: float  # coverage
    gaps_y: float | None
    date: str
    coverage: str  # "80%", or "–"
    gaps: int | None


@dataclass(frozen=True)
class Chart:
    title: str
    marks: tuple[Mark, ...]
    max_gaps: int  # the top of the open gaps' axis (0: no gaps line)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = WIDTH - _RIGHT
    top: int = _TOP
    bottom: int = HEIGHT - _BOTTOM

    @property
    def coverage_line(self) -> str:
        return " ".join(f"{m.x:.1f},{m.y:.1f}" for m in self.marks)

    @property
    def gaps_line(self) -> str:
        return " ".join(f"{m.x:.1f},{m.gaps_y:.1f}" for m in self.marks if m.gaps_y is not None)

    @property
    def first(self) -> Mark:
        return self.marks[0]

    @property
    def last(self) -> Mark:
        return self.marks[-1]

    def at(self, share: float) -> float:
        """The height of `share` (0 to 1) of the axis."""
        return self.bottom - share * (self.bottom - self.top)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def chart(title: str, series: Sequence[tuple[dt.date, float | None, int | None]]) -> Chart | None:
    """A line of coverage (left axis, 0–100%) and, where given, open gaps (right axis)
    over `series` of (day, coverage, open gaps), spaced by date; None under two points."""
    if len(series) < 2:
        return None
    first, last = series[0][0], series[-1][0]
    days = max((last - first).days, 1)
    max_gaps = max((g for _, _, g in series if g is not None), default=0)
    top_gaps = max(max_gaps, 1)
    empty = Chart(title, (), max_gaps)
    span = empty.right - empty.left
    marks = tuple(
        Mark(empty.left + span * (day - first).days / days,
             empty.at(coverage or 0.0),
             empty.at(gaps / top_gaps) if gaps is not None and max_gaps else None,
             day.isoformat(), _percent(coverage), gaps)
        for day, coverage, gaps in series)
    return Chart(title, marks, max_gaps)


@dataclass(frozen=True)
class Trend:
    """The site's history as the map draws it."""

    points: tuple[Point, ...]
    complete: bool
    note: str
    names: dict[str, str]  # persona id -> name

    @property
    def overall(self) -> Chart | None:
        return chart("Coverage and open gaps over time",
                     [(dt.date.fromisoformat(p.date), p.coverage, p.gaps) for p in self.points])

    def persona(self, persona_id: str) -> Chart | None:
        name = self.names.get(persona_id, persona_id)
        return chart(f"Coverage for {name} over time",
                     [(dt.date.fromisoformat(p.date), p.personas[persona_id], None)
                      for p in self.points if persona_id in p.personas])

    def to_dict(self) -> dict[str, object]:
        """The series `content-map.json` carries, as `history --format json` gives it."""
        document: dict[str, object] = {"complete": self.complete,
                                       "points": [p.to_dict() for p in self.points]}
        if self.note:
            document["note"] = self.note
        return document


def trend(history: History, names: dict[str, str]) -> Trend:
    return Trend(history.points, history.complete, history.note, names)


TREND_DAYS = 30
"""The most days of history a build analyses that the cache does not hold yet (the newest
first); the next builds add the older ones, so a first build of a long history stays
about as fast as 30 checks."""


def site_trend(project: Project, analysis: Analysis, days: int = TREND_DAYS) -> Trend | None:
    """The history of the site `project` for its map, within `days` new days of work;
    None outside git, or when no commit changed the site yet."""
    found = history(project.root, project.config_file, project.settings, project.docs_dir,
                    project.cache_dir, budget=days)
    if not found.points:
        return None
    return trend(found, {p.id: p.name for p in analysis.personas})
