"""The content map as HTML: each page's view (`composer`) written out by its template.

Plain Python and Jinja, nothing of MkDocs: the plugin hands over the URL of every page,
and an engine that runs no plugins can use the same renderer. Every value from YAML
reaches the HTML through Jinja's autoescape, or as page data through `data_attribute`;
the only hrefs are the site's own URLs and the http(s), mailto and relative addresses
`safe_url` lets through.

The work is linear in pieces plus cells: what the pages look up is indexed once, when
the renderer is made (`Index`), and a page's badges are one dictionary lookup away.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
)
from jinja2.bccache import Bucket

from .. import writer
from ..cache import digest
from ..metrics import METRICS
from ..model import Analysis
from ..reader import open_regular
from ..settings import Settings
from ..vocabulary import FACET_LABELS, SEVERITY_LABELS, STATES, plain_name
from .attention import DUE_DAYS
from .builtpages import unlinked
from .composer import Composer
from .figures import COMPACT_METRICS
from .index import FACETS, PERSONA_FACETS, Index
from .layout import Layout, MapPage
from .links import Addresses
from .output import Badges, Rendered, headings
from .urls import linkify, safe_url

if TYPE_CHECKING:
    from .trend import Trend

__all__ = ["TABLES", "TEMPLATES", "CompiledTemplates", "Renderer", "environment",
           "render_pages"]

TEMPLATES = Path(__file__).parent / "templates"

TABLES: Mapping[str, Any] = {
    "states": STATES,
    "severity_labels": SEVERITY_LABELS,
    "facets": FACETS,
    "persona_facets": PERSONA_FACETS,
    "facet_labels": FACET_LABELS,
    "metrics": METRICS,
    "compact": COMPACT_METRICS,
    "due_days": DUE_DAYS,
}
"""The constant tables every template gets besides its `view` and `links`."""

_TEMPLATE = {"overview": "overview.html", "persona": "persona.html", "stage": "stage.html",
             "gaps": "gaps.html", "problems": "problems.html", "attention": "attention.html",
             "plan": "plan.html"}


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
    env.filters["plain"] = plain_name
    return env


class Renderer:
    """Renders the map of one analysis: each page's view (`Composer`) through its template,
    with links relative to the page. Make one per build; it indexes the analysis once."""

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
        unbuilt: frozenset[str] = frozenset(),
        translations: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
        trend: Trend | None = None,
    ):
        self.analysis = analysis
        self.settings = settings
        self.layout = Layout(settings, analysis.journeys, analysis.personas)
        self.index = Index(analysis)
        self.addresses = Addresses(self.layout, self.index, urls,
                                   use_directory_urls=use_directory_urls,
                                   docs_prefix=docs_prefix, source_base=source_base,
                                   unbuilt=unbuilt, translations=translations)
        self.composer = Composer(analysis, settings, self.index, self.addresses)
        self.env = environment(template_dirs, project_root)
        self.env.globals.update(trend=trend, spreadsheets=settings.export)  # see _trend.html
        self._tops: dict[Any, str] = {}

    def pages(self) -> list[MapPage]:
        return self.layout.pages()

    def fingerprint(self) -> str:
        """What the HTML depends on besides the analysis and the settings: the templates
        (a theme's overrides included), every page's URL, and where sources live. An
        adapter can keep rendered pages under it, with the analysis's own key."""
        loader = self.env.loader
        assert loader is not None
        templates = [(name, loader.get_source(self.env, name)[0])
                     for name in sorted(self.env.list_templates())]
        at = self.addresses
        return digest(repr(templates), repr(sorted(at.urls.items())),
                      repr(at.use_directory_urls), at.docs_prefix, repr(at.source_base),
                      repr(sorted(at.unbuilt)), repr(sorted(at.translations.items())))

    def render(self, page: MapPage) -> Rendered:
        """One map page's HTML, with its links relative to the page's own URL."""
        links = self.addresses.links(page.src_uri)
        view = self.composer.view(page, links)
        html = unlinked(self.env.get_template(_TEMPLATE[page.kind]).render(
            view=view, links=links, **TABLES))
        return Rendered(page, self.addresses.url(page.src_uri), html, headings(html))

    def render_all(self) -> list[Rendered]:
        return [self.render(page) for page in self.pages()]

    def badges(self, src_uri: str) -> Badges | None:
        """The badges of the page at `src_uri`, or None when it is not a piece."""
        piece = self.analysis.piece(src_uri)
        if piece is None or not self.settings.badges:
            return None
        links = self.addresses.links(src_uri)
        view = self.composer.badges(piece, links)
        context = {"view": view, "links": links, **TABLES}
        top_template, steps_template = self._badge_templates
        if self._own_badges:  # the package's template shows these and nothing else
            key = (view.personas, view.stages, piece.status)
            top = self._tops.get(key)
            if top is None:
                top = self._tops[key] = top_template.render(context)
        else:
            top = top_template.render(context)
        return Badges(unlinked(top), unlinked(steps_template.render(context))
                      if view.steps else "")

    @functools.cached_property
    def _badge_templates(self) -> tuple[Template, Template]:
        return (self.env.get_template("badges.html"), self.env.get_template("next-steps.html"))

    @functools.cached_property
    def _own_badges(self) -> bool:
        """Whether `badges.html` is the package's own (not a theme's override): its output
        then depends only on the links and labels it is given, and pages that share them
        (same folder depth, personas, stages and status) share one rendering in `_tops`."""
        filename = self._badge_templates[0].filename
        return filename is not None and Path(filename).parent == TEMPLATES


def render_pages(analysis: Analysis, settings: Settings, *,
                 use_directory_urls: bool = True,
                 template_dirs: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """(URL path, title, HTML) of every map page, for callers that need nothing else."""
    renderer = Renderer(analysis, settings, template_dirs=template_dirs,
                        use_directory_urls=use_directory_urls)
    return [(r.url, r.title, r.html) for r in renderer.render_all()]
