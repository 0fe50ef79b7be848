"""The benchmark harness keeps working: a tiny run writes its table and JSON, for the plain
corpus and the one where most pages carry a finding (no timing is asserted: speed is
judged by the ratios `make bench` prints, never by a test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO


def test_benchmark_harness_runs_end_to_end(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "300", "--findings-sizes",
         "300", "--repeat", "1", "--no-build", "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    row = result["check"][0]
    assert row["pages"] == 300
    for key in ("floor_s", "cold_s", "warm_s", "edited_s", "cold_ratio", "warm_ratio"):
        assert row[key] > 0
    heavy = result["check_findings"][0]
    assert heavy["pages"] == 300 and heavy["warm_ratio"] > 0
    assert heavy["findings"] > 300 > 10 * row["findings"]  # most pages carry a finding there
    assert "cold×" in run.stdout


def test_corpus_is_reproducible(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import write_site

    write_site(tmp_path / "a", 50, seed=7)
    write_site(tmp_path / "b", 50, seed=7)
    pages_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    pages_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.md"))
    assert pages_a == pages_b and len(pages_a) == 51
    for rel in pages_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_the_build_benchmark_runs_on_a_corpus_with_a_nav(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "", "--findings-sizes", "",
         "--build-sizes", "40", "--repeat", "1", "--work", str(tmp_path / "work"),
         "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    row = result["build"][0]
    assert row["pages"] == 40
    for key in ("without_s", "plugin_s", "plugin_warm_s", "tags_s"):
        assert row[key] > 0
    share = result["share"][0]
    assert share["hooks"] > 0 and share["read_source"] > 0 and share["without_read_source"] > 0
    assert share["net_s"] == pytest.approx(share["hooks"] + share["map_pages"]
                                           + share["read_source"] - share["without_read_source"])
    config = (tmp_path / "work" / "build-40" / "plugin_warm" / "mkdocs.yml").read_text()
    assert "nav:" in config and "section-00/index.md" in config
