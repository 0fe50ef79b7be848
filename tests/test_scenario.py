"""One site with every everyday mistake: `check` and `mkdocs build` must agree on all of it."""

from __future__ import annotations

import pytest

from conftest import Site

TODAY = "2026-06-01"


def broken_site(site: Site) -> Site:
    site.config({
        "coverage": {"waivers": [
            {"persona": "cfo", "stage": "advocacy", "reason": "Referral programme in Q3",
             "until": "2099-01-31"},
        ]},
    })
    site.write("personas/ops-lead.yml", """
        name: Olivia, Operations Lead
        summary: Runs a 12-person operations team.
        aliases: [olivia]
    """)
    site.write("personas/cfo.yml", """
        name: Carla, CFO
        skip_stages:
          - stage: retention
            reason: CFOs hand day-to-day use to their team.
    """)
    site.write("docs/index.md", "# Home\n")
    # ops-lead: awareness (covered), consideration (misspelled persona), decision (draft only)
    site.write("docs/why.md", """
        ---
        title: Why month-end takes so long
        personas: [ops-lead, cfo]
        stage: awareness
        next: [compare.md, pricing.md]
        review_by: 2099-01-01
        ---
        # Why
    """)
    site.write("docs/compare.md", """
        ---
        title: Comparing tools
        personas: [opslead]
        stage: consideration
        next: [pricing.md]
        ---
        # Compare
    """)
    site.write("docs/pricing.md", """
        ---
        title: Pricing
        personas: [olivia, cfo]
        stage: decison
        ---
        # Pricing
    """)
    site.write("docs/roi.md", """
        ---
        title: ROI calculator
        personas: [ops-lead]
        stage: decision
        status: draft
        ---
    """)
    site.write("docs/broken.md", """
        ---
        title: Broken
        personas: [ops-lead
        stage: retention
        ---
        Body
    """)
    site.write("docs/old.md", """
        ---
        title: Old post
        personas: [cfo]
        stage: consideration
        review_by: 2025-01-15
        next: [nowhere.md]
        ---
    """)
    return site


@pytest.fixture
def broken(site: Site) -> Site:
    return broken_site(site)


def test_check_json_reports_every_problem_with_rule_file_line_and_suggestion(broken: Site):
    run = broken.check("--format", "json", "--today", TODAY)
    assert run.code == 1
    report = run.json()
    found = {(f["rule"], f["file"], f["line"]): f for f in report["findings"]}

    misspelled = found[("unknown-persona", "docs/compare.md", 3)]
    assert misspelled["suggestion"] == "ops-lead" and misspelled["severity"] == "error"
    assert "did you mean `ops-lead`" in misspelled["message"]

    stage = found[("unknown-stage", "docs/pricing.md", 4)]
    assert stage["suggestion"] == "decision"

    syntax = found[("yaml-syntax", "docs/broken.md", 4)]
    assert "invalid front-matter" in syntax["message"]

    dangling = found[("unknown-next", "docs/old.md", 6)]
    assert "nowhere.md" in dangling["message"]

    stale = found[("stale", "docs/old.md", 5)]
    assert stale["severity"] == "warn" and "2025-01-15" in stale["message"]

    waived = [f for f in report["findings"] if f["rule"] == "coverage-gap"
              and f["persona"] == "cfo" and f["stage"] == "advocacy"]
    assert len(waived) == 1 and waived[0]["severity"] == "info"
    assert "Referral programme in Q3" in waived[0]["message"]

    gaps = {(f["persona"], f["stage"]) for f in report["findings"]
            if f["rule"] == "coverage-gap" and f["severity"] == "error"}
    assert gaps == {
        ("ops-lead", "consideration"), ("ops-lead", "decision"), ("ops-lead", "retention"),
        ("ops-lead", "advocacy"), ("cfo", "decision"),
    }
    for f in report["findings"]:
        if f["rule"] == "coverage-gap":
            assert f["file"] == f"personas/{f['persona']}.yml" and f["line"] == 1


def test_check_json_matrix_states_and_coverage_figure(broken: Site):
    report = broken.check("--format", "json", "--today", TODAY).json()
    cells = {(c["persona"], c["stage"]): c for c in report["matrix"]}
    assert len(cells) == 10
    assert cells[("ops-lead", "awareness")]["state"] == "covered"
    assert cells[("ops-lead", "awareness")]["pieces"] == ["why.md"]
    assert cells[("cfo", "retention")]["state"] == "skipped"
    assert cells[("cfo", "advocacy")]["state"] == "waived"
    assert cells[("cfo", "consideration")]["state"] == "covered"  # stale still counts
    draft = cells[("ops-lead", "decision")]
    assert draft["state"] == "gap" and draft["count"] == 0 and draft["in_progress"] == 1
    assert draft["in_progress_pieces"] == ["roi.md"]
    assert cells[("cfo", "decision")]["state"] == "gap"
    # covered: ops-lead/awareness, cfo/awareness, cfo/consideration; skipped: cfo/retention
    # gaps: 5; waived: 1  ->  3 / (3 + 5 + 1)
    assert report["summary"]["coverage"] == round(3 / 9, 4)
    assert report["summary"]["cells"] == {"covered": 3, "gap": 5, "waived": 1, "skipped": 1}


def test_text_report_groups_by_file_and_sums_up(broken: Site):
    run = broken.check("--today", TODAY)
    assert run.code == 1
    lines = run.out.splitlines()
    assert "docs/compare.md" in lines
    assert any("`opslead` is not a persona; did you mean `ops-lead`?" in line for line in lines)
    assert "\033[" not in run.out  # not a terminal: no colour
    assert lines[-1].startswith("9 errors, 4 warnings, 1 info · 5 pieces, 2 personas, 5 stages")
    assert lines[-1].endswith("coverage 33% (3 of 9 cells)")


def test_fail_on_never_exits_zero_and_warn_counts_warnings(broken: Site):
    assert broken.check("--fail-on", "never", "--today", TODAY).code == 0
    assert broken.check("--fail-on", "warn", "--today", TODAY).code == 1


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_build_aborts_naming_every_gap_and_problem(broken: Site, engine: str):
    run = broken.build(engine=engine)
    assert run.code == 1
    log = run.out + run.err
    assert "Traceback" not in log
    assert "content-map found 9 problems at or above `error`" in log
    for persona, stage in [("ops-lead", "consideration"), ("ops-lead", "decision"),
                           ("ops-lead", "retention"), ("ops-lead", "advocacy"),
                           ("cfo", "decision")]:
        assert f"coverage-gap: no published page for `{persona}` at `buyer/{stage}`" in log
    assert "docs/compare.md:3: unknown-persona: `opslead` is not a persona" in log
    assert "docs/broken.md:4: yaml-syntax:" in log
    assert "docs/old.md:6: unknown-next:" in log
    # warnings below fail_on are logged as warnings, the waived gap as info
    assert "WARNING -  content-map: docs/old.md:5: stale:" in log
    assert not (broken.root / "site" / "index.html").exists()
