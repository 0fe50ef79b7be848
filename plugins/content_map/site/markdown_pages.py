"""The map as plain Markdown pages, for engines that run no plugins (such as Zensical).

`generate --out DIR` writes `index.md` (figures and the matrix), one page per
persona (`personas/<id>.md`), one per stage (`stages/<journey>/<stage>.md`) and
`gaps.md` (every finding, by rule). Links to content pages are relative paths
from each generated file to the page's Markdown source, which is what MkDocs and
its successors resolve, so DIR belongs inside the docs directory
(e.g. `docs/content-map`).

Every generated file starts with `MARKER`. A file without it is never
overwritten, and a page this folder's last run generated (listed in `MANIFEST`) whose
persona or stage is gone is removed, so the folder always matches the model.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .. import writer
from ..model import Analysis, Finding, Journey, Persona, Piece, Stage
from ..reader import open_regular, read_bytes
from ..reports.markdown_text import code, link, message, table, text
from ..reports.text import summary
from ..rules.catalogue import RULES
from ..vocabulary import LEGEND, STATES, cell_label
from .layout import GAPS, OVERVIEW, persona_page, stage_page

__all__ = ["MANIFEST", "MARKER", "GenerateError", "Generated", "render_pages", "write_pages"]

MARKER = "<!-- content-map: generated page; edit personas, journeys and pages instead -->"


class GenerateError(Exception):
    """The pages cannot be written (a file the tool did not generate is in the way)."""


@dataclass(frozen=True)
class Generated:
    written: tuple[str, ...]
    removed: tuple[str, ...]


class _Site:
    """Where things are: links from one generated page to another page or a content page."""

    def __init__(self, analysis: Analysis, out: Path, docs_dir: Path, docs_prefix: str):
        self.analysis = analysis
        self.out = out
        self.docs_dir = docs_dir
        self.docs_prefix = docs_prefix  # e.g. "docs/": how report paths name docs pages
        self.cells = {(c.persona, c.journey, c.stage): c for c in analysis.cells}
        self.persona_files = {p.file: p for p in analysis.personas}

    def to_page(self, here: str, target: str) -> str:
        """A link target from generated page `here` to generated page `target` (both in out)."""
        return posixpath.relpath(target, posixpath.dirname(here) or ".")

    def to_content(self, here: str, path: str) -> str:
        """A link target from generated page `here` to the content page at docs path `path`."""
        source = os.path.join(self.out, *here.split("/"))
        target = os.path.join(self.docs_dir, *path.split("/"))
        return Path(os.path.relpath(target, os.path.dirname(source))).as_posix()

    def piece_link(self, here: str, piece: Piece) -> str:
        label = link(text(piece.title), self.to_content(here, piece.path))
        if piece.status != "published":
            label += f" ({text(piece.status)})"
        return label

    def persona_link(self, here: str, persona: Persona) -> str:
        return link(text(persona.name), self.to_page(here, persona_page(persona.id)))

    def stage_link(self, here: str, stage: Stage, label: str | None = None) -> str:
        return link(label or text(stage.name),
                    self.to_page(here, stage_page(stage.journey, stage.id)))

    def pieces(self, here: str, paths: tuple[str, ...]) -> str:
        found = [self.analysis.piece(p) for p in paths]
        return "<br>".join(self.piece_link(here, p) for p in found if p is not None)

    def where(self, here: str, finding: Finding) -> str:
        label = code(finding.location)
        if finding.file in self.persona_files:
            persona = self.persona_files[finding.file]
            return link(label, self.to_page(here, persona_page(persona.id)))
        if self.docs_prefix and finding.file.startswith(self.docs_prefix) \
                and finding.file.endswith(".md"):
            return link(label, self.to_content(here, finding.file[len(self.docs_prefix):]))
        return label


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "".join(f"- {text(item)}\n" for item in items)


def _index(site: _Site) -> str:
    here = OVERVIEW
    analysis = site.analysis
    facts = summary(analysis)
    cells = facts["cells"]
    total = cells["covered"] + cells["gap"] + cells["waived"]
    coverage = facts["coverage"]
    figure = "n/a" if coverage is None else f"{coverage:.0%}"
    out = [f"# Content map\n\nCoverage of each persona's journey by the site's content, as of "
           f"{analysis.today.isoformat()}.\n",
           table(["Personas", "Stages", "Pieces", "Coverage", "Gaps", "Waived", "Findings"],
                 [[str(facts["personas"]), str(facts["stages"]), str(facts["pieces"]),
                   f"{figure} ({cells['covered']} of {total} cells)", str(cells["gap"]),
                   str(cells["waived"]),
                   link(str(len(analysis.findings)), site.to_page(here, GAPS))]])]
    for journey in analysis.journeys:
        personas = [p for p in analysis.personas if p.follows(journey.id)]
        if not personas:
            continue
        out.append(f"## {text(journey.name)}\n")
        if journey.description:
            out.append(text(journey.description) + "\n")
        heads = ["Persona", *(site.stage_link(here, s) for s in journey.stages)]
        rows = []
        for persona in personas:
            row = [site.persona_link(here, persona)]
            for stage in journey.stages:
                cell = site.cells.get((persona.id, journey.id, stage.id))
                value = cell_label(cell, in_progress=True)
                if cell is not None and cell.state != "skipped":
                    target = site.to_page(here, stage_page(journey.id, stage.id))
                    value = link(value, f"{target}#persona-{persona.id}")
                row.append(value)
            rows.append(row)
        out.append(table(heads, rows))
    out.append(LEGEND + "\n")
    out.append("## Personas\n")
    out.append("".join(f"- {site.persona_link(here, p)}" + (f": {text(p.summary)}" if p.summary
                                                            else "") + "\n"
                       for p in analysis.personas) or "No personas yet.\n")
    out.append(f"See the {link('gap report', site.to_page(here, GAPS))} for every finding.\n")
    return "\n".join(out)


def _persona(site: _Site, persona: Persona) -> str:
    here = persona_page(persona.id)
    analysis = site.analysis
    facts = [f"Id {code(persona.id)}", f"type {text(persona.type)}"]
    if persona.frequency:
        facts.append(f"comes {text(persona.frequency)}")
    if persona.aliases:
        facts.append("also " + ", ".join(code(a) for a in persona.aliases))
    out = [f"# {text(persona.name)}\n"]
    if persona.summary:
        out.append(text(persona.summary) + "\n")
    out.append(" · ".join(facts) + f" · {link('Content map', site.to_page(here, OVERVIEW))}\n")
    for title, items in (("Goals", persona.goals), ("Pains", persona.pains),
                         ("Motivations", persona.motivations)):
        if items:
            out.append(f"## {title}\n\n" + _bullets(items))
    if persona.channels:
        out.append("**Channels:** " + ", ".join(text(c) for c in persona.channels) + "\n")
    if persona.demographics:
        out.append("## Demographics\n")
        out.append(table(["Trait", "Value"], [[text(k.capitalize()), text(v)]
                                    for k, v in persona.demographics.items()]))
    if persona.narrative:
        out.append("## Story\n")
        out.extend(text(par) + "\n" for par in persona.narrative.split("\n\n") if par.strip())
    gaps: list[str] = []
    for journey in analysis.journeys:
        if not persona.follows(journey.id):
            continue
        out.append(f"## {text(journey.name)}\n")
        rows = []
        for stage in journey.stages:
            cell = site.cells.get((persona.id, journey.id, stage.id))
            state = cell.display_state if cell else "skipped"
            mood = persona.stages.get(f"{journey.id}/{stage.id}")
            status = " ".join(STATES[state])
            if cell is not None and cell.reason:
                status += f": {text(cell.reason)}"
            rows.append([
                site.stage_link(here, stage),
                status,
                site.pieces(here, cell.pieces) if cell else "",
                site.pieces(here, cell.in_progress) if cell else "",
                text(mood.emotion) if mood and mood.emotion else "",
                "<br>".join(text(q) for q in mood.questions) if mood else "",
            ])
            if cell is not None and cell.state == "gap":
                label = text(f"{journey.name}: {stage.name}")
                gaps.append(f"- {site.stage_link(here, stage, label)}"
                            f": {cell.count} of {cell.threshold} counting pieces"
                            + (f", {len(cell.in_progress)} in progress" if cell.in_progress else "")
                            + "\n")
        out.append(table(["Stage", "State", "Pieces", "In progress", "Feels", "Asks"], rows))
    out.append("## Gaps\n")
    out.append("".join(gaps) if gaps else "No gaps.\n")
    return "\n".join(out)


def _stage(site: _Site, journey: Journey, stage: Stage) -> str:
    here = stage_page(journey.id, stage.id)
    out = [f"# {text(stage.name)}\n",
           f"Stage {stage.index + 1} of {len(journey.stages)} of the "
           f"{text(journey.name)} · {link('Content map', site.to_page(here, OVERVIEW))}\n"]
    if stage.goal:
        out.append(f"**Goal:** {text(stage.goal)}\n")
    for title, items in (("Questions", stage.questions), ("Emotions", stage.emotions),
                         ("Channels", stage.channels), ("KPIs", stage.kpis)):
        if items:
            out.append(f"## {title}\n\n" + _bullets(items))
    out.append("## Pieces by persona\n")
    any_persona = False
    for persona in site.analysis.personas:
        cell = site.cells.get((persona.id, journey.id, stage.id))
        if cell is None:
            continue
        any_persona = True
        state = cell.display_state
        out.append(f'<a id="persona-{persona.id}"></a>\n\n### {text(persona.name)}\n')
        line = " ".join(STATES[state])
        if state != "skipped":
            line += f", {cell.count} of {cell.threshold} counting pieces"
        if cell.reason:
            line += f": {text(cell.reason)}"
        out.append(line + f" · {site.persona_link(here, persona)}\n")
        paths = (*cell.pieces, *cell.in_progress, *cell.other)
        pieces = [p for p in (site.analysis.piece(x) for x in paths) if p is not None]
        if pieces:
            out.append(table(["Page", "Status", "Owner", "Format", "Channel"], [
                [site.piece_link(here, p), text(p.status), text(p.owner or ""),
                 text(p.format or ""), text(p.channel or "")] for p in pieces]))
    if not any_persona:
        out.append("No persona follows this journey.\n")
    return "\n".join(out)


def _gaps(site: _Site) -> str:
    here = GAPS
    findings = site.analysis.findings
    out = ["# Gap report\n",
           (f"{len(findings)} finding{'s' if len(findings) != 1 else ''}, grouped by rule, "
            f"as of {site.analysis.today.isoformat()}. "
            f"{link('Content map', site.to_page(here, OVERVIEW))}\n") if findings
           else "No findings.\n"]
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule_id in sorted(by_rule, key=lambda r: list(RULES).index(r) if r in RULES else 99):
        items = by_rule[rule_id]
        rule = RULES.get(rule_id)
        out.append(f"## {text(rule_id)} ({len(items)})\n")
        if rule is not None:
            out.append(f"{message(rule.summary)} {message(rule.help)}\n")
        out.append(table(["Severity", "Where", "Message"], [
            [text(f.severity or "error"), site.where(here, f), message(f.message)] for f in items]))
    return "\n".join(out)


def render_pages(analysis: Analysis, out: Path, docs_dir: Path,
                 docs_prefix: str) -> dict[str, str]:
    """Generated path (relative to `out`) -> Markdown text, each starting with `MARKER`."""
    site = _Site(analysis, out, docs_dir, docs_prefix)
    pages: dict[str, Callable[[], str]] = {OVERVIEW: partial(_index, site),
                                           GAPS: partial(_gaps, site)}
    for persona in analysis.personas:
        pages[persona_page(persona.id)] = partial(_persona, site, persona)
    for journey in analysis.journeys:
        for stage in journey.stages:
            pages[stage_page(journey.id, stage.id)] = partial(_stage, site, journey, stage)
    return {path: f"{MARKER}\n\n{render().rstrip()}\n" for path, render in pages.items()}


MANIFEST = ".content-map-files"
"""In the `--out` folder: the pages generated there, one per line. Only those are ever
removed, so a page written by `generate` into another folder is never touched."""


def _ours(path: Path) -> bool:
    """Whether `path` is a regular file that starts with `MARKER` (never blocks on a FIFO)."""
    try:
        with open_regular(path) as handle:
            first = handle.readline(len(MARKER) + 2)
    except OSError:
        return False
    return first.rstrip(b"\r\n") == MARKER.encode()


def _manifest(out: Path) -> list[str]:
    try:
        text = read_bytes(out / MANIFEST, 1024 * 1024).decode("utf-8", "replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line and ".." not in line.split("/")]


def write_pages(pages: dict[str, str], out: Path) -> Generated:
    """Write the pages under `out`; remove the pages an earlier run wrote there that are no
    longer part of the map.

    Refuses (before writing anything) when a file the tool did not generate is in the way.
    Every write goes through the one writer, confined to `out`.
    """
    blocked = [rel for rel in pages if os.path.lexists(out / rel) and not _ours(out / rel)]
    if blocked:
        raise GenerateError(
            f"{out}: {', '.join(sorted(blocked))} "
            f"{'was' if len(blocked) == 1 else 'were'} not generated by content-map; "
            "move them away or choose another --out folder")
    try:
        before = _manifest(out)
        written = []
        for rel, content in sorted(pages.items()):
            writer.replace(out / rel, content, within=out)
            written.append(rel)
        writer.replace(out / MANIFEST, "".join(f"{rel}\n" for rel in written), within=out)
        removed = []
        for rel in before:
            if rel not in pages and _ours(out / rel) and writer.remove(out / rel, out):
                removed.append(rel)
    except writer.WriteProblem as exc:
        raise GenerateError(str(exc)) from None
    return Generated(tuple(written), tuple(removed))
