"""The content map as HTML: the overview, persona, stage and gap pages, and page badges.

Plain Python and Jinja, nothing of MkDocs: the plugin hands over the URL of every page,
and an engine that runs no plugins can use the same renderer. Every value from YAML
reaches the HTML through Jinja's autoescape; the only hrefs are the site's own URLs and
the http(s), mailto and relative addresses `safe_url` lets through.

The work is linear in pieces plus cells: everything the templates look up is indexed
once, when the renderer is made, and a page's badges are one dictionary lookup away.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .coverage import counting_paths
from .model import (
    IN_PROGRESS_STATUSES,
    STATUSES,
    Analysis,
    Cell,
    Finding,
    Journey,
    Persona,
    Piece,
    Stage,
    severity_rank,
)
from .report import summary
from .rules import RULES
from .settings import Settings

__all__ = [
    "ASSETS",
    "ASSET_FILES",
    "FACETS",
    "STATES",
    "Badges",
    "Heading",
    "MapPage",
    "Rendered",
    "Renderer",
    "environment",
    "page_url",
    "relative_url",
    "safe_url",
    "toc_tokens",
]

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("content-map.css", "content-map.js")

FACETS = ("status", "channel", "owner", "format", "intent")
"""The piece fields the browser-side filters work on, in the order the form shows them."""

STATES: dict[str, tuple[str, str]] = {
    "covered": ("✔", "covered"),
    "gap": ("✖", "gap"),
    "in-progress": ("◐", "gap, work in progress"),
    "waived": ("≈", "waived"),
    "skipped": ("–", "skipped"),
}
"""Each display state's symbol and words: colour is never the only signal."""

SEVERITY_LABELS = {"error": "error", "warn": "warning", "info": "info"}


# ---------------------------------------------------------------------------------------
# URLs


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The site URL of a docs file, as MkDocs computes it (for renderers without MkDocs)."""
    parent, name = posixpath.split(src_uri)
    stem, ext = posixpath.splitext(name)
    if ext != ".md":
        return quote(src_uri)
    if stem in ("index", "README"):
        dest = posixpath.join(parent, "index.html")
    elif use_directory_urls:
        dest = posixpath.join(parent, stem, "index.html")
    else:
        dest = posixpath.join(parent, stem + ".html")
    if use_directory_urls and dest.endswith("index.html"):
        dirname = posixpath.dirname(dest)
        return quote(dirname + "/") if dirname else ""
    return quote(dest)


def relative_url(url: str, base: str) -> str:
    """`url` relative to the page at `base`; both are site-root-relative URLs."""
    if url in ("", "."):
        url = "./"
    base_dir = base if base.endswith("/") or base == "" else posixpath.dirname(base)
    rel = posixpath.relpath("/" + url, "/" + base_dir)
    if url.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def safe_url(url: object) -> str | None:
    """`url` if it is an http(s), mailto or relative address; otherwise None (show text).

    Whitespace and control characters are refused outright, since browsers drop them
    from schemes (`java\\tscript:`); `//host` is refused because it only looks relative.
    """
    text = str(url).strip()
    if not text or _UNSAFE_CHARS.search(text) or text.startswith("//"):
        return None
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    if scheme:
        return text if scheme in _SAFE_SCHEMES else None
    if ":" in text.split("/", 1)[0]:  # `javascript:` spelled so urlsplit misses it
        return None
    return text


_LINKABLE = re.compile(r"(?<![\w/@])((?:https?://|mailto:)[^\s<>\"'`]+)")


def linkify(text: object) -> Markup:
    """Escaped text with its http(s) and mailto addresses as links; anything else stays text."""
    out: list[str] = []
    for i, part in enumerate(_LINKABLE.split(str(text))):
        if i % 2 == 0:
            out.append(str(escape(part)))
            continue
        tail = ""
        while part and part[-1] in ".,;:!?)]":
            part, tail = part[:-1], part[-1] + tail
        target = safe_url(part)
        if target is None:
            out.append(str(escape(part + tail)))
        else:
            out.append(f'<a href="{escape(target)}" rel="nofollow noopener">{escape(part)}</a>'
                       f"{escape(tail)}")
    return Markup("".join(out))


# ---------------------------------------------------------------------------------------
# The pages


@dataclass(frozen=True)
class MapPage:
    """One generated page: where it lives in the docs tree and what it shows."""

    src_uri: str
    title: str  # plain text; escape it before handing it to a theme
    kind: str  # overview | persona | stage | gaps
    persona: str | None = None
    journey: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    html: str  # escaped text, ready for a table of contents


@dataclass(frozen=True)
class Rendered:
    page: MapPage
    url: str
    html: str
    headings: tuple[Heading, ...]

    @property
    def title(self) -> str:
        return self.page.title


@dataclass(frozen=True)
class Badges:
    """A piece's badges: `top` goes under the page title, `bottom` after the text."""

    top: str
    bottom: str

    def apply(self, html: str) -> str:
        """Put the badges into a page's HTML: after its first `<h1>`, else at the top."""
        end = html.find("</h1>")
        if end < 0:
            return self.top + html + self.bottom
        end += len("</h1>")
        return html[:end] + self.top + html[end:] + self.bottom


def environment(template_dirs: Iterable[str | os.PathLike[str]] = ()) -> Environment:
    """Jinja with autoescape on, looking in `template_dirs` first, then in the package.

    The plugin passes each theme directory's `content-map/` folder, so a site overrides
    any template by putting a file of the same name in its `custom_dir`.
    """
    dirs = [str(d) for d in template_dirs if os.path.isdir(d)]
    loaders = [FileSystemLoader(dirs)] if dirs else []
    loaders.append(FileSystemLoader(str(TEMPLATES)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    env.filters["safe_url"] = safe_url
    return env


_HEADING = re.compile(r'<h([1-3])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]*>")


def _headings(html: str) -> tuple[Heading, ...]:
    return tuple(Heading(int(level), ident, _TAG.sub("", inner).strip())
                 for level, ident, inner in _HEADING.findall(html))


def toc_tokens(headings: Iterable[Heading]) -> list[dict[str, Any]]:
    """Headings nested as Python-Markdown's `toc_tokens`, for an engine's table of contents."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for heading in headings:
        token = {"level": heading.level, "id": heading.id, "name": heading.html,
                 "html": heading.html, "children": []}
        while stack and stack[-1]["level"] >= heading.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def lane_anchor(journey: str, stage: str) -> str:
    """The id of a stage column on a persona page (ids have no `_`, so this is unique)."""
    return f"{journey}_{stage}"


class Links:
    """The hrefs one page needs, all relative to that page."""

    def __init__(self, renderer: Renderer, base_src: str):
        self._r = renderer
        self.base = renderer.url(base_src)
        self._seen: dict[str, str] = {}  # the overview links to each persona many times

    def to(self, src: str, fragment: str | None = None) -> str:
        href = self._seen.get(src)
        if href is None:
            href = self._seen[src] = relative_url(self._r.url(src), self.base)
        return f"{href}#{fragment}" if fragment else href

    def overview(self) -> str:
        return self.to(self._r.overview_src)

    def gaps(self, rule: str | None = None) -> str:
        return self.to(self._r.gaps_src, rule)

    def persona(self, persona_id: str, journey: str | None = None,
                stage: str | None = None) -> str:
        fragment = lane_anchor(journey, stage) if journey and stage else None
        return self.to(self._r.persona_src(persona_id), fragment)

    def stage(self, journey: str, stage: str, persona: str | None = None) -> str:
        return self.to(self._r.stage_src(journey, stage),
                       f"persona_{persona}" if persona else None)

    def piece(self, path: str) -> str:
        return self.to(path)

    def export(self) -> str:
        return self.to(self._r.export_src)

    def finding(self, finding: Finding) -> str | None:
        return self._r.finding_target(finding, self)


class Renderer:
    """Renders the map of one analysis. Make one per build; it indexes the analysis once."""

    def __init__(
        self,
        analysis: Analysis,
        settings: Settings,
        *,
        template_dirs: Iterable[str | os.PathLike[str]] = (),
        use_directory_urls: bool = True,
        urls: Mapping[str, str] | None = None,
        docs_prefix: str = "",
        source_base: str | None = None,
    ):
        self.analysis = analysis
        self.settings = settings
        self.env = environment(template_dirs)
        self.use_directory_urls = use_directory_urls
        self.urls: Mapping[str, str] = urls or {}
        self.docs_prefix = docs_prefix.strip("/")
        self.source_base = safe_url(source_base) if source_base else None
        root = settings.map_path.strip("/")
        self.root = root
        self.overview_src = f"{root}/index.md"
        self.gaps_src = f"{root}/gaps.md"
        self.export_src = f"{root}/content-map.json"
        self._index()

    # -- where things live ------------------------------------------------------------

    def persona_src(self, persona_id: str) -> str:
        return f"{self.root}/personas/{persona_id}.md"

    def stage_src(self, journey: str, stage: str) -> str:
        return f"{self.root}/stages/{journey}/{stage}.md"

    def asset_src(self, name: str) -> str:
        return f"{self.root}/assets/{name}"

    def url(self, src: str) -> str:
        url = self.urls.get(src)
        if url is None:
            url = page_url(src, self.use_directory_urls)
        return "" if url in (".", "./") else url

    def set_urls(self, urls: Mapping[str, str]) -> None:
        """Use the engine's URLs for every page (the adapter knows them once files are final)."""
        self.urls = urls

    def pages(self) -> list[MapPage]:
        """Every generated page: overview, gap report, one per persona, one per stage."""
        pages = [MapPage(self.overview_src, self.settings.nav_title, "overview"),
                 MapPage(self.gaps_src, "Gap report", "gaps")]
        pages += [MapPage(self.persona_src(p.id), p.name, "persona", persona=p.id)
                  for p in self.analysis.personas]
        for journey in self.analysis.journeys:
            for stage in journey.stages:
                title = stage.name if len(self.analysis.journeys) == 1 \
                    else f"{stage.name} · {journey.name}"
                pages.append(MapPage(self.stage_src(journey.id, stage.id), title, "stage",
                                     journey=journey.id, stage=stage.id))
        return pages

    # -- indexes ----------------------------------------------------------------------

    def _index(self) -> None:
        a = self.analysis
        self.personas: dict[str, Persona] = {p.id: p for p in a.personas}
        self.journeys: dict[str, Journey] = {j.id: j for j in a.journeys}
        self.stages: dict[tuple[str, str], Stage] = {
            (j.id, s.id): s for j in a.journeys for s in j.stages}
        self.cells: dict[tuple[str, str, str], Cell] = {
            (c.persona, c.journey, c.stage): c for c in a.cells}
        self.counting = counting_paths(list(a.pieces), self.settings, a.today)
        self.by_cell: dict[tuple[str, str, str], list[Piece]] = defaultdict(list)
        self.by_stage: dict[tuple[str, str], dict[str | None, list[Piece]]] = defaultdict(dict)
        self.cell_keys: dict[str, str] = {}
        for piece in a.pieces:
            keys = []
            for ref in piece.stages:
                groups = self.by_stage[(ref.journey, ref.stage)]
                for persona_id in piece.personas or (None,):
                    groups.setdefault(persona_id, []).append(piece)
                    key = (persona_id or "", ref.journey, ref.stage)
                    if key in self.cells:
                        self.by_cell[key].append(piece)
                        keys.append("/".join(key))
            self.cell_keys[piece.path] = " ".join(keys)
        for pieces in self.by_cell.values():
            pieces.sort(key=self._piece_order)
        for groups in self.by_stage.values():
            for pieces in groups.values():
                pieces.sort(key=self._piece_order)
        self.cell_findings: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        self.persona_findings: dict[str, list[Finding]] = defaultdict(list)
        for finding in a.findings:
            if finding.persona and finding.journey and finding.stage:
                self.cell_findings[(finding.persona, finding.journey, finding.stage)] \
                    .append(finding)
            elif finding.persona:
                self.persona_findings[finding.persona].append(finding)
        self.persona_files = {p.file: p.id for p in a.personas}
        self.journey_files = {j.file: j for j in a.journeys if j.file}
        self.options = self._facet_options()
        self.ordered_pieces = sorted(a.pieces, key=self._stage_order)

    def _piece_order(self, piece: Piece) -> tuple[int, int, str]:
        role = self.role(piece)
        return ({"counting": 0, "progress": 1}.get(role, 2),
                STATUSES.index(piece.status) if piece.status in STATUSES else 0,
                piece.title.lower())

    def _stage_order(self, piece: Piece) -> tuple[int, int, str]:
        if not piece.stages:
            return (len(self.journeys), 0, piece.title.lower())
        ref = piece.stages[0]
        journey_index = list(self.journeys).index(ref.journey) \
            if ref.journey in self.journeys else len(self.journeys)
        stage = self.stages.get((ref.journey, ref.stage))
        return (journey_index, stage.index if stage else 0, piece.title.lower())

    def _facet_options(self) -> dict[str, list[str]]:
        options: dict[str, set[str]] = {facet: set() for facet in FACETS}
        for piece in self.analysis.pieces:
            for facet in FACETS:
                value = getattr(piece, facet)
                if value:
                    options[facet].add(str(value))
        ordered = {facet: sorted(values, key=str.lower) for facet, values in options.items()}
        ordered["status"] = [s for s in STATUSES if s in options["status"]] + sorted(
            options["status"] - set(STATUSES))
        return ordered

    # -- helpers the templates use ----------------------------------------------------

    anchor = staticmethod(lane_anchor)

    def role(self, piece: Piece) -> str:
        if piece.path in self.counting:
            return "counting"
        if piece.status in IN_PROGRESS_STATUSES:
            return "progress"
        return "other"

    def stage_label(self, journey_id: str, stage_id: str) -> str:
        stage = self.stages.get((journey_id, stage_id))
        name = stage.name if stage else stage_id
        if len(self.journeys) > 1:
            journey = self.journeys.get(journey_id)
            return f"{journey.name if journey else journey_id} · {name}"
        return name

    def persona_name(self, persona_id: str) -> str:
        persona = self.personas.get(persona_id)
        return persona.name if persona else persona_id

    def page_title(self, path: str) -> str:
        piece = self.analysis.piece(path)
        if piece is not None:
            return piece.title
        stem = posixpath.splitext(posixpath.basename(path))[0]
        return stem.replace("-", " ").replace("_", " ").capitalize()

    def finding_target(self, finding: Finding, links: Links) -> str | None:
        """Where a finding is best seen on the site: its cell, persona, stage or page."""
        if finding.persona and finding.journey and finding.stage and \
                (finding.persona, finding.journey, finding.stage) in self.cells:
            return links.persona(finding.persona, finding.journey, finding.stage)
        if finding.file in self.persona_files:
            return links.persona(self.persona_files[finding.file])
        journey = self.journey_files.get(finding.file)
        if journey is not None and journey.stages:
            return links.stage(journey.id, journey.stages[0].id)
        prefix = f"{self.docs_prefix}/" if self.docs_prefix else ""
        if finding.file.startswith(prefix):
            src = finding.file[len(prefix):]
            if src in self.urls or self.analysis.piece(src) is not None:
                return links.piece(src)
        return None

    def source_link(self, file: str) -> str | None:
        """The file in the site's repository, when the site says where that is."""
        if not self.source_base or ".." in file.split("/"):
            return None
        return self.source_base.rstrip("/") + "/" + quote(file)

    def _context(self, base_src: str, **extra: Any) -> dict[str, Any]:
        analysis = self.analysis
        return {
            "r": self,
            "a": analysis,
            "links": Links(self, base_src),
            "settings": self.settings,
            "states": STATES,
            "facets": FACETS,
            "options": self.options,
            "severity_labels": SEVERITY_LABELS,
            "rules": RULES,
            "summary": summary(analysis),
            **extra,
        }

    # -- rendering --------------------------------------------------------------------

    def render(self, page: MapPage) -> Rendered:
        """One map page's HTML, with its links relative to the page's own URL."""
        if page.kind == "overview":
            html = self._render("overview.html", page, **self._overview())
        elif page.kind == "persona":
            persona = self.personas[page.persona or ""]
            html = self._render("persona.html", page, **self._persona(persona))
        elif page.kind == "stage":
            journey = self.journeys[page.journey or ""]
            stage = self.stages[(journey.id, page.stage or "")]
            html = self._render("stage.html", page, **self._stage(journey, stage))
        elif page.kind == "gaps":
            html = self._render("gaps.html", page, **self._gaps())
        else:
            raise ValueError(f"unknown map page kind {page.kind!r}")
        return Rendered(page, self.url(page.src_uri), html, _headings(html))

    def render_all(self) -> list[Rendered]:
        return [self.render(page) for page in self.pages()]

    def _render(self, template: str, page: MapPage, **extra: Any) -> str:
        return self.env.get_template(template).render(
            self._context(page.src_uri, page=page, **extra))

    def badges(self, src_uri: str) -> Badges | None:
        """The badges of the page at `src_uri`, or None when it is not a piece."""
        piece = self.analysis.piece(src_uri)
        if piece is None or not self.settings.badges:
            return None
        context = self._context(src_uri, piece=piece)
        top = self.env.get_template("badges.html").render(context)
        bottom = self.env.get_template("next-steps.html").render(context) if piece.next else ""
        return Badges(top, bottom)

    # -- view data --------------------------------------------------------------------

    def _overview(self) -> dict[str, Any]:
        rows = []
        for journey in self.analysis.journeys:
            personas = [p for p in self.analysis.personas if p.follows(journey.id)]
            rows.append((journey, [
                (persona, [self.cells.get((persona.id, journey.id, s.id)) for s in journey.stages])
                for persona in personas
            ]))
        open_gaps = [c for c in self.analysis.cells if c.state == "gap"]
        states = {state: 0 for state in STATES}
        for cell in self.analysis.cells:
            states[cell.display_state] += 1
        return {"matrix": rows, "open_gaps": open_gaps, "display_states": states}

    def _persona(self, persona: Persona) -> dict[str, Any]:
        lanes = []
        for journey in self.analysis.journeys:
            if not persona.follows(journey.id):
                continue
            columns = []
            for stage in journey.stages:
                key = (persona.id, journey.id, stage.id)
                columns.append({
                    "stage": stage,
                    "cell": self.cells.get(key),
                    "key": "/".join(key),
                    "pieces": self.by_cell.get(key, []),
                    "state": persona.stages.get(f"{journey.id}/{stage.id}")
                    or persona.stages.get(stage.id),
                    "findings": [f for f in self.cell_findings.get(key, ())
                                 if f.rule != "coverage-gap"],
                })
            lanes.append((journey, columns))
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", persona.narrative or "")
                      if p.strip()]
        return {"persona": persona, "lanes": lanes, "narrative": paragraphs,
                "findings": self.persona_findings.get(persona.id, [])}

    def _stage(self, journey: Journey, stage: Stage) -> dict[str, Any]:
        groups = self.by_stage.get((journey.id, stage.id), {})
        personas = [p for p in self.analysis.personas if p.follows(journey.id)]
        ordered = [(p, groups.get(p.id, []), self.cells.get((p.id, journey.id, stage.id)))
                   for p in personas]
        unassigned = groups.get(None, [])
        position = journey.stages.index(stage)
        previous = journey.stages[position - 1] if position > 0 else None
        following = journey.stages[position + 1] if position + 1 < len(journey.stages) else None
        total = len({p.path for pieces in groups.values() for p in pieces})
        return {"journey": journey, "stage": stage, "groups": ordered, "unassigned": unassigned,
                "position": position, "previous": previous, "following": following,
                "total": total}

    def _gaps(self) -> dict[str, Any]:
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.analysis.findings:
            by_rule[finding.rule].append(finding)

        def order(item: tuple[str, list[Finding]]) -> tuple[int, int, str]:
            rule, findings = item
            worst = max(severity_rank(f.severity or "error") for f in findings)
            catalogue = list(RULES).index(rule) if rule in RULES else len(RULES)
            return (-worst, catalogue, rule)

        return {"groups": sorted(by_rule.items(), key=order)}


def render_pages(analysis: Analysis, settings: Settings, *,
                 use_directory_urls: bool = True,
                 template_dirs: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """(URL path, title, HTML) of every map page, for callers that need nothing else."""
    renderer = Renderer(analysis, settings, template_dirs=template_dirs,
                        use_directory_urls=use_directory_urls)
    return [(r.url, r.title, r.html) for r in renderer.render_all()]
