"""`check --format junit|sarif|github|markdown` on a site with every kind of finding."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import Site, minimal_site
from content_map.model import Finding
from content_map.reports.github import (
    annotation,
    escape_data,
    escape_property,
    workflow_commands,
)
from content_map.reports.registry import EXPORTS, FORMATS, Report
from content_map.rules.catalogue import RULES
from content_map.terminal import visible
from every_finding import ALL_RULES, AWKWARD, TODAY, every_finding_site

SCHEMAS = Path(__file__).resolve().parent / "schemas"  # published schemas, unchanged


@pytest.fixture(autouse=True)
def not_on_github(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE",
                 "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)


def findings_of(site: Site) -> list[dict]:
    return site.check("--today", TODAY, "--format", "json").json()["findings"]


# JUnit


def test_junit_is_valid_and_complete_on_every_kind_of_finding(site: Site, junit_schema):
    every_finding_site(site)
    findings = findings_of(site)
    assert {f["rule"] for f in findings} == ALL_RULES
    run = site.check("--today", TODAY, "--format", "junit")
    assert run.code == 1
    doc = etree.fromstring(run.out.encode("utf-8"))
    junit_schema.assertValid(doc)

    suites = {s.get("name"): s for s in doc.findall("testsuite")}
    assert set(suites) == ALL_RULES
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))

    # Every finding at or above `error` is in the body of a failure of its rule × file.
    for finding in findings:
        if finding["severity"] != "error" or finding["rule"] == "coverage-gap":
            continue
        case = suites[finding["rule"]].find(f"testcase[@name='{finding['file']}']")
        assert case is not None, finding
        body = case.find("failure").text
        assert visible(finding["message"]) in body  # one a line: a line feed shows as \x0a
        assert case.find("failure").get("type") == "error"

    # Coverage: one case per cell; a gap fails, a waived cell is skipped, a covered one passes.
    coverage = suites["coverage-gap"]
    cases = {c.get("name"): c for c in coverage.findall("testcase")}
    matrix = site.check("--today", TODAY, "--format", "json").json()["matrix"]
    assert len(cases) == len(matrix)
    gap = cases["reader at buyer/advocacy"]
    assert "no published page for `reader`" in gap.find("failure").text
    assert cases["writer at buyer/advocacy"].find("skipped").get("message") == \
        "waived: Launch | in Q3"
    assert len(cases["reader at buyer/awareness"]) == 0

    # Warnings are below --fail-on error: the case passes, the finding is in system-out.
    stale = suites["stale"]
    assert stale.get("failures") == "0"
    assert "the review date 2020-01-01 has passed" in stale.find("system-out").text
    # The pages a rule checked and found nothing wrong with are passing cases.
    assert stale.find("testcase[@name='docs/decision.md']") is not None


def test_junit_follows_fail_on(site: Site, junit_schema):
    every_finding_site(site)
    strict = etree.fromstring(site.check("--today", TODAY, "--format", "junit",
                                         "--fail-on", "warn").out.encode())
    junit_schema.assertValid(strict)
    assert strict.find("testsuite[@name='stale']").get("failures") == "1"
    never = etree.fromstring(site.check("--today", TODAY, "--format", "junit",
                                        "--fail-on", "never").out.encode())
    junit_schema.assertValid(never)
    assert never.findall(".//failure") == []


def test_junit_on_a_clean_site(site: Site, junit_schema):
    minimal_site(site)
    target = site.root / "junit.xml"
    run = site.check("--format", "junit", "-o", str(target))
    assert run.code == 0 and run.out == ""
    doc = etree.parse(str(target))
    junit_schema.assertValid(doc)
    assert doc.findall(".//failure") == []
    assert len(doc.findall("testsuite[@name='coverage-gap']/testcase")) == 5


def test_junit_keeps_xml_valid_with_control_characters(site: Site, junit_schema):
    minimal_site(site)
    site.write("docs/odd.md", "---\npersonas: [\"bad\\x01id\"]\nstage: awareness\n---\n")
    run = site.check("--format", "junit")
    junit_schema.assertValid(etree.fromstring(run.out.encode()))


# SARIF


def test_sarif_is_valid_with_rule_metadata(site: Site, sarif_validator):
    every_finding_site(site)
    findings = findings_of(site)
    run = site.check("--today", TODAY, "--format", "sarif")
    assert run.code == 1
    log = json.loads(run.out)
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "content-map"
    assert driver.get("informationUri", "https://").startswith("https://")  # see test_newcomer
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == set(RULES)
    for rule_id, rule in rules.items():
        assert rule["shortDescription"]["text"] == RULES[rule_id].summary
        assert rule["help"]["text"] == RULES[rule_id].help
        assert RULES[rule_id].help in rule["fullDescription"]["text"]
    assert rules["stale"]["defaultConfiguration"]["level"] == "warning"
    assert rules["unmapped-page"]["defaultConfiguration"]["level"] == "warning"  # configured
    assert rules["backward-next"]["defaultConfiguration"]["level"] == "note"

    results = sarif_run["results"]
    assert len(results) == len(findings)
    level = {"error": "error", "warn": "warning", "info": "note"}
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert driver["rules"][result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == level[finding["severity"]]
        assert result["message"]["text"].startswith(finding["message"])
        where = result["locations"][0]["physicalLocation"]
        assert where["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert where["artifactLocation"]["uri"] == finding["file"]
        assert not where["artifactLocation"]["uri"].startswith("/")
        if finding["line"] is None:
            assert "region" not in where
        else:
            assert where["region"]["startLine"] == finding["line"] >= 1
    assert any(f["file"] == "mkdocs.yml" and f["line"] for f in findings)  # the expired waiver
    assert Path(sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"][len("file://"):]) \
        == site.root.resolve()


def test_sarif_paths_are_relative_to_the_checkout_on_github(site: Site, monkeypatch,
                                                            sarif_validator):
    every_finding_site(site)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(site.root.parent))
    log = json.loads(site.check("--today", TODAY, "--format", "sarif").out)
    assert not list(sarif_validator.iter_errors(log))
    run = log["runs"][0]
    assert Path(run["originalUriBaseIds"]["%SRCROOT%"]["uri"][len("file://"):]) \
        == site.root.parent.resolve()
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert f"{site.root.name}/docs/unknown.md" in uris


def test_sarif_fingerprints_ignore_line_moves(site: Site):
    every_finding_site(site)

    def prints() -> dict[str, str]:
        log = json.loads(site.check("--today", TODAY, "--format", "sarif").out)
        return {r["message"]["text"]: r["partialFingerprints"]["contentMapFinding/v1"]
                for r in log["runs"][0]["results"] if r["ruleId"] == "unknown-next"}

    before = prints()
    text = (site.root / "docs/unknown.md").read_text()
    site.write("docs/unknown.md", text.replace("title:", "owner: dana\nchannel: blog\ntitle:"))
    assert prints() == before


# GitHub


@pytest.mark.parametrize("raw, data, prop", [
    ("100%", "100%25", "100%25"),
    ("a, b: c", "a, b: c", "a%2C b%3A c"),
    ("one\ntwo\r\nthree", "one%0Atwo%0D%0Athree", "one%0Atwo%0D%0Athree"),
    ("%0A", "%250A", "%250A"),
    ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
])
def test_github_escaping(raw, data, prop):
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_github_annotation_shape():
    finding = Finding("unknown-persona", "docs/a, b:c.md", 7, "bad `x%`\nnext", severity="warn",
                      column=3)
    assert annotation(finding, prefix="site/") == (
        "::warning file=site/docs/a%2C b%3Ac.md,line=7,col=3,"
        "title=content-map%3A unknown-persona::bad `x%25`%0Anext")
    info = Finding("backward-next", "mkdocs.yml", None, "m", severity="info")
    assert annotation(info) == "::notice file=mkdocs.yml,title=content-map%3A backward-next::m"


def _unescape(value: str) -> str:
    return (value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def test_github_format_on_every_kind_of_finding(site: Site, tmp_path, monkeypatch):
    every_finding_site(site)
    findings = findings_of(site)
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = site.check("--today", TODAY, "--format", "github")
    assert run.code == 1
    lines = run.out.splitlines()
    assert len(lines) == len(findings)  # no message broke out of its line
    pattern = re.compile(r"^::(error|warning|notice) (file=[^,:]+(?:,line=\d+)?(?:,col=\d+)?"
                         r",title=[^,:]+)::(.*)$")
    kinds = {"error": "error", "warn": "warning", "info": "notice"}
    for line, finding in zip(lines, findings, strict=True):
        match = pattern.match(line)
        assert match, line
        assert match.group(1) == kinds[finding["severity"]]
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        assert _unescape(props["file"]) == finding["file"]
        assert props.get("line") == (str(finding["line"]) if finding["line"] else None)
        assert _unescape(props["title"]) == f"content-map: {finding['rule']}"
        assert _unescape(match.group(3)).startswith(finding["message"])
    awkward = [line for line in lines if "not a persona" in line and "50" in line]
    assert awkward == [
        "::error file=docs/unknown.md,line=3,title=content-map%3A unknown-persona::"
        "`50%25, odd: value%0Asecond line` is not a persona; add a file to personas/ or fix "
        "the id"
    ]
    assert AWKWARD in _unescape(awkward[0])
    written = summary.read_text()
    assert written.startswith("previous step\n")  # appended, never truncated
    assert "<!-- content-map report -->" in written and "### Findings (31)" in written


def test_a_step_summary_that_cannot_be_written_is_said_and_the_check_goes_on(
        site: Site, tmp_path, monkeypatch):
    every_finding_site(site)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a folder
    run = site.check("--today", TODAY, "--format", "github")
    assert run.code == 1 and run.out.startswith("::")
    assert "content-map: cannot append to GITHUB_STEP_SUMMARY: " in run.err
    assert "Is a directory" in run.err and "Traceback" not in run.err
    created = tmp_path / "new-summary.md"  # missing: created, as `>>` does
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(created))
    assert site.check("--today", TODAY, "--format", "github").code == 1
    assert "<!-- content-map report -->" in created.read_text()


def test_text_format_on_github_actions_adds_annotations_and_summary(site: Site, tmp_path,
                                                                     monkeypatch):
    every_finding_site(site)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(site.root.parent))
    for name, value in (("GITHUB_SERVER_URL", "https://github.com"),
                        ("GITHUB_REPOSITORY", "acme/docs"), ("GITHUB_SHA", "abc123")):
        monkeypatch.setenv(name, value)
    run = site.check("--today", TODAY)
    assert run.code == 1
    assert "18 errors, 11 warnings, 2 info" in run.out  # the text report is still there
    prefix = site.root.name + "/"
    assert f"::error file={prefix}docs/unknown.md,line=5,title=content-map%3A unknown-next::" \
        in run.out
    first = summary.read_text()
    assert f"(https://github.com/acme/docs/blob/abc123/{prefix}docs/unknown.md#L5)" in first
    site.check("--today", TODAY)
    assert summary.read_text() == first + first

    # Other formats stay machine-readable on GitHub too.
    json.loads(site.check("--today", TODAY, "--format", "json").out)


# Markdown


def test_markdown_summary(site: Site):
    every_finding_site(site)
    run = site.check("--today", TODAY, "--format", "markdown")
    assert run.code == 1
    md = run.out
    assert md.startswith("<!-- content-map report -->\n")
    assert "## ✖ Content map: 18 errors, 11 warnings" in md
    assert "| 4 | 5 | 7 | 40% (6 of 15 cells) | 8 | 1 | 18 | 11 |" in md
    assert "**Buyer journey** (<code>buyer</code>)" in md
    assert "| <code>reader</code> | ✔ 1 | ✔ 1 | ✖ 0 |" in md
    assert "| <code>writer</code> | ✔ 1 | ✔ 1 | ≈ 0 |" in md
    assert "### Findings (31)" in md
    # Every table row has as many cells as its header: nothing a YAML value holds broke it.
    for block in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.MULTILINE):
        rows = block.splitlines()
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, block
    assert "waived: Launch \\| in Q3" in md
    assert "<code>50%, odd: value second line</code> is not a persona" in md
    # Errors come first.
    severities = re.findall(r"^\| (✖ error|⚠ warning|ℹ info) \|", md, flags=re.MULTILINE)
    assert severities == sorted(severities, key=["✖ error", "⚠ warning", "ℹ info"].index)


def test_markdown_on_a_clean_site(site: Site):
    minimal_site(site)
    run = site.check("--format", "markdown")
    assert run.code == 0
    assert "## ✔ Content map: no problems" in run.out
    assert "No findings." in run.out


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_github_escaping_round_trips_and_stays_on_one_line(value):
    data, prop = escape_data(value), escape_property(value)
    assert "\n" not in data and "\r" not in data
    assert not {"\n", "\r", ",", ":"} & set(prop)
    assert _unescape(data) == value and _unescape(prop) == value


def test_values_in_the_text_report_cannot_forge_workflow_commands(site: Site, monkeypatch):
    minimal_site(site)
    site.write("docs/odd.md", '---\npersonas: ["x\\n::error file=README.md::forged"]\n'
               "stage: awareness\n---\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = site.check()
    lines = run.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].split("::")[2]
    end = lines.index(f"::{token}::")
    # The value stays on its finding's line, its line feed shown, and inside the fence.
    forged = next(i for i, line in enumerate(lines)
                  if "`x\\x0a::error file=README.md::forged`" in line)
    assert start < forged < end
    assert not any(line.startswith("::error file=README.md") for line in lines)
    annotations = [line for line in lines[end + 1:] if line.startswith("::")]
    assert annotations == [
        "::error file=docs/odd.md,line=2,title=content-map%3A unknown-persona::`x%0A::error "
        "file=README.md::forged` is not a persona; add a file to personas/ or fix the id"]


# The registry: every format is one function of a `Report`


def analysed(site: Site):
    from content_map.engine import Project, analyse

    return analyse(Project(site.root, site.root / "docs"),
                   today=dt.date.fromisoformat(TODAY)).analysis


def test_every_registered_format_renders_a_report(site: Site):
    every_finding_site(site)
    report = Report(analysed(site), root=site.root)
    assert report.analysis.findings
    for fmt in (*FORMATS.values(), *EXPORTS):
        text = fmt.render(report)
        assert isinstance(text, str) and text.endswith("\n"), fmt
    assert len(json.loads(FORMATS["json"].render(report))["findings"]) == \
        len(report.analysis.findings)
    assert json.loads(FORMATS["sarif"].render(report))["runs"][0]["results"]
    assert {"journeys", "personas", "pieces"} <= set(json.loads(EXPORTS[0].render(report)))


def test_a_report_finds_the_checkout_and_the_commit_on_github(site: Site):
    minimal_site(site)
    analysis = analysed(site)
    off = Report(analysis, root=site.root)
    assert (off.on_github, off.prefix, off.link_base) == (False, "", None)
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(site.root.parent),
               "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/docs",
               "GITHUB_SHA": "abc123"}
    on = Report(analysis, root=site.root, environ=environ)
    assert on.on_github and on.prefix == site.root.name + "/"
    assert on.link_base == f"https://github.com/acme/docs/blob/abc123/{site.root.name}/"


def test_what_check_prints_around_each_format(site: Site):
    every_finding_site(site)
    analysis = analysed(site)
    on = Report(analysis, root=site.root, environ={"GITHUB_ACTIONS": "true"})
    off = Report(analysis, root=site.root)
    text = FORMATS["text"]
    printed = text.printed(on, to_stream=True)
    assert printed.report.startswith("::stop-commands::") and printed.summary
    assert printed.after == workflow_commands(analysis.findings) and printed.note == ""
    assert not text.printed(on, to_stream=False).report.startswith("::stop-commands::")
    printed = text.printed(off, to_stream=True)
    assert (printed.after, printed.summary) == ("", False)
    assert printed.report == text.render(off)
    for name in ("json", "junit", "sarif", "markdown"):
        printed = FORMATS[name].printed(on, to_stream=True)
        assert not printed.report.startswith("::stop-commands::") and not printed.summary
    assert FORMATS["github"].printed(off, to_stream=True).summary  # wherever it runs
