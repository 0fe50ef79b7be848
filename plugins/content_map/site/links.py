"""The hrefs of the map: where every page lives on the site, and the links of one page,
each relative to that page."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from ..model import Finding
from .builtpages import UNBUILT
from .index import Index
from .layout import Layout, lane_anchor
from .urls import page_url, relative_url, safe_url, source_link

__all__ = ["Addresses", "Links"]


class Addresses:
    """Where things are on one site: each docs file's URL (as the site builder reported it,
    else as MkDocs would make it), the map's own pages, and the repository's files."""

    def __init__(self, layout: Layout, index: Index, urls: Mapping[str, str] | None = None,
                 *, use_directory_urls: bool = True, docs_prefix: str = "",
                 source_base: str | None = None, unbuilt: frozenset[str] = frozenset(),
                 translations: Mapping[str, tuple[tuple[str, str], ...]] | None = None):
        self.layout = layout
        self.unbuilt = unbuilt  # pages the build does not write: shown, never linked
        self.translations = translations or {}  # page -> (locale, URL) of its translations
        self.index = index
        self.urls: Mapping[str, str] = urls or {}
        self.use_directory_urls = use_directory_urls
        self.docs_prefix = docs_prefix.strip("/")
        self.source_base = safe_url(source_base) if source_base else None

    def url(self, src: str) -> str:
        """The site URL of the docs file `src` (the site's root is "")."""
        url = self.urls.get(src)
        if url is None:
            url = page_url(src, self.use_directory_urls)
        return "" if url in (".", "./") else url

    def links(self, base_src: str) -> Links:
        """The links of the page at `base_src`."""
        return Links(self, base_src)


class Links:
    """The hrefs one page needs, all relative to that page."""

    def __init__(self, at: Addresses, base_src: str):
        self._at = at
        self._layout = at.layout
        self.base = at.url(base_src)
        self._seen: dict[str, str] = {}  # the overview links to each persona many times

    def to(self, src: str, fragment: str | None = None) -> str:
        href = self._seen.get(src)
        if href is None:
            href = self._seen[src] = UNBUILT if src in self._at.unbuilt \
                else relative_url(self._at.url(src), self.base)
        return f"{href}#{fragment}" if fragment else href

    def root(self) -> str:
        """The site's root, from this page: a site URL after it is an href."""
        return relative_url("", self.base)

    def overview(self) -> str:
        return self.to(self._layout.overview_src)

    def overview_filtered(self, facet: str, value: str, fragment: str = "pieces") -> str:
        """The overview with one filter chosen (content-map.js reads it from the query)."""
        return f"{self.overview()}?{facet}={quote(value, safe='')}#{fragment}"

    def overview_at(self, journey: str, stage: str, persona: str | None = None) -> str:
        """The overview filtered to a stage, and a persona: it lists those pieces."""
        query = f"persona={quote(persona, safe='')}&" if persona else ""
        return f"{self.overview()}?{query}stage={quote(f'{journey}/{stage}', safe='/')}#pieces"

    def gaps(self, rule: str | None = None) -> str:
        return self.to(self._layout.gaps_src, rule)

    def problems(self, fragment: str | None = None) -> str:
        return self.to(self._layout.problems_src, fragment)

    def attention(self, fragment: str | None = None) -> str:
        return self.to(self._layout.attention_src, fragment)

    def persona(self, persona_id: str, journey: str | None = None,
                stage: str | None = None) -> str:
        """A persona's page; with a journey and a stage, at that stage's column."""
        fragment = lane_anchor(journey, stage) if journey and stage else None
        return self.to(self._layout.persona_src(persona_id), fragment)

    def flow(self, persona_id: str, journey: str) -> str:
        return self.to(self._layout.persona_src(persona_id), f"flow-{journey}")

    def stage(self, journey: str, stage: str, persona: str | None = None) -> str:
        """A stage's page; with a persona, at that persona's pieces."""
        return self.to(self._layout.stage_src(journey, stage),
                       f"persona_{persona}" if persona else None)

    def piece(self, path: str) -> str:
        return self.to(path)

    def translations(self, path: str) -> list[tuple[str, str]]:
        """(locale, href) of each translation of the page at `path`."""
        return [(locale, relative_url(url, self.base))
                for locale, url in self._at.translations.get(path, ())]

    def export(self) -> str:
        return self.to(self._layout.export_src)

    def plan(self, fragment: str | None = None) -> str:
        return self.to(self._layout.plan_src, fragment)

    def pieces_csv(self) -> str:
        return self.to(self._layout.pieces_src)

    def cells_csv(self) -> str:
        return self.to(self._layout.cells_src)

    def finding(self, finding: Finding) -> str | None:
        """Where a finding is best seen on the site: its cell, persona, stage or page."""
        index = self._at.index
        if finding.persona and finding.journey and finding.stage and \
                (finding.persona, finding.journey, finding.stage) in index.cells:
            return self.persona(finding.persona, finding.journey, finding.stage)
        if finding.file in index.persona_files:
            return self.persona(index.persona_files[finding.file])
        journey = index.journey_files.get(finding.file)
        if journey is not None and journey.stages:
            return self.stage(journey.id, journey.stages[0].id)
        prefix = f"{self._at.docs_prefix}/" if self._at.docs_prefix else ""
        if finding.file.startswith(prefix):
            src = finding.file[len(prefix):]
            if src in self._at.urls or index.analysis.piece(src) is not None:
                return self.piece(src)
        return None

    def source(self, file: str) -> str | None:
        """The file (relative to mkdocs.yml) in the site's repository, when the site says
        where that is."""
        return source_link(self._at.source_base, file)
