"""The rule catalogue: each rule registered once, and everything that lists rules reads it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import xml.etree.ElementTree as ET

import pytest

from conftest import Site, minimal_site
from content_map.engine import Project, analyse
from content_map.model import SEVERITIES, Inventory
from content_map.reports import baseline, junit
from content_map.rules import catalogue
from content_map.rules.catalogue import CELLS, DEAD_END, RULES, Rule
from content_map.settings import Settings

KINDS = {f.name for f in dataclasses.fields(Inventory)} | {CELLS}


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_has_a_scope_a_severity_and_a_way_to_be_found(rule: Rule):
    assert rule.default in SEVERITIES
    assert rule.summary and rule.help
    assert rule.scope.kinds and set(rule.scope.kinds) <= KINDS
    assert rule.check is not None or rule.fired_by, "neither checked nor fired by a loader"
    for name in rule.fired_by:  # each loader it names does fire it
        source = inspect.getsource(importlib.import_module(f"content_map.{name}"))
        assert f'"{rule.id}"' in source, f"{name} does not fire {rule.id}"


def test_each_id_is_spelled_once_as_a_constant():
    constants = {value for name, value in vars(catalogue).items()
                 if name.isupper() and isinstance(value, str) and value in RULES}
    assert constants == set(RULES)


def test_junit_and_the_baseline_read_the_catalogue():
    assert {r.id: r.scope.kinds for r in RULES.values() if r.scope.every} == junit._SCOPE
    assert {r.id for r in RULES.values() if r.about_matrix} == baseline.CELL_RULES
    assert {"coverage-gap", "waiver-expired", "orphan-persona"} == baseline.CELL_RULES


def junit_cases(site: Site, *args: str) -> dict[str, list[str]]:
    run = site.check("--format", "junit", *args)
    suites = ET.fromstring(run.out.split("\n", 1)[1])
    return {s.get("name", ""): [c.get("name", "") for c in s.iter("testcase")] for s in suites}


def test_junit_lists_the_files_of_each_rules_scope(site: Site):
    """A rule that checks every file of its kind lists each as a test case (the metrics
    file too); one that checks only some lists only those it fired on."""
    minimal_site(site, {"metrics": {"file": "metrics.csv", "floors": {"views": 1}},
                        "rules": {"low-engagement": "warn"}})
    site.write("metrics.csv", "page,views\nawareness.md,10\n")
    cases = junit_cases(site, "--today", "2026-06-01")
    assert cases["metrics-data"] == ["metrics.csv"]
    assert cases["stale"] == [f"docs/{s}.md" for s in
                              sorted(["awareness", "consideration", "decision", "retention",
                                      "advocacy"])]
    assert cases["low-engagement"] == [] and cases["journey-break"] == []
    assert len(cases["coverage-gap"]) == 5  # one a cell


def run(site: Site, rules: dict[str, str] | None = None):
    settings = Settings(rules=rules or {})
    return analyse(Project(site.root, site.root / "docs", settings),
                   today=dt.date(2026, 6, 1)).analysis


def test_the_engine_runs_each_registered_check_in_order(site: Site,
                                                        monkeypatch: pytest.MonkeyPatch):
    minimal_site(site)
    ran: list[str] = []

    def recorded(rule: Rule) -> Rule:
        assert rule.check is not None
        check = rule.check
        return dataclasses.replace(rule, check=lambda facts: ran.append(rule.id) or
                                   check(facts))

    from content_map import engine

    monkeypatch.setattr(engine, "RULES", {rule_id: recorded(rule) if rule.check else rule
                                          for rule_id, rule in RULES.items()})
    run(site, {"backward-next": "ignore"})
    checked = [r.id for r in RULES.values() if r.check and r.default != "ignore"]
    assert ran == [r for r in checked if r != "backward-next"]  # an ignored rule is not run


def test_dead_ends_come_from_the_rule_as_data(site: Site):
    minimal_site(site)
    site.write("docs/awareness.md", "---\npersonas: [reader]\nstage: awareness\n---\n")
    analysis = run(site)
    assert dict(analysis.dead_ends) == {("reader", "buyer"): ("awareness.md",)}
    assert [f.file for f in analysis.findings if f.rule == DEAD_END] == ["docs/awareness.md"]
    assert dict(run(site, {DEAD_END: "ignore"}).dead_ends) == {}
