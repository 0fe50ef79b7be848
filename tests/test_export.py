"""`content-map export --format json|csv`: the model and matrix for spreadsheets and BI tools."""

from __future__ import annotations

import csv
import io
import json

from conftest import REPO, Site, cli, minimal_site
from content_map.reports.csv import CELL_COLUMNS, PIECE_COLUMNS


def export(site: Site, *args: str):
    return cli(["export", "-f", str(site.root / "mkdocs.yml"), "--today", "2025-06-01", *args])


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def two_persona_site(site: Site) -> Site:
    minimal_site(site)
    site.write("personas/buyer.yml", "name: Bea Buyer\n")
    site.write("docs/compare.md", """\
        ---
        title: "=HYPERLINK(\\"http://evil.example\\", \\"Compare\\")"
        personas: [reader, buyer]
        stages: [consideration, decision]
        status: review
        owner: "@dana"
        channel: blog
        format: guide
        intent: compare
        review_by: 2020-01-01
        next: [decision.md, retention.md]
        ---
        """)
    return site


def test_json_export_is_the_whole_model_and_matrix(site: Site):
    minimal_site(site)
    run = export(site)
    assert run.code == 0
    data = json.loads(run.out)
    assert data["version"] == 1
    assert {"summary", "findings", "matrix", "journeys", "personas", "pieces"} <= set(data)
    assert [p["id"] for p in data["personas"]] == ["reader"]
    assert len(data["pieces"]) == 5 and len(data["matrix"]) == 5
    assert data["matrix"][0]["state"] == "covered"


def test_csv_has_one_row_per_piece_persona_and_stage(site: Site):
    two_persona_site(site)
    run = export(site, "--format", "csv")
    assert run.code == 0
    assert run.out.splitlines()[0] == ",".join(PIECE_COLUMNS)
    table = rows(run.out)
    compare = [r for r in table if r["path"] == "compare.md"]
    assert sorted((r["persona"], r["stage"]) for r in compare) == [
        ("buyer", "consideration"), ("buyer", "decision"),
        ("reader", "consideration"), ("reader", "decision")]
    row = next(r for r in compare if r["persona"] == "buyer" and r["stage"] == "decision")
    assert row["persona_name"] == "Bea Buyer"
    assert row["journey"] == "buyer" and row["stage_name"] == "Decision"
    assert row["stage_order"] == "3"
    assert row["status"] == "review" and row["counts"] == "false"
    assert row["cell_state"] == "in-progress"  # Bea has only this draft at decision
    assert row["channel"] == "blog" and row["format"] == "guide" and row["intent"] == "compare"
    assert row["review_by"] == "2020-01-01" and row["stale"] == "true"
    assert row["next"] == "decision.md; retention.md"
    # Values a spreadsheet would run as formulas are neutralised.
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\", \"Compare\")"
    assert row["owner"] == "'@dana"
    reader = next(r for r in table if r["path"] == "awareness.md")
    assert reader["counts"] == "true" and reader["cell_state"] == "covered"
    assert len(table) == 5 + 4


def test_csv_cells_table_includes_the_gaps(site: Site, tmp_path):
    two_persona_site(site)
    target = tmp_path / "cells.csv"
    run = export(site, "--format", "csv", "--table", "cells", "-o", str(target))
    assert run.code == 0 and run.out == ""
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(CELL_COLUMNS)
    table = rows(text)
    assert len(table) == 10  # 2 personas × 5 stages
    gap = next(r for r in table if r["persona"] == "buyer" and r["stage"] == "awareness")
    assert gap["state"] == "gap" and gap["count"] == "0" and gap["threshold"] == "1"
    progress = next(r for r in table if r["persona"] == "buyer" and r["stage"] == "decision")
    assert progress["state"] == "in-progress" and progress["in_progress_pieces"] == "compare.md"


def test_export_of_the_bundled_example(tmp_path):
    run = cli(["export", "-f", str(REPO / "mkdocs.yml"), "--format", "csv"])
    assert run.code == 0, run.err
    table = rows(run.out)
    data = json.loads(cli(["export", "-f", str(REPO / "mkdocs.yml")]).out)
    expected = sum(max(len(p["personas"]), 1) * max(len(p["stages"]), 1) for p in data["pieces"])
    assert len(table) == expected >= 30


def test_a_table_is_refused_for_the_json_export(site: Site, tmp_path):
    minimal_site(site)
    target = tmp_path / "export.json"
    for table in ("cells", "pieces"):
        run = export(site, "--format", "json", "--table", table, "-o", str(target))
        assert run.code == 2 and run.out == "" and not target.exists()
        assert "--table chooses the rows of --format csv" in run.err
    run = export(site, "--table", "cells")  # json is the default format
    assert run.code == 2 and "--format json has no tables" in run.err


def test_json_is_compact_and_reads_back_the_same(site: Site):
    two_persona_site(site)
    run = export(site)
    assert run.out.count("\n") == 1 and run.out.endswith("}\n")
    data = json.loads(run.out)
    assert run.out == json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    check = site.check("--today", "2025-06-01", "--format", "json")
    assert check.out.count("\n") == 1 and json.loads(check.out)["version"] == 1
