"""The baseline ratchet: accept today's findings, fail only on new ones.

A baseline is a JSON file a team commits. Each entry names a finding by what it
is about (rule, file, persona, journey, stage and message) and never by its
line, so editing a file above a known problem does not make it new. Entries are
sorted and written one field per line, so the file diffs well and shrinks
line by line as problems are fixed.

```json
{
  "version": 1,
  "tool": "content-map",
  "findings": [
    {
      "rule": "coverage-gap",
      "severity": "error",
      "file": "personas/cfo.yml",
      "persona": "cfo",
      "journey": "buyer",
      "stage": "decision",
      "message": "no published page for `cfo` at `buyer/decision` (Decision); …",
      "count": 1
    }
  ]
}
```

`count` is how many identical findings the entry accepts. A finding matches an
entry when the two agree on everything but the line and the entry's severity is
at least the finding's: a problem whose rule was made stricter is new again.
The message of a gap, an expired waiver and an orphan persona is not compared,
since the cell names the problem and the message lists pieces that come and go.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import SEVERITIES, Finding, severity_rank
from ..reader import NotRegular, read_bytes
from ..rules.catalogue import RULES
from ..suggestion import shown
from ..terminal import visible

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["BASELINE_VERSION", "Baseline", "BaselineError", "Comparison", "Entry",
           "baseline_lines", "compare", "fingerprint", "fixed_lines", "from_findings",
           "judged", "read_baseline", "to_text"]

BASELINE_VERSION = 1
CELL_RULES = frozenset(rule.id for rule in RULES.values() if rule.about_matrix)
_LINE = re.compile(r"\b(lines?|at line|on line) \d+(?:[,:]\d+)?")


class BaselineError(Exception):
    """The baseline file cannot be used; the message says why and where."""


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """What a finding is about, without where in its file it currently sits."""

    file: str
    rule: str
    persona: str
    journey: str
    stage: str
    message: str


@dataclass(frozen=True, slots=True)
class Entry:
    key: Key
    severity: str
    count: int
    message: str  # as written, for the reader of the file

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.key.rule, "severity": self.severity,
                                "file": self.key.file}
        for name in ("persona", "journey", "stage"):
            value = getattr(self.key, name)
            if value:
                data[name] = value
        data["message"] = self.message
        data["count"] = self.count
        return data


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]
    path: str = ""

    def __len__(self) -> int:
        return sum(e.count for e in self.entries)


@dataclass(frozen=True)
class Comparison:
    new: tuple[Finding, ...]  # not in the baseline: reported and judged
    known: tuple[Finding, ...]  # accepted by the baseline
    fixed: tuple[Entry, ...]  # baseline entries (with the count no longer seen) now gone

    @property
    def fixed_count(self) -> int:
        return sum(e.count for e in self.fixed)


def _normal(message: str) -> str:
    return _LINE.sub(lambda m: m.group(1) + " #", " ".join(message.split()))


def key_of(rule: str, file: str, persona: str | None, journey: str | None,
           stage: str | None, message: str) -> Key:
    return Key(file, rule, persona or "", journey or "", stage or "",
               "" if rule in CELL_RULES else _normal(message))


def finding_key(finding: Finding) -> Key:
    return key_of(finding.rule, finding.file, finding.persona, finding.journey, finding.stage,
                  finding.message)


def fingerprint(finding: Finding) -> str:
    """A stable id of what the finding is about (for SARIF's `partialFingerprints`)."""
    key = finding_key(finding)
    raw = "\x1f".join((key.rule, key.file, key.persona, key.journey, key.stage, key.message))
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def from_findings(findings: tuple[Finding, ...] | list[Finding]) -> Baseline:
    """The baseline that accepts exactly these findings."""
    grouped: dict[tuple[Key, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[(finding_key(finding), finding.severity or "error")].append(finding)
    entries = [
        Entry(key, severity, len(group), " ".join(group[0].message.split()))
        for (key, severity), group in grouped.items()
    ]
    entries.sort(key=lambda e: (e.key, -severity_rank(e.severity)))
    return Baseline(tuple(entries))


def to_text(baseline: Baseline) -> str:
    document = {
        "version": BASELINE_VERSION,
        "tool": "content-map",
        "findings": [e.to_dict() for e in baseline.entries],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: kept as `\udcxx` escapes,
        text = json.dumps(document, indent=2, sort_keys=False) + "\n"  # read back the same
    return text


MAX_BASELINE_BYTES = 64 * 1024 * 1024
"""A baseline larger than this is refused; one finding takes about 300 bytes."""


def read_baseline(path: str | Path) -> Baseline:
    """Read a baseline file, or raise `BaselineError` saying what is wrong with it."""
    name = shown(str(path), 500)
    try:
        raw = read_bytes(path, MAX_BASELINE_BYTES)
    except FileNotFoundError:
        raise BaselineError(f"{name}: no such file; write one with --write-baseline {name}") \
            from None
    except NotRegular as exc:
        raise BaselineError(f"{name}: {exc}") from None
    except OSError as exc:
        raise BaselineError(f"{name}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{name}: is over {MAX_BASELINE_BYTES:,} bytes; not a baseline "
                            "content-map wrote")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f":{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise BaselineError(f"{name}{where}: not a content-map baseline (invalid JSON)") from None
    except (RecursionError, ValueError):  # nested thousands deep; a number of 5,000 digits
        raise BaselineError(f"{name}: not a content-map baseline (values nested too deep, or "
                            "a number too long)") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{name}: not a content-map baseline (no `findings` list)")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{name}: baseline version {data.get('version')!r} is not supported "
                            f"(expected {BASELINE_VERSION}); write it again with --write-baseline")
    entries = []
    for index, item in enumerate(data["findings"]):
        where = f"{name}: findings[{index}]"
        if not isinstance(item, dict):
            raise BaselineError(f"{where} is not an object")
        rule, file, message = item.get("rule"), item.get("file"), item.get("message", "")
        if not isinstance(rule, str) or not isinstance(file, str) or not isinstance(message, str):
            raise BaselineError(f"{where} needs `rule`, `file` and `message` as text")
        severity = item.get("severity", "error")
        if severity not in SEVERITIES:
            raise BaselineError(f"{where}: `{severity}` is not a severity")
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{where}: `count` must be a whole number, 1 or more")
        persona, journey, stage = (item.get(k) for k in ("persona", "journey", "stage"))
        if any(v is not None and not isinstance(v, str) for v in (persona, journey, stage)):
            raise BaselineError(f"{where}: `persona`, `journey` and `stage` must be text")
        entries.append(Entry(key_of(rule, file, persona, journey, stage, message), severity,
                             count, message))
    return Baseline(tuple(entries), name)


def compare(findings: tuple[Finding, ...] | list[Finding], baseline: Baseline) -> Comparison:
    """Split findings into new and known, and find the baseline entries nothing matched.

    Each entry accepts up to `count` findings with its key at or below its
    severity; the most severe findings are placed first, each in the least
    severe entry that still accepts it, so no placement wastes a stricter entry.
    """
    room: dict[Key, list[list[Any]]] = defaultdict(list)  # key -> [[rank, left, entry], ...]
    for entry in baseline.entries:
        room[entry.key].append([severity_rank(entry.severity), entry.count, entry])
    for slots in room.values():
        slots.sort(key=lambda slot: slot[0])
    order = sorted(range(len(findings)),
                   key=lambda i: -severity_rank(findings[i].severity or "error"))
    accepted: set[int] = set()
    for index in order:
        finding = findings[index]
        rank = severity_rank(finding.severity or "error")
        for slot in room.get(finding_key(finding), ()):
            if slot[0] >= rank and slot[1] > 0:
                slot[1] -= 1
                accepted.add(index)
                break
    fixed = [
        Entry(entry.key, entry.severity, left, entry.message)
        for slots in room.values()
        for _, left, entry in slots
        if left > 0
    ]
    fixed.sort(key=lambda e: e.key)
    return Comparison(
        new=tuple(f for i, f in enumerate(findings) if i not in accepted),
        known=tuple(f for i, f in enumerate(findings) if i in accepted),
        fixed=tuple(fixed),
    )


def judged(report: Report, path: str | Path) -> Report:
    """The report of the findings the baseline at `path` does not accept, which alone are
    judged; it carries the comparison, so each format can say what the baseline accepted
    and which of its entries are fixed. `BaselineError`, on one line, when the file is
    not a baseline."""
    try:
        baseline = read_baseline(path)
    except BaselineError as exc:
        raise BaselineError(visible(str(exc), "\t")) from None
    comparison = compare(report.analysis.findings, baseline)
    return replace(report, analysis=replace(report.analysis, findings=comparison.new),
                   baseline=comparison, baseline_path=baseline.path)


def fixed_lines(comparison: Comparison, path: str) -> list[str]:
    """The baseline entries no longer found, and how to shrink the file; none if none.

    An entry quotes the repository's file names and messages, as its pages do: hidden
    characters show as escapes, and no entry starts a line of its own."""
    if not comparison.fixed:
        return []
    n = comparison.fixed_count
    when = " once the new findings are fixed (it would accept them too)" if comparison.new \
        else ""
    lines = [f"{n} baseline entr{'ies are' if n != 1 else 'y is'} fixed; run "
             f"`content-map check --write-baseline {path}` to shrink the file{when}:"]
    for entry in comparison.fixed:
        times = f" (×{entry.count})" if entry.count > 1 else ""
        lines.append(visible(f"  {entry.key.file}: {entry.key.rule}: {entry.message}{times}",
                             "\t", starts_line=True))
    return lines


def baseline_lines(comparison: Comparison, path: str) -> list[str]:
    """What a report in words says of a baseline: the findings it accepted, then the
    entries that are fixed."""
    known = len(comparison.known)
    return [f"{known} known finding{'s are' if known != 1 else ' is'} accepted by the "
            f"baseline {path}", *fixed_lines(comparison, path)]
