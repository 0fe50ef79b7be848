"""A Python-Markdown extension for engines that run Markdown extensions but no MkDocs
plugins (Zensical): a piece's badges and next steps on its page, no Material status
marker in the navigation from its `status`, and on each map page `content-map generate`
wrote, the table of contents the plugin gives it.

```yaml
markdown_extensions:
  - content_map.markdown
```

The engine must say which page it renders: Zensical hands every Markdown instance a
rendering context (a preprocessor named `rendering_context` holding the page, with its
path, URL and front-matter, and the site's configuration). Where there is none (MkDocs,
which has the plugin for this), the extension does nothing.

The site is read once per process, on the first page, from the mkdocs.yml the engine
builds (or the extension's `config_file`): the analysis `check` makes, the settings of
the plugin's entry, the renderer the plugin uses. The badges are the plugin's, with their
links relative to the page's source, as the engine expects them (`markdown_pages.rebase`);
the styles come from the map's folder, where `content-map generate` writes them. A site
that cannot be read shows no badges and says so once on standard error; `content-map
check` names the problem. The engine may keep a page it rendered for the next build
(Zensical's cache), badges included: `zensical build --clean` renders every page again.
"""

from __future__ import annotations

import os
import sys
import threading
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .engine import Project, analyse
from .load.siteconfig import SiteConfigError, read_site_config
from .settings import SettingsError, for_build, from_options
from .site.layout import ASSET_FILES, Layout
from .site.markdown_pages import rebase
from .site.output import Badges, headings, toc_tokens
from .site.publication import MapPages, docs_prefix
from .site.renderer import Renderer
from .terminal import visible

__all__ = ["ContentMapExtension", "makeExtension"]

_CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")


class _Site:
    """What the pages of one site need: the renderer of its badges, and how it names the
    `status` field."""

    def __init__(self, config_file: Path):
        site = read_site_config(config_file)
        settings = for_build(from_options(site.options or {}), False, os.environ)
        project = Project(root=site.root, docs_dir=site.docs_dir, settings=settings,
                          config_file=site.path.name)
        analysis = analyse(project).analysis
        self.renderer = Renderer(analysis, settings,
                                 use_directory_urls=site.raw.get("use_directory_urls")
                                 is not False, docs_prefix=docs_prefix(project))
        self.pages = MapPages(None, settings.field_name("status"))
        self.map_pages = frozenset(page.src_uri for page in self.renderer.pages())
        self.css = Layout(settings, (), ()).asset_src(ASSET_FILES[0])

    def badges(self, src: str) -> Badges | None:
        made = self.renderer.badges(src)
        if made is None:
            return None
        url = self.renderer.addresses.url(src)
        links = self.renderer.addresses.links(src)
        top = f'{made.top}<link rel="stylesheet" href="{links.to(self.css)}">'
        return Badges(rebase(top, url, src), rebase(made.bottom, url, src))


_SITES: dict[str, _Site | None] = {}
_LOCK = threading.Lock()


def _site(config_file: str) -> _Site | None:
    """The site of `config_file`, read on first use; None when it cannot be read."""
    key = os.path.realpath(config_file)
    with _LOCK:
        if key not in _SITES:
            try:
                _SITES[key] = _Site(Path(key))
            except (SiteConfigError, SettingsError, OSError) as exc:
                _SITES[key] = None
                _say(str(exc))
            except Exception as exc:  # noqa: BLE001 - never a traceback in the engine's build
                _SITES[key] = None
                _say(f"{type(exc).__name__}: {exc}")
        return _SITES[key]


def _say(problem: str) -> None:
    print(visible(f"content-map: no badges in this build: {problem}; run "
                  "`content-map check` for details", starts_line=True), file=sys.stderr)


def _context(md: Markdown) -> Any | None:
    """The engine's rendering context: its `page` and `config`, or None."""
    for processor in md.preprocessors:
        if getattr(processor, "name", None) == "rendering_context" and \
                hasattr(processor, "page"):
            return processor
    return None


def _config_file(given: str, context: Any) -> str | None:
    if given:
        return given
    config = getattr(context, "config", None)
    root = config.get("root_dir") if isinstance(config, dict) else None
    for name in _CONFIG_NAMES:
        path = os.path.join(root or os.getcwd(), name)
        if os.path.isfile(path):
            return path
    return None


class _PageMeta(Preprocessor):
    """Finds the page being rendered: drops its `status` from the engine's copy of the
    front-matter (the theme would mark it in the navigation) and looks up its badges."""

    def __init__(self, md: Markdown, extension: ContentMapExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.made, self.extension.map_page = None, False
        context = _context(self.md)
        page = getattr(context, "page", None)
        src, meta = getattr(page, "path", None), getattr(page, "meta", None)
        if not isinstance(src, str) or not isinstance(meta, dict):
            return lines
        config_file = _config_file(self.extension.getConfig("config_file"), context)
        site = _site(config_file) if config_file else None
        if site is None:
            return lines
        src = src.replace(os.sep, "/")
        site.pages.meta(src, meta)
        self.extension.made = site.badges(src)
        self.extension.map_page = src in site.map_pages
        return lines


class _PageParts(Treeprocessor):
    """Puts the page's badges in, as `Badges.apply` does: under its title (a top-level
    `h1`, else at the top), and the next steps after its text. It runs after the table of
    contents is made, which the badges are not part of. A map page `generate` wrote gets
    the table of contents the plugin gives it, from the headings of its HTML."""

    def __init__(self, md: Markdown, extension: ContentMapExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        made, self.extension.made = self.extension.made, None
        if self.extension.map_page:
            self.extension.map_page = False
            html = "".join(str(block) for block in self.md.htmlStash.rawHtmlBlocks)
            self.md.toc_tokens = _labelled(toc_tokens(headings(html)))  # type: ignore[attr-defined]
        if made is None:
            return
        title = next((i for i, child in enumerate(root) if child.tag == "h1"), -1)
        root.insert(title + 1, self._block(made.top))
        if made.bottom:
            root.append(self._block(made.bottom))

    def _block(self, html: str) -> etree.Element:
        """A placeholder the engine swaps for `html` as it is (a block of raw HTML)."""
        element = etree.Element("p")
        element.text = self.md.htmlStash.store(html)
        return element


def _labelled(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tokens as Python-Markdown's `toc` makes them, with their (empty) label."""
    for token in tokens:
        token.setdefault("data-toc-label", "")
        _labelled(token["children"])
    return tokens


class ContentMapExtension(Extension):
    """`content_map.markdown`: see the module's docstring."""

    def __init__(self, **kwargs: Any):
        self.config = {"config_file": ["", "the site's mkdocs.yml (default: the one the "
                                           "engine builds)"]}
        self.made: Badges | None = None
        self.map_page = False
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_PageMeta(md, self), "content_map", 1)
        md.treeprocessors.register(_PageParts(md, self), "content_map", 1)  # after `toc`

    def reset(self) -> None:
        self.made, self.map_page = None, False


def makeExtension(**kwargs: Any) -> ContentMapExtension:
    return ContentMapExtension(**kwargs)
