"""Did-you-mean suggestions and the valid spelling of an id."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from .model import ID_PATTERN
from .terminal import visible

__all__ = ["closest", "id_form", "shown"]


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate an editor most likely meant, or None when nothing is close."""
    options = [c for c in candidates if isinstance(c, str)]
    if not options:
        return None
    folded = id_form(word)
    if folded and folded in options:
        return folded
    lowered = {c.lower(): c for c in options}
    if word.strip().lower() in lowered:
        return lowered[word.strip().lower()]
    match = difflib.get_close_matches(word.strip().lower(), options, n=1, cutoff=cutoff)
    return match[0] if match else None


def id_form(text: str) -> str | None:
    """The valid id closest to `text`: `Ops Lead` -> `ops-lead`; None if nothing is left."""
    normal = unicodedata.normalize("NFKD", text)
    ascii_text = normal.encode("ascii", "ignore").decode().lower()
    candidate = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:64].rstrip("-")
    return candidate if candidate and ID_PATTERN.fullmatch(candidate) else None


def shown(text: str, limit: int = 80) -> str:
    """`text` as a message may quote it: at most `limit` characters, and every control,
    invisible or bidi character but line feed and tab written out (`\\u200b`), so a
    value can neither hide in a report nor reorder or recolour the terminal that
    prints it. (Report formats with one finding a line encode line feeds themselves.)"""
    return visible(text[:limit], keep="\n\t") + ("…" if len(text) > limit else "")
