"""The baseline ratchet: `check --write-baseline` and `check --baseline`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Site, minimal_site
from content_map.model import Finding
from content_map.reports.baseline import Baseline, compare, from_findings, read_baseline, to_text
from every_finding import TODAY, every_finding_site


@pytest.fixture(autouse=True)
def not_on_github(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


def baselined(site: Site) -> str:
    every_finding_site(site)
    path = str(site.root / "content-map-baseline.json")
    run = site.check("--today", TODAY, "--write-baseline", path)
    assert run.code == 0, run.err
    assert "wrote 31 findings to the baseline" in run.err
    return path


def test_a_baseline_accepts_todays_findings(site: Site):
    path = baselined(site)
    assert site.check("--today", TODAY).code == 1  # without it, the site fails
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 0, run.out
    assert "no problems" in run.out
    assert "31 known findings are accepted by the baseline" in run.out
    assert "fixed" not in run.out
    report = site.check("--today", TODAY, "--baseline", path, "--format", "json").json()
    assert report["findings"] == []
    assert report["baseline"] == {"file": path, "known": 31, "fixed": []}


def test_the_baseline_file_is_sorted_stable_and_readable(site: Site):
    path = baselined(site)
    first = Path(path).read_text(encoding="utf-8")
    data = json.loads(first)
    assert data["version"] == 1 and data["tool"] == "content-map"
    entries = data["findings"]
    keys = [(e["file"], e["rule"]) for e in entries]
    assert keys == sorted(keys)
    assert all("line" not in e for e in entries)
    gap = next(e for e in entries if e["rule"] == "coverage-gap" and e.get("persona") == "reader")
    assert gap == {"rule": "coverage-gap", "severity": "error", "file": "personas/reader.yml",
                   "persona": "reader", "journey": "buyer", "stage": "advocacy",
                   "message": gap["message"], "count": 1}
    site.check("--today", TODAY, "--write-baseline", path)
    assert Path(path).read_text(encoding="utf-8") == first  # byte-identical: diffs stay quiet
    assert first.count("\n") > len(entries) * 5  # one field per line


def test_one_new_gap_fails_naming_only_that_gap(site: Site):
    path = baselined(site)
    text = (site.root / "docs/awareness.md").read_text()
    site.write("docs/awareness.md", text.replace("[reader, writer]", "[reader]"))
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 1
    report = site.check("--today", TODAY, "--baseline", path, "--format", "json").json()
    assert [(f["rule"], f["persona"], f["journey"], f["stage"]) for f in report["findings"]] == \
        [("coverage-gap", "writer", "buyer", "awareness")]
    assert report["summary"]["errors"] == 1
    assert "no published page for `writer` at `buyer/awareness`" in run.out
    assert "`reader` at `buyer/advocacy`" not in run.out


def test_fixing_a_baselined_finding_is_reported(site: Site):
    path = baselined(site)
    text = (site.root / "docs/unknown.md").read_text()
    site.write("docs/unknown.md", text.replace("next: [missing.md]\n", ""))
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 0
    assert "1 baseline entry is fixed; run `content-map check --write-baseline" in run.out
    assert "docs/unknown.md: unknown-next: the next step `missing.md`" in run.out
    report = site.check("--today", TODAY, "--baseline", path, "--format", "json").json()
    assert [e["rule"] for e in report["baseline"]["fixed"]] == ["unknown-next"]
    # Machine formats keep stdout clean and say it on stderr.
    sarif = site.check("--today", TODAY, "--baseline", path, "--format", "sarif")
    json.loads(sarif.out)
    assert "1 baseline entry is fixed" in sarif.err
    github = site.check("--today", TODAY, "--baseline", path, "--format", "github")
    assert github.out.startswith("::notice title=content-map baseline::1 baseline entry is fixed")
    markdown = site.check("--today", TODAY, "--baseline", path, "--format", "markdown")
    assert "1 baseline entry is fixed" in markdown.out
    # Shrinking the file drops the entry.
    site.check("--today", TODAY, "--write-baseline", path)
    assert "missing.md" not in Path(path).read_text(encoding="utf-8")


def test_moving_lines_does_not_make_findings_new(site: Site):
    path = baselined(site)
    for page in ("docs/unknown.md", "docs/decision.md", "docs/awareness.md"):
        text = (site.root / page).read_text()
        site.write(page, text.replace("---\n", "---\nowner: dana\nchannel: x\nformat: y\n", 1))
    journey = (site.root / "journeys/buyer.yml").read_text()
    site.write("journeys/buyer.yml", "# Our buyer journey\n\n" + journey)
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 0, run.out
    assert "fixed" not in run.out


def test_a_stricter_rule_makes_its_findings_new(site: Site):
    path = baselined(site)
    config = (site.root / "mkdocs.yml").read_text()
    site.write("mkdocs.yml", config.replace("unmapped-page: warn", "unmapped-page: warn\n"
                                            "      stale: error"))
    report = site.check("--today", TODAY, "--baseline", path, "--format", "json").json()
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("stale", "error")]


def test_a_second_identical_finding_is_new(site: Site):
    path = baselined(site)
    text = (site.root / "docs/unknown.md").read_text()
    site.write("docs/unknown.md", text.replace("[nobody,", "[nobody, nobody,"))
    report = site.check("--today", TODAY, "--baseline", path, "--format", "json").json()
    assert [f["message"] for f in report["findings"]] == \
        ["`nobody` is not a persona; add a file to personas/ or fix the id"]


def test_findings_below_fail_on_do_not_fail(site: Site):
    path = baselined(site)
    (site.root / "docs/plain2.md").write_text("# Another unmapped page\n")
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 0  # a new warning, but --fail-on is error
    assert "docs/plain2.md" in run.out
    assert site.check("--today", TODAY, "--baseline", path, "--fail-on", "warn").code == 1


@pytest.mark.parametrize("content, message", [
    (None, "no such file; write one with --write-baseline"),
    ("{not json", "invalid JSON"),
    ('{"version": 1}', "no `findings` list"),
    ('{"version": 9, "findings": []}', "baseline version 9 is not supported"),
    ('{"version": 1, "findings": [{"rule": "stale"}]}', "needs `rule`, `file` and `message`"),
    ('{"version": 1, "findings": [{"rule": "stale", "file": "a", "message": "m", "count": 0}]}',
     "`count` must be a whole number"),
])
def test_an_unusable_baseline_is_a_usage_error(site: Site, content, message):
    minimal_site(site)
    path = site.root / "baseline.json"
    if content is not None:
        path.write_text(content)
    run = site.check("--baseline", str(path))
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_compare_places_findings_in_the_least_severe_entry_that_accepts_them():
    warn = Finding("stale", "a.md", 3, "late", severity="warn")
    error = Finding("stale", "a.md", 9, "late", severity="error")
    baseline = from_findings([warn, error])
    assert len(baseline) == 2
    result = compare([error, warn], baseline)
    assert result.new == () and result.fixed == ()
    # Two errors where the baseline knew one error and one warning: one is new.
    result = compare([error, error], baseline)
    assert result.new == (error,)
    assert [(e.severity, e.count) for e in result.fixed] == [("warn", 1)]


def test_round_trip(tmp_path):
    findings = [Finding("unknown-persona", "docs/a.md", 4, "`x` is not a persona on line 4",
                        severity="error", persona="x"),
                Finding("coverage-gap", "personas/p.yml", 1, "no page; 1 in progress: a.md",
                        severity="error", persona="p", journey="buyer", stage="decision")]
    path = tmp_path / "b.json"
    path.write_text(to_text(from_findings(findings)))
    loaded = read_baseline(path)
    assert isinstance(loaded, Baseline) and len(loaded) == 2
    moved = [Finding("unknown-persona", "docs/a.md", 9, "`x` is not a persona on line 9",
                     severity="error", persona="x"),
             Finding("coverage-gap", "personas/p.yml", 1, "no page for p", severity="error",
                     persona="p", journey="buyer", stage="decision")]
    assert compare(moved, loaded).new == ()


def test_the_shrink_hint_warns_while_new_findings_remain(site: Site):
    path = baselined(site)
    text = (site.root / "docs/unknown.md").read_text()
    site.write("docs/unknown.md", text.replace("next: [missing.md]\n", ""))
    text = (site.root / "docs/awareness.md").read_text()
    site.write("docs/awareness.md", text.replace("[reader, writer]", "[reader]"))
    run = site.check("--today", TODAY, "--baseline", path)
    assert run.code == 1
    assert "to shrink the file once the new findings are fixed (it would accept them too)" \
        in run.out
    markdown = site.check("--today", TODAY, "--baseline", path, "--format", "markdown").out
    assert "once the new findings are fixed" in markdown
