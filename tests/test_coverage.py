"""Coverage (SPEC §5): thresholds, counted statuses, stale pieces, skips, waivers, the figure."""

from __future__ import annotations

from conftest import Site, minimal_site


def cells(site: Site, *args: str) -> dict[str, dict]:
    report = site.check("--format", "json", "--today", "2026-06-01", *args).json()
    return {c["stage"]: c for c in report["matrix"]}


def test_stage_min_content_overrides_min_per_cell(site: Site):
    minimal_site(site, {"coverage": {"min_per_cell": 1}})
    site.write("journeys/buyer.yml", """
        stages:
          - {id: awareness, min_content: 2}
          - {id: consideration}
          - {id: decision}
          - {id: retention}
          - {id: advocacy, min_content: 0}
    """)
    site.write("docs/advocacy.md", "---\npersonas: [reader]\nstage: advocacy\nstatus: idea\n---\n")
    got = cells(site)
    assert (got["awareness"]["state"], got["awareness"]["count"],
            got["awareness"]["threshold"]) == ("gap", 1, 2)
    assert got["advocacy"]["state"] == "covered" and got["advocacy"]["threshold"] == 0
    assert got["consideration"]["threshold"] == 1


def test_min_per_cell(site: Site):
    minimal_site(site, {"coverage": {"min_per_cell": 2}})
    report = site.check("--format", "json").json()
    assert {c["state"] for c in report["matrix"]} == {"gap"}
    gap = report["findings"][0]
    assert gap["rule"] == "coverage-gap" and "1 of 2 published pages" in gap["message"]
    assert report["summary"]["coverage"] == 0.0


def test_count_status_decides_what_counts(site: Site):
    minimal_site(site, {"coverage": {"count_status": ["published", "review"]}})
    site.write("docs/decision.md", "---\npersonas: [reader]\nstage: decision\nstatus: review\n"
               "next: [retention.md]\n---\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\nstatus: draft\n"
               "next: [advocacy.md]\n---\n")
    got = cells(site)
    assert got["decision"]["state"] == "covered"
    assert got["retention"]["state"] == "gap" and got["retention"]["in_progress"] == 1


def test_stale_pieces_count_unless_count_stale_is_false(site: Site):
    minimal_site(site)
    site.write("docs/advocacy.md", "---\npersonas: [reader]\nstage: advocacy\n"
               "review_by: 2020-01-01\n---\n")
    assert cells(site)["advocacy"]["state"] == "covered"
    minimal_site(site, {"coverage": {"count_stale": False}})
    site.write("docs/advocacy.md", "---\npersonas: [reader]\nstage: advocacy\n"
               "review_by: 2020-01-01\n---\n")
    assert cells(site)["advocacy"]["state"] == "gap"


def test_skipped_stage_is_excluded_from_the_figure(site: Site):
    minimal_site(site)
    site.write("personas/reader.yml", "name: Rita\nskip_stages:\n"
               "  - {stage: advocacy, reason: Internal readers do not refer others.}\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n---\n")
    site.write("docs/advocacy.md", "# Nothing here\n")
    report = site.check("--format", "json", "--today", "2026-06-01").json()
    got = {c["stage"]: c for c in report["matrix"]}
    assert got["advocacy"]["state"] == "skipped"
    assert got["advocacy"]["reason"] == "Internal readers do not refer others."
    assert report["findings"] == []
    assert report["summary"]["coverage"] == 1.0


def test_waiver_until_a_future_date_waives_and_reports_info(site: Site):
    waiver = {"persona": "reader", "stage": "buyer/advocacy", "reason": "Launch in Q3",
              "until": "2026-12-31"}
    minimal_site(site, {"coverage": {"waivers": [waiver]}})
    site.write("docs/advocacy.md", "# Not yet\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n---\n")
    run = site.check("--format", "json", "--today", "2026-06-01")
    assert run.code == 0
    report = run.json()
    assert {c["stage"]: c["state"] for c in report["matrix"]}["advocacy"] == "waived"
    # the waived gap is info; the retention page really has nowhere to lead yet
    assert sorted((f["rule"], f["severity"]) for f in report["findings"]) == [
        ("coverage-gap", "info"), ("dead-end", "warn")]
    assert report["summary"]["coverage"] == 0.8  # a waived cell is still not covered

    later = site.check("--format", "json", "--today", "2027-01-01")
    assert later.code == 1
    rules = sorted((f["rule"], f["severity"]) for f in later.json()["findings"])
    assert rules == [("coverage-gap", "error"), ("dead-end", "warn"), ("waiver-expired", "error")]


def test_waiver_for_unknown_persona_is_reported(site: Site):
    minimal_site(site, {"coverage": {"waivers": [
        {"persona": "nobody", "stage": "advocacy", "reason": "x"}]}})
    findings = site.check("--format", "json").json()["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("schema", "mkdocs.yml")]
    assert "names no known persona and stage" in findings[0]["message"]


def test_persona_following_one_journey_has_only_its_cells(site: Site):
    minimal_site(site)
    site.write("journeys/buyer.yml", "stages: [{id: awareness}, {id: consideration}, "
               "{id: decision}, {id: retention}, {id: advocacy}]\n")
    site.write("journeys/support.yml", "name: Support\nstages: [{id: onboarding}, {id: fixing}]\n")
    site.write("personas/reader.yml", "name: Rita\njourneys: [buyer]\n")
    report = site.check("--format", "json").json()
    assert {c["journey"] for c in report["matrix"]} == {"buyer"}
    assert report["summary"]["stages"] == 7
