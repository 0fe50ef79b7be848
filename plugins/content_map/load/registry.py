"""Loading the registries: journeys from `journeys/`, personas from `personas/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import ID_PATTERN, Finding, Journey, Persona, PersonaStage, SkipStage, Stage
from ..suggestion import closest, id_form, shown
from . import safe_yaml
from .header import split_header
from .schema import JOURNEY_FIELDS, PERSONA_FIELDS, Validator
from .source import SourceProblem, read_text, registry_files, trusted_folder

__all__ = ["DEFAULT_JOURNEY", "load_journeys", "load_personas", "resolve_stage"]

_DEFAULT_STAGES = (
    ("awareness", "Awareness", "The customer realises they have a need."),
    ("consideration", "Consideration", "The customer explores ways to meet the need."),
    ("decision", "Decision", "The customer chooses a solution."),
    ("retention", "Retention", "The customer gets value and stays."),
    ("advocacy", "Advocacy", "The customer recommends the solution to others."),
)

DEFAULT_JOURNEY = Journey(
    id="buyer",
    name="Buyer journey",
    description="The built-in journey, used when journeys/ holds no journey.",
    stages=tuple(
        Stage(id=sid, name=name, journey="buyer", index=i, goal=goal)
        for i, (sid, name, goal) in enumerate(_DEFAULT_STAGES)
    ),
)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _parse(path: Path, root: Path, findings: list[Finding],
           base: Path | None = None) -> tuple[Any, str, int]:
    """Read and parse a registry file: (data, narrative, line offset); data None on failure.

    `base` is where the file may really live (see `source.trusted_folder`).
    """
    file = _rel(path, root)
    try:
        text = read_text(path, base or root)
    except SourceProblem as exc:
        findings.append(Finding("yaml-syntax", file, exc.line or 1,
                                f"{shown(path.name)} {exc.message}"))
        return None, "", 0
    narrative, yaml_text, offset = "", text, 0
    if path.suffix == ".md":
        header, body = split_header(text)
        if header.state != "ok":
            findings.append(Finding(
                "yaml-syntax", file, 1,
                "a persona page needs a front-matter block between `---` lines at the top"
                if header.state == "none" else "the front-matter block is never closed: "
                "add a `---` line after it",
            ))
            return None, "", 0
        narrative, yaml_text, offset = body.strip(), header.yaml, 1
    try:
        data = safe_yaml.load(yaml_text)
    except safe_yaml.YamlProblem as exc:
        line = exc.line + offset if exc.line else 1
        findings.append(Finding("yaml-syntax", file, line, f"invalid YAML: {exc.message}",
                                column=exc.column))
        return None, "", 0
    if data is None:
        data = safe_yaml.YamlMap(1)
    if not isinstance(data, dict):
        findings.append(Finding("yaml-syntax", file, 1 + offset,
                                f"{shown(path.name)} must hold `key: value` lines, not "
                                + ("a list" if isinstance(data, list) else "a single value")))
        return None, "", 0
    return data, narrative, offset


def _file_id(path: Path, data: dict[str, Any], clean: dict[str, Any], validator: Validator,
             kind: str) -> str | None:
    stem = path.stem
    given = clean.get("id")
    if given is not None and given != stem:
        validator.problem("schema", data, "id",
                          f"the {kind} id `{given}` does not match the file name "
                          f"`{shown(path.name)}`; "
                          f"rename the file to `{given}{path.suffix}` or change the id")
        return None
    if "id" in data and given is None:
        return None  # the id itself was reported as invalid
    if not ID_PATTERN.fullmatch(stem):
        suggestion = id_form(stem)
        validator.problem("schema", data, None,
                          f"the file name `{shown(path.name)}` is not a valid {kind} id: use "
                          "lower-case "
                          "letters, digits and hyphens"
                          + (f", e.g. `{suggestion}{path.suffix}`" if suggestion else ""),
                          suggestion=suggestion)
        return None
    if stem in WINDOWS_RESERVED:
        validator.problem("schema", data, "id" if "id" in data else None,
                          _reserved_message(stem, kind))
    return stem


WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)
"""Ids that cannot name a folder on Windows, where the map writes `personas/<id>/`."""


def _reserved_message(name: str, kind: str) -> str:
    return (f"the {kind} id `{name}` is a reserved file name on Windows, so the map's page "
            f"for it (a folder named `{name}`) cannot be written or checked out there; "
            f"choose another id, e.g. `{name}-{kind}`")


def load_journeys(folder: Path, root: Path) -> tuple[list[Journey], list[Finding]]:
    """Every journey in `folder`; the built-in buyer journey when there is none."""
    findings: list[Finding] = []
    journeys: list[Journey] = []
    seen: dict[str, str] = {}
    paths = registry_files(folder, _KINDS["journey"][0])
    for parsed in _registry_files(paths, folder, root, findings, "journey"):
        journey_id, file, data, clean = parsed.id, parsed.file, parsed.data, parsed.clean
        offset, validator = parsed.offset, parsed.validator
        if journey_id in seen:
            findings.append(Finding("duplicate-id", file, data.line + offset,
                                    f"the journey id `{journey_id}` is also defined in "
                                    f"{seen[journey_id]}; keep one of the two files"))
            continue
        seen[journey_id] = file
        stages: list[Stage] = []
        raw_stages = data.get("stages")
        for index, entry in enumerate(clean.get("stages", ())):
            stage_id = entry.get("id")
            if stage_id is None:
                continue
            line = (raw_stages.lines[index] + offset
                    if isinstance(raw_stages, safe_yaml.YamlList) else None)
            if stage_id in WINDOWS_RESERVED and isinstance(raw_stages, safe_yaml.YamlList):
                validator.problem("schema", raw_stages[index], "id",
                                  _reserved_message(stage_id, "stage"))
            if any(s.id == stage_id for s in stages):
                findings.append(Finding("duplicate-id", file, line,
                                        f"the stage id `{stage_id}` appears twice in the journey "
                                        f"`{journey_id}`; give each stage its own id"))
                continue
            stages.append(Stage(
                id=stage_id,
                name=entry.get("name", stage_id.replace("-", " ").capitalize()),
                journey=journey_id,
                index=len(stages),
                goal=entry.get("goal", ""),
                questions=entry.get("questions", ()),
                emotions=entry.get("emotions", ()),
                channels=entry.get("channels", ()),
                kpis=entry.get("kpis", ()),
                min_content=entry.get("min_content"),
                line=line,
                labels=tuple(entry.get("labels", ())),
            ))
        if not stages:
            if "stages" in clean:
                validator.problem("schema", data, "stages",
                                  f"the journey `{journey_id}` has no valid stage; list at least "
                                  "one")
            continue
        journeys.append(Journey(
            id=journey_id,
            name=clean.get("name", journey_id.replace("-", " ").capitalize()),
            description=clean.get("description", ""),
            stages=tuple(stages),
            file=file,
            line=data.line + offset,
        ))
    if not paths:
        journeys.append(DEFAULT_JOURNEY)
    return journeys, findings


def resolve_stage(ref: str, journeys: list[Journey] | tuple[Journey, ...],
                  journey_hint: str | None = None) -> tuple[list[Stage], str | None]:
    """Stages matching `stage` or `journey/stage`, and a suggestion when none does."""
    journey_id, _, stage_id = ref.rpartition("/")
    journey_id = journey_id or journey_hint or ""
    matches = [
        stage
        for journey in journeys
        if not journey_id or journey.id == journey_id
        for stage in journey.stages
        if stage.id == stage_id
    ]
    if matches:
        return matches, None
    if journey_id and not any(j.id == journey_id for j in journeys):
        guess = closest(journey_id, [j.id for j in journeys])
        return [], f"{guess}/{stage_id}" if guess else None
    elsewhere = [f"{j.id}/{stage_id}" for j in journeys if j.stage(stage_id) is not None]
    if journey_id and len(elsewhere) == 1:  # a stage of another journey
        return [], elsewhere[0]
    candidates = [s.id for j in journeys if not journey_id or j.id == journey_id for s in j.stages]
    guess = closest(stage_id, candidates)
    if guess and journey_id and ref.count("/"):
        guess = f"{journey_id}/{guess}"
    return [], guess


@dataclass
class _Parsed:
    """A persona or journey file read and checked against the schema, before its
    references are."""

    id: str
    file: str
    data: Any
    clean: dict[str, Any]
    narrative: str
    offset: int
    validator: Validator

    @property
    def line(self) -> int:
        return int(self.data.lines.get("id") or self.data.line) + self.offset


def load_personas(folder: Path, root: Path,
                  journeys: list[Journey]) -> tuple[list[Persona], list[Finding]]:
    """Every persona in `folder`, with its references to journeys and stages checked."""
    findings: list[Finding] = []
    parsed = _unique(_registry_files(registry_files(folder, _KINDS["persona"][0]), folder, root,
                                      findings, "persona"), findings)
    aliases = _aliases(parsed)
    return [_persona(entry, aliases[entry.id], journeys) for entry in parsed], findings


_KINDS = {"journey": ((".yml", ".yaml"), JOURNEY_FIELDS),
          "persona": ((".yml", ".yaml", ".md"), PERSONA_FIELDS)}


def _registry_files(paths: list[Path], folder: Path, root: Path, findings: list[Finding],
                    kind: str) -> list[_Parsed]:
    """Each of `paths`, journey or persona files (`kind`) of `folder`, that parses, with a
    valid id, checked against its schema."""
    fields = _KINDS[kind][1]
    parsed = []
    base = trusted_folder(folder, root)
    for path in paths:
        data, narrative, offset = _parse(path, root, findings, base)
        if data is None:
            continue
        file = _rel(path, root)
        validator = Validator(file, findings, offset)
        clean = validator.mapping(data, fields, what=f"the {kind} {shown(path.name)}")
        file_id = _file_id(path, data, clean, validator, kind)
        if file_id is not None:
            parsed.append(_Parsed(file_id, file, data, clean, narrative, offset, validator))
    return parsed


def _unique(parsed: list[_Parsed], findings: list[Finding]) -> list[_Parsed]:
    """The first persona of each id; `duplicate-id` for the others."""
    owners: dict[str, str] = {}
    kept = []
    for entry in parsed:
        if entry.id in owners:
            findings.append(Finding(
                "duplicate-id", entry.file, entry.line,
                f"`{entry.id}` is already a persona id in {owners[entry.id]}; each id and "
                "alias must name one persona",
            ))
            continue
        owners[entry.id] = entry.file
        kept.append(entry)
    return kept


def _aliases(parsed: list[_Parsed]) -> dict[str, tuple[str, ...]]:
    """Each persona's own aliases. Ids first, then aliases: an alias never takes a name
    away from a persona's own id, and `duplicate-id` for an alias already taken."""
    owners = {entry.id: entry.file for entry in parsed}
    aliases: dict[str, tuple[str, ...]] = {}
    for entry in parsed:
        own = []
        for index, alias in enumerate(entry.clean.get("aliases", ())):
            if alias in owners and owners[alias] != entry.file:
                holder = entry.data["aliases"]
                entry.validator.problem(
                    "duplicate-id", holder if isinstance(holder, list) else entry.data,
                    index if isinstance(holder, list) else "aliases",
                    f"`{alias}` is already a persona id or alias in {owners[alias]}; each id "
                    "and alias must name one persona",
                )
                continue
            owners[alias] = entry.file
            own.append(alias)
        aliases[entry.id] = tuple(own)
    return aliases


def _followed(entry: _Parsed, journey_ids: list[str]) -> tuple[str, ...] | None:
    """The journeys the persona follows (None: every one); `schema` for one that is none."""
    followed = entry.clean.get("journeys")
    if followed is None:
        return None
    for index, journey_id in enumerate(followed):
        if journey_id not in journey_ids:
            guess = closest(journey_id, journey_ids)
            holder = entry.data["journeys"]
            entry.validator.problem("schema", holder if isinstance(holder, list) else entry.data,
                                    index if isinstance(holder, list) else "journeys",
                                    f"the persona follows `{journey_id}`, which is not a journey"
                                    + (f"; did you mean `{guess}`?" if guess else ""),
                                    suggestion=guess)
    return tuple(j for j in followed if j in journey_ids)


def _stages_named(entry: _Parsed, field_name: str, container: Any, key: Any, ref: str,
                  journeys: list[Journey]) -> list[Stage]:
    """The stages `ref` names in a persona's `field_name`; none, with a finding, when it
    names no stage of the persona's journeys."""
    stages, guess = resolve_stage(ref, journeys)
    if not stages:
        entry.validator.problem("schema", container, key,
                                f"`{field_name}` names `{shown(ref)}`, which is not a stage of "
                                "this persona's journeys"
                                + (f"; did you mean `{guess}`?" if guess else ""),
                                suggestion=guess)
    return stages


def _skips(entry: _Parsed, journeys: list[Journey]) -> tuple[SkipStage, ...]:
    """`skip_stages`, each resolved to the stages it names in the persona's journeys."""
    skips = []
    raw_skips = entry.data.get("skip_stages")
    for index, skip in enumerate(entry.clean.get("skip_stages", ())):
        ref = skip.get("stage")
        if ref is None or "reason" not in skip:
            continue
        for stage in _stages_named(entry, "skip_stages", raw_skips, index, ref, journeys):
            skips.append(SkipStage(stage.id, skip["reason"], stage.journey,
                                   raw_skips.lines[index] + entry.offset))
    return tuple(skips)


def _stage_notes(entry: _Parsed, journeys: list[Journey]) -> dict[str, PersonaStage]:
    """`stages`: the persona's emotion and questions, by `journey/stage`."""
    notes = {}
    raw_map = entry.data.get("stages")
    for key, note in (entry.clean.get("stages") or {}).items():
        state = PersonaStage(emotion=note.get("emotion", ""),
                             questions=note.get("questions", ()))
        for stage in _stages_named(entry, "stages", raw_map, key, key, journeys):
            notes[f"{stage.journey}/{stage.id}"] = state
    return notes


def _persona(entry: _Parsed, aliases: tuple[str, ...], journeys: list[Journey]) -> Persona:
    followed = _followed(entry, [j.id for j in journeys])
    own_journeys = [j for j in journeys if followed is None or j.id in followed]
    clean = entry.clean
    return Persona(
        id=entry.id,
        name=clean.get("name", entry.id),
        file=entry.file,
        line=entry.line,
        summary=clean.get("summary", ""),
        type=clean.get("type", "external"),
        frequency=clean.get("frequency"),
        journeys=followed,
        skip_stages=_skips(entry, own_journeys),
        demographics=clean.get("demographics", {}),
        goals=clean.get("goals", ()),
        pains=clean.get("pains", ()),
        motivations=clean.get("motivations", ()),
        channels=clean.get("channels", ()),
        stages=_stage_notes(entry, own_journeys),
        aliases=aliases,
        narrative=entry.narrative,
        labels=tuple(clean.get("labels", ())),
    )
