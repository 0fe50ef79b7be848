"""Results as the map writes them: figures formatted as content-map.js formats them, and
the quarters the matrix is coloured by."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..metrics import METRICS, Metric

__all__ = ["COMPACT_METRICS", "METRIC_WORDS", "Colouring", "Figure", "colouring",
           "figures_of", "format_metric", "quantile_bin", "quantiles"]

COMPACT_METRICS = ("views", "conversions", "rating")
"""The figures a piece card or a lane column shows; pages with room show them all."""

METRIC_WORDS = {"views": "views", "avg_time_on_page": "on page", "bounce_rate": "bounce",
                "conversions": "conversions", "rating": "rating"}
"""How a figure is named after its number in compact lists (`1,204 views`)."""


def format_metric(metric: str, value: float) -> str:
    """A figure as the map writes it; content-map.js formats the same way when filtering.

    Halves round up, as JavaScript's `Math.round` does, so the two never disagree.
    """
    if metric == "avg_time_on_page":
        seconds = int(value + 0.5)
        minutes, seconds = divmod(seconds, 60)
        return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
    if metric == "bounce_rate":
        return f"{int(value * 1000 + 0.5) / 10:.1f}%"
    if metric == "rating":
        return f"{int(value * 10 + 0.5) / 10:.1f}"
    return f"{int(value + 0.5):,}"


@dataclass(frozen=True)
class Figure:
    """One figure ready for a template: the metric, its raw value and the text shown."""

    metric: str
    label: str
    value: float
    text: str
    words: str


def figures_of(values: Mapping[str, float] | None) -> tuple[Figure, ...]:
    """The figures of a piece or group, in the order of `METRICS`."""
    if not values:
        return ()
    return tuple(Figure(m.id, m.label, values[m.id], format_metric(m.id, values[m.id]),
                        METRIC_WORDS[m.id]) for m in METRICS.values() if m.id in values)


def quantiles(values: Sequence[float], bins: int = 4) -> list[float]:
    """Upper bounds of the first `bins - 1` bins (nearest-rank quantiles of `values`)."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * k // bins) - 1))]
            for k in range(1, bins)]


def quantile_bin(value: float, bounds: Sequence[float]) -> int:
    for index, bound in enumerate(bounds):
        if value <= bound:
            return index
    return len(bounds)


@dataclass(frozen=True)
class Colouring:
    """The figure each matrix cell shows and, with `color_by`, the quarter it falls in."""

    shown: Metric | None  # the metric each cell names, if any cell has figures
    colour: Metric | None  # the metric the cells are coloured by (`color_by`), if present
    bins: Mapping[tuple[str, str, str], int]  # cell -> its quarter (0-3)
    legend: tuple[tuple[int, str, str], ...]  # (quarter, lowest, highest) of each quarter


def colouring(cells: Mapping[tuple[str, str, str], Mapping[str, float]],
              color_by: str | None) -> Colouring:
    """The matrix's figures: views when there are any, and quarters by `color_by`."""
    present = [m for m in METRICS if any(m in f for f in cells.values())]
    colour = color_by if color_by in present else None
    shown = colour or ("views" if "views" in present else (present[0] if present else None))
    bins: dict[tuple[str, str, str], int] = {}
    legend: list[tuple[int, str, str]] = []
    if colour is not None:
        values = {key: f[colour] for key, f in cells.items() if colour in f}
        bounds = quantiles(list(values.values()))
        members: dict[int, list[float]] = defaultdict(list)
        for key, value in values.items():
            bins[key] = quantile_bin(value, bounds)
            members[bins[key]].append(value)
        for index in sorted(members):
            low, high = min(members[index]), max(members[index])
            legend.append((index, format_metric(colour, low), format_metric(colour, high)))
    return Colouring(METRICS[shown] if shown else None, METRICS[colour] if colour else None,
                     bins, tuple(legend))
