"""Reading the metrics file: an analytics CSV joined to the site's pages.

The CSV has a `page` column — a docs-relative path (`guides/pricing.md`) or a site
URL (`/guides/pricing/`, `https://example.com/guides/pricing.html`) — and any of the
columns in `METRICS`. Several rows for one page are combined (`metrics.aggregate`).
Rows that name no page of the site, and values that are not numbers in range, are
`metrics-data` findings with the CSV line, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ..metrics import METRICS, Figures, aggregate
from ..model import MAX_PER_FILE, Finding, flood_note
from .source import SourceProblem, read_text

__all__ = ["MAX_METRICS_BYTES", "load_metrics"]

MAX_METRICS_BYTES = 16 * 1024 * 1024
"""A metrics file larger than this is refused."""


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
        text = read_text(path, root, limit=MAX_METRICS_BYTES)
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


