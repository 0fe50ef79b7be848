"""What a site shows of one analysis, made in one go: the findings to report, the map's
pages, each piece's badges and the JSON export.

A site builder needs these only after it has read every page, so an adapter can have
them made on another core meanwhile (see `background`). With a cache, the rendered
pages and badges are kept under a key naming everything they show: a build with the
same key renders nothing again. What an adapter does with them (log the findings, stop
the build, hand a search index the short text of a page) is spelled here too, so the
adapter only wires it into its engine's events.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import escape

from ..cache import Kept
from ..engine import Project, Registry, analyse
from ..model import STATUSES, Finding, at_or_above
from ..reports.text import dumps, to_json
from ..terminal import visible
from .layout import Layout, MapPage
from .output import Badges, Heading, searchable
from .renderer import Renderer
from .urls import source_base

__all__ = ["MapHtml", "MapPages", "Publication", "docs_prefix", "failure", "finding_line",
           "publish"]


class MapHtml(NamedTuple):
    html: str
    headings: tuple[Heading, ...]
    searchable: str  # what a search index should see of it (see `output.searchable`)


@dataclass(frozen=True)
class Publication:
    findings: tuple[Finding, ...]
    pages: dict[str, MapHtml]  # map page -> its HTML
    # piece's page -> its badges (top, bottom): plain tuples of text, which the garbage
    # collector stops tracking, so thousands of them cost the rest of the build nothing
    badges: dict[str, tuple[str, str]]
    export: str | None  # `content-map.json`, when the export is on

    def with_badges(self, src: str, html: str) -> str:
        """The HTML of the page at `src` with its badges, when it is a piece that has them."""
        made = self.badges.get(src)
        return html if made is None else Badges(*made).apply(html)

    def failing(self, fail_on: str) -> list[Finding]:
        """The findings that stop a build that fails on `fail_on`."""
        return at_or_above(self.findings, fail_on)


class MapPages:
    """The map's pages among a site builder's pages, for an adapter that passes each page
    through at its engine's events: the front-matter a page gets, a map page's HTML, the
    shorter text a search index reads of it, and a piece's badges, added after indexing
    (they are navigation, not text to search)."""

    def __init__(self, layout: Layout | None = None, status_field: str = "status"):
        self.pages = {page.src_uri: page for page in layout.pages()} if layout else {}
        self.status_field = status_field  # the front-matter field of a piece's status
        self.publication: Callable[[], Publication] | None = None  # once it is under way
        self._full: dict[str, str] = {}  # map pages' HTML while a search index reads them

    def __contains__(self, src: str) -> bool:
        return src in self.pages

    def _made(self) -> Publication:
        assert self.publication is not None
        return self.publication()

    def meta(self, src: str, meta: MutableMapping[str, Any]) -> None:
        """A map page's title, escaped (themes print titles unescaped, and a persona's name
        is data, not markup), and on the overview and persona pages Material's `hide: [toc]`
        (room for the matrix and the lanes). Material reads a piece's `status` as its own
        page status (`new`, `deprecated`) and would put an icon with an empty tooltip beside
        every piece in the nav, so a piece's page loses it."""
        page = self.pages.get(src)
        if page is not None:
            meta["title"] = str(escape(page.title))
            if page.kind in ("overview", "persona"):
                meta.setdefault("hide", ["toc"])
        elif self.status_field == "status" and meta.get("status") in STATUSES:
            del meta["status"]

    def html(self, src: str) -> MapHtml | None:
        """A map page's HTML and headings; None for any other page."""
        return self._made().pages[src] if src in self.pages else None

    def for_search(self, src: str, content: str) -> str:
        """What a search index reads of a page: a map page without its long lists."""
        if src not in self.pages:
            return content
        self._full[src] = content
        return self._made().pages[src].searchable

    def after_search(self, src: str, content: str) -> str:
        """A page once indexed: a map page whole again, a piece's page with its badges."""
        full = self._full.pop(src, None)
        if full is not None:
            return full
        return self._made().with_badges(src, content) if self.publication else content


def finding_line(finding: Finding) -> str:
    """A finding as one log line: names and values written out visibly (a log is a
    terminal, or a CI runner that reads `::` lines as commands)."""
    return visible(f"{finding.location}: {finding.rule}: {finding.message}", starts_line=True)


def failure(failing: Sequence[Finding], fail_on: str) -> str:
    """Why a build stops: the findings at or above `fail_on`, and what to do."""
    noun = "problem" if len(failing) == 1 else "problems"
    return (f"content-map found {len(failing)} {noun} at or above `{fail_on}`:\n"
            + "\n".join(f"  {finding_line(f)}" for f in failing)
            + "\n(run `content-map check` for details; `fail_on` sets what aborts the build)")


def docs_prefix(project: Project) -> str:
    """The docs folder from the folder of mkdocs.yml, as reports name pages ("" when
    they are the same folder)."""
    prefix = Path(os.path.relpath(project.docs_dir, project.root)).as_posix()
    return "" if prefix == "." else prefix


_KEPT = {"pages": tuple[str, tuple[Heading, ...]], "badges": Badges | None}
"""What the cache keeps of a build: each map page's HTML and headings, each piece's badges."""


def publish(project: Project, pages: Iterable[str], registry: Registry,
            urls: Mapping[str, str], *,
            template_dirs: Iterable[str | os.PathLike[str]] = (),
            use_directory_urls: bool = True, repo_url: str | None = None,
            edit_uri: str | None = None) -> Publication:
    """Analyse the site's `pages` and render all it shows, with links between `urls`
    (docs-relative page -> its URL); with the site's `repo_url` and `edit_uri`, findings
    on personas and journeys link to their files in the repository."""
    result = analyse(project, pages, registry=registry)
    analysis = result.analysis
    cache_dir = project.cache_dir
    prefix = docs_prefix(project)
    renderer = Renderer(analysis, project.settings, template_dirs=template_dirs,
                        use_directory_urls=use_directory_urls, urls=urls, docs_prefix=prefix,
                        source_base=source_base(repo_url, edit_uri, prefix),
                        project_root=project.root if cache_dir is not None else None)
    key = None
    if cache_dir is not None and result.key is not None:
        key = f"{result.key}:{renderer.fingerprint()}"
    rendered = Kept(cache_dir, "rendered", key, _KEPT)
    map_pages: dict[str, MapHtml] = {}
    for page in renderer.pages():
        html, headings = rendered.get("pages", page.src_uri,
                                      functools.partial(_render, renderer, page))
        map_pages[page.src_uri] = MapHtml(html, headings, searchable(html))
    badges: dict[str, tuple[str, str]] = {}
    if project.settings.badges:
        for piece in analysis.pieces:
            made: Badges | None = rendered.get("badges", piece.path,
                                               functools.partial(renderer.badges, piece.path))
            if made is not None:
                badges[piece.path] = (made.top, made.bottom)
    rendered.save()
    export = dumps(to_json(analysis, model=True), compact=True) \
        if project.settings.export else None
    return Publication(analysis.findings, map_pages, badges, export)


def _render(renderer: Renderer, page: MapPage) -> tuple[str, tuple[Heading, ...]]:
    done = renderer.render(page)
    return done.html, done.headings
