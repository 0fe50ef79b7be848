"""The MkDocs adapter: runs the engine during the build, reports through MkDocs, and
publishes the map.

The map's pages are generated files (as Material's tags plugin does it): each holds a
placeholder, and `on_page_content` swaps in the HTML the core renderer makes, so
the pages go through the theme, the navigation and the search index like any other.

MkDocs builds on one core, and needs the map and the badges only after it has read
every page. On a large site, the analysis and the rendering (`publication.publish`)
run meanwhile in a forked child, on another core: its findings are reported, and a
build that fails on them stops, once every page has been read, before any is written.
A smaller site, `serve`, or a system without `fork` has them made first, in-process.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from markupsafe import escape
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.toc import get_toc

from .background import Background
from .cache import CACHE_DIR
from .config import ContentMapConfig
from .engine import Project, Registry, load_registry
from .load.pages import PageReader, utf8_name
from .load.safe_yaml import plain
from .model import STATUSES, Finding, at_or_above
from .settings import Settings
from .site.layout import Layout, MapPage
from .site.publication import Publication, publish
from .site.render import ASSET_FILES, ASSETS, Badges, toc_tokens
from .terminal import visible

__all__ = ["ContentMapPlugin"]

log = get_plugin_logger("content-map")

_LOG_AT = {"error": log.error, "warn": log.warning, "info": log.info}


BACKGROUND_FROM = 1000
"""Pages from which the publication is made on another core: below, forking costs
about what it saves."""


def finding_line(finding: Finding) -> str:
    """A finding as one log line: names and values written out visibly (a log is a
    terminal, or a CI runner that reads `::` lines as commands)."""
    return visible(f"{finding.location}: {finding.rule}: {finding.message}", starts_line=True)


class ContentMapPlugin(BasePlugin[ContentMapConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.settings = Settings()
        self.project: Project | None = None
        self.registry: Registry | None = None
        self.layout: Layout | None = None
        self.pages: list[str] = []  # the site's own Markdown pages, docs-relative
        self.reader: PageReader | None = None
        self.work: Background[Publication] | None = None
        self.map_pages: dict[str, MapPage] = {}
        self.front_matter: dict[str, dict[str, Any]] = {}
        self.full_content: dict[str, str] = {}  # map pages, while search plugins index them

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        self.settings = self.config.settings()
        self.project = Project(
            root=Path(config.config_file_path).parent,
            docs_dir=Path(config.docs_dir),
            settings=self.settings,
            config_file=Path(config.config_file_path).name,
            cache_dir=Path(config.config_file_path).parent / CACHE_DIR
            if self.config.cache else None,
        )
        self._register_assets(config)
        return config

    def _register_assets(self, config: Any) -> None:
        """The map's CSS and JS on every page: the badges need the CSS too."""
        css = f"{self.settings.map_path}/assets/content-map.css"
        js = f"{self.settings.map_path}/assets/content-map.js"
        if css not in config.extra_css:
            config.extra_css.append(css)
        if all(str(script) != js for script in config.extra_javascript):
            script = ExtraScriptValue(js)
            script.defer = True
            config.extra_javascript.append(script)

    def on_files(self, files: Any, *, config: Any) -> Any:
        if self.project is None:
            return files
        self.pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        for file in [f for f in files if not utf8_name(f.src_uri)]:
            files.remove(file)  # MkDocs cannot build it; the analysis says to rename it
        self.reader = PageReader(self.project.docs_dir, self.project.root)
        self.registry = load_registry(self.project)
        self.layout = Layout(self.settings, self.registry.journeys, self.registry.personas)
        return self._add_map(files, config, self.layout)

    def _add_map(self, files: Files, config: Any, layout: Layout) -> Files:
        """Generated files for the map pages, its assets and `content-map.json` (its
        content comes with the publication).

        With an explicit `nav` the site places the overview itself; without one only the
        overview joins the navigation (SPEC §8): every nav entry is rendered into every
        page, so one entry per persona and stage would cost personas × pages.
        """
        self.map_pages = {}
        for page in layout.pages():
            in_nav = config.nav is None and page.kind == "overview"
            self._put(files, File.generated(
                config, page.src_uri, content=_PLACEHOLDER,
                inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV))
            self.map_pages[page.src_uri] = page
        for name in ASSET_FILES:
            self._put(files, File.generated(config, layout.asset_src(name),
                                            abs_src_path=str(ASSETS / name)))
        if self.settings.export:
            self._put(files, File.generated(config, layout.export_src, content="{}"))
        return files

    @staticmethod
    def _put(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            log.warning(f"{existing.src_uri} is replaced by the generated content map; "
                        "move it, or set another `map_path`")
            files.remove(existing)
        files.append(file)

    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        if self.project is None or self.layout is None or self.registry is None:
            return nav
        overview = files.get_file_from_path(self.layout.overview_src)
        if config.nav is None and overview is not None and overview.page is not None:
            _hoist(nav, overview.page)
        # The files are final: every page's URL is known, and the publication can start.
        docs_prefix = Path(os.path.relpath(self.project.docs_dir, self.project.root)).as_posix()
        work = functools.partial(
            publish, self.project, self.pages, self.registry,
            {f.src_uri: f.url for f in files.documentation_pages()},
            template_dirs=[os.path.join(d, "content-map") for d in config.theme.dirs],
            use_directory_urls=config.use_directory_urls,
            docs_prefix="" if docs_prefix == "." else docs_prefix,
            source_base=_source_base(config, docs_prefix))
        # Never forked for `serve`: it runs threads, and forking them is not safe.
        self.work = Background(work, fork=not self.serving
                               and len(self.pages) >= BACKGROUND_FROM)
        if not self.work.forked:
            self._report(self.work.get())  # before any page is read
        return nav

    def _publication(self) -> Publication:
        assert self.work is not None
        return self.work.get()

    def _map_markdown(self, markdown: str, page: Any) -> str:
        map_page = self.map_pages.get(page.file.src_uri)
        if map_page is not None:
            # Themes print titles unescaped; a persona's name is data, not markup.
            page.meta["title"] = str(escape(map_page.title))
            if map_page.kind in ("overview", "persona"):
                page.meta.setdefault("hide", ["toc"])  # Material: room for the matrix and lanes
        elif self.settings.field_name("status") == "status" and \
                page.meta.get("status") in STATUSES:
            # Material reads `status` as its own page status (`new`, `deprecated`) and
            # would put an icon with an empty tooltip beside every piece in the nav.
            del page.meta["status"]
        return markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        if self.work is None or page.file.src_uri not in self.map_pages:
            return html
        made = self._publication().pages[page.file.src_uri]
        page.toc = get_toc(toc_tokens(made.headings))  # type: ignore[arg-type]
        return made.html

    # Search plugins index a page in `on_page_context` (priority 0), from `page.content`;
    # the theme renders it after every handler has run. Around them, a map page is shown
    # to the index without its long lists (see `render.searchable`), and a piece's badges
    # join the page only after indexing: they are navigation, not text to search, and an
    # HTML parser reading a dozen more tags on every page of a big site is a real cost.

    @event_priority(50)  # before search plugins index the page
    def _before_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if page.file.src_uri in self.map_pages and page.content is not None:
            self.full_content[page.file.src_uri] = page.content
            page.content = self._publication().pages[page.file.src_uri].searchable
        return context

    @event_priority(-50)  # after them
    def _after_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        src = page.file.src_uri
        full = self.full_content.pop(src, None)
        if full is not None:
            page.content = full
        elif self.work is not None and page.content is not None:
            badges = self._publication().badges.get(src)
            if badges is not None:
                page.content = Badges(*badges).apply(page.content)
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _report(self, publication: Publication) -> None:
        fail_on = self.settings.fail_on
        stop = not self.serving or self.settings.serve_fail
        failing = at_or_above(publication.findings, fail_on) if stop else []
        failing_set = set(failing)
        for finding in publication.findings:
            if finding in failing_set:
                continue
            _LOG_AT.get(finding.severity or "error", log.error)(finding_line(finding))
        if failing:
            noun = "problem" if len(failing) == 1 else "problems"
            raise PluginError(
                f"content-map found {len(failing)} {noun} at or above `{fail_on}`:\n"
                + "\n".join(f"  {finding_line(f)}" for f in failing)
                + "\n(run `content-map check` for details; `fail_on` sets what aborts the build)"
            )

    def on_page_read_source(self, *, page: Any, config: Any) -> str | None:
        """Give MkDocs each page's source ourselves, so its front-matter is parsed as this
        tool parses it, and faster than MkDocs would.

        A page with a block gets its body only, and `on_page_markdown` sets `page.meta`
        from the block; a broken block is kept away from MkDocs's own parser, which would
        render it as text or, nested deep enough, crash (the analysis reports it).
        """
        if self.reader is None or page.file.generated_by:
            return None
        read = self.reader.read(page.file.src_uri)
        if read.broken is not None:
            return read.body if read.state == "ok" else ""
        if read.state != "ok":
            return read.body  # no block: the text as it is
        self.front_matter[page.file.src_uri] = plain(read.front_matter) or {}
        return "\n" + read.body  # a blank first line: MkDocs finds no block to parse again

    @event_priority(100)  # before other plugins read `page.meta`
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        meta = self.front_matter.pop(page.file.src_uri, None)
        if meta is not None:
            page.meta = meta
        return self._map_markdown(markdown, page)

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Every page has been read: report what the publication found (a failing build
        stops here, before any page is written), and write the export."""
        if self.work is None:
            return env
        publication = self._publication()
        if self.work.forked:
            self._report(publication)
        export = files.get_file_from_path(self.layout.export_src) if self.layout else None
        if export is not None and publication.export is not None:
            export.content_string = publication.export
        return env

    def on_build_error(self, *, error: Exception) -> None:
        if self.work is not None:
            self.work.close()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if self.project is not None:
            for name in (self.settings.personas_dir, self.settings.journeys_dir,
                         self.settings.metrics_file):
                path = self.project.path(name) if name else None
                if path is not None and path.exists():
                    server.watch(str(path))
        return server


_PLACEHOLDER = "<!-- content-map: this page is generated by the content-map plugin -->\n"


def _hoist(nav: Navigation, page: Any) -> None:
    """Lift the overview out of the folder sections the automatic nav wraps it in."""
    node = page
    while node.parent is not None and len(node.parent.children) == 1:
        node = node.parent
    if node is page:
        return
    siblings = node.parent.children if node.parent is not None else nav.items
    siblings[siblings.index(node)] = page
    page.parent = node.parent


def _source_base(config: Any, docs_prefix: str) -> str | None:
    """The repository URL of the folder of mkdocs.yml, from `repo_url` and `edit_uri`.

    `edit_uri` points at the docs folder; when it ends with the docs folder's path, the
    rest is the repository root, where personas/ and journeys/ live.
    """
    repo, edit = config.repo_url, config.edit_uri
    if not repo or not edit or docs_prefix in ("", "."):
        return None
    edit = edit.strip("/")
    if edit != docs_prefix and not edit.endswith("/" + docs_prefix):
        return None
    return urljoin(repo.rstrip("/") + "/", edit[: -len(docs_prefix)])
