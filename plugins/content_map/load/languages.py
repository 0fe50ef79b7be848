"""Translations: which pages are one page in several languages.

A site translated with mkdocs-static-i18n keeps each language's version of a page as
its own file: `guide.fr.md` beside `guide.md` (the `suffix` structure), or `fr/guide.md`
beside `en/guide.md` (the `folder` structure). They are one piece of content: the
default language's file is the piece, the others are its translations. The languages
are read from the `i18n` plugin's options in mkdocs.yml, so `check` and the build agree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .siteconfig import SiteConfigError, read_site_config

__all__ = ["ONE_LANGUAGE", "Languages", "languages_of", "site_languages"]

_PLUGIN = "i18n"


@dataclass(frozen=True)
class Languages:
    """The languages a site is written in, and how its files say which."""

    structure: str = "suffix"  # suffix: `guide.fr.md`; folder: `fr/guide.md`
    default: str | None = None  # None: one language, no page is a translation
    locales: tuple[str, ...] = ()
    built: tuple[str, ...] = ()  # the locales a build publishes (`build: false` is not)

    def locale(self, path: str) -> str | None:
        """The language the page at `path` (docs-relative) says it is in, or None."""
        if self.default is None:
            return None
        if self.structure == "folder":
            head = path.split("/", 1)[0]
            return head if "/" in path and head in self.locales else None
        stem = posixpath.splitext(posixpath.basename(path))[0]
        suffix = stem.rpartition(".")[2] if "." in stem else None
        return suffix if suffix in self.locales else None

    def key(self, path: str) -> str:
        """The page `path` is a version of, without its language: `guide.md` for
        `guide.fr.md` and for `fr/guide.md`."""
        locale = self.locale(path)
        if locale is None:
            return path
        if self.structure == "folder":
            return path.split("/", 1)[1]
        folder, name = posixpath.split(path)
        stem, ext = posixpath.splitext(name)
        return posixpath.join(folder, stem[: -len(locale) - 1] + ext)

    def translations(self, pages: Iterable[str]) -> dict[str, str]:
        """Each page that is a translation -> the page it translates (the default
        language's version, which is the piece)."""
        groups: dict[str, list[str]] = {}
        for page in sorted(pages):
            groups.setdefault(self.key(page), []).append(page)
        out: dict[str, str] = {}
        for versions in groups.values():
            if len(versions) < 2:
                continue
            main = next((p for p in versions if self.locale(p) in (None, self.default)),
                        None)
            for page in versions:
                if main is not None and page != main:
                    out[page] = main
        return out


ONE_LANGUAGE = Languages()


def languages_of(config: Mapping[str, Any]) -> Languages:
    """The languages the `i18n` plugin's options in a parsed mkdocs.yml declare."""
    plugins = config.get("plugins")
    entries: list[tuple[Any, Any]] = []
    if isinstance(plugins, Mapping):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        for entry in plugins:
            if isinstance(entry, Mapping):
                entries.extend(entry.items())
    options = next((o for name, o in entries if name == _PLUGIN), None)
    if not isinstance(options, Mapping) or options.get("enabled", True) is False:
        return ONE_LANGUAGE
    locales: list[str] = []
    built: list[str] = []
    default = None
    declared = options.get("languages")
    for language in declared if isinstance(declared, list) else ():
        if isinstance(language, Mapping) and isinstance(language.get("locale"), str):
            locales.append(language["locale"])
            if language.get("build", True) is not False:
                built.append(language["locale"])
            if language.get("default") is True and default is None:
                default = language["locale"]
    if not locales:
        return ONE_LANGUAGE
    structure = "folder" if options.get("docs_structure") == "folder" else "suffix"
    return Languages(structure, default or locales[0], tuple(locales), tuple(built))


def site_languages(config_file: Path) -> Languages:
    """The languages of the site configured in `config_file` (one, when it cannot be read:
    the analysis reports that itself)."""
    try:
        return languages_of(read_site_config(config_file).raw)
    except SiteConfigError:
        return ONE_LANGUAGE
