"""Results (SPEC §5b): the metrics CSV joined to pieces, grouped figures, low-engagement."""

from __future__ import annotations

import csv

from conftest import REPO, Site, cli, minimal_site


def report(site: Site) -> dict:
    return cli(["check", "-f", str(site.root / "mkdocs.yml"), "--format", "json"]).json()


def test_rows_join_by_path_or_url_and_bad_rows_are_reported_with_their_line(site: Site):
    minimal_site(site, {"metrics": {"file": "data/metrics.csv"}})
    site.write("data/metrics.csv", "\n".join([
        "page,views,avg_time_on_page,bounce_rate,conversions,rating",
        "awareness.md,100,60,0.5,2,4",
        "/consideration/,50,,0.4,,",
        "https://example.com/decision.html,10,30,,1,5",
        "retention/,5,,,,",
        "nowhere/,999,,,,",
        "advocacy.md,lots,,1.5,,9",
    ]) + "\n")
    got = report(site)
    problems = [(f["rule"], f["file"], f["line"], f["severity"]) for f in got["findings"]]
    assert problems == [
        ("metrics-data", "data/metrics.csv", 6, "warn"),
        ("metrics-data", "data/metrics.csv", 7, "warn"),
        ("metrics-data", "data/metrics.csv", 7, "warn"),
        ("metrics-data", "data/metrics.csv", 7, "warn"),
    ]
    assert "`nowhere/` names no page of this site" in got["findings"][0]["message"]
    pieces = got["results"]["pieces"]
    assert pieces["awareness.md"] == {"views": 100, "avg_time_on_page": 60, "bounce_rate": 0.5,
                                      "conversions": 2, "rating": 4}
    assert pieces["consideration.md"] == {"views": 50, "bounce_rate": 0.4}
    assert pieces["decision.md"]["views"] == 10 and pieces["retention.md"] == {"views": 5}
    assert pieces["advocacy.md"] == {}
    assert got["results"]["overall"]["views"] == 165
    cell = next(c for c in got["results"]["cells"] if c["stage"] == "awareness")
    assert cell["figures"]["views"] == 100


def test_example_figures_equal_the_csv_sums_and_means():
    got = cli(["check", "-f", str(REPO / "mkdocs.yml"), "--format", "json"]).json()
    assert not [f for f in got["findings"] if f["rule"] == "metrics-data"]
    with open(REPO / "analytics" / "metrics.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    views = sum(float(r["views"]) for r in rows)
    overall = got["results"]["overall"]
    assert overall["views"] == views
    assert overall["conversions"] == sum(float(r["conversions"]) for r in rows)
    weighted = sum(float(r["rating"]) * float(r["views"]) for r in rows) / views
    assert abs(overall["rating"] - weighted) < 1e-9
    # per persona: each counting piece that serves the persona, once
    served = {p["path"]: p for p in cli(["export", "-f", str(REPO / "mkdocs.yml"),
                                          "--format", "json"]).json()["pieces"]}
    cfo_views = 0.0
    for r in rows:
        page = r["page"].strip("/")
        path = page if page.endswith(".md") else page + ".md"
        if "cfo" in served[path]["personas"]:
            cfo_views += float(r["views"])
    assert got["results"]["personas"]["cfo"]["views"] == cfo_views


def test_low_engagement_is_off_by_default_and_uses_floors_and_ceilings(site: Site):
    options = {"metrics": {"file": "m.csv"}}
    minimal_site(site, options)
    site.write("m.csv", "page,views,bounce_rate\nawareness.md,3,0.9\ndecision.md,500,0.1\n")
    assert [f["rule"] for f in report(site)["findings"]] == []
    options["metrics"].update(floors={"views": 10}, ceilings={"bounce_rate": 0.8})
    options["rules"] = {"low-engagement": "warn"}
    minimal_site(site, options)
    found = [(f["rule"], f["file"], f["message"]) for f in report(site)["findings"]]
    assert found == [
        ("low-engagement", "docs/awareness.md", "bounce rate is 0.9, over the ceiling of 0.8; "
         "improve the page or rethink where it is promoted"),
        ("low-engagement", "docs/awareness.md", "views is 3, under the floor of 10; improve the "
         "page or rethink where it is promoted"),
    ]


def test_missing_metrics_file_and_bad_options(site: Site):
    minimal_site(site, {"metrics": {"file": "missing.csv"}})
    findings = report(site)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("metrics-data", "missing.csv")]
    minimal_site(site, {"metrics": {"floors": {"veiws": 3}}})
    run = site.check()
    assert run.code == 2 and "did you mean `views`?" in run.err
