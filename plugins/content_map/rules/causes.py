"""One root cause, one finding: what only follows from a broken persona or journey file is
summed up in one line under it, and the waivers' findings get their line in mkdocs.yml.

A persona file that cannot be read is no persona: every page that names it would be an
`unknown-persona` error and every waiver for it a `schema` error, and the one real
mistake would be buried among them. A persona without its required `name` is one, but
half-written: its coverage gaps say nothing yet. Those findings are left out, and one
note (`info`) under the file's own finding counts them: "and 5 pages that name `ops`".
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ..model import Finding, Waiver

__all__ = ["Registered", "folded", "placed"]


@dataclass(frozen=True)
class Registered:
    """Where persona and journey files live (relative to mkdocs.yml's folder), and the ids
    that were loaded from them."""

    personas_dir: str
    journeys_dir: str
    persona_ids: frozenset[str]
    journey_ids: frozenset[str]
    config_file: str = "mkdocs.yml"


@dataclass(frozen=True)
class _Root:
    finding: Finding
    kind: str  # persona | journey
    id: str
    readable: bool  # loaded, but missing a required field


def _in(file: str, folder: str) -> bool:
    return file.startswith(posixpath.normpath(folder).rstrip("/") + "/")


def _roots(findings: Sequence[Finding], registered: Registered) -> list[_Root]:
    roots: dict[str, _Root] = {}
    for finding in findings:
        if finding.file in roots or finding.rule not in ("yaml-syntax", "schema") \
                or finding.severity != "error":
            continue
        for kind, folder, ids in (("persona", registered.personas_dir, registered.persona_ids),
                                  ("journey", registered.journeys_dir, registered.journey_ids)):
            if not _in(finding.file, folder):
                continue
            stem = posixpath.splitext(posixpath.basename(finding.file))[0]
            if stem not in ids:
                roots[finding.file] = _Root(finding, kind, stem, readable=False)
            elif kind == "persona" and " has no `name`" in finding.message:
                roots[finding.file] = _Root(finding, kind, stem, readable=True)
    return list(roots.values())


def _follows(root: _Root, finding: Finding, registered: Registered,
             hinted: set[str]) -> str | None:
    """What `finding` is, counted under `root`, when it only follows from it; else None.
    `hinted`: the pages whose `journey` names a journey the root's file would define."""
    if finding is root.finding or finding.severity == "info" and finding.file == root.finding.file:
        return None
    name = f"`{root.id}`"
    if root.kind == "persona" and not root.readable:
        if finding.rule == "unknown-persona" and finding.persona == root.id:
            return f"page that names {name}|pages that name {name}"
        if finding.rule == "schema" and finding.file == registered.config_file \
                and finding.persona == root.id:
            return f"waiver that names {name}|waivers that name {name}"
    elif root.kind == "persona":
        if finding.file == root.finding.file and finding.persona == root.id and \
                finding.rule in ("coverage-gap", "orphan-persona", "journey-break"):
            return f"`{finding.rule}` finding|`{finding.rule}` findings"
    else:
        stage = finding.stage or ""
        if finding.rule == "unknown-stage" and (
                finding.journey == root.id or stage.startswith(root.id + "/")
                or finding.file in hinted and "/" not in stage):
            return f"page that names {name}|pages that name {name}"
        if finding.rule == "unknown-stage" and not registered.journey_ids:
            # No journey was read at all: every stage is unknown for want of this one.
            return (f"page whose stage is unknown while {name} cannot be read|"
                    f"pages whose stages are unknown while {name} cannot be read")
        if finding.rule == "schema" and f"follows {name}, which is not a journey" \
                in finding.message:
            return f"persona that follows {name}|personas that follow {name}"
    return None


def folded(findings: list[Finding], registered: Registered) -> list[Finding]:
    """`findings` without those that only follow from a broken persona or journey file,
    and a note under that file's finding that counts them."""
    roots = _roots(findings, registered)
    if not roots:
        return findings
    follow: dict[str, dict[str, list[str]]] = {r.finding.file: {} for r in roots}
    hinted = {r.id: {f.file for f in findings if f.rule == "unknown-stage" and f.journey == r.id}
              for r in roots if r.kind == "journey"}
    kept: list[Finding] = []
    for finding in findings:
        for root in roots:
            what = _follows(root, finding, registered, hinted.get(root.id, set()))
            if what is not None:
                follow[root.finding.file].setdefault(what, []).append(finding.file)
                break
        else:
            kept.append(finding)
    out: list[Finding] = []
    for finding in kept:
        out.append(finding)
        cause = next((r for r in roots if r.finding is finding), None)
        if cause is not None and follow[finding.file]:
            out.append(_note(cause, follow[finding.file]))
    return out


def _note(root: _Root, follow: dict[str, list[str]]) -> Finding:
    parts = []
    for what, files in follow.items():
        one, many = what.split("|")
        n = len(set(files)) if one.startswith("page") else len(files)  # a page counts once
        parts.append(f"{n:,} {one if n == 1 else many}")
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return Finding(root.finding.rule, root.finding.file, root.finding.line,
                   f"and {listed}, not listed: they follow from this problem; fix it and check "
                   "again", "info", persona=root.id if root.kind == "persona" else None,
                   journey=root.id if root.kind == "journey" else None)


def _waiver(finding: Finding, waivers: Sequence[Waiver]) -> int | None:
    """The index of the waiver a finding in mkdocs.yml is about, if any."""
    for index, waiver in enumerate(waivers):
        if (waiver.persona, waiver.stage) == (finding.persona, finding.stage) and (
                None in (waiver.journey, finding.journey) or waiver.journey == finding.journey):
            return index
    return None


def placed(findings: Iterable[Finding], waivers: Sequence[Waiver], config_file: str,
           lines: Callable[[], Sequence[int]]) -> list[Finding]:
    """The waivers' findings in mkdocs.yml with the line of their waiver (`lines`: each
    waiver's line, read only when a finding needs it)."""
    out: list[Finding] = []
    known: Sequence[int] | None = None
    for finding in findings:
        index = _waiver(finding, waivers) if finding.file == config_file \
            and finding.line is None and finding.persona else None
        if index is not None:
            known = lines() if known is None else known
            if index < len(known):
                finding = replace(finding, line=known[index])
        out.append(finding)
    return out
