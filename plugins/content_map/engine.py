"""The one code path from files to an `Analysis`, shared by the plugin and `check`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import PageCache, digest, remembered
from .load.pages import CACHED, excluded, load_pieces
from .load.registry import load_journeys, load_personas
from .load.source import registry_files
from .metrics import engagement_findings, load_metrics
from .model import (
    Analysis,
    Cell,
    Continuity,
    Finding,
    Inventory,
    Journey,
    Persona,
    Piece,
    capped,
)
from .reader import read_bytes
from .rules.catalogue import flow_findings
from .rules.continuity import continuity
from .rules.coverage import counting_paths, matrix
from .settings import Settings

__all__ = ["Project", "Registry", "analyse", "discover_pages", "load_registry"]


@dataclass(frozen=True)
class Project:
    """Where a site lives: `root` is the directory of mkdocs.yml."""

    root: Path
    docs_dir: Path
    settings: Settings = field(default_factory=Settings)
    config_file: str = "mkdocs.yml"
    cache_dir: Path | None = None  # where parsed pages are kept between runs; None: no cache

    def path(self, relative: str) -> Path:
        return self.root / relative


@dataclass(frozen=True)
class Result:
    analysis: Analysis
    key: str | None = None  # with a cache: names the analysis (same key, same analysis)


@dataclass(frozen=True)
class Registry:
    """The journeys and personas of a site, and the findings on their files."""

    journeys: list[Journey]
    personas: list[Persona]
    findings: list[Finding]


def load_registry(project: Project) -> Registry:
    root = project.root.resolve()
    journeys, findings = load_journeys(root / project.settings.journeys_dir, root)
    personas, persona_findings = load_personas(root / project.settings.personas_dir, root,
                                               journeys)
    return Registry(journeys, personas, findings + persona_findings)


def discover_pages(docs_dir: Path, root: Path | None = None) -> tuple[list[str], list[str]]:
    """Markdown pages under `docs_dir` as MkDocs finds them (hidden files and folders skipped),
    and the folder links that were not followed because they lead outside the project."""
    pages: list[str] = []
    outside: list[str] = []
    docs = str(docs_dir)
    bounds = [os.path.realpath(docs)] + ([os.path.realpath(root)] if root else [])
    seen: set[tuple[int, int]] = set()
    for current, dirs, files in os.walk(docs, followlinks=True):
        try:
            stat = os.stat(current)
        except OSError:
            dirs[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in seen:  # a symlink loop: walk each folder once
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        rel = os.path.relpath(current, docs)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = os.path.join(current, name)
            real = os.path.realpath(path)
            if os.path.islink(path) and not any(
                    real == b or real.startswith(b + os.sep) for b in bounds):
                outside.append(prefix + name)
                continue
            kept.append(name)
        dirs[:] = kept
        pages.extend(prefix + f for f in files if f.endswith(".md") and not f.startswith("."))
    return sorted(pages), outside


def analyse(project: Project, pages: Iterable[str] | None = None,
            today: dt.date | None = None, parallel: bool = False,
            registry: Registry | None = None) -> Result:
    """Load everything, run every rule, and apply the configured severities.

    `registry` is the site's journeys and personas when the caller has loaded them."""
    today = today or dt.date.today()
    settings = project.settings
    root = project.root.resolve()
    registry = registry or load_registry(project)
    journeys, personas = registry.journeys, registry.personas
    findings = list(registry.findings)
    if pages is None:
        page_list, outside = discover_pages(project.docs_dir, root)
        docs_rel = os.path.relpath(project.docs_dir.resolve(), root).replace(os.sep, "/")
        findings += [
            Finding("yaml-syntax", f"{docs_rel}/{link}" if docs_rel != "." else link, None,
                    "the folder is a link to a place outside the project; it was not read")
            for link in outside
        ]
    else:
        page_list = list(pages)
    # The findings name pages by their path from the project: a docs folder that moved
    # (a renamed `docs_dir`) is a new cache.
    docs_key = os.path.relpath(project.docs_dir.resolve(), root).replace(os.sep, "/")
    cache = PageCache(project.cache_dir, CACHED, docs_key) \
        if project.cache_dir is not None else None
    pieces, piece_findings = load_pieces(page_list, project.docs_dir, root, journeys,
                                                 personas, settings, today, cache, parallel)
    before_pieces = len(findings)  # the findings on persona and journey files
    findings += piece_findings

    counting = counting_paths(pieces, settings, today)

    def across_pieces() -> _AcrossPieces:
        """The rules that look at all the pieces at once, and the figures."""
        found = flow_findings(pieces, {p.id: p for p in personas},
                              {j.id: j for j in journeys}, counting)
        cells, coverage_findings = matrix(journeys, personas, pieces, settings, today,
                                          project.config_file)
        found += coverage_findings
        walks, walk_findings = continuity(journeys, personas, pieces, cells, counting)
        found += walk_findings
        figures: dict[str, dict[str, float]] = {}
        if settings.metrics_file:
            figures, metric_findings = load_metrics(root / settings.metrics_file, root,
                                                    page_list, settings.metrics_file)
            found += metric_findings
            found += engagement_findings(pieces, figures, counting, settings.floors,
                                         settings.ceilings)
        return cells, walks, figures, found

    key = None
    if cache is not None:
        # Unless a page's outcome, a persona, a journey, an option, the day or the metrics
        # changed, these are what they were last run: a repeated check skips them.
        generation = cache.settle()
        cache.save()
        inputs = _fingerprint(generation, docs_key, personas, journeys, settings, today,
                              project.config_file, root / settings.metrics_file
                              if settings.metrics_file else None)
        cells, walks, figures, found = remembered(project.cache_dir, "across-pieces", inputs,
                                                  across_pieces, _AcrossPieces)
        # The analysis is made of those, the pages' outcomes and the findings on the
        # persona and journey files: the same key, the same analysis.
        key = digest(inputs, repr(findings[:before_pieces]))
    else:
        cells, walks, figures, found = across_pieces()
    findings += found
    analysis = Analysis(
        journeys=tuple(journeys),
        personas=tuple(personas),
        pieces=tuple(pieces),
        cells=tuple(cells),
        findings=tuple(_with_severities(findings, settings)),
        today=today,
        continuity=tuple(walks),
        figures=figures,
        counting=frozenset(counting),
        inventory=_inventory(project, root, docs_key, page_list, pieces),
    )
    return Result(analysis, key)


def _inventory(project: Project, root: Path, docs_key: str, pages: list[str],
               pieces: list[Piece]) -> Inventory:
    """The files this run checked, by kind, named as the reports name them."""
    settings = project.settings

    def rel(paths: Iterable[Path]) -> tuple[str, ...]:
        return tuple(os.path.relpath(os.path.abspath(p), root).replace(os.sep, "/")
                     for p in paths)

    prefix = "" if docs_key in ("", ".") else docs_key + "/"
    return Inventory(
        config=(project.config_file,),
        personas=rel(registry_files(root / settings.personas_dir, (".yml", ".yaml", ".md"))),
        journeys=rel(registry_files(root / settings.journeys_dir, (".yml", ".yaml"))),
        pages=tuple(prefix + p for p in pages if not excluded(p, settings.exclude)),
        pieces=tuple(p.file for p in pieces),
    )


_AcrossPieces = tuple[list[Cell], list[Continuity], dict[str, dict[str, float]], list[Finding]]


def _fingerprint(generation: str, docs: str, personas: list[Persona], journeys: list[Journey],
                 settings: Settings, today: dt.date, config_file: str,
                 metrics: Path | None) -> str:
    """Everything the rules across pieces depend on, besides the pages, as one digest
    (`docs`: the docs folder, relative to the project, whose path the findings name)."""
    try:  # a regular file only (a FIFO would hang), and no more than `load_metrics` reads
        metrics_bytes = read_bytes(metrics, 16 * 1024 * 1024) if metrics is not None else b""
    except OSError:
        metrics_bytes = b"\1unreadable"
    return digest(generation, docs, repr(personas), repr(journeys), repr(settings),
                  today.isoformat(), config_file, metrics_bytes)


def _with_severities(findings: list[Finding], settings: Settings) -> list[Finding]:
    """Give each finding its rule's configured severity (a waived gap keeps its own `info`)."""
    levels = {rule: settings.severity(rule) for rule in {f.rule for f in findings}}
    out = [
        f if f.severity else Finding(f.rule, f.file, f.line, f.message, levels[f.rule], f.column,
                                     f.suggestion, f.persona, f.journey, f.stage)
        for f in findings
        if levels[f.rule] != "ignore"
    ]
    out.sort(key=lambda f: (f.file, f.line or 0, f.rule, f.message))
    return capped(out)
