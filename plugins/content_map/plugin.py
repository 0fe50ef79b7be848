"""The MkDocs adapter: runs the engine during the build, reports through MkDocs, and
publishes the map.

The map's pages are generated files (as Material's tags plugin does it): each holds a
placeholder, and `on_page_content` swaps in the HTML the core renderer makes, so
the pages go through the theme, the navigation and the search index like any other.
"""

from __future__ import annotations

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

from .cache import CACHE_DIR, Kept
from .config import ContentMapConfig
from .engine import Project, Result, analyse
from .header import split_header
from .model import STATUSES, Finding
from .render import ASSET_FILES, ASSETS, MapPage, Renderer, searchable, toc_tokens
from .report import dumps, to_json
from .settings import Settings

__all__ = ["ContentMapPlugin"]

log = get_plugin_logger("content-map")

_LOG_AT = {"error": log.error, "warn": log.warning, "info": log.info}


def finding_line(finding: Finding) -> str:
    return f"{finding.location}: {finding.rule}: {finding.message}"


class ContentMapPlugin(BasePlugin[ContentMapConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.settings = Settings()
        self.project: Project | None = None
        self.result: Result | None = None
        self.renderer: Renderer | None = None
        self.map_pages: dict[str, MapPage] = {}
        self.front_matter: dict[str, dict[str, Any]] = {}
        self.full_content: dict[str, str] = {}  # map pages, while search plugins index them
        self.rendered = Kept(None, "rendered", None)  # map pages and badges

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
        pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        # Worker processes only for a one-off build: `serve` runs threads, and forking
        # a process with threads is not safe.
        self.result = analyse(self.project, pages, parallel=not self.serving,
                              keep_front_matter=True)
        self._report(self.result)
        return self._add_map(files, config)

    def _add_map(self, files: Files, config: Any) -> Files:
        """Generated files for the map pages, its assets and `content-map.json`.

        With an explicit `nav` the site places the overview itself; without one only the
        overview joins the navigation (SPEC §8): every nav entry is rendered into every
        page, so one entry per persona and stage would cost personas × pages.
        """
        assert self.project is not None and self.result is not None
        docs_prefix = Path(os.path.relpath(self.project.docs_dir, self.project.root)).as_posix()
        self.renderer = renderer = Renderer(
            self.result.analysis, self.settings,
            template_dirs=[os.path.join(d, "content-map") for d in config.theme.dirs],
            use_directory_urls=config.use_directory_urls,
            docs_prefix="" if docs_prefix == "." else docs_prefix,
            source_base=_source_base(config, docs_prefix),
            cache_dir=self.project.cache_dir / "templates" if self.project.cache_dir else None,
        )
        self.map_pages = {}
        for page in renderer.pages():
            in_nav = config.nav is None and page.kind == "overview"
            self._put(files, File.generated(
                config, page.src_uri, content=_PLACEHOLDER,
                inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV))
            self.map_pages[page.src_uri] = page
        for name in ASSET_FILES:
            self._put(files, File.generated(config, renderer.asset_src(name),
                                            abs_src_path=str(ASSETS / name)))
        if self.settings.export:
            document = dumps(to_json(self.result.analysis, model=True), compact=True)
            self._put(files, File.generated(config, renderer.export_src, content=document))
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
        if self.renderer is None:
            return nav
        self.renderer.set_urls({f.src_uri: f.url for f in files.documentation_pages()})
        assert self.project is not None and self.result is not None
        key = None
        if self.project.cache_dir is not None and self.result.key is not None:
            key = f"{self.result.key}:{self.renderer.fingerprint()}"
        # Kept from the last build while the analysis, the templates and the URLs are the
        # same (a page's text may have changed): such a build renders nothing again.
        self.rendered = Kept(self.project.cache_dir, "rendered", key)
        overview = files.get_file_from_path(self.renderer.overview_src)
        if config.nav is None and overview is not None and overview.page is not None:
            _hoist(nav, overview.page)
        return nav

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
        if self.renderer is None:
            return html
        map_page = self.map_pages.get(page.file.src_uri)
        if map_page is not None:
            renderer = self.renderer
            done = self.rendered.get("pages", page.file.src_uri, lambda: _page(renderer,
                                                                                map_page))
            page.toc = get_toc(toc_tokens(done[1]))  # type: ignore[arg-type]
            return str(done[0])
        return html

    # Search plugins index a page in `on_page_context` (priority 0), from `page.content`;
    # the theme renders it after every handler has run. Around them, a map page is shown
    # to the index without its long lists (see `render.searchable`), and a piece's badges
    # join the page only after indexing: they are navigation, not text to search, and an
    # HTML parser reading a dozen more tags on every page of a big site is a real cost.

    @event_priority(50)  # before search plugins index the page
    def _before_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if page.file.src_uri in self.map_pages and page.content is not None:
            self.full_content[page.file.src_uri] = page.content
            page.content = searchable(page.content)
        return context

    @event_priority(-50)  # after them
    def _after_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        src = page.file.src_uri
        full = self.full_content.pop(src, None)
        if full is not None:
            page.content = full
        elif self.renderer is not None and page.content is not None:
            renderer = self.renderer
            badges = self.rendered.get("badges", src, lambda: renderer.badges(src))
            if badges is not None:
                page.content = badges.apply(page.content)
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _report(self, result: Result) -> None:
        fail_on = self.settings.fail_on
        stop = not self.serving or self.settings.serve_fail
        failing = result.analysis.at_or_above(fail_on) if stop else []
        failing_set = set(failing)
        for finding in result.analysis.findings:
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
        """Give MkDocs each page's source ourselves, so its front-matter is parsed once.

        A page whose block this tool parsed gets its body only, and `on_page_markdown`
        sets `page.meta` from that parse; a broken block is kept away from MkDocs's own
        parser, which would render it as text or, nested deep enough, crash (the
        problem is already reported).
        """
        if self.result is None:
            return None
        src = page.file.src_uri
        reason = self.result.broken.get(src)
        if reason in ("outside", "unreadable"):
            return ""  # never opened: a link out of the project, a pipe, a loop
        if reason is None and src not in self.result.parsed:
            return None
        try:
            text = page.file.content_string
        except (OSError, ValueError):  # the encoding problem was reported
            return ""
        header, body = split_header(text)
        if reason is not None:
            return body if header.state == "ok" else ""
        if header.state != "ok":
            return None
        self.front_matter[src] = self.result.front_matter(src) or {}
        return "\n" + body  # a blank first line: MkDocs finds no front-matter to parse again

    @event_priority(100)  # before other plugins read `page.meta`
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        meta = self.front_matter.pop(page.file.src_uri, None)
        if meta is not None:
            page.meta = dict(meta)
        return self._map_markdown(markdown, page)

    def on_post_build(self, *, config: Any) -> None:
        self.rendered.save()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if self.project is not None:
            for name in (self.settings.personas_dir, self.settings.journeys_dir,
                         self.settings.metrics_file):
                path = self.project.path(name) if name else None
                if path is not None and path.exists():
                    server.watch(str(path))
        return server



def _page(renderer: Renderer, page: MapPage) -> tuple[str, tuple[Any, ...]]:
    rendered = renderer.render(page)
    return rendered.html, rendered.headings


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
