"""A page's front-matter: parsed, checked against the registry, and made a content piece.

What a page's outcome depends on is its own header, the site's pages, personas,
journeys and field names, never the day: a page kept in the cache stays valid until
one of those changes (the day's rules, such as `stale`, run over all the pieces).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import ID_PATTERN, STATUSES, Finding, Journey, Persona, Piece, StageRef
from ..suggestion import closest, shown
from . import safe_yaml
from .header import Header
from .labels import Labels
from .registry import resolve_stage
from .schema import PAGE_FIELDS, Validator

__all__ = ["PageIndex", "PieceMaker", "front_matter", "unbuilt", "unmapped"]

_SUGGEST_FROM = 200
"""The most pages one did-you-mean for a `next` compares against."""

_URL_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "javascript:", "data:", "vbscript:", "//")


@dataclass
class PageIndex:
    """The site's Markdown pages, docs-relative, for resolving `next`."""

    paths: set[str]
    _nfc: dict[str, str] | None = None
    _by_length: dict[tuple[str, int], list[str]] | None = None

    def same_letters(self, path: str) -> str | None:
        """The page whose name is `path` in another Unicode normal form (NFC vs NFD)."""
        if self._nfc is None:
            self._nfc = {unicodedata.normalize("NFC", p): p for p in self.paths}
        return self._nfc.get(unicodedata.normalize("NFC", path))

    def resolve(self, page: str, target: str) -> tuple[str | None, str | None]:
        """(the docs-relative path `target` names, or None; a suggestion)."""
        if target in self.paths:  # the usual case: a docs-relative path, written exactly
            return target, None
        target = target.strip().split("#", 1)[0]
        if not target:
            return None, None
        candidates = [posixpath.normpath(target.lstrip("/"))]
        if not target.startswith("/"):
            candidates.append(posixpath.normpath(posixpath.join(posixpath.dirname(page), target)))
        for candidate in candidates:
            if candidate.endswith("/") or not candidate.endswith(".md"):
                for form in (f"{candidate.rstrip('/')}.md", f"{candidate.rstrip('/')}/index.md"):
                    if form in self.paths:
                        return form, None
            if candidate in self.paths:
                return candidate, None
        for candidate in candidates:
            same = self.same_letters(candidate)
            if same is not None:
                return None, same
        return None, closest(candidates[0], self._near(candidates[0]), cutoff=0.8)

    def _near(self, path: str) -> list[str]:
        """The pages a suggestion for `path` can be: those of about its length (a match at
        the cutoff differs by at most a fifth), in its own folder when that has any.
        Bounded, so a site with thousands of broken links still checks in seconds."""
        if self._by_length is None:
            self._by_length = {}
            for known in sorted(self.paths):
                key = (posixpath.dirname(known), len(known))
                self._by_length.setdefault(key, []).append(known)
                self._by_length.setdefault(("*", len(known)), []).append(known)
        size, spread = len(path), max(2, len(path) // 5)
        for folder in (posixpath.dirname(path), "*"):
            near = [p for n in range(size - spread, size + spread + 1)
                    for p in self._by_length.get((folder, n), ())]
            if near:
                return near[:_SUGGEST_FROM]
        return []


_STATES = {
    "unclosed": "the front-matter block is never closed: add a `---` line after the last "
                "field (MkDocs would show the block as page text)",
    "too-large": "no closing `---` line in the first 256 KB: the front-matter block is never "
                 "closed, or too large; close it, or shorten it",
    "no-break": "the closing `---` is the last line of the file and has no line break after "
                "it, so MkDocs shows the front-matter as page text; end the file with a line "
                "break",
    "hidden": "invisible characters (a second byte-order mark, or a zero-width space) stand "
              "before the opening `---`, so MkDocs shows the front-matter as page text; "
              "delete them",
}


def front_matter(path: str, file: str, header: Header, findings: list[Finding],
                 broken: dict[str, str]) -> safe_yaml.YamlMap | None:
    """The page's front-matter as a mapping; None when it has none or it is broken.

    A broken block gets a finding and is recorded in `broken`, whether or not the
    page is a piece: MkDocs would render it as text, or crash on it.
    """
    if header.state in _STATES:
        findings.append(Finding("yaml-syntax", file, header.end_line or 1,
                                _STATES[header.state]))
        broken[path] = header.state
        return None
    if header.state == "none":
        return None
    try:
        data = safe_yaml.load(header.yaml)
    except safe_yaml.YamlProblem as exc:
        findings.append(Finding("yaml-syntax", file, (exc.line or 0) + 1,
                                f"invalid front-matter: {exc.message}", column=exc.column))
        broken[path] = "yaml"
        return None
    if data is None:
        return None
    if not isinstance(data, safe_yaml.YamlMap):
        findings.append(Finding("yaml-syntax", file, 2,
                                "the front-matter must be `key: value` lines, not "
                                + ("a list" if isinstance(data, list) else "a single value")))
        broken[path] = "not-mapping"
        return None
    if data.unbuilt:  # PyYAML, so MkDocs, fails on the block: `unbuilt` reports why
        broken[path] = "unbuilt"
    return data


def unbuilt(file: str, data: safe_yaml.YamlMap, findings: list[Finding]) -> None:
    """Report each value YAML types but cannot build, unless a field check already did."""
    reported = {f.line for f in findings if f.file == file}
    for line, text, kind in data.unbuilt:
        if line + 1 in reported:
            continue
        findings.append(Finding(
            "schema", file, line + 1,
            f"`{shown(text)}` reads as {kind} in YAML but is not a valid one, so MkDocs "
            f"cannot read this front-matter; correct it, or put it in quotes: '{shown(text)}'",
            suggestion=f"'{text}'" if len(text) <= 80 else None,
        ))


def unmapped(file: str, findings: list[Finding], names: Mapping[str, str]) -> None:
    findings.append(Finding("unmapped-page", file, 1,
                            f"the page names no persona and no stage; add `{names['personas']}` "
                            f"and `{names['stage']}` to its front-matter, or exclude it"))


_TEXT_FIELDS = tuple(f.name for f in PAGE_FIELDS if f.kind == "text")
_LIST_FIELDS = tuple((f.name, f.single) for f in PAGE_FIELDS if f.kind == "texts")
_STATUSES = frozenset(STATUSES)


def _plainly_valid(data: safe_yaml.YamlMap, names: dict[str, str]) -> dict[str, Any] | None:
    """The page fields when every one is plainly valid (as nearly all are), else None.

    A shortcut past the general validator, accepting only what it would accept
    unchanged: non-blank text, lists of non-blank text, a known status, a real date.
    """
    clean: dict[str, Any] = {}
    get = data.get
    for name in _TEXT_FIELDS:
        value = get(names[name])
        if value is None:
            continue
        if type(value) is not str or not value.strip():
            return None
        clean[name] = value
    for name, single in _LIST_FIELDS:
        value = get(names[name])
        if value is None:
            continue
        if single and type(value) is str:
            value = [value]
        elif type(value) is not safe_yaml.YamlList:
            return None
        for item in value:
            if type(item) is not str or not item.strip():
                return None
        clean[name] = tuple(value)
    status = get(names["status"])
    if status is not None:
        if status not in _STATUSES or type(status) is not str:
            return None
        clean["status"] = status
    for name in ("review_by", "due"):
        value = get(names[name])
        if value is not None:
            if type(value) is not dt.date:
                return None
            clean[name] = value
    return clean


class _Page:
    """One page being made a piece: its valid fields, the line of each, its findings."""

    def __init__(self, path: str, file: str, data: safe_yaml.YamlMap, names: dict[str, str],
                 findings: list[Finding]):
        self.path, self.file, self.data, self.names = path, file, data, names
        self.findings = findings
        clean = _plainly_valid(data, names)
        if clean is None:  # something is unusual: the full check explains what
            validator = Validator(file, findings, line_offset=1)
            clean = validator.mapping(data, PAGE_FIELDS, what="the front-matter",
                                      unknown=False, names=names)
        self.clean = clean
        self.lines = {name: data.lines[key] + 1 for name, key in names.items()
                      if key in data.lines}

    def line(self, name: str, item: int | None = None) -> int:
        """The line of field `name`, or of its item number `item`."""
        raw = self.data.get(self.names[name])
        if item is not None and isinstance(raw, safe_yaml.YamlList) and item < len(raw.lines):
            return raw.lines[item] + 1
        return self.lines.get(name, 2)

    def add(self, rule: str, line: int, message: str, **about: Any) -> None:
        self.findings.append(Finding(rule, self.file, line, message, **about))


class PieceMaker:
    """Makes pages' front-matter pieces, checking each reference against the site: its
    pages, its personas (and their aliases), its journeys, and the front-matter keys it
    uses for the standard fields."""

    def __init__(self, pages: Iterable[str], personas: list[Persona], journeys: list[Journey],
                 names: dict[str, str], share: Callable[..., Any], labels: Labels | None = None):
        self.index = PageIndex(set(pages))
        self.labels = labels or Labels()  # the site's own names for personas and stages
        self.names = names
        self.persona_ids: dict[str, str] = {}  # id or alias -> id
        for persona in personas:
            self.persona_ids[persona.id] = persona.id
            for alias in persona.aliases:
                self.persona_ids.setdefault(alias, persona.id)
        self.personas = {p.id: p for p in personas}
        self.journeys = journeys
        self.share = share  # the one object equal to a value, shared by the pieces

    def make(self, path: str, file: str, title: str | None, data: safe_yaml.YamlMap,
             findings: list[Finding]) -> Piece:
        page = _Page(path, file, data, self.names, findings)
        personas = self._personas(page)
        stages = self._stages(page)
        self._followed(page, personas, stages)
        clean, share = page.clean, self.share
        return Piece(
            path=path,
            file=file,
            title=clean.get("title") or title or _title_from_path(path),
            personas=share(tuple(personas)),
            stages=share(tuple(stages)),
            status=share(_status(clean, data)),
            owner=share(clean.get("owner")),
            channel=share(clean.get("channel")),
            format=share(clean.get("format")),
            intent=share(clean.get("intent")),
            review_by=share(clean.get("review_by")),
            next=tuple(self._next(page)),
            line=1,
            lines=share(page.lines, tuple(page.lines.items())),
            due=share(clean.get("due")),
        )

    def _personas(self, page: _Page) -> list[str]:
        """The personas the page serves, by id; `unknown-persona` for the others."""
        resolved: list[str] = []
        for item, name in enumerate(page.clean.get("personas", ())):
            canonical = self.persona_ids.get(name) or self.labels.persona(name)
            if canonical is None and "personas" in self.labels.lenient:
                continue  # another label of the site's own taxonomy
            parts = [p.strip() for p in name.split(",")] if "," in name else []
            if canonical is None and parts and all(ID_PATTERN.fullmatch(p) for p in parts):
                listed = f"[{', '.join(parts)}]"  # `personas: ops-lead, cfo` is one text
                page.add("unknown-persona", page.line("personas", item),
                         f"`{shown(name)}` is one text, not a list of personas; write "
                         f"`{shown(listed)}`", suggestion=listed, persona=name)
            elif canonical is None:
                guess = closest(name, self.persona_ids)
                page.add("unknown-persona", page.line("personas", item),
                         f"`{shown(name)}` is not a persona"
                         + (f"; did you mean `{shown(guess)}`?" if guess else
                            "; add a file to personas/ or fix the id"),
                         suggestion=guess, persona=name)
            elif canonical not in resolved:
                resolved.append(canonical)
        return resolved

    def _journey_hint(self, page: _Page) -> str | None:
        """The page's `journey`, for stage ids several journeys have; `unknown-stage` when
        it is not a journey."""
        hint: str | None = page.clean.get("journey")
        if hint is not None and not any(j.id == hint for j in self.journeys):
            guess = closest(hint, [j.id for j in self.journeys])
            page.add("unknown-stage", page.line("journey"),
                     f"`{shown(hint)}` is not a journey"
                     + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                     suggestion=guess, journey=hint)
            return None
        return hint

    def _stages(self, page: _Page) -> list[StageRef]:
        """The stages the page is at; `unknown-stage` for a stage that is none, or that
        is in several journeys."""
        clean = page.clean
        written: list[tuple[str, int | None, str]] = (
            [("stage", None, clean["stage"])] if "stage" in clean else [])
        written += [("stages", i, s) for i, s in enumerate(clean.get("stages", ()))]
        hint = self._journey_hint(page)
        refs: list[StageRef] = []
        for field_name, position, ref in written:
            matches, guess = resolve_stage(ref, self.journeys, hint)
            matches = matches or self.labels.stage(ref, hint)
            if not matches and field_name in self.labels.lenient:
                continue  # another label of the site's own taxonomy
            line = page.line(field_name, position)
            named = ref.rpartition("/")[0] or hint
            named = named if any(j.id == named for j in self.journeys) else None
            if not matches:
                page.add("unknown-stage", line,
                         f"`{shown(ref)}` is not a stage of "
                         + (f"the `{shown(named)}` journey" if named else "any journey")
                         + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                         suggestion=guess, stage=ref)
            elif len(matches) > 1:
                options = [f"{s.journey}/{s.id}" for s in matches]
                page.add("unknown-stage", line,
                         f"`{shown(ref)}` is a stage of several journeys; write "
                         + " or ".join(f"`{o}`" for o in options),
                         suggestion=options[0], stage=ref)
            elif (stage_ref := StageRef(matches[0].journey, matches[0].id)) not in refs:
                refs.append(stage_ref)
        return refs

    def _followed(self, page: _Page, personas: list[str], stages: list[StageRef]) -> None:
        """`persona-journey`: each persona must follow the journey of each stage."""
        line = page.line("stage" if "stage" in page.clean else "stages")
        for persona_id in personas:
            persona = self.personas[persona_id]
            for ref in stages:
                if not persona.follows(ref.journey):
                    page.add("persona-journey", line,
                             f"`{persona_id}` does not follow the `{ref.journey}` journey, so "
                             f"this page cannot serve it at `{ref.stage}`: add `{ref.journey}` "
                             "to the persona's `journeys`, or map the page to another stage",
                             persona=persona_id, journey=ref.journey, stage=ref.stage)

    def _next(self, page: _Page) -> list[str]:
        """The pages `next` names, docs-relative; `unknown-next` for the others."""
        index, paths = self.index, []
        for item, target in enumerate(page.clean.get("next", ())):
            line = page.line("next", item)
            if target.strip().lower().startswith(_URL_SCHEMES):
                page.add("unknown-next", line, f"`next` must name a page of this site, not "
                         f"the address `{shown(target)}`")
                continue
            resolved, guess = index.resolve(page.path, target)
            if resolved is None:
                page.add("unknown-next", line,
                         f"the next step `{shown(target)}` is not a page of this site"
                         + (f"; did you mean `{shown(guess)}`?" if guess else
                            " (paths are relative to the docs directory)")
                         + (" (the same letters, encoded differently: copy the file's name)"
                            if guess and index.same_letters(guess)
                            == index.same_letters(target.strip()) else ""),
                         suggestion=guess)
            elif resolved != page.path and resolved not in paths:
                paths.append(resolved)
        return paths


def _status(clean: Mapping[str, Any], data: safe_yaml.YamlMap) -> str:
    """A piece's status: `published` unless it says otherwise, and never `published`
    while it says `draft: true` (Material's blog, and other engines, do not build it)."""
    status: str = clean.get("status", "published")
    return "draft" if status == "published" and data.get("draft") is True else status


def _title_from_path(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(path)) or "Home"
    return stem.replace("-", " ").replace("_", " ").capitalize()
