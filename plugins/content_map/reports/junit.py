"""The JUnit XML report (Apache Ant schema), for Jenkins, GitLab and other CI test views.

Each rule is a test suite. A rule about files has one test case per file it
checks, so the CI view lists every page, persona and journey as passed or
failed; `coverage-gap` has one test case per persona × stage cell, where a
waived or skipped cell is a skipped test. A test case fails on findings at or
above `--fail-on`, with every such finding in the failure's body; findings
below it leave the case passing and are listed in the suite's `system-out`.

Values from the repository show hidden characters as escapes (`terminal.visible`)
and stay on their line, one finding a line; and no line of the XML can be read as
a workflow command when it is printed on a CI runner.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

from ..model import Cell, Finding, Inventory, severity_rank
from ..rules.catalogue import CELLS, RULES
from ..terminal import visible
from .github import markup_without_commands

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["render"]

# The kinds of file each rule checks in full, from the catalogue: each such file is a test
# case, passing when the rule found nothing in it.
_SCOPE: dict[str, tuple[str, ...]] = {
    rule.id: rule.scope.kinds for rule in RULES.values() if rule.scope.every}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", visible(text, "\t"))


def _line(finding: Finding) -> str:
    text = f"{finding.location}: {finding.severity or 'error'}: {finding.message}"
    if finding.suggestion and finding.suggestion not in finding.message:
        text += f" (did you mean `{finding.suggestion}`?)"
    return visible(text, "\t")


def render(report: Report) -> str:
    """The report as XML text: a suite per rule at its configured severity, with the
    files checked (from the analysis's inventory) as its cases."""
    analysis, severities, fail_on = report.analysis, report.severities, report.fail_on
    inventory = analysis.inventory
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    host = _hostname()
    failing = (lambda f: False) if fail_on == "never" else (
        lambda f: severity_rank(f.severity or "error") >= severity_rank(fail_on))
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in analysis.findings:
        by_rule[finding.rule].append(finding)

    root = ET.Element("testsuites")
    index = 0
    for rule_id, rule in RULES.items():
        severity = severities.get(rule_id, rule.default)
        if severity == "ignore" and not by_rule.get(rule_id):
            continue
        findings = by_rule.get(rule_id, [])
        if CELLS in rule.scope.kinds:
            cases = _cell_cases(analysis.cells, findings)
        else:
            cases = _file_cases(rule_id, inventory, findings)
        suite = ET.SubElement(root, "testsuite", {
            "name": rule_id, "package": "content-map", "id": str(index),
            "timestamp": stamp, "hostname": host, "tests": "0", "failures": "0",
            "errors": "0", "skipped": "0", "time": "0",
        })
        index += 1
        props = ET.SubElement(suite, "properties")
        for name, value in (("rule", rule_id), ("severity", severity), ("fail-on", fail_on),
                            ("summary", rule.summary), ("help", rule.help)):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        tests = failures = skipped = 0
        below: list[Finding] = []
        for name, case_findings, skip in cases:
            tests += 1
            case = ET.SubElement(suite, "testcase", {
                "name": _clean(name), "classname": f"content-map.{rule_id}", "time": "0"})
            fails = [f for f in case_findings if failing(f)]
            below += [f for f in case_findings if not failing(f)]
            if fails:
                failures += 1
                failure = ET.SubElement(case, "failure", {
                    "message": _clean(fails[0].message),
                    "type": fails[0].severity or "error",
                })
                failure.text = _NOT_XML.sub("\ufffd", "\n".join(_line(f) for f in fails)
                                            + f"\n\n{rule.summary}\n{rule.help}\n")
            elif skip is not None:
                skipped += 1
                ET.SubElement(case, "skipped", {"message": _clean(skip)})
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        out = ET.SubElement(suite, "system-out")
        out.text = _NOT_XML.sub("\ufffd", "".join(_line(f) + "\n" for f in below))
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    xml = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + markup_without_commands(xml) + "\n"


def _file_cases(rule_id: str, inventory: Inventory,
                findings: list[Finding]) -> list[tuple[str, list[Finding], str | None]]:
    files: dict[str, list[Finding]] = {}
    for kind in _SCOPE.get(rule_id, ()):
        for file in getattr(inventory, kind):
            files.setdefault(file, [])
    for finding in findings:
        files.setdefault(finding.file, []).append(finding)
    return [(file, files[file], None) for file in sorted(files)]


def _cell_cases(cells: tuple[Cell, ...],
                findings: list[Finding]) -> list[tuple[str, list[Finding], str | None]]:
    by_cell: dict[tuple[str | None, str | None, str | None], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_cell[(finding.persona, finding.journey, finding.stage)].append(finding)
    cases = []
    for cell in cells:
        found = by_cell.pop((cell.persona, cell.journey, cell.stage), [])
        skip = None
        if cell.state == "waived":
            skip = f"waived: {cell.reason}" if cell.reason else "waived"
        elif cell.state == "skipped":
            skip = f"skipped: {cell.reason}" if cell.reason else "skipped"
        cases.append((f"{cell.persona} at {cell.journey}/{cell.stage}", found, skip))
    for (persona, journey, stage), found in sorted(by_cell.items(), key=lambda kv: str(kv[0])):
        cases.append((f"{persona} at {journey}/{stage}", found, None))
    return cases


def _hostname() -> str:
    try:
        name = socket.gethostname().strip()
    except OSError:  # pragma: no cover
        name = ""
    return name or "localhost"
