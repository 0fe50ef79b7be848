"""Addresses: a docs file's site URL, URLs relative to a page, and the only outside
addresses the map writes (http(s), mailto and relative ones).

Every href of the map is a site URL made relative here, or an address `safe_url` let
through; text from YAML becomes links only through `linkify`.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup, escape

__all__ = ["linkify", "page_url", "relative_url", "safe_url", "source_base", "source_link"]


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


def source_base(repo_url: str | None, edit_uri: str | None, docs_prefix: str) -> str | None:
    """The repository URL of the folder of mkdocs.yml, from `repo_url` and `edit_uri`.

    `edit_uri` points at the docs folder (`docs_prefix`, relative to mkdocs.yml); when it
    ends with that folder's path, the rest is the repository root, where personas/ and
    journeys/ live.
    """
    if not repo_url or not edit_uri or docs_prefix in ("", "."):
        return None
    edit = edit_uri.strip("/")
    if edit != docs_prefix and not edit.endswith("/" + docs_prefix):
        return None
    return urljoin(repo_url.rstrip("/") + "/", edit[: -len(docs_prefix)])


def source_link(base: str | None, file: str) -> str | None:
    """`file` (relative to mkdocs.yml) in the site's repository, at `base` (`source_base`
    let through `safe_url`); None when the site does not say where that is."""
    if not base or ".." in file.split("/"):
        return None
    return base.rstrip("/") + "/" + quote(file, errors="surrogateescape")
