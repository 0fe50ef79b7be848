"""`content-map new`: persona, journey and page files that start valid and say what to write.

A page scaffolded for a persona and stage carries a brief in an HTML comment
(hidden on the built site): who the reader is, what gets in their way, and what
they ask at that stage. Its status is `draft`, so the map shows the cell as work
in progress from the next check on.

Nothing here overwrites a file: the one writer (`writer.create`) writes each file to a
temporary name in the target folder and then hard-links it to its real name, which
fails if the name exists, even when another process created it a moment ago.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from . import writer
from .brief import brief, next_candidates
from .load.labels import label_of
from .load.registry import DEFAULT_JOURNEY, resolve_stage
from .load.schema import PAGE_FIELDS
from .model import ID_PATTERN, Analysis, Journey, Persona, Stage
from .site.generation import shown
from .suggestion import closest, id_form

__all__ = ["REVIEW_AFTER_DAYS", "ScaffoldError", "Scaffold", "create_file", "journey_file",
           "new_file", "page_file", "persona_file"]

REVIEW_AFTER_DAYS = 180
"""A new page's `review_by`: half a year after it is scaffolded."""


class ScaffoldError(Exception):
    """The file cannot be scaffolded; the message says why and what to do instead."""


@dataclass(frozen=True)
class Scaffold:
    """A file to create: its path and text, and a line telling the user what happened."""

    path: Path
    text: str
    note: str = ""


def create_file(path: Path, text: str, within: Path) -> None:
    """Create `path` with `text` inside `within`, whole or not at all, never overwriting."""
    try:
        writer.create(path, text, within)
    except FileExistsError:
        raise ScaffoldError(f"{shown(path)} already exists; content-map new never "
                            "overwrites a file") from None
    except writer.WriteProblem as exc:
        raise ScaffoldError(str(exc)) from None


def _case_twin(target: Path) -> Path | None:
    """An existing file whose name differs from `target`'s only in case: on macOS and
    Windows the two are one file, and in git they are two that fight."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return None
    folded = target.name.casefold()
    for name in names:
        if name != target.name and name.casefold() == folded:
            return target.parent / name
    return None


def _check_id(value: str, kind: str) -> None:
    if not ID_PATTERN.fullmatch(value):
        suggestion = id_form(value)
        raise ScaffoldError(f"`{value}` is not a valid {kind} id: use lower-case letters, digits "
                            "and hyphens" + (f", e.g. `{suggestion}`" if suggestion else ""))


def _comment(lines: list[str] | tuple[str, ...], indent: str = "") -> str:
    return "".join(f"{indent}# {line}".rstrip() + "\n" for line in lines)


def _yaml_text(value: str) -> str:
    """A YAML scalar for `value`, quoted only when YAML needs it."""
    return yaml.safe_dump(value, allow_unicode=True, default_style=None,
                          width=10_000).removesuffix("\n...\n").strip()


def _existing(folder: Path, stem: str, suffixes: tuple[str, ...]) -> Path | None:
    for suffix in suffixes:
        candidate = folder / f"{stem}{suffix}"
        if os.path.lexists(candidate):
            return candidate
    return None


def persona_file(folder: Path, persona_id: str, analysis: Analysis) -> Scaffold:
    """A persona file with its one required field and a prompt for every other."""
    _check_id(persona_id, "persona")
    clash = _existing(folder, persona_id, (".yml", ".yaml", ".md"))
    if clash is not None:
        raise ScaffoldError(f"{shown(clash)} already exists; content-map new never "
                            "overwrites a file")
    for persona in analysis.personas:
        if persona_id in persona.aliases:
            raise ScaffoldError(f"`{persona_id}` is already an alias of the persona "
                                f"`{persona.id}` ({persona.file}); choose another id")
    name = persona_id.replace("-", " ").capitalize()
    text = _comment([
        f"Persona `{persona_id}`: one kind of reader the content is for.",
        "Fill it in from research and interviews, not guesses. Only `name` is required;",
        "uncomment the fields you know. `content-map schema` gives editors completion.",
    ])
    text += f"name: {_yaml_text(name)}  # who they are, e.g. \"Olivia, Operations Lead\"\n"
    text += _comment([
        "summary: \"One or two sentences: their role, what they own, what they decide.\"",
    ])
    text += "type: external  # external (a customer) or internal (a colleague)\n"
    text += _comment([
        "frequency: occasional  # first-time | occasional | frequent",
        f"journeys: [{', '.join(j.id for j in analysis.journeys)}]"
        "  # the journeys they follow; default: every journey",
        "demographics: {age: 35-44, location: UK, occupation: Operations}",
        "goals:",
        "  - What are they trying to achieve?",
        "pains:",
        "  - What gets in their way? (a page written for a gap starts from these)",
        "motivations:",
        "  - Why do they act?",
        "channels: [search, email]  # where they look for content",
    ])
    stage_lines = ["stages:  # how they feel and what they ask at each stage"]
    for journey in analysis.journeys:
        for stage in journey.stages:
            key = stage.id if _unique(stage, analysis.journeys) else f"{journey.id}/{stage.id}"
            stage_lines += [f"  {key}:", "    emotion: curious",
                            "    questions: [\"What do they ask here?\"]"]
    last = analysis.journeys[-1].last.id if analysis.journeys else "advocacy"
    stage_lines += [
        "skip_stages:  # stages where they need no content, with the reason",
        f"  - stage: {last}",
        "    reason: Why no content is expected here.",
        "aliases: []  # other ids pages may use for this persona",
    ]
    text += _comment(stage_lines)
    return Scaffold(folder / f"{persona_id}.yml", text,
                    f"add pages for `{persona_id}` with `content-map new page PATH --persona "
                    f"{persona_id} --stage STAGE`")


def _unique(stage: Stage, journeys: tuple[Journey, ...] | list[Journey]) -> bool:
    return sum(1 for j in journeys for s in j.stages if s.id == stage.id) == 1


def journey_file(folder: Path, journey_id: str, stage_ids: list[str] | None,
                 analysis: Analysis) -> Scaffold:
    """A journey with its stages (by default the built-in buyer stages), each with prompts."""
    _check_id(journey_id, "journey")
    clash = _existing(folder, journey_id, (".yml", ".yaml"))
    if clash is not None:
        raise ScaffoldError(f"{shown(clash)} already exists; content-map new never "
                            "overwrites a file")
    defaults = {s.id: s for s in DEFAULT_JOURNEY.stages}
    ids = stage_ids or list(defaults)
    seen: set[str] = set()
    for stage_id in ids:
        _check_id(stage_id, "stage")
        if stage_id in seen:
            raise ScaffoldError(f"the stage `{stage_id}` is listed twice")
        seen.add(stage_id)
    shared = {s.id: j.id for j in analysis.journeys if j.file for s in j.stages if s.id in seen}
    if shared and not stage_ids:
        raise ScaffoldError(
            f"the default stages ({', '.join(ids)}) are already stages of the "
            f"`{'`, `'.join(sorted(set(shared.values())))}` journey; name this journey's "
            "stages with --stages, e.g. --stages onboarding,adoption,renewal")
    name = journey_id.replace("-", " ").capitalize()
    text = _comment([
        f"Journey `{journey_id}`: the stages a customer goes through, in order.",
        "Each stage says what the customer wants (goal), asks (questions) and feels",
        "(emotions), where they look (channels) and how content there is measured (kpis).",
    ])
    text += f"name: {_yaml_text(name if name.lower().endswith('journey') else name + ' journey')}\n"
    text += "# description: \"One sentence: from where to where this journey goes.\"\n"
    text += "stages:\n"
    for stage_id in ids:
        known = defaults.get(stage_id)
        text += f"  - id: {stage_id}\n"
        stage_name = known.name if known else stage_id.replace("-", " ").capitalize()
        text += f"    name: {_yaml_text(stage_name)}\n"
        if known and known.goal:
            text += f"    goal: {_yaml_text(known.goal)}\n"
        else:
            text += "    # goal: What the customer wants to achieve at this stage.\n"
        text += _comment([
            "questions: [\"What does the customer ask here?\"]",
            "emotions: [curious]",
            "channels: [search]",
            "kpis: [time_on_page]",
            "min_content: 1  # counting pages each persona needs here",
        ], indent="    ")
    notes = []
    if shared:
        notes.append("note: " + ", ".join(f"`{k}`" for k in sorted(shared))
                     + " now name stages of two journeys; pages must write `journey/stage` "
                     "for them")
    if not any(j.file for j in analysis.journeys):
        notes.append("note: with a file in the journeys folder, the built-in buyer journey no "
                     "longer applies" + ("" if journey_id == "buyer" else
                                         "; run `content-map new journey buyer` to keep it"))
    return Scaffold(folder / f"{journey_id}.yml", text, "\n".join(notes))


def _inside(path: str, folder: str) -> str | None:
    """`path` relative to `folder` (POSIX separators) when it lies inside it, else None;
    a folder reached through a link counts as the folder."""
    for inner, outer in ((path, folder), (os.path.realpath(path), os.path.realpath(folder))):
        rel = os.path.relpath(inner, outer)
        if rel != "." and rel != ".." and not rel.startswith(".." + os.sep):
            return rel.replace(os.sep, "/")
    return None


def _page_path(docs_dir: Path, path: str) -> tuple[Path, str]:
    """The page `path` names, taken as typed: relative to the working directory when it
    lands in the docs folder (tab completion from the project's root gives
    `docs/guides/x.md`), else relative to the docs folder; an absolute path must lie in
    the docs folder. Returns the file and its docs-relative POSIX path."""
    typed = path.strip()
    if not typed:
        raise ScaffoldError("give the page's path, e.g. guides/choosing-a-tool.md")
    if not typed.endswith(".md"):
        if posixpath.splitext(typed.replace("\\", "/"))[1]:
            raise ScaffoldError(f"`{path}` is not a Markdown page; the path must end in `.md`")
        typed += ".md"
    docs = os.path.normpath(os.path.abspath(docs_dir))
    rel = _inside(os.path.normpath(os.path.abspath(typed)), docs)
    if rel is None and not os.path.isabs(typed):
        rel = _inside(os.path.normpath(os.path.join(docs, typed.replace("\\", "/"))), docs)
    if rel is None:
        raise ScaffoldError(f"`{path}` is outside the docs directory ({shown(Path(docs))}); give "
                            "a path inside it, from here or from the docs directory")
    if any(part.startswith(".") for part in rel.split("/")):
        raise ScaffoldError(f"`{path}` is hidden (a name starts with `.`); MkDocs would skip it")
    return docs_dir / rel, rel


def _persona_ids(analysis: Analysis, given: list[str]) -> list[Persona]:
    names: dict[str, Persona] = {}
    for known in analysis.personas:
        names[known.id] = known
        for alias in (*known.aliases, *known.labels):  # a label: the site's own name
            names.setdefault(alias, known)
    chosen: list[Persona] = []
    for value in given:
        for name in (v.strip() for v in value.split(",")):
            if not name:
                continue
            persona: Persona | None = names.get(name)
            if persona is None:
                guess = closest(name, names)
                listing = ", ".join(f"`{p.id}`" for p in analysis.personas) or "none yet"
                raise ScaffoldError(
                    f"`{name}` is not a persona"
                    + (f"; did you mean `{guess}`?" if guess else f" (personas: {listing})"))
            if persona not in chosen:
                chosen.append(persona)
    if not chosen:
        raise ScaffoldError("name at least one persona with --persona")
    return chosen


def _stage(analysis: Analysis, ref: str) -> Stage:
    matches, guess = resolve_stage(ref.strip(), analysis.journeys)
    matches = matches or [s for j in analysis.journeys for s in j.stages if ref.strip() in s.labels]
    if not matches:
        raise ScaffoldError(f"`{ref}` is not a stage" + (f"; did you mean `{guess}`?" if guess
                                                         else "; see `content-map matrix`"))
    if len(matches) > 1:
        options = " or ".join(f"`{s.journey}/{s.id}`" for s in matches)
        raise ScaffoldError(f"`{ref}` is a stage of several journeys; write {options}")
    return matches[0]


def page_file(
    docs_dir: Path,
    path: str,
    analysis: Analysis,
    personas: list[str],
    stage_ref: str,
    *,
    title: str | None = None,
    owner: str | None = None,
    review_by: dt.date | None = None,
    fields: Mapping[str, str] | None = None,
) -> Scaffold:
    """A draft page for personas at a stage, with a brief drawn from who they are.

    `fields` are the site's own front-matter keys for standard fields (the `fields`
    option): the page is written with those, so the next check reads it."""
    target, rel = _page_path(docs_dir, path)
    if os.path.lexists(target):
        raise ScaffoldError(f"{shown(target)} already exists; content-map new never overwrites "
                            "a file")
    twin = _case_twin(target)
    if twin is not None:
        raise ScaffoldError(f"{shown(twin)} already exists, and differs from {target.name} only in "
                            "case (on macOS and Windows they are the same file); choose "
                            "another name")
    chosen = _persona_ids(analysis, personas)
    stage = _stage(analysis, stage_ref)
    journey = analysis.journey(stage.journey)
    assert journey is not None
    for persona in chosen:
        if not persona.follows(journey.id):
            raise ScaffoldError(f"`{persona.id}` does not follow the `{journey.id}` journey; add "
                                f"it to the persona's `journeys` or choose another stage")
        if persona.skip_reason(journey.id, stage.id) is not None:
            raise ScaffoldError(f"`{persona.id}` skips `{journey.id}/{stage.id}` "
                                f"({persona.skip_reason(journey.id, stage.id)}); remove the skip "
                                "first if the persona needs content there")
    stem = posixpath.splitext(posixpath.basename(rel))[0]
    page_title = " ".join(title.split()) if title and title.strip() else \
        stem.replace("-", " ").replace("_", " ").capitalize()
    key = {f.name: (fields or {}).get(f.name, f.name) for f in PAGE_FIELDS}  # name -> key
    metadata: dict[str, object] = {
        key["title"]: page_title,
        # a renamed field holds the site's own labels, when personas and stages have them
        key["personas"]: [label_of(p, key["personas"] != "personas") for p in chosen],
        key["stage"]: label_of(stage, key["stage"] != "stage", stage.id if _unique(
            stage, analysis.journeys) else f"{journey.id}/{stage.id}"),
        key["status"]: "draft",
    }
    if owner:
        metadata[key["owner"]] = owner
    if review_by is None:
        try:
            review_by = analysis.today + dt.timedelta(days=REVIEW_AFTER_DAYS)
        except OverflowError:  # `--today` near the end of the calendar
            review_by = dt.date.max
    metadata[key["review_by"]] = review_by
    next_pages = next_candidates(analysis, chosen, journey, stage)
    post = frontmatter.Post(brief(chosen, journey, stage, page_title, next_pages, key, owner))
    post.metadata.update(metadata)
    text = frontmatter.dumps(post, sort_keys=False) + "\n"
    cells = [c for c in analysis.cells
             if c.journey == journey.id and c.stage == stage.id
             and c.persona in {p.id for p in chosen}]
    gaps = [c.persona for c in cells if c.state == "gap"]
    note = (f"a draft for `{', '.join(p.id for p in chosen)}` at `{journey.id}/{stage.id}`"
            + (f": the gap for `{', '.join(gaps)}` is now in progress" if gaps else ""))
    return Scaffold(target, text, note)


def new_file(kind: str, name: str, analysis: Analysis, home: Path, root: Path,
             options: Mapping[str, Any], fields: Mapping[str, str] | None = None) -> Scaffold:
    """Make and create the file `content-map new KIND NAME` asks for, in `home` (the
    personas, journeys or docs folder, made inside the project when missing). `options`
    are the command's: `stages`, `persona`, `stage`, `title`, `owner`, `review_by`."""
    try:
        if kind == "persona":
            made = persona_file(home, name, analysis)
        elif kind == "journey":
            stages = options.get("stages")
            made = journey_file(home, name, [s.strip() for s in stages.split(",") if s.strip()]
                                if stages else None, analysis)
        else:
            made = page_file(home, name, analysis, list(options.get("persona") or ()),
                             options.get("stage") or "", title=options.get("title"),
                             owner=options.get("owner"), review_by=options.get("review_by"),
                             fields=fields)
        if not os.path.isdir(home):  # a new personas or journeys folder, in the project
            writer.ensure_folder(home, root)
        create_file(made.path, made.text, home)
    except writer.WriteProblem as exc:
        raise ScaffoldError(str(exc)) from None
    except OSError as exc:
        raise ScaffoldError(f"cannot create the file ({exc.strerror})") from None
    return made
