"""The content map as HTML: the overview, persona, stage, gap and attention pages, and badges.

Plain Python and Jinja, nothing of MkDocs: the plugin hands over the URL of every page,
and an engine that runs no plugins can use the same renderer. Every value from YAML
reaches the HTML through Jinja's autoescape, or as page data through `data_attribute`;
the only hrefs are the site's own URLs and the http(s), mailto and relative addresses
`safe_url` lets through.

The work is linear in pieces plus cells: everything the templates look up is indexed
once, when the renderer is made, and a page's badges are one dictionary lookup away. The
pages are bounded too: past `LIST_CAP`, lists show a share and the page's data (for the
browser-side filters) holds the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from .. import writer
from ..cache import digest
from ..rules.coverage import counting_paths
from .layout import Layout, MapPage
from ..metrics import METRICS, Results, results
from ..model import (
    IN_PROGRESS_STATUSES,
    STATUSES,
    Analysis,
    Cell,
    Continuity,
    Finding,
    Journey,
    Persona,
    Piece,
    Stage,
    severity_rank,
)
from ..reader import open_regular
from ..reports.text import summary
from ..rules.catalogue import RULES
from ..settings import Settings

__all__ = [
    "ASSETS",
    "ASSET_FILES",
    "DUE_DAYS",
    "FACETS",
    "FLOW_CAP",
    "LIST_CAP",
    "PERSONA_FACETS",
    "STATES",
    "Badges",
    "CompiledTemplates",
    "DataRows",
    "Flow",
    "FlowEdge",
    "FlowNode",
    "Heading",
    "MapPage",
    "PageData",
    "Rendered",
    "Renderer",
    "data_attribute",
    "environment",
    "format_metric",
    "page_url",
    "relative_url",
    "safe_url",
    "shares",
    "toc_tokens",
]

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("content-map.css", "content-map.js")

FACETS = ("status", "channel", "owner", "format", "intent")
"""The piece fields the browser-side filters work on, in the order the form shows them."""

PERSONA_FACETS = ("type", "frequency")
"""The persona fields (segments) the filters also work on: a piece matches when one of the
personas it is shown for does. Their values are schema enums, so they never hold a space."""

PERSONA_FACET_ORDER = {"type": ("external", "internal"),
                       "frequency": ("first-time", "occasional", "frequent")}

FLOW_CAP = 8
"""Nodes drawn per stage in a journey flow; the rest are counted ("+N more")."""

FLOW_EDGE_CAP = 300
"""Edges drawn per flow: enough for any real site, and a bound on the markup."""

LIST_CAP = 300
"""The most pieces the overview's table lists, and roughly the most cards (persona, stage
and Needs attention pages) or findings (gap report) a page lists. Past it a page lists a
share of each group, says how many more there are and links to where they are; the counts
and the filters still cover everything, from the page's data (`PageData`)."""

UNASSIGNED = "none"
"""The key a stage page counts its pieces that name no persona under (a cell's key has
slashes, so it never is this)."""

DUE_DAYS = 30
"""How far ahead "Needs attention" looks for pieces due for review."""

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
    """`url` relative to the page at `base`; both are site-root-relative URLs.

    Every link of every map page and badge goes through here, so it compares path
    segments itself rather than asking `posixpath.relpath` (which makes both paths
    absolute first); URLs with `..` in them, which MkDocs never makes, go the long way.
    """
    if url in ("", "."):
        url = "./"
    base_dir = base if base.endswith("/") or base == "" else posixpath.dirname(base)
    target = [part for part in url.split("/") if part and part != "."]
    start = [part for part in base_dir.split("/") if part and part != "."]
    if ".." in target or ".." in start:
        rel = posixpath.relpath("/" + url, "/" + base_dir)
    else:
        same = 0
        for mine, theirs in zip(target, start, strict=False):
            if mine != theirs:
                break
            same += 1
        rel = "/".join([".."] * (len(start) - same) + target[same:]) or "."
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
# Results


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


def figures_of(values: Mapping[str, float] | None) -> list[Figure]:
    """The figures of a piece or group, in the order of `METRICS`."""
    if not values:
        return []
    return [Figure(m.id, m.label, values[m.id], format_metric(m.id, values[m.id]),
                   METRIC_WORDS[m.id]) for m in METRICS.values() if m.id in values]


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


# ---------------------------------------------------------------------------------------
# The journey flow


NODE_W, NODE_H, COL_GAP, ROW_GAP, HEAD, PAD = 156, 54, 44, 14, 34, 12
LINE_CHARS = 21  # fits the box in wide fonts (DejaVu Sans) as well as narrow ones


@dataclass(frozen=True, eq=False)
class FlowNode:
    piece: Piece
    stage: Stage
    x: int
    y: int
    role: str  # counting | progress
    lines: tuple[str, ...]  # the title, wrapped and shortened for the box
    dead_end: bool = False
    stop: bool = False  # where the walk ends when the journey is broken
    on_walk: bool = False

    @property
    def marks(self) -> list[str]:
        marks = []
        if self.dead_end:
            marks.append("dead end")
        if self.stop:
            marks.append("the way stops here")
        return marks


@dataclass(frozen=True, eq=False)
class FlowEdge:
    source: FlowNode
    target: FlowNode
    kind: str  # forward | same | back
    on_walk: bool
    d: str  # the SVG path
    label_x: int = 0
    label_y: int = 0


@dataclass(frozen=True)
class FlowColumn:
    stage: Stage
    x: int
    nodes: tuple[FlowNode, ...]
    more: int  # nodes not drawn
    skipped: bool


@dataclass(frozen=True)
class Flow:
    """A persona's journey as a diagram: a column per stage, a node per piece, `next` edges."""

    persona: Persona
    journey: Journey
    columns: tuple[FlowColumn, ...]
    edges: tuple[FlowEdge, ...]
    width: int
    height: int
    walk: Continuity | None
    dead_ends: tuple[Piece, ...]  # every dead end of the persona in this journey
    backward: tuple[tuple[Piece, Piece], ...]  # every backward `next` among its pieces
    edges_left_out: int = 0
    break_at: tuple[int, int] | None = None  # where the broken walk stops, drawn as a cut

    node_w: ClassVar[int] = NODE_W
    col_gap: ClassVar[int] = COL_GAP
    node_h: ClassVar[int] = NODE_H
    head: ClassVar[int] = HEAD

    @property
    def nodes(self) -> list[FlowNode]:
        return [node for column in self.columns for node in column.nodes]

    def outgoing(self, node: FlowNode) -> list[FlowEdge]:
        return [edge for edge in self.edges if edge.source is node]

    @property
    def anchor(self) -> str:
        return f"flow-{self.journey.id}"




def _wrap(title: str, width: int = LINE_CHARS, lines: int = 2) -> tuple[str, ...]:
    """The title in at most `lines` lines of at most `width` characters, with an ellipsis."""
    out: list[str] = []
    current = ""
    cut = False
    for word in " ".join(str(title).split()).split(" "):
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            out.append(current)
            current = word
            if len(out) == lines:
                cut = True
                break
    if not cut and current:
        out.append(current)
    fixed = [line if len(line) <= width else line[: width - 1].rstrip() + "…" for line in out]
    if cut and fixed and not fixed[-1].endswith("…"):
        last = fixed[-1]
        fixed[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return tuple(fixed) or ("",)


# ---------------------------------------------------------------------------------------
# The pages


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


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept between builds in the user's own cache folder
    (`$XDG_CACHE_HOME/content-map/templates`, by default `~/.cache/content-map/templates`),
    never in a project's.

    Jinja keeps a compiled template as marshalled Python code, and loading that runs
    it: a repository is untrusted input, so such a file must never come from one. The
    user's cache folder is the user's own (it must belong to them, and is kept private);
    it is not used when it lies inside the project being built. Compiling the map's
    templates takes about 0.15 s, loading them a few milliseconds; Jinja keys each by
    the template's name and file and checks its source, so a changed template is
    compiled again. A folder that cannot be read or written only means compiling again.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def outside(cls, project: str | os.PathLike[str]) -> CompiledTemplates | None:
        """The user's template cache, unless it cannot be used or lies inside `project`."""
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # unset, or relative (which XDG says to ignore)
            home = os.path.expanduser("~")
            if not os.path.isabs(home):
                return None
            base = os.path.join(home, ".cache")
        try:
            real = Path(os.path.realpath(base))
            folder = real / "content-map" / "templates"
            if writer.inside(folder, project):
                return None
            writer.ensure_folder(folder, real.parent)
            st = os.lstat(folder)
            if not hasattr(os, "getuid") or st.st_uid != os.getuid():
                return None
            if st.st_mode & 0o077:
                os.chmod(folder, 0o700)
        except (writer.WriteProblem, OSError, ValueError):
            return None
        return cls(folder)

    def _file(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open_regular(self._file(bucket)) as handle:
                bucket.load_bytecode(handle)
        except Exception:  # noqa: BLE001 - missing or damaged: the template is compiled
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(Exception):  # full, read-only, or gone: no failure
            writer.replace(self._file(bucket), bucket.bytecode_to_string(), self.folder)


def environment(template_dirs: Iterable[str | os.PathLike[str]] = (),
                project_root: str | os.PathLike[str] | None = None) -> Environment:
    """Jinja with autoescape on, looking in `template_dirs` first, then in the package.

    The plugin passes each theme directory's `content-map/` folder, so a site overrides
    any template by putting a file of the same name in its `custom_dir`. An environment
    serves one build, so templates are not checked for changes on every use; with a
    `project_root` (a build with the cache on), compiled templates are kept for the next
    build outside the project (see `CompiledTemplates`).
    """
    dirs = [str(d) for d in template_dirs if os.path.isdir(d)]
    loaders = [FileSystemLoader(dirs)] if dirs else []
    loaders.append(FileSystemLoader(str(TEMPLATES)))
    bytecode_cache = CompiledTemplates.outside(project_root) if project_root is not None \
        else None
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=bytecode_cache,
    )
    env.filters["linkify"] = linkify
    env.filters["safe_url"] = safe_url
    return env


_HEADING = re.compile(r'<h([1-3])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]*>")


def _headings(html: str) -> tuple[Heading, ...]:
    return tuple(Heading(int(level), ident, _TAG.sub("", inner).strip())
                 for level, ident, inner in _HEADING.findall(html))


_UNSEARCHED = re.compile(
    r"<(ul|table|figure|form)\b[^>]*\bclass=\"cm-(?:pieces|findings|matrix|table|flow|filters)\b"
    r"[^>]*>.*?</\1>|<div hidden data-cm-data='[^']*'></div>", re.S)


def searchable(html: str) -> str:
    """A map page's HTML as a search index should see it.

    The headings, ledes, profiles and notes stay; the long parts go: the lists of pieces
    (each piece is indexed on its own page, and a hit on every list that names it
    would only be noise), the matrix, the flows, the findings, the filters and the
    page data. On a large site those are most of the map's HTML, and a search plugin
    parsing them would take longer than the rest of the map.
    """
    return _UNSEARCHED.sub("", html)


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

    def overview_filtered(self, facet: str, value: str, fragment: str = "pieces") -> str:
        """The overview with one filter chosen (content-map.js reads it from the query)."""
        return f"{self.overview()}?{facet}={quote(value, safe='')}#{fragment}"

    def overview_at(self, journey: str, stage: str, persona: str | None = None) -> str:
        """The overview filtered to a stage, and a persona: it lists those pieces."""
        query = f"persona={quote(persona, safe='')}&" if persona else ""
        return f"{self.overview()}?{query}stage={quote(f'{journey}/{stage}', safe='/')}#pieces"

    def gaps(self, rule: str | None = None) -> str:
        return self.to(self._r.gaps_src, rule)

    def attention(self, fragment: str | None = None) -> str:
        return self.to(self._r.attention_src, fragment)

    def persona(self, persona_id: str, journey: str | None = None,
                stage: str | None = None) -> str:
        fragment = lane_anchor(journey, stage) if journey and stage else None
        return self.to(self._r.persona_src(persona_id), fragment)

    def flow(self, persona_id: str, journey: str) -> str:
        return self.to(self._r.persona_src(persona_id), f"flow-{journey}")

    def stage(self, journey: str, stage: str, persona: str | None = None) -> str:
        return self.to(self._r.stage_src(journey, stage),
                       f"persona_{persona}" if persona else None)

    def piece(self, path: str) -> str:
        return self.to(path)

    def export(self) -> str:
        return self.to(self._r.export_src)

    def finding(self, finding: Finding) -> str | None:
        return self._r.finding_target(finding, self)


def shares(sizes: Sequence[int], budget: int = LIST_CAP, floor: int = 3) -> list[int]:
    """How many of each group's items a page lists, so that all of them fit in `budget`.

    Groups that fit are listed whole; small groups go first and the big ones share what is
    left equally, each listing at least `floor` items (so 100 owners list 300, not 3 each).
    """
    limits = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for done, index in enumerate(order):
        fair = max(floor, left // (len(sizes) - done))
        limits[index] = min(sizes[index], fair)
        left = max(0, left - limits[index])
    return limits


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _attribute_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;") \
        .replace(">", "&gt;")


def data_attribute(value: Any) -> Markup:
    """`value` as compact JSON for a single-quoted HTML attribute.

    `&`, `'`, `<` and `>` become character references, so no value can end the attribute
    or open a tag; the browser hands `getAttribute` the JSON back unchanged. An attribute
    rather than a `<script>`: search indexes (MkDocs's own) read a script's text as words.
    """
    return Markup(_attribute_text(_json(value)))


ROLES = ("counting", "progress", "other")

Card = tuple[int | None, Piece, str | None]
"""A card a persona or stage page lists: its item in the page's data (None: the card
carries its own data), the piece, and its href when the page has it ready."""


class DataRows:
    """What every page's data shares, made once per renderer: the index of each persona
    and stage, and each piece's row, as escaped JSON text (`PageData` says what it holds).

    A row names its piece's URL from the site's root, so it is the same on every page;
    the page's data says how to get there (`root`).
    """

    def __init__(self, renderer: Renderer):
        a = renderer.analysis
        self.personas: dict[str, int] = {p.id: n for n, p in enumerate(a.personas)}
        self.stages: dict[tuple[str, str], int] = {
            (j.id, s.id): n for n, (j, s) in enumerate(
                (j, s) for j in a.journeys for s in j.stages)}
        for piece in a.pieces:  # ids the site does not define (reported): shown as named
            for pid in piece.personas:
                self.personas.setdefault(pid, len(self.personas))
            for ref in piece.stages:
                self.stages.setdefault((ref.journey, ref.stage), len(self.stages))
        values = {facet: {value: n + 1 for n, value in enumerate(renderer.options[facet])}
                  for facet in FACETS}
        metrics = renderer.piece_metrics
        self.rows: dict[str, str] = {}
        for piece in a.pieces:
            row: list[Any] = [
                piece.title, renderer.url(piece.path), ROLES.index(renderer.role(piece)),
                [self.personas[pid] for pid in piece.personas],
                [self.stages[(ref.journey, ref.stage)] for ref in piece.stages],
                [values[facet].get(str(getattr(piece, facet)), 0) if getattr(piece, facet)
                 else 0 for facet in FACETS]]
            figures = a.figures.get(piece.path)
            if figures and metrics:
                row.append([_finite(figures.get(metric)) for metric in metrics])
            self.rows[piece.path] = _attribute_text(_json(row))


class PageData:
    """The pieces of one page as data, for content-map.js: it filters and counts from this,
    so the markup lists what fits (`data-cm-item="N"` names item N) and stays light.

    `pieces` rows: title, URL (from the site's root: `root` + URL is the href), role
    (index into `ROLES`), persona indexes, stage indexes, the index of each facet's value
    in `values` (0: none), and, with a metrics file, the piece's figures in the order of
    `metrics` (null: none). `personas` rows: id, name, href and segments; `stages` rows:
    label, href and `journey/stage`; both hold every persona and stage of the site.
    `items` rows say where a piece is counted: piece index, key indexes, and the personas
    it is shown for when that is not all of its own (a card under one persona; none: a
    piece that names no persona, in no cell, so in no figure). Every string is a value the
    page would show. The rows of pieces are made once per build (`DataRows`), so a page's
    data costs little more than its items.
    """

    def __init__(self, renderer: Renderer, links: Links):
        self._r = renderer
        self._links = links
        self._shared = renderer.data_rows
        self.root = relative_url("", links.base)
        self._pieces: dict[str, int] = {}
        self._keys: dict[str, int] = {}
        self.pieces: list[str] = []  # escaped JSON text of each row
        self.items: list[list[Any]] = []

    def href(self, piece: Piece) -> str:
        """The link to `piece` from this page, as the script makes it from the data."""
        return self.root + self._r.url(piece.path)

    def piece(self, piece: Piece) -> int:
        index = self._pieces.get(piece.path)
        if index is None:
            index = self._pieces[piece.path] = len(self.pieces)
            self.pieces.append(self._shared.rows[piece.path])
        return index

    def item(self, piece: Piece, keys: Iterable[str],
             shown_for: Sequence[str] | None = None) -> int:
        """Count `piece` under `keys`; the number is the item's, for `data-cm-item`."""
        return self.items_of((piece,), keys, shown_for)[0]

    def items_of(self, pieces: Iterable[Piece], keys: Iterable[str],
                 shown_for: Sequence[str] | None = None) -> range:
        """`item` for each of `pieces`, all under the same keys: their item numbers."""
        start = len(self.items)
        ids = [self._key(key) for key in keys]
        if shown_for is None:
            self.items.extend([self.piece(piece), ids] for piece in pieces)
        else:
            shown = [self._shared.personas[pid] for pid in shown_for]
            self.items.extend([self.piece(piece), ids, shown] for piece in pieces)
        return range(start, len(self.items))

    def _key(self, key: str) -> int:
        index = self._keys.get(key)
        if index is None:
            index = self._keys[key] = len(self._keys)
        return index

    def attribute(self) -> Markup:
        r, links = self._r, self._links
        personas = [[pid, r.persona_name(pid), links.persona(pid),
                     *(r.segments.get(pid, {}).get(facet, "") for facet in PERSONA_FACETS)]
                    for pid in self._shared.personas]
        stages = [[r.stage_label(journey, stage), links.stage(journey, stage),
                   f"{journey}/{stage}"] for journey, stage in self._shared.stages]
        head = _json({
            "facets": list(FACETS),
            "values": [[""] + list(r.options[facet]) for facet in FACETS],
            "segments": list(PERSONA_FACETS),
            "personas": personas,
            "stages": stages,
            "keys": list(self._keys),
            "metrics": list(r.piece_metrics),
            "root": self.root,
        })
        return Markup(_attribute_text(head[:-1]) + ',"pieces":[' + ",".join(self.pieces)
                      + '],"items":' + _json(self.items) + "}")


def _finite(value: float | None) -> float | None:
    """A figure for the page data: whole numbers without `.0`, and no NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


class Renderer(Layout):
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
        project_root: str | os.PathLike[str] | None = None,
    ):
        super().__init__(settings, analysis.journeys, analysis.personas)
        self.analysis = analysis
        self.env = environment(template_dirs, project_root)
        self.use_directory_urls = use_directory_urls
        self.urls: Mapping[str, str] = urls or {}
        self.docs_prefix = docs_prefix.strip("/")
        self.source_base = safe_url(source_base) if source_base else None
        self._index()

    # -- where things live ------------------------------------------------------------

    def url(self, src: str) -> str:
        url = self.urls.get(src)
        if url is None:
            url = page_url(src, self.use_directory_urls)
        return "" if url in (".", "./") else url

    def choices(self, name: str) -> list[tuple[str, str]]:
        """The (value, label) options of the filter form's select `name`."""
        if name == "persona":
            return [(p.id, p.name) for p in self.analysis.personas]
        if name == "stage":
            return [(f"{j.id}/{s.id}", self.stage_label(j.id, s.id))
                    for j in self.analysis.journeys for s in j.stages]
        return [(value, value) for value in self.options[name]]

    def fingerprint(self) -> str:
        """What the HTML depends on besides the analysis and the settings: the templates
        (a theme's overrides included), every page's URL, and where sources live. An
        adapter can keep rendered pages under it, with the analysis's own key."""
        loader = self.env.loader
        assert loader is not None
        templates = [(name, loader.get_source(self.env, name)[0])
                     for name in sorted(self.env.list_templates())]
        return digest(repr(templates), repr(sorted(self.urls.items())),
                      repr(self.use_directory_urls), self.docs_prefix, repr(self.source_base))

    @functools.cached_property
    def data_rows(self) -> DataRows:
        """The rows every page's data shares, made when a page first needs them."""
        return DataRows(self)

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
        self.walks: dict[tuple[str, str], Continuity] = {
            (w.persona, w.journey): w for w in a.continuity}
        by_file = {p.file: p for p in a.pieces}
        self.dead_ends: dict[tuple[str, str], list[Piece]] = defaultdict(list)
        marked: set[tuple[str, str, str]] = set()
        for finding in a.findings:
            if finding.rule != "dead-end" or not finding.persona or not finding.journey:
                continue
            dead = by_file.get(finding.file)
            if dead is not None and (finding.persona, finding.journey, dead.path) not in marked:
                marked.add((finding.persona, finding.journey, dead.path))
                self.dead_ends[(finding.persona, finding.journey)].append(dead)
        self.results: Results | None = results(a) if a.figures else None
        self.piece_metrics = [m for m in METRICS if any(m in f for f in a.figures.values())]
        self.segments = {p.id: {facet: self._segment(p, facet) for facet in PERSONA_FACETS}
                         for p in a.personas}
        self._attention_cache: dict[str, Any] | None = None

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
        for facet, order in PERSONA_FACET_ORDER.items():
            present = {str(getattr(p, facet)) for p in self.analysis.personas
                       if getattr(p, facet)}
            ordered[facet] = [v for v in order if v in present] + sorted(present - set(order))
        return ordered

    @staticmethod
    def _segment(persona: Persona, facet: str) -> str:
        value = getattr(persona, facet)
        return str(value) if value else ""

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

    def stage_name(self, journey_id: str, stage_id: str) -> str:
        stage = self.stages.get((journey_id, stage_id))
        return stage.name if stage else stage_id

    def segment_tokens(self, persona_ids: Iterable[str | None], facet: str) -> str:
        """The values of a persona facet for the personas an item is shown for, as tokens."""
        values = {self.segments[pid][facet] for pid in persona_ids
                  if pid in self.segments and self.segments[pid][facet]}
        return " ".join(sorted(values))

    def piece_figures(self, piece: Piece) -> list[Figure]:
        return figures_of(self.analysis.figures.get(piece.path))

    def cell_figures(self, persona: str, journey: str, stage: str) -> list[Figure]:
        if self.results is None:
            return []
        return figures_of(self.results.cells.get((persona, journey, stage)))

    def persona_figures(self, persona: str) -> list[Figure]:
        return figures_of(self.results.personas.get(persona)) if self.results else []

    def stage_figures(self, journey: str, stage: str) -> list[Figure]:
        return figures_of(self.results.stages.get((journey, stage))) if self.results else []

    def overall_figures(self) -> list[Figure]:
        return figures_of(self.results.overall) if self.results else []

    def walk(self, persona: str, journey: str) -> Continuity | None:
        return self.walks.get((persona, journey))

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
        return self.source_base.rstrip("/") + "/" + quote(file, errors="surrogateescape")

    @functools.cached_property
    def summary(self) -> dict[str, Any]:
        """The report's summary figures, computed once per build, not once per page."""
        return summary(self.analysis)

    def _context(self, base_src: str, links: Links | None = None,
                 **extra: Any) -> dict[str, Any]:
        analysis = self.analysis
        return {
            "r": self,
            "a": analysis,
            "links": links or Links(self, base_src),
            "settings": self.settings,
            "states": STATES,
            "facets": FACETS,
            "persona_facets": PERSONA_FACETS,
            "due_days": DUE_DAYS,
            "compact": COMPACT_METRICS,
            "metrics": METRICS,
            "options": self.options,
            "severity_labels": SEVERITY_LABELS,
            "rules": RULES,
            "summary": self.summary,
            **extra,
        }

    # -- rendering --------------------------------------------------------------------

    def render(self, page: MapPage) -> Rendered:
        """One map page's HTML, with its links relative to the page's own URL."""
        if page.kind == "overview":
            links = Links(self, page.src_uri)
            html = self._render("overview.html", page, links=links, **self._overview(links))
        elif page.kind == "persona":
            persona = self.personas[page.persona or ""]
            links = Links(self, page.src_uri)
            html = self._render("persona.html", page, links=links,
                                **self._persona(persona, links))
        elif page.kind == "stage":
            journey = self.journeys[page.journey or ""]
            stage = self.stages[(journey.id, page.stage or "")]
            links = Links(self, page.src_uri)
            html = self._render("stage.html", page, links=links,
                                **self._stage(journey, stage, links))
        elif page.kind == "gaps":
            html = self._render("gaps.html", page, **self._gaps())
        elif page.kind == "attention":
            links = Links(self, page.src_uri)
            html = self._render("attention.html", page, links=links,
                                attention=self._attention(), **self._attention_page(links))
        else:
            raise ValueError(f"unknown map page kind {page.kind!r}")
        return Rendered(page, self.url(page.src_uri), html, _headings(html))

    def render_all(self) -> list[Rendered]:
        return [self.render(page) for page in self.pages()]

    def _render(self, template: str, page: MapPage, **extra: Any) -> str:
        return self.env.get_template(template).render(
            self._context(page.src_uri, page=page, **extra))

    def badges(self, src_uri: str) -> Badges | None:
        """The badges of the page at `src_uri`, or None when it is not a piece.

        This runs for every piece of the site, so the templates get their links and
        labels ready-made (`personas`, `stages`, `steps`: sequences of pairs or triples)
        rather than calling back into the renderer for each one.
        """
        piece = self.analysis.piece(src_uri)
        if piece is None or not self.settings.badges:
            return None
        links = Links(self, src_uri)
        first = piece.stages[0] if piece.stages else None
        personas = tuple((links.persona(pid, first.journey if first else None,
                                        first.stage if first else None),
                          self.persona_name(pid)) for pid in piece.personas)
        stages = tuple((links.stage(ref.journey, ref.stage),
                        self.stage_label(ref.journey, ref.stage)) for ref in piece.stages)
        context = {"r": self, "a": self.analysis, "links": links, "settings": self.settings,
                   "piece": piece, "personas": personas, "stages": stages}
        if self._own_badges:  # the package's template shows these and nothing else
            key = (personas, stages, piece.status)
            top = self._tops.get(key)
            if top is None:
                top = self._tops[key] = self._badge_templates[0].render(context)
        else:
            top = self._badge_templates[0].render(context)
        if not piece.next:
            return Badges(top, "")
        steps = []
        for path in piece.next:
            target = self.analysis.piece(path)
            where = target.stages[0] if target is not None and target.stages else None
            steps.append((links.piece(path), self.page_title(path),
                          self.stage_label(where.journey, where.stage) if where else None))
        context["steps"] = steps
        return Badges(top, self._badge_templates[1].render(context))

    @functools.cached_property
    def _badge_templates(self) -> tuple[Any, Any]:
        return (self.env.get_template("badges.html"), self.env.get_template("next-steps.html"))

    @functools.cached_property
    def _own_badges(self) -> bool:
        """Whether `badges.html` is the package's own (not a theme's override): its output
        then depends only on the links and labels it is given, and pages that share them
        (same folder depth, personas, stages and status) share one rendering in `_tops`."""
        filename = self._badge_templates[0].filename
        return filename is not None and Path(filename).parent == TEMPLATES

    @functools.cached_property
    def _tops(self) -> dict[Any, str]:
        return {}

    # -- view data --------------------------------------------------------------------

    def _overview(self, links: Links) -> dict[str, Any]:
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
        attention = self._attention()
        data = PageData(self, links)
        pieces = [(piece, data.item(piece, self.cell_keys[piece.path].split()))
                  for piece in self.ordered_pieces]
        return {"matrix": rows, "open_gaps": open_gaps, "display_states": states,
                "walks_broken": sum(not w.continuous for w in self.analysis.continuity),
                "attention": attention, "data": data, "pieces": pieces,
                "listed": len(pieces) <= LIST_CAP, "list_cap": LIST_CAP,
                "stage_links": [(journey, stage) for journey in self.analysis.journeys
                                for stage in journey.stages],
                **self._colouring()}

    def _colouring(self) -> dict[str, Any]:
        """The metric each cell shows, and, with `color_by`, each cell's quantile (0-3)."""
        cells = self.results.cells if self.results else {}
        present = [m for m in METRICS if any(m in f for f in cells.values())]
        colour = self.settings.color_by if self.settings.color_by in present else None
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
        return {"cell_metric": shown, "colour_metric": METRICS[colour] if colour else None,
                "colour_bins": bins, "colour_legend": legend}

    def _cards(self, links: Links, groups: Sequence[tuple[str, Sequence[Piece], Sequence[str]]]
               ) -> tuple[PageData | None, list[list[Card]]]:
        """The cards a persona or stage page lists, `(item, piece, href)`, for each group of
        `(key, pieces, personas shown for)`.

        Up to `LIST_CAP` cards in all: every piece, each card carrying its data (no page
        data: None). Past it, as on Needs attention: each group lists a share (`shares`:
        its first pieces, those that count first), and every piece is an item of the
        page's data under the group's key, so the counts and filters still cover them all.
        """
        if sum(len(pieces) for _, pieces, _ in groups) <= LIST_CAP:
            return None, [[(None, piece, None) for piece in pieces] for _, pieces, _ in groups]
        data = PageData(self, links)
        listed: list[list[Card]] = []
        limits = shares([len(pieces) for _, pieces, _ in groups], LIST_CAP)
        for (key, pieces, shown_for), limit in zip(groups, limits, strict=True):
            if not pieces:
                listed.append([])
                continue
            items = data.items_of(pieces, (key,), shown_for)
            listed.append([(item, piece, data.href(piece))
                           for item, piece in zip(items[:limit], pieces[:limit], strict=True)])
        return data, listed

    def _persona(self, persona: Persona, links: Links) -> dict[str, Any]:
        lanes = []
        for journey in self.analysis.journeys:
            if not persona.follows(journey.id):
                continue
            columns: list[dict[str, Any]] = []
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
        everything = [col for _, columns in lanes for col in columns]
        data, listed = self._cards(links, [(col["key"], col["pieces"], (persona.id,))
                                           for col in everything])
        for col, cards in zip(everything, listed, strict=True):
            col["listed"] = cards
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", persona.narrative or "")
                      if p.strip()]
        flows = {journey.id: self.flow(persona, journey) for journey, _ in lanes}
        return {"persona": persona, "lanes": lanes, "narrative": paragraphs, "flows": flows,
                "findings": self.persona_findings.get(persona.id, []), "data": data}

    def flow(self, persona: Persona, journey: Journey) -> Flow:
        """The persona's journey as a diagram, laid out at build time.

        A piece is a node in the column of its earliest stage in the journey; counting and
        in-progress pieces are drawn, others (ideas, retired pages) are not. Each column
        draws at most `FLOW_CAP` nodes, choosing first the pieces on the walk, the dead
        ends and the pieces with links; the rest are counted. Linear in the persona's
        pieces and their `next` links.
        """
        walk = self.walks.get((persona.id, journey.id))
        on_walk = set(walk.path) if walk else set()
        walk_steps = set(zip(walk.path, walk.path[1:], strict=False)) if walk else set()
        stop = walk.path[-1] if walk and not walk.continuous and walk.path else None
        dead = {p.path for p in self.dead_ends.get((persona.id, journey.id), ())}
        column_of: dict[str, int] = {}
        per_column: list[list[Piece]] = [[] for _ in journey.stages]
        for index, stage in enumerate(journey.stages):
            for piece in self.by_cell.get((persona.id, journey.id, stage.id), ()):
                if piece.path in column_of or self.role(piece) == "other":
                    continue
                column_of[piece.path] = index
                per_column[index].append(piece)
        links: list[tuple[str, str, str]] = []
        linked: set[str] = set()
        backward: list[tuple[Piece, Piece]] = []
        for index, pieces in enumerate(per_column):
            for piece in pieces:
                for target in piece.next:
                    there = column_of.get(target)
                    if there is None or target == piece.path:
                        continue
                    kind = "forward" if there > index else "same" if there == index else "back"
                    links.append((piece.path, target, kind))
                    linked.update((piece.path, target))
                    if kind == "back":
                        target_piece = self.analysis.piece(target)
                        if target_piece is not None:
                            backward.append((piece, target_piece))

        def priority(item: tuple[int, Piece]) -> tuple[int, ...]:
            order, piece = item
            return (piece.path not in on_walk, piece.path != stop, piece.path not in dead,
                    piece.path not in linked, self.role(piece) != "counting", order)

        rows: dict[str, int] = {}
        sources: dict[str, list[str]] = defaultdict(list)
        for source, target, kind in links:
            if kind == "forward":
                sources[target].append(source)
        columns: list[FlowColumn] = []
        nodes: dict[str, FlowNode] = {}
        tallest = 0
        for index, stage in enumerate(journey.stages):
            x = PAD + index * (NODE_W + COL_GAP)
            chosen = [piece for _, piece in sorted(enumerate(per_column[index]), key=priority)
                      [:FLOW_CAP]]
            # Nodes sit near the pieces that link to them (the mean row of their sources
            # in earlier columns), which keeps most edges short and uncrossed.
            placed = []
            for rank, piece in enumerate(chosen):
                seen = [rows[s] for s in sources.get(piece.path, ()) if s in rows]
                placed.append(((0 if seen else 1, sum(seen) / len(seen) if seen else 0.0,
                                rank), piece))
            column_nodes = []
            for row, (_, piece) in enumerate(sorted(placed, key=lambda item: item[0])):
                rows[piece.path] = row
                node = FlowNode(
                    piece, stage, x, PAD + HEAD + row * (NODE_H + ROW_GAP),
                    self.role(piece), _wrap(piece.title), dead_end=piece.path in dead,
                    stop=piece.path == stop, on_walk=piece.path in on_walk)
                nodes[piece.path] = node
                column_nodes.append(node)
            more = len(per_column[index]) - len(column_nodes)
            tallest = max(tallest, len(column_nodes) + (1 if more else 0))
            cell = self.cells.get((persona.id, journey.id, stage.id))
            columns.append(FlowColumn(stage, x, tuple(column_nodes), more,
                                      cell is not None and cell.state == "skipped"))
        edges: list[FlowEdge] = []
        drawable = [(s, t, k) for s, t, k in links if s in nodes and t in nodes]
        for source, target, kind in drawable[:FLOW_EDGE_CAP]:
            edges.append(_edge(nodes[source], nodes[target], kind,
                               (source, target) in walk_steps))
        width = PAD * 2 + len(journey.stages) * NODE_W + (len(journey.stages) - 1) * COL_GAP
        height = PAD * 2 + HEAD + max(tallest, 1) * (NODE_H + ROW_GAP) + 24
        end = nodes.get(stop) if stop else None
        break_at = (end.x + NODE_W, end.y + NODE_H // 2) \
            if end is not None and column_of[end.piece.path] < len(journey.stages) - 1 else None
        return Flow(persona, journey, tuple(columns), tuple(edges), width, height, walk,
                    tuple(self.dead_ends.get((persona.id, journey.id), ())), tuple(backward),
                    edges_left_out=max(0, len(drawable) - FLOW_EDGE_CAP), break_at=break_at)

    def _stage(self, journey: Journey, stage: Stage, links: Links) -> dict[str, Any]:
        """A stage's pieces by persona; `cards` holds what each group lists, by its key
        (`UNASSIGNED` for the pieces that name no persona)."""
        groups = self.by_stage.get((journey.id, stage.id), {})
        personas = [p for p in self.analysis.personas if p.follows(journey.id)]
        ordered = [(p, groups.get(p.id, []), self.cells.get((p.id, journey.id, stage.id)))
                   for p in personas]
        unassigned = groups.get(None, [])
        keys = [f"{p.id}/{journey.id}/{stage.id}" for p in personas]
        data, listed = self._cards(
            links, [(key, pieces, (p.id,))
                    for key, (p, pieces, _) in zip(keys, ordered, strict=True)]
            + [(UNASSIGNED, unassigned, ())])
        keys.append(UNASSIGNED)
        position = journey.stages.index(stage)
        previous = journey.stages[position - 1] if position > 0 else None
        following = journey.stages[position + 1] if position + 1 < len(journey.stages) else None
        total = len({p.path for pieces in groups.values() for p in pieces})
        return {"journey": journey, "stage": stage, "groups": ordered, "unassigned": unassigned,
                "position": position, "previous": previous, "following": following,
                "total": total, "data": data, "cards": dict(zip(keys, listed, strict=True)),
                "unassigned_key": UNASSIGNED}

    def _attention(self) -> dict[str, Any]:
        """What needs doing: reviews by owner, work that would close gaps, who holds what."""
        if self._attention_cache is not None:
            return self._attention_cache
        today = self.analysis.today
        horizon = today + dt.timedelta(days=DUE_DAYS)
        owners = sorted({str(p.owner) for p in self.analysis.pieces if p.owner},
                        key=lambda o: (o.lower(), o))
        keys = {owner: f"o{n}" for n, owner in enumerate(owners)}
        keys[""] = f"o{len(owners)}"
        order = {owner: n for n, owner in enumerate(owners + [""])}
        reviews: dict[str, list[dict[str, Any]]] = defaultdict(list)
        holds: dict[str, list[Piece]] = defaultdict(list)
        flags: dict[str, str] = {}
        for piece in self.ordered_pieces:
            owner = str(piece.owner) if piece.owner else ""
            holds[owner].append(piece)
            if piece.review_by is None or piece.review_by > horizon:
                continue
            stale = piece.review_by < today
            flags[piece.path] = "stale" if stale else "due"
            reviews[owner].append({"piece": piece, "kind": flags[piece.path],
                                   "days": abs((piece.review_by - today).days)})
        counts: dict[str, dict[str, int]] = {}
        for owner, pieces in holds.items():
            tally: dict[str, int] = defaultdict(int)
            for piece in pieces:
                tally[piece.status] += 1
                if piece.path in flags:
                    tally[":" + flags[piece.path]] += 1
            counts[owner] = dict(tally)
        for items in reviews.values():
            items.sort(key=lambda item: (item["piece"].review_by, item["piece"].title.lower()))
        statuses = list(self.options["status"])
        status_keys = {status: f"s{n}" for n, status in enumerate(statuses)}
        work = []
        idle = []
        for cell in self.analysis.cells:
            if cell.state not in ("gap", "waived"):
                continue
            pieces = [p for p in (self.analysis.piece(path) for path in cell.in_progress)
                      if p is not None]
            if pieces:
                work.append((cell, pieces))
            elif cell.state == "gap":
                idle.append(cell)
        self._attention_cache = {
            "reviews": sorted(reviews.items(), key=lambda item: order[item[0]]),
            "holds": sorted(holds.items(), key=lambda item: order[item[0]]),
            "owner_keys": keys, "flags": flags, "statuses": statuses, "counts": counts,
            "status_keys": status_keys, "work": work, "idle": idle, "horizon": horizon,
            "stale": sum(kind == "stale" for kind in flags.values()),
            "due": sum(kind == "due" for kind in flags.values()),
            "work_pieces": len({p.path for _, pieces in work for p in pieces}),
        }
        return self._attention_cache

    def _attention_page(self, links: Links) -> dict[str, Any]:
        """Needs attention's lists, each group a share of `LIST_CAP`, over its page data.

        Every review, work and holding is an item of the data, so the counts and filters
        cover all of them; the lists hold `(item, ...)` only for the ones the page shows.
        """
        at = self._attention()
        data = PageData(self, links)
        owner_keys = at["owner_keys"]
        reviews = []
        limits = shares([len(entries) for _, entries in at["reviews"]])
        for (owner, entries), limit in zip(at["reviews"], limits, strict=True):
            ok = owner_keys[owner]
            listed = [(data.item(e["piece"], ("r", f"r-{e['kind']}", f"r:{ok}")), e)
                      for e in entries]
            reviews.append((owner, len(entries), listed[:limit]))
        work = []
        limits = shares([len(pieces) for _, pieces in at["work"]])
        for (cell, pieces), limit in zip(at["work"], limits, strict=True):
            key = f"{cell.persona}/{cell.journey}/{cell.stage}"
            listed = [(data.item(p, ("w", f"w:{key}"), [cell.persona]), p) for p in pieces]
            work.append((cell, key, len(pieces), listed[:limit]))
        holds = []
        limits = shares([len(pieces) for _, pieces in at["holds"]])
        for (owner, pieces), limit in zip(at["holds"], limits, strict=True):
            ok = owner_keys[owner]
            listed = []
            for piece in pieces:
                keys = [f"h:{ok}", f"h:{ok}:{at['status_keys'][piece.status]}"]
                flag = at["flags"].get(piece.path)
                if flag:
                    keys.append(f"h:{ok}:{flag}")
                listed.append((data.item(piece, keys), piece))
            holds.append((owner, len(pieces), listed[:limit]))
        return {"data": data, "review_lists": reviews, "work_lists": work,
                "hold_lists": holds}

    def _gaps(self) -> dict[str, Any]:
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.analysis.findings:
            by_rule[finding.rule].append(finding)

        def order(item: tuple[str, list[Finding]]) -> tuple[int, int, str]:
            rule, findings = item
            worst = max(severity_rank(f.severity or "error") for f in findings)
            catalogue = list(RULES).index(rule) if rule in RULES else len(RULES)
            return (-worst, catalogue, rule)

        groups = sorted(by_rule.items(), key=order)
        limits = shares([len(findings) for _, findings in groups])
        return {"groups": groups,
                "listed": {rule: limit for (rule, _), limit in zip(groups, limits, strict=True)}}


def _edge(source: FlowNode, target: FlowNode, kind: str, on_walk: bool) -> FlowEdge:
    """An edge's SVG path: forward edges run right to left sides, edges within a stage loop
    out to the right, backward edges arc below the row so they never hide a forward one."""
    ys, yt = source.y + NODE_H // 2, target.y + NODE_H // 2
    if kind == "forward":
        x1, x2 = source.x + NODE_W, target.x - 3
        bend = max(18, (x2 - x1) // 2)
        return FlowEdge(source, target, kind, on_walk,
                        f"M{x1} {ys} C{x1 + bend} {ys} {x2 - bend} {yt} {x2} {yt}")
    if kind == "same":
        x = source.x + NODE_W
        return FlowEdge(source, target, kind, on_walk,
                        f"M{x} {ys} C{x + 26} {ys} {x + 29} {yt} {x + 3} {yt}")
    x1, x2 = source.x, target.x + NODE_W + 3
    dip = NODE_H // 2 + ROW_GAP // 2
    return FlowEdge(source, target, kind, on_walk,
                    f"M{x1} {ys} C{x1 - 30} {ys + dip} {x2 + 30} {yt + dip} {x2} {yt}",
                    label_x=(x1 + x2) // 2, label_y=(ys + yt) // 2 + dip - 2)


def render_pages(analysis: Analysis, settings: Settings, *,
                 use_directory_urls: bool = True,
                 template_dirs: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """(URL path, title, HTML) of every map page, for callers that need nothing else."""
    renderer = Renderer(analysis, settings, template_dirs=template_dirs,
                        use_directory_urls=use_directory_urls)
    return [(r.url, r.title, r.html) for r in renderer.render_all()]
