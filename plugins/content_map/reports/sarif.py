"""The SARIF 2.1.0 report, for GitHub code scanning and other static-analysis dashboards.

Paths are relative to the `%SRCROOT%` base, which the run declares: the
checkout on GitHub Actions (`GITHUB_WORKSPACE`, so code scanning finds the files
when mkdocs.yml sits in a subfolder), else the directory of mkdocs.yml. Each
rule carries its summary and help from the rule catalogue; each result carries
a fingerprint of what it is about (not its line), so a dashboard keeps tracking
a problem when lines move.

A message shows hidden characters as escapes (`terminal.visible`), as dashboards
print it; a file name that is not UTF-8 is a URI of its bytes (`caf%E9.md`).

The tool's `informationUri` and each rule's `helpUri` are the documentation address the
installed package declares (`[project.urls] Documentation`, the README, whose *Rules*
section explains every rule). A package that declares none gets neither: the log never
points at a page that does not exist, and each rule carries its full help itself.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..model import Finding
from ..rules.catalogue import RULES
from ..terminal import visible
from .baseline import fingerprint
from .json import dumps

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["SARIF_SCHEMA", "documentation", "render", "sarif_log"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DISTRIBUTION = "mkdocs-content-map"
BASE_ID = "%SRCROOT%"
LEVEL = {"error": "error", "warn": "warning", "info": "note", "ignore": "none"}


def documentation() -> str | None:
    """The https address of the documentation the installed package declares, if any."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip().startswith("https://"):
            return url.strip()
    return None


def render(report: Report) -> str:
    return dumps(sarif_log(report))


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log of one run.

    Each rule's configured severity is its default level. The base directory is
    recorded so viewers can open the files: the checkout on GitHub Actions, with the
    path from it to the site before each file (reports name files from the site's
    folder), else the site's folder. After a baseline, every result is one it did
    not know (`baselineState: new`).
    """
    prefix = report.prefix
    root = Path(report.environ["GITHUB_WORKSPACE"]) if prefix else report.root
    severities = report.severities
    rule_ids = list(RULES)
    home = documentation()
    rules = [_rule(RULES[r].id, severities.get(r, RULES[r].default), home) for r in rule_ids]
    state = "new" if report.baseline is not None else None
    results = [_result(f, rule_ids.index(f.rule) if f.rule in RULES else None, state, prefix)
               for f in report.analysis.findings]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "content-map",
            "fullName": "content-map (customer-first content planning for MkDocs)",
            **({"informationUri": home} if home else {}),
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    run["originalUriBaseIds"] = {BASE_ID: {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rule_id: str, severity: str, home: str | None) -> dict[str, Any]:
    rule = RULES[rule_id]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.help}"},
        "help": {"text": rule.help, "markdown": rule.help},
        **({"helpUri": home.split("#")[0] + "#rules"} if home else {}),
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning"),
                                 "enabled": severity != "ignore"},
        "properties": {"tags": ["content", "documentation"], "defaultSeverity": rule.default},
    }


def _result(finding: Finding, index: int | None, state: str | None,
            prefix: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(prefix + finding.file, safe="/",
                                              errors="surrogateescape"),
                                 "uriBaseId": BASE_ID},
        },
    }
    if finding.line and finding.line >= 1:
        region: dict[str, Any] = {"startLine": finding.line}
        if finding.column and finding.column >= 1:
            region["startColumn"] = finding.column
        location["physicalLocation"]["region"] = region
    message = finding.message
    if finding.suggestion and finding.suggestion not in message:
        message += f" (did you mean `{finding.suggestion}`?)"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVEL.get(finding.severity or "error", "error"),
        "message": {"text": visible(message, "\t\n")},
        "locations": [location],
        "partialFingerprints": {"contentMapFinding/v1": _fingerprint(finding)},
    }
    if index is not None:
        result["ruleIndex"] = index
    if state is not None:
        result["baselineState"] = state
    cell = {k: getattr(finding, k) for k in ("persona", "journey", "stage")
            if getattr(finding, k)}
    if cell:
        result["properties"] = cell
    return result


def _fingerprint(finding: Finding) -> str:
    """The finding's fingerprint; a byte of a name that is not UTF-8 (a lone surrogate)
    is hashed as the escape it shows as."""
    try:
        return fingerprint(finding)
    except UnicodeEncodeError:
        def shown(value: str | None) -> str | None:
            return None if value is None else visible(value, "\t\n")

        return fingerprint(replace(
            finding, file=visible(finding.file, "\t\n"), message=visible(finding.message, "\t\n"),
            persona=shown(finding.persona), journey=shown(finding.journey),
            stage=shown(finding.stage)))
