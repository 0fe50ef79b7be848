"""The one code path from files to an `Analysis`, shared by the plugin and `check`.

First the journeys and personas, then the pages (each kept in the page cache by its
file), then the metrics file and the rules across pieces, run in the catalogue's order
(kept under a digest of everything they read), and last the configured severities.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .cache import digest, remembered
from .load.languages import site_languages
from .load.metrics_csv import MAX_METRICS_BYTES, load_metrics
from .load.pages import CACHED, discover_pages, excluded, load_pieces
from .load.registry import load_journeys, load_personas
from .load.siteconfig import waiver_lines
from .load.source import registry_files
from .model import Analysis, Cell, Continuity, Finding, Inventory, Journey, Persona, Piece, capped
from .pagecache import PageCache
from .reader import read_bytes
from .rules.catalogue import DEAD_END, RULES
from .rules.causes import Registered, folded, placed
from .rules.coverage import counting_paths
from .rules.facts import Facts
from .rules.links import DeadEnd, by_persona
from .settings import Settings

__all__ = ["Project", "Registry", "Result", "analyse", "discover_pages", "load_registry"]


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

    def watched(self) -> list[Path]:
        """What a live preview watches besides the docs: personas, journeys, metrics (also
        those not there yet: `watch.watch` waits for them)."""
        names = (self.settings.personas_dir, self.settings.journeys_dir,
                 self.settings.metrics_file)
        return [self.path(n) for n in names if n]


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


@dataclass(frozen=True)
class _AcrossPieces:
    """What follows from all the pieces at once: the figures of the metrics file, the
    matrix, the journey walks, the dead ends, and the findings of the metrics file and of
    the rules across pieces."""

    figures: dict[str, dict[str, float]]
    cells: tuple[Cell, ...]
    walks: tuple[Continuity, ...]
    dead_ends: tuple[DeadEnd, ...]
    findings: tuple[Finding, ...]


def analyse(project: Project, pages: Iterable[str] | None = None,
            today: dt.date | None = None, parallel: bool = False,
            registry: Registry | None = None) -> Result:
    """Load everything, run every rule, and apply the configured severities.

    `registry` is the site's journeys and personas when the caller has loaded them."""
    today = today or dt.date.today()
    settings = project.settings
    root = project.root.resolve()
    registry = registry or load_registry(project)
    page_list, outside = discover_pages(project.docs_dir, root) if pages is None \
        else (list(pages), [])
    # The findings name pages by their path from the project: a docs folder that moved
    # (a renamed `docs_dir`) is a new cache.
    docs_key = os.path.relpath(project.docs_dir.resolve(), root).replace(os.sep, "/")
    cache = PageCache(project.cache_dir, CACHED, docs_key) \
        if project.cache_dir is not None else None
    pieces, page_findings = load_pieces(page_list, project.docs_dir, root, registry.journeys,
                                        registry.personas, settings, cache, parallel,
                                        site_languages(project.root / project.config_file))
    counting = counting_paths(pieces, settings, today)
    on_files = registry.findings + outside  # the findings on persona and journey files
    across = partial(across_pieces, project, registry, pieces, page_list, counting, today)
    key = None
    if cache is None:
        found = across()
    else:
        # Unless a page's outcome, a persona, a journey, an option, the day or the metrics
        # changed, these are what they were last run: a repeated check skips them.
        generation = cache.settle()
        cache.save()
        inputs = _fingerprint(generation, docs_key, registry, project, today)
        found = remembered(project.cache_dir, "across-pieces", inputs, across, _AcrossPieces)
        # The analysis is made of those, the pages' outcomes and the findings on the
        # persona and journey files: the same key, the same analysis.
        key = digest(inputs, repr(on_files))
    analysis = Analysis(
        journeys=tuple(registry.journeys),
        personas=tuple(registry.personas),
        pieces=tuple(pieces),
        cells=found.cells,
        findings=tuple(_settled(project, registry, [*on_files, *page_findings,
                                                    *found.findings])),
        today=today,
        continuity=found.walks,
        figures=found.figures,
        counting=frozenset(counting),
        dead_ends=by_persona(found.dead_ends),
        inventory=_inventory(project, root, docs_key, page_list, pieces),
    )
    return Result(analysis, key)


def across_pieces(project: Project, registry: Registry, pieces: list[Piece],
                  pages: list[str], counting: set[str], today: dt.date) -> _AcrossPieces:
    """The metrics file, then each registered check of a rule that is not ignored."""
    settings = project.settings
    figures: dict[str, dict[str, float]] = {}
    findings: list[Finding] = []
    if settings.metrics_file:
        root = project.root.resolve()
        figures, findings = load_metrics(root / settings.metrics_file, root, pages,
                                         settings.metrics_file)
    facts = Facts(registry.journeys, registry.personas, pieces, settings, today, counting,
                  figures, project.config_file)
    for rule in RULES.values():
        if rule.check is not None and settings.severity(rule.id) != "ignore":
            findings += rule.check(facts)
    dead_ends = facts.dead_ends if settings.severity(DEAD_END) != "ignore" else []
    return _AcrossPieces(figures, tuple(facts.matrix.cells), tuple(facts.walks),
                         tuple(dead_ends), tuple(findings))


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
        metrics=(settings.metrics_file,) if settings.metrics_file else (),
    )


def _fingerprint(generation: str, docs: str, registry: Registry, project: Project,
                 today: dt.date) -> str:
    """Everything the rules across pieces depend on, besides the pages, as one digest
    (`docs`: the docs folder, relative to the project, whose path the findings name)."""
    settings, metrics = project.settings, project.settings.metrics_file
    try:  # a regular file only (a FIFO would hang), and no more than `load_metrics` reads
        metrics_bytes = read_bytes(project.root.resolve() / metrics, MAX_METRICS_BYTES) \
            if metrics else b""
    except OSError:
        metrics_bytes = b"\1unreadable"
    return digest(generation, docs, repr(registry.personas), repr(registry.journeys),
                  repr(settings), today.isoformat(), project.config_file, metrics_bytes)


def _settled(project: Project, registry: Registry, findings: list[Finding]) -> list[Finding]:
    """The findings with their severities, the waivers' with their line in mkdocs.yml, and
    those that only follow from a broken persona or journey file summed up under it."""
    settings = project.settings
    found = placed(_with_severities(findings, settings), settings.waivers, project.config_file,
                   lambda: waiver_lines(project.root / project.config_file))
    return folded(found, Registered(settings.personas_dir, settings.journeys_dir,
                                    frozenset(p.id for p in registry.personas),
                                    frozenset(j.id for j in registry.journeys),
                                    project.config_file))


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
