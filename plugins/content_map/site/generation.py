"""`generate`: the whole map, for engines that run no plugins, in a folder of its own
inside the project.

The pages are the plugin's pages, made by the same renderer (`renderer.Renderer`), in its
second output (`markdown_pages`): same URLs, figures, filters, flows, Needs attention,
Gaps, Problems, Plan and data files (`datafiles`), with the styles and the script beside
them, the site's template overrides and the plugin's search exclusions. The folder is
the map's place in the docs tree, so `--out docs/content-map` gives the URLs the plugin
gives with `map_path: content-map`.

The folder is refused when it is the project's or the docs directory itself, holds
personas or journeys, or lies outside the project; one outside the docs directory is
allowed with a note, since its links only work once it is moved inside. This module
chooses and checks where, and what the engine's URLs are; `markdown_pages` writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import escape

from .. import writer
from ..load.siteconfig import SiteConfigError, read_site_config
from .datafiles import data_files
from .layout import ASSET_FILES
from .markdown_pages import GenerateError, asset_text, markdown_page, write_files
from .renderer import Renderer
from .trend import site_trend
from .urls import source_base

if TYPE_CHECKING:
    from ..engine import Project
    from ..model import Analysis
    from ..settings import Settings

__all__ = ["GenerateError", "Target", "generate", "map_files", "shown", "target"]


def shown(path: Path) -> str:
    """`path` as the user would type it: relative to the working directory when the two
    share a folder below the top two levels (`../guides/x.md`), else absolute."""
    full, here = os.path.normpath(path.absolute()), os.getcwd()
    try:
        common = os.path.commonpath([full, here])
    except ValueError:  # another drive
        return full
    if len(Path(common).parts) <= 2:
        return full
    return Path(os.path.relpath(full, here)).as_posix()


@dataclass(frozen=True)
class Target:
    """Where `generate` writes, with every link followed, and how the site makes URLs."""

    name: str  # as the user wrote it
    out: Path
    docs: Path
    root: Path
    settings: Settings
    project: Project | None = None
    use_directory_urls: bool = True
    repo_url: str | None = None
    edit_uri: str | None = None
    custom_dir: Path | None = None  # the theme's, where a site overrides the templates
    nav: tuple[str, ...] | None = None  # the pages the site's `nav` lists; None: no `nav`

    @property
    def inside_docs(self) -> bool:
        return self.docs in self.out.parents

    @property
    def note(self) -> str | None:
        """What the user should know about the folder, though it is allowed."""
        if self.inside_docs:
            if self.map_path != self.settings.map_path and self.settings.badges:
                return (f"{self.name} is the map at {self.map_path}/, but map_path is "
                        f"{self.settings.map_path}: badges on pages link to map_path; set "
                        f"map_path: {self.map_path}")
            return None
        return (f"{self.name} is outside the docs directory {shown(self.docs)}; its links "
                f"work once the folder is moved there, as {self.map_path}/")

    @property
    def map_path(self) -> str:
        """The map's folder in the docs tree: `out` from the docs directory, or (outside
        it) the folder's own name."""
        if self.inside_docs:
            return self.out.relative_to(self.docs).as_posix()
        return self.out.name

    @property
    def docs_prefix(self) -> str:
        """The docs directory's path in the project ("" when they are the same folder)."""
        try:
            prefix = self.docs.relative_to(self.root).as_posix()
        except ValueError:
            return ""
        return "" if prefix == "." else prefix


def target(project: Project, name: str) -> Target:
    """The folder `--out NAME` names, or `GenerateError` saying why it is refused."""
    real = Path(os.path.realpath(name))
    docs = Path(os.path.realpath(project.docs_dir))
    root = Path(os.path.realpath(project.root))
    if real != root and root not in real.parents:
        raise GenerateError(f"{name}: is outside the project ({shown(root)}); generate "
                            "writes only inside it")
    if real in (root, docs):
        where = "the project's own folder" if real == root else "the docs directory itself"
        raise GenerateError(f"{name}: is {where}; name a folder of its own, e.g. "
                            f"{shown(docs / 'content-map')}")
    settings = project.settings
    for folder in (root / settings.personas_dir, root / settings.journeys_dir):
        held = Path(os.path.realpath(folder))
        if real == held or held in real.parents:
            raise GenerateError(f"{name}: is inside {shown(folder)}, which holds personas or "
                                f"journeys; name another folder, e.g. "
                                f"{shown(docs / 'content-map')}")
    raw = _site_options(project)
    return Target(name, real, docs, root, settings, project,
                  use_directory_urls=raw.get("use_directory_urls") is not False,
                  repo_url=_text(raw.get("repo_url")), edit_uri=_edit_uri(raw, project),
                  custom_dir=_custom_dir(raw, project), nav=_nav(raw.get("nav")))


def _site_options(project: Project) -> dict[str, Any]:
    try:
        return read_site_config(project.root / project.config_file).raw
    except SiteConfigError:  # read a moment ago by the command; gone now: the defaults
        return {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _custom_dir(raw: dict[str, Any], project: Project) -> Path | None:
    theme = raw.get("theme")
    folder = _text(theme.get("custom_dir")) if isinstance(theme, dict) else None
    return project.root / folder if folder else None


def _nav(nav: object) -> tuple[str, ...] | None:
    """Every page the site's `nav` names (a path, or a title's path), or None without one."""
    if not nav:
        return None
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item.strip().lstrip("/"))
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return tuple(found)


_EDIT_URIS = {"github.com": "edit/master/", "gitlab.com": "edit/master/",
              "bitbucket.org": "src/default/"}


def _edit_uri(raw: dict[str, Any], project: Project) -> str | None:
    """`edit_uri`, or the default MkDocs and Zensical give a known host."""
    edit = _text(raw.get("edit_uri"))
    repo = _text(raw.get("repo_url"))
    if edit is not None or repo is None:
        return edit
    try:
        host = urlsplit(repo).hostname or ""
    except ValueError:
        return None
    docs = os.path.relpath(project.docs_dir, project.root).replace(os.sep, "/")
    return _EDIT_URIS[host] + docs if host in _EDIT_URIS else None


def map_files(analysis: Analysis, where: Target, project: Project | None = None) -> dict[str, str]:
    """Every file of the map, relative to `where.out`: the pages as Markdown, the assets
    and (when the export is on) the data files, made as `publication.publish` makes the
    plugin's (with `project`, its history too)."""
    settings = replace(where.settings, map_path=where.map_path)
    prefix = where.docs_prefix
    overrides = [where.custom_dir / "content-map"] if where.custom_dir else []
    trend = site_trend(replace(project, settings=settings), analysis) if project else None
    renderer = Renderer(analysis, settings, use_directory_urls=where.use_directory_urls,
                        template_dirs=overrides, docs_prefix=prefix,
                        source_base=source_base(where.repo_url, where.edit_uri, prefix),
                        trend=trend)
    layout = renderer.layout
    root = layout.root + "/"
    # As the plugin: with `search: nav`, only the map pages in the nav are searched (the
    # overview alone without a `nav`, which the README's `not_in_nav` keeps so).
    listed = set(where.nav) if where.nav is not None else {layout.overview_src}
    files: dict[str, str] = {}
    for page in renderer.pages():
        done = renderer.render(page)
        links = renderer.addresses.links(page.src_uri)
        css, js = (links.to(layout.asset_src(name)) for name in ASSET_FILES)
        searched = settings.search != "nav" or page.src_uri in listed
        files[page.src_uri[len(root):]] = markdown_page(done, str(escape(page.title)), css,
                                                        js, searched)
    for name in ASSET_FILES:
        files[layout.asset_src(name)[len(root):]] = asset_text(name)
    for src, text in data_files(analysis, settings, layout, trend).items():
        files[src[len(root):]] = text
    return files


def generate(analysis: Analysis, where: Target) -> str:
    """Write the map's files into `where`; say what was written and removed.

    Raises `GenerateError` when a file the tool did not write is in the way, or a write
    fails; every write goes through the one writer, confined to the project."""
    files = map_files(analysis, where, where.project)
    try:
        writer.ensure_folder(where.out, where.root)
        done = write_files(files, where.out)
    except writer.WriteProblem as exc:
        raise GenerateError(str(exc)) from None
    except OSError as exc:
        raise GenerateError(f"{where.name}: cannot be written ({exc.strerror})") from None
    pages = sum(1 for rel in done.written if rel.endswith(".md"))
    removed = (f"; removed {len(done.removed)} that are no longer on the map: "
               + ", ".join(done.removed)) if done.removed else ""
    return (f"wrote {pages} pages and {len(done.written) - pages} files to "
            f"{shown(where.out)}{removed}")
