"""The plan: work not yet published on a timeline by its `due` date, what is overdue,
the gap each piece would close, and a forecast of coverage month by month if everything
lands on time.

A plain function of the analysis, the day and the page's links, as the gap report is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Analysis, Cell, Piece
from ..rules.schedule import UNPUBLISHED, is_overdue
from .index import Index
from .links import Links
from .pagedata import LIST_CAP, shares
from .trend import Chart, chart
from .views import Filters, Segments, Worded

__all__ = ["WEEKS_UP_TO", "ForecastMonth", "Period", "PlanGap", "PlanItem", "PlanView",
           "forecast", "plan_view"]

WEEKS_UP_TO = 10
"""The timeline is by week when the due dates span at most this many weeks; by month
beyond."""

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class PlanGap:
    """A persona × stage the piece is for, that is short of its target."""

    persona: str  # name
    stage: str  # label
    href: str
    state: str  # display state: gap, in-progress or waived
    count: int
    threshold: int


@dataclass(frozen=True)
class PlanItem:
    piece: Piece
    href: str
    overdue: bool
    days: int | None  # days late when overdue, days left otherwise; None: no due date
    gaps: tuple[PlanGap, ...]
    keys: str  # the groups the filters count it under (its period)
    segments: Segments


@dataclass(frozen=True)
class Period:
    """A week or a month of the timeline."""

    key: str  # p-2027-03, or p-2027-03-01 for the week starting that Monday
    label: str
    items: tuple[PlanItem, ...]  # those listed: all, or the earliest on a crowded page
    current: bool  # today falls in it
    total: int
    overdue: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class ForecastMonth:
    """Coverage at the end of a month if every piece due by then is published."""

    month: str  # "March 2027"
    end: dt.date
    coverage: float | None
    gaps: int
    landing: int  # pieces due that month (overdue ones count in the first)


@dataclass(frozen=True)
class PlanView(Worded):
    title: str
    nav_title: str
    today: dt.date
    scale: str  # week | month
    periods: tuple[Period, ...]  # by date, the overdue ones first
    undated: tuple[PlanItem, ...]  # not yet published, no due date (those listed)
    undated_total: int
    forecast: tuple[ForecastMonth, ...]
    coverage: float | None  # today's
    open_gaps: int  # today's
    owners_overdue: tuple[str, ...]  # the owners of overdue pieces, by name
    filters: Filters
    export: bool

    @property
    def forecast_chart(self) -> Chart | None:
        """The forecast as a line, from today's figures."""
        return chart("Forecast of coverage and open gaps", [
            (self.today, self.coverage, self.open_gaps),
            *((f.end, f.coverage, f.gaps) for f in self.forecast)])

    @property
    def total(self) -> int:
        return sum(p.total for p in self.periods) + self.undated_total

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.periods)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _period(day: dt.date, scale: str) -> tuple[str, str, dt.date]:
    """(key, label, first day) of the week or month `day` is in."""
    if scale == "week":
        start = _week_start(day)
        return (f"p-{start.isoformat()}",
                f"Week of {start.day} {_MONTHS[start.month - 1]} {start.year}", start)
    start = _month_start(day)
    return f"p-{start:%Y-%m}", f"{_MONTHS[start.month - 1]} {start.year}", start


def plan_view(title: str, nav_title: str, analysis: Analysis, index: Index, links: Links,
              filters: Filters, export: bool) -> PlanView:
    """The plan of `analysis` as of its day, with links relative to the plan page. Past
    `LIST_CAP` pieces, each period lists a share (the earliest due first), and says how
    many more it has."""
    today = analysis.today
    work = [p for p in analysis.pieces if p.status in UNPUBLISHED]
    dated = sorted((p for p in work if p.due is not None),
                   key=lambda p: (p.due, p.title.lower(), p.path))
    dues = [p.due for p in dated if p.due is not None]
    span = (dues[-1] - min(today, dues[0])).days if dues else 0
    scale = "week" if span <= WEEKS_UP_TO * 7 else "month"
    cells = {(c.persona, c.journey, c.stage): c for c in analysis.cells}
    groups: dict[str, list[Piece]] = defaultdict(list)
    labels: dict[str, tuple[str, dt.date]] = {}
    for piece in dated:
        assert piece.due is not None
        key, label, start = _period(piece.due, scale)
        labels[key] = (label, start)
        groups[key].append(piece)
    keys = sorted(groups, key=lambda k: labels[k][1])
    undated = sorted((p for p in work if p.due is None), key=lambda p: (p.title.lower(), p.path))
    limits = shares([*(len(groups[k]) for k in keys), len(undated)], LIST_CAP, floor=1)

    def items(pieces: Sequence[Piece], key: str, limit: int) -> tuple[PlanItem, ...]:
        made = []
        for piece in pieces[:limit]:
            late = is_overdue(piece, today)
            days = None if piece.due is None else abs((piece.due - today).days)
            made.append(_item(piece, index, links, cells, key, late, days))
        return tuple(made)

    current = _period(today, scale)[0]
    late = [p for p in dated if is_overdue(p, today)]
    periods = tuple(Period(key, labels[key][0], items(groups[key], key, limit), key == current,
                           len(groups[key]), sum(is_overdue(p, today) for p in groups[key]))
                    for key, limit in zip(keys, limits, strict=False))
    return PlanView(title=title, nav_title=nav_title, today=today, scale=scale,
                    periods=periods, undated=items(undated, "p-none", limits[-1]),
                    undated_total=len(undated), forecast=forecast(analysis),
                    coverage=analysis.coverage,
                    open_gaps=sum(c.state == "gap" for c in analysis.cells),
                    owners_overdue=tuple(sorted({str(p.owner) for p in late if p.owner},
                                                key=str.lower)),
                    filters=filters, export=export)


def _item(piece: Piece, index: Index, links: Links, cells: dict[tuple[str, str, str], Cell],
          key: str, overdue: bool, days: int | None) -> PlanItem:
    gaps = []
    for persona in piece.personas:
        for ref in piece.stages:
            cell = cells.get((persona, ref.journey, ref.stage))
            if cell is not None and cell.state in ("gap", "waived"):
                gaps.append(PlanGap(index.persona_name(persona),
                                    index.stage_label(ref.journey, ref.stage),
                                    links.persona(persona, ref.journey, ref.stage),
                                    cell.display_state, cell.count, cell.threshold))
    return PlanItem(piece, links.piece(piece.path), overdue, days, tuple(gaps), key,
                    index.segments_of(piece.personas))


def forecast(analysis: Analysis, months: int = 12) -> tuple[ForecastMonth, ...]:
    """Coverage at the end of each month from this one to the month of the last due date
    (at most `months`), if every piece not yet published is published by its `due` date
    (an overdue one, this month). Pieces without a date are left out: they have no month."""
    today = analysis.today
    landing: dict[str, dt.date] = {}
    for piece in analysis.pieces:
        if piece.status in UNPUBLISHED and piece.due is not None:
            landing[piece.path] = max(piece.due, today)
    if not landing:
        return ()
    last = _month_start(max(landing.values()))
    rows: list[ForecastMonth] = []
    start = _month_start(today)
    while start <= last and len(rows) < months:
        end = _next_month(start) - dt.timedelta(days=1)
        rows.append(_at(analysis.cells, landing, start, end))
        start = _next_month(start)
    return tuple(rows)


def _at(cells: Sequence[Cell], landing: dict[str, dt.date], start: dt.date,
        end: dt.date) -> ForecastMonth:
    covered = counted = gaps = 0
    for cell in cells:
        if cell.state == "skipped":
            continue
        counted += 1
        landed = sum(1 for path in (*cell.in_progress, *cell.other)
                     if landing.get(path, dt.date.max) <= end)
        if cell.state == "covered" or cell.count + landed >= cell.threshold:
            covered += 1
        elif cell.state == "gap":
            gaps += 1
    arriving = sum(1 for day in landing.values() if start <= day <= end)
    return ForecastMonth(f"{_MONTHS[start.month - 1]} {start.year}", end,
                         covered / counted if counted else None, gaps, arriving)
