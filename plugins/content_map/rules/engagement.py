"""Engagement: counting pieces whose figures are under a floor or over a ceiling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics import METRICS
from ..model import Finding

if TYPE_CHECKING:
    from .facts import Facts

__all__ = ["low_engagement"]


def low_engagement(facts: Facts) -> list[Finding]:
    """`low-engagement`: a counting piece under a `metrics.floors` value, or over a
    `metrics.ceilings` one (a bounce rate)."""
    floors, ceilings = facts.settings.floors, facts.settings.ceilings
    findings = []
    for piece in facts.pieces:
        got = facts.figures.get(piece.path)
        if piece.path not in facts.counting or not got:
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
