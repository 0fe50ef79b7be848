"""The pages one build writes, and where: what the map may link to.

A site builder reports the URL of each page it builds. Not every page of the docs
folder is among them: Material's blog never builds a draft post, and MkDocs leaves out
`draft_docs`. A translated site (see `load.languages`) builds each language on its own,
so the piece `guide.md` lives at `fr/guide/` in the French build, where `guide.fr.md`
shows it. Links to a page that is not built would lead nowhere: the map shows such a
piece by name, without a link (`unlinked`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..load.languages import ONE_LANGUAGE, Languages

__all__ = ["UNBUILT", "BuiltPages", "built_pages", "unlinked"]

UNBUILT = "#content-map-unbuilt"
"""The href a link to a page this build does not write gets, until `unlinked` turns the
link into text."""

_LINK = re.compile(r'<a\b([^>]*?)\s+href="' + re.escape(UNBUILT) + r'(?:#[^"]*)?"([^>]*)>'
                   r"(.*?)</a>", re.DOTALL)


@dataclass(frozen=True)
class BuiltPages:
    urls: dict[str, str]  # docs path -> its URL in this build (a translation's, if shown)
    unbuilt: frozenset[str] = frozenset()  # pages of the site this build does not write
    # a built file -> the page whose piece it shows (a translation -> the page it translates)
    aliases: Mapping[str, str] = field(default_factory=dict)
    # a page -> (locale, URL) of each translation, in the build of the default language
    translations: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def built_pages(built: Mapping[str, str], pages: Iterable[str],
                languages: Languages = ONE_LANGUAGE) -> BuiltPages:
    """Where each of the site's `pages` is in a build that writes `built` (docs path ->
    URL): its own URL, else that of the file the build shows in its place (its
    translation into the language being built)."""
    pages = list(pages)
    translated = languages.translations(pages)
    by_key: dict[str, str] = {}
    for src, url in built.items():
        by_key.setdefault(languages.key(src), url)
    urls = dict(built)
    unbuilt: set[str] = set()
    for page in pages:
        if page in urls:
            continue
        found = by_key.get(languages.key(page))
        if found is None:
            unbuilt.add(page)
        else:
            urls[page] = found
    aliases = {src: translated[src] for src in built if src in translated}
    # mkdocs-static-i18n writes another language's version of a page under its locale
    versions: dict[str, list[tuple[str, str]]] = {}
    for src, main in sorted(translated.items()):
        locale = languages.locale(src)
        if main in built and locale in languages.built:
            url = built[main] if built[main] not in (".", "./") else ""
            versions.setdefault(main, []).append((str(locale), f"{locale}/{url}"))
    return BuiltPages(urls, frozenset(unbuilt), aliases,
                      {main: tuple(found) for main, found in versions.items()})


def unlinked(html: str) -> str:
    """`html` with each link to a page that is not built (href `UNBUILT`) as plain text:
    a `<span>` with the link's other attributes, marked `data-cm-unbuilt`."""
    if UNBUILT not in html:
        return html
    return _LINK.sub(lambda m: f"<span{m.group(1)}{m.group(2)} data-cm-unbuilt "
                               f'title="not built on this site">{m.group(3)}</span>', html)
