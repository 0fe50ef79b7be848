"""What a site shows of one analysis, made in one go: the findings to report, the map's
pages, each piece's badges and the JSON export.

A site builder needs these only after it has read every page, so an adapter can have
them made on another core meanwhile (see `background`). With a cache, the rendered
pages and badges are kept under a key naming everything they show: a build with the
same key renders nothing again.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..cache import Kept
from ..engine import Project, Registry, analyse
from .layout import MapPage
from ..model import Finding
from .render import Badges, Heading, Renderer, searchable
from ..reports.text import dumps, to_json

__all__ = ["MapHtml", "Publication", "publish"]


class MapHtml(NamedTuple):
    html: str
    headings: tuple[Heading, ...]
    searchable: str  # what a search index should see of it (see `render.searchable`)


@dataclass(frozen=True)
class Publication:
    findings: tuple[Finding, ...]
    pages: dict[str, MapHtml]  # map page -> its HTML
    # piece's page -> its badges (top, bottom): plain tuples of text, which the garbage
    # collector stops tracking, so thousands of them cost the rest of the build nothing
    badges: dict[str, tuple[str, str]]
    export: str | None  # `content-map.json`, when the export is on


_KEPT = {"pages": tuple[str, tuple[Heading, ...]], "badges": Badges | None}
"""What the cache keeps of a build: each map page's HTML and headings, each piece's badges."""


def publish(project: Project, pages: Iterable[str], registry: Registry,
            urls: Mapping[str, str], *,
            template_dirs: Iterable[str | os.PathLike[str]] = (),
            use_directory_urls: bool = True, docs_prefix: str = "",
            source_base: str | None = None) -> Publication:
    """Analyse the site's `pages` and render all it shows, with links between `urls`
    (docs-relative page -> its URL)."""
    result = analyse(project, pages, registry=registry)
    analysis = result.analysis
    cache_dir = project.cache_dir
    renderer = Renderer(analysis, project.settings, template_dirs=template_dirs,
                        use_directory_urls=use_directory_urls, urls=urls,
                        docs_prefix=docs_prefix, source_base=source_base,
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
