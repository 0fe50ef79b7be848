"""Turning pages' front-matter into content pieces, with their references checked."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import posixpath
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import safe_yaml
from .header import Header, TextProblem, read_header
from .model import Finding, Journey, Persona, Piece, StageRef
from .registry import resolve_stage
from .schema import PAGE_FIELDS, Validator
from .settings import Settings
from .suggestion import closest, shown

__all__ = ["PageIndex", "load_pieces", "excluded"]

_URL_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "javascript:", "data:", "vbscript:", "//")


@dataclass
class PageIndex:
    """The site's Markdown pages, docs-relative, for resolving `next`."""

    paths: set[str]
    _nfc: dict[str, str] | None = None

    def same_letters(self, path: str) -> str | None:
        """The page whose name is `path` in another Unicode normal form (NFC vs NFD)."""
        if self._nfc is None:
            self._nfc = {unicodedata.normalize("NFC", p): p for p in self.paths}
        return self._nfc.get(unicodedata.normalize("NFC", path))

    def resolve(self, page: str, target: str) -> tuple[str | None, str | None]:
        """(the docs-relative path `target` names, or None; a suggestion)."""
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
        return None, closest(candidates[0], self.paths, cutoff=0.8)


def excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def load_pieces(
    pages: Iterable[str],
    docs_dir: Path,
    root: Path,
    journeys: list[Journey],
    personas: list[Persona],
    settings: Settings,
    today: dt.date,
) -> tuple[list[Piece], list[Finding], dict[str, str]]:
    """Read each page's header; return the pieces, findings, and the broken pages.

    Broken pages (front-matter that is unclosed, too large or refused) are returned
    with the reason, so an adapter can keep them away from a less careful parser.
    Excluded pages are not pieces, but their front-matter is still checked: MkDocs
    parses it all the same.
    """
    pages = sorted(pages)
    index = PageIndex(set(pages))
    homes = _Homes((Path(docs_dir), root))
    docs_rel = _relative(docs_dir, root)
    names = {f.name: settings.field_name(f.name) for f in PAGE_FIELDS}
    persona_ids: dict[str, str] = {}
    for persona in personas:
        persona_ids[persona.id] = persona.id
        for alias in persona.aliases:
            persona_ids.setdefault(alias, persona.id)
    by_id = {p.id: p for p in personas}

    pieces: list[Piece] = []
    findings: list[Finding] = []
    broken: dict[str, str] = {}
    for path in pages:
        file = f"{docs_rel}/{path}" if docs_rel not in ("", ".") else path
        header = _read(path, file, docs_dir / path, homes, findings, broken)
        if header is None:
            continue
        start = len(findings)
        data = _front_matter(path, file, header, findings, broken)
        if excluded(path, settings.exclude):
            pass
        elif data is None or not any(names[k] in data for k in ("personas", "stage", "stages")):
            if path not in broken:
                _unmapped(file, findings)
        else:
            piece = _piece(path, file, header, data, findings, index, names, persona_ids, by_id,
                           journeys, today)
            if piece is not None:
                pieces.append(piece)
        if data is not None and data.unbuilt:
            _unbuilt(file, data, findings, start)
    return pieces, findings, broken


class _Homes:
    """Whether pages really live inside the project, resolving each folder only once."""

    def __init__(self, homes: tuple[Path, ...]):
        self.homes = [os.path.realpath(h) for h in homes]
        self.folders: dict[str, str] = {}

    def contain(self, full: str) -> bool:
        folder, name = os.path.split(full)
        real_folder = self.folders.get(folder)
        if real_folder is None:
            real_folder = self.folders[folder] = os.path.realpath(folder)
        real = os.path.realpath(full) if os.path.islink(full) else os.path.join(real_folder, name)
        return any(real == h or real.startswith(h + os.sep) for h in self.homes)


def _read(path: str, file: str, full: Path, homes: _Homes, findings: list[Finding],
          broken: dict[str, str]) -> Header | None:
    """The page's header, or None (with a finding) when the page must not be read."""
    if not homes.contain(str(full)):
        findings.append(Finding("yaml-syntax", file, 1,
                                "the page is a link to a file outside the project; "
                                "it was not read" if full.is_symlink() else
                                "the page is outside the project (its folder is a link); "
                                "it was not read"))
        broken[path] = "outside"
        return None
    try:
        regular = stat.S_ISREG(os.stat(full).st_mode)
    except OSError:
        regular = False
    if not regular:  # a pipe would block the read forever; a loop never resolves
        findings.append(Finding("yaml-syntax", file, 1,
                                "the page is a link that leads nowhere (a loop, or a missing "
                                "file); fix or remove the link" if full.is_symlink() and
                                not full.exists() else
                                "the page is not a regular file (a pipe, device or socket); "
                                "it was not read"))
        broken[path] = "unreadable"
        return None
    try:
        return read_header(full)
    except TextProblem as exc:
        findings.append(Finding("yaml-syntax", file, exc.line or 1, exc.message))
        broken[path] = "encoding"
    except OSError as exc:
        findings.append(Finding("yaml-syntax", file, 1,
                                f"the page cannot be read ({exc.strerror or 'error'})"))
        broken[path] = "unreadable"
    return None


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


def _front_matter(path: str, file: str, header: Header, findings: list[Finding],
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
    if data.unbuilt:  # PyYAML, so MkDocs, fails on the block: `_unbuilt` reports why
        broken[path] = "unbuilt"
    return data


def _unbuilt(file: str, data: safe_yaml.YamlMap, findings: list[Finding], start: int) -> None:
    """Report each value YAML types but cannot build, unless a field check already did."""
    reported = {f.line for f in findings[start:] if f.file == file}
    for line, text, kind in data.unbuilt:
        if line + 1 in reported:
            continue
        findings.append(Finding(
            "schema", file, line + 1,
            f"`{shown(text)}` reads as {kind} in YAML but is not a valid one, so MkDocs "
            f"cannot read this front-matter; correct it, or put it in quotes: '{shown(text)}'",
            suggestion=f"'{text}'" if len(text) <= 80 else None,
        ))


def _piece(path: str, file: str, header: Header, data: safe_yaml.YamlMap,
           findings: list[Finding], index: PageIndex, names: dict[str, str],
           persona_ids: dict[str, str], personas: dict[str, Persona],
           journeys: list[Journey], today: dt.date) -> Piece | None:
    validator = Validator(file, findings, line_offset=1)
    clean = validator.mapping(data, PAGE_FIELDS, what="the front-matter", unknown=False,
                              names=names)
    lines = {name: data.lines[key] + 1 for name, key in names.items() if key in data.lines}

    def where(name: str, item: int | None = None) -> int:
        raw = data.get(names[name])
        if item is not None and isinstance(raw, safe_yaml.YamlList) and item < len(raw.lines):
            return raw.lines[item] + 1
        return lines.get(name, 2)

    resolved_personas: list[str] = []
    for item, name in enumerate(clean.get("personas", ())):
        canonical = persona_ids.get(name)
        if canonical is None:
            guess = closest(name, persona_ids)
            findings.append(Finding(
                "unknown-persona", file, where("personas", item),
                f"`{shown(name)}` is not a persona"
                + (f"; did you mean `{shown(guess)}`?" if guess else
                   "; add a file to personas/ or fix the id"),
                suggestion=guess, persona=name,
            ))
        elif canonical not in resolved_personas:
            resolved_personas.append(canonical)

    refs: list[StageRef] = []
    stage_refs = [("stage", None, clean["stage"])] if "stage" in clean else []
    stage_refs += [("stages", i, s) for i, s in enumerate(clean.get("stages", ()))]
    hint = clean.get("journey")
    if hint is not None and not any(j.id == hint for j in journeys):
        guess = closest(hint, [j.id for j in journeys])
        findings.append(Finding("unknown-stage", file, where("journey"),
                                f"`{shown(hint)}` is not a journey"
                                + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                                suggestion=guess, journey=hint))
        hint = None
    for field_name, item, ref in stage_refs:
        matches, guess = resolve_stage(ref, journeys, hint)
        line = where(field_name, item)
        if not matches:
            findings.append(Finding(
                "unknown-stage", file, line,
                f"`{shown(ref)}` is not a stage of "
                + (f"the `{hint}` journey" if hint else "any journey")
                + (f"; did you mean `{shown(guess)}`?" if guess else ""),
                suggestion=guess, stage=ref,
            ))
        elif len(matches) > 1:
            options = [f"{s.journey}/{s.id}" for s in matches]
            findings.append(Finding(
                "unknown-stage", file, line,
                f"`{shown(ref)}` is a stage of several journeys; write "
                + " or ".join(f"`{o}`" for o in options),
                suggestion=options[0], stage=ref,
            ))
        else:
            stage_ref = StageRef(matches[0].journey, matches[0].id)
            if stage_ref not in refs:
                refs.append(stage_ref)

    for persona_id in resolved_personas:
        persona = personas[persona_id]
        for ref in refs:
            if not persona.follows(ref.journey):
                findings.append(Finding(
                    "persona-journey", file, where("stage" if "stage" in clean else "stages"),
                    f"`{persona_id}` does not follow the `{ref.journey}` journey, so this page "
                    f"cannot serve it at `{ref.stage}`: add `{ref.journey}` to the persona's "
                    "`journeys`, or map the page to another stage",
                    persona=persona_id, journey=ref.journey, stage=ref.stage,
                ))

    next_paths: list[str] = []
    for item, target in enumerate(clean.get("next", ())):
        if target.strip().lower().startswith(_URL_SCHEMES):
            findings.append(Finding("unknown-next", file, where("next", item),
                                    f"`next` must name a page of this site, not the address "
                                    f"`{shown(target)}`"))
            continue
        resolved, guess = index.resolve(path, target)
        if resolved is None:
            findings.append(Finding(
                "unknown-next", file, where("next", item),
                f"the next step `{shown(target)}` is not a page of this site"
                + (f"; did you mean `{shown(guess)}`?" if guess else
                   " (paths are relative to the docs directory)")
                + (" (the same letters, encoded differently: copy the file's name)"
                   if guess and index.same_letters(guess) == index.same_letters(target.strip())
                   else ""),
                suggestion=guess,
            ))
        elif resolved != path and resolved not in next_paths:
            next_paths.append(resolved)

    review_by = clean.get("review_by")
    if review_by is not None and review_by < today:
        findings.append(Finding(
            "stale", file, where("review_by"),
            f"the review date {review_by.isoformat()} has passed; review the page and move "
            "`review_by` forward",
        ))
    return Piece(
        path=path,
        file=file,
        title=clean.get("title") or header.title or _title_from_path(path),
        personas=tuple(resolved_personas),
        stages=tuple(refs),
        status=clean.get("status", "published"),
        owner=clean.get("owner"),
        channel=clean.get("channel"),
        format=clean.get("format"),
        intent=clean.get("intent"),
        review_by=review_by,
        next=tuple(next_paths),
        line=1,
        lines=lines,
    )


def _unmapped(file: str, findings: list[Finding]) -> None:
    findings.append(Finding("unmapped-page", file, 1,
                            "the page names no persona and no stage; add `personas` and `stage` "
                            "to its front-matter, or exclude it"))


def _title_from_path(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(path)) or "Home"
    return stem.replace("-", " ").replace("_", " ").capitalize()


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()

