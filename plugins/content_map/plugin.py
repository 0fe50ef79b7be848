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

What happens to a page is decided in the core (`publication.MapPages`); the hooks here
only pass MkDocs's objects through.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

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
from .settings import Settings, for_build
from .site.layout import ASSET_FILES, ASSETS, Layout, hoist
from .site.output import toc_tokens
from .site.publication import PLACEHOLDER, MapPages, Publication, publish
from .watch import watch

__all__ = ["ContentMapPlugin"]

log = get_plugin_logger("content-map")

_LOG_AT = {"error": log.error, "warn": log.warning, "info": log.info}


BACKGROUND_FROM = 1000
"""Pages from which the publication is made on another core: below, forking costs
about what it saves."""


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
        self.map = MapPages()  # none until the site's files are known
        self.front_matter: dict[str, dict[str, Any]] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        self.settings = for_build(self.config.settings(), self.serving, os.environ)
        file = Path(config.config_file_path)
        self.project = Project(root=file.parent, docs_dir=Path(config.docs_dir),
                               settings=self.settings, config_file=file.name,
                               cache_dir=file.parent / CACHE_DIR if self.config.cache else None)
        self._register_assets(config)
        return config

    def _register_assets(self, config: Any) -> None:
        """The map's CSS and JS on every page: the badges need the CSS too."""
        css, js = (Layout(self.settings, (), ()).asset_src(name) for name in ASSET_FILES)
        if css not in config.extra_css:
            config.extra_css.append(css)
        if all(str(script) != js for script in config.extra_javascript):
            script = ExtraScriptValue(js)
            script.defer = True
            config.extra_javascript.append(script)

    def _read_files(self, files: Any, *, config: Any) -> Any:
        if self.project is None:
            return files
        self.pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        for file in [f for f in files if not utf8_name(f.src_uri)]:
            files.remove(file)  # MkDocs cannot build it; the analysis says to rename it
        self.reader = PageReader(self.project.docs_dir, self.project.root)
        self.registry = load_registry(self.project)
        self.layout = Layout(self.settings, self.registry.journeys, self.registry.personas)
        self.map = MapPages(self.layout, self.settings.field_name("status"), self.settings.search)
        return files

    # After mkdocs-static-i18n (-100) picks a language's files (it takes no generated ones);
    @event_priority(-110)  # other languages than the default link to the default's map
    def _add_files(self, files: Any, *, config: Any) -> Any:
        own = getattr(config.plugins.get("i18n"), "is_default_language_build", True)
        return self._add_map(files, config, self.layout, own) if self.layout else files

    on_files = CombinedEvent(_read_files, _add_files)

    def _add_map(self, files: Files, config: Any, layout: Layout, own: bool) -> Files:
        """Generated files for the map pages, its assets and data (their content comes with
        the publication). Without a `nav` only the overview joins the navigation (SPEC §8):
        each nav entry is rendered into every page. In another language's build (not `own`)
        the pages are linked to, not built: links lead to the default language's map."""
        for page in self.map.pages.values():
            in_nav = config.nav is None and page.kind == "overview"
            self._put(files, File.generated(
                config, page.src_uri, content=PLACEHOLDER, inclusion=InclusionLevel.EXCLUDED
                if not own else InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV))
        if not own:
            return files
        for name in ASSET_FILES:
            self._put(files, File.generated(config, layout.asset_src(name),
                                            abs_src_path=str(ASSETS / name)))
        for src in layout.data_srcs():  # content-map.json and the spreadsheets
            self._put(files, File.generated(config, src, content=""))
        return files

    @staticmethod
    def _put(files: Files, file: File) -> None:
        file.alternates = {}  # type: ignore[attr-defined]  # i18n's sitemap: in no other language
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            log.warning(f"{existing.src_uri} is replaced by the generated content map; "
                        "move it, or set another `map_path`")
            files.remove(existing)
        files.append(file)

    @event_priority(-90)  # once Material's blog (-50) gave its posts their inclusion
    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        if self.project is None or self.layout is None or self.registry is None:
            return nav
        overview = files.get_file_from_path(self.layout.overview_src)
        if config.nav is None and overview is not None and overview.page is not None:
            hoist(nav.items, overview.page)
        self.map.listed = frozenset(page.file.src_uri for page in nav.pages)
        # The files are final: every page's URL is known, and the publication can start.
        work = functools.partial(
            publish, self.project, self.pages, self.registry,
            {f.src_uri: f.url for f in files.documentation_pages()},
            template_dirs=[os.path.join(d, "content-map") for d in config.theme.dirs],
            use_directory_urls=config.use_directory_urls, repo_url=config.repo_url,
            edit_uri=config.edit_uri)
        # Never forked for `serve`: it runs threads, and forking them is not safe.
        self.work = Background(work, fork=not self.serving
                               and len(self.pages) >= BACKGROUND_FROM)
        self.map.publication = self.work.get
        if not self.work.forked:
            self._report(self.work.get())  # before any page is read
        return nav

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        made = self.map.html(page.file.src_uri) if self.work is not None else None
        if made is None:
            return html
        page.toc = get_toc(toc_tokens(made.headings))  # type: ignore[arg-type]
        return made.html

    # Search plugins index a page in `on_page_context` (priority 0), from `page.content`;
    # the theme renders it after every handler has run. Around them, a map page is shown
    # to the index without its long lists (see `output.searchable`), and a piece's badges
    # join the page only after indexing: they are navigation, not text to search, and an
    # HTML parser reading a dozen more tags on every page of a big site is a real cost.

    @event_priority(50)  # before search plugins index the page
    def _before_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if page.content is not None:
            page.content = self.map.for_search(page.file.src_uri, page.content)
        return context

    @event_priority(-50)  # after them
    def _after_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if page.content is not None:
            page.content = self.map.after_search(page.file.src_uri, page.content)
        index = getattr(config.plugins.get("search"), "search_index", None)
        self.map.unindex(page.file.src_uri, page.url, getattr(index, "_entries", None))
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _report(self, publication: Publication) -> None:
        """Log each finding, or stop the build on those at or above `fail_on`."""
        logged, failed = publication.report(self.settings.fail_on,
                                            not self.serving or self.settings.serve_fail)
        for severity, line in logged:
            _LOG_AT.get(severity, log.error)(line)
        if failed:
            raise PluginError(failed)

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
        self.map.meta(page.file.src_uri, page.meta)
        return markdown

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Every page has been read: report what the publication found (a failing build
        stops here, before any page is written), and write the data files."""
        if self.work is None:
            return env
        publication = self.work.get()
        if self.work.forked:
            self._report(publication)
        for src, text in publication.data.items():  # content-map.json and the spreadsheets
            if (made := files.get_file_from_path(src)) is not None:
                made.content_string = text
        return env

    def on_build_error(self, *, error: Exception) -> None:
        if self.work is not None:
            self.work.close()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        watch(server, self.project.watched() if self.project is not None else ())
        return server
