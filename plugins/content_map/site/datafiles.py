"""The data files the map publishes beside its pages, when the export is on: the JSON
export (`content-map.json`, with the coverage history when there is one) and the two
spreadsheets, `pieces.csv` and `cells.csv`, the same as `content-map export --format csv`
(and `--table cells`) write, formula-injection protection included."""

from __future__ import annotations

from ..model import Analysis
from ..reports.csv import cells_csv, pieces_csv
from ..reports.json import dumps, to_json
from ..settings import Settings
from .layout import Layout
from .trend import Trend

__all__ = ["data_files"]


def data_files(analysis: Analysis, settings: Settings, layout: Layout,
               trend: Trend | None = None) -> dict[str, str]:
    """Each data file's docs-relative path and text; none when the export is off."""
    if not settings.export:
        return {}
    document = to_json(analysis, model=True)
    if trend is not None:
        document["history"] = trend.to_dict()
    return {layout.export_src: dumps(document, compact=True),
            layout.pieces_src: pieces_csv(analysis, settings),
            layout.cells_src: cells_csv(analysis)}
