"""The map pages stay light at scale: the site of the issue, built for real.

100 personas, one 8-stage journey, 2,000 pieces each serving two personas, Material and a
small explicit nav (`bench/map.py` writes it; `python bench/map.py` also times it in
Chromium). Sizes are deterministic, so they are asserted here; speed never is.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from conftest import REPO

LIMIT = 1_000_000
"""The issue's bound for each of the overview, the gap report and Needs attention."""

OVERVIEW_AIM = 600_000
"""What the overview is held to: well under the bound, with room for features."""

PIECES, PERSONAS, STAGES = 2000, 100, 8


def bench_map() -> Any:
    spec = importlib.util.spec_from_file_location("bench_map", REPO / "bench" / "map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("weight")
    config = bench_map().write_site(root, PIECES, PERSONAS, STAGES)
    out = root / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config),
                          "-d", str(out)], cwd=root, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    return out / "content-map"


def page(site: Path, path: str) -> tuple[int, Any]:
    data = (site / path).read_bytes()
    return len(data), lxml_html.fromstring(data)


def page_data(tree: Any) -> dict[str, Any]:
    return json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])


def test_the_overview_is_light_and_still_counts_every_piece(site: Path):
    size, tree = page(site, "index.html")
    assert size < OVERVIEW_AIM < LIMIT, f"the overview is {size:,} bytes"
    cells = tree.xpath("//td[@data-cm-cell]")
    assert len(cells) == PERSONAS * STAGES
    # Every cell still counts and links without the script.
    assert all(td.xpath("a/@href") and td.xpath(".//*[@data-cm-count]") for td in cells
               if td.get("data-state") != "skipped")
    # The pieces are data, once each; the page lists none of 2,000, and says where they are.
    data = page_data(tree)
    assert len(data["pieces"]) == PIECES and len(data["items"]) == PIECES
    assert not tree.xpath("//tr[@data-cm-item]")
    note = tree.xpath("//p[contains(@class, 'cm-list-note')]")[0]
    assert "There are 2,000 pieces" in note.text_content() and len(note.xpath("a")) == STAGES


def test_the_gap_report_and_needs_attention_are_light(site: Path):
    size, tree = page(site, "gaps/index.html")
    assert size < LIMIT, f"the gap report is {size:,} bytes"
    # Every finding is on it (a share in full, the rest in short), each with its link.
    badges = tree.xpath("//h2/span[contains(@class, 'cm-count-badge')]/text()")
    full = tree.xpath("//ul[@class='cm-findings']/li")
    brief = tree.xpath("//ul[@class='cm-findings-brief']/li")
    assert len(full) <= 300 and sum(int(n) for n in badges) == len(full) + len(brief) > 3000
    assert all(li.xpath("a/@href") for li in brief)
    size, tree = page(site, "attention/index.html")
    assert size < LIMIT, f"Needs attention is {size:,} bytes"
    assert len(page_data(tree)["pieces"]) == PIECES
    assert len(tree.xpath("//li[@data-cm-item]")) <= 300


def test_what_a_piece_and_a_cell_cost(site: Path):
    """The parts that grow with the site, per unit, so a regression shows where it is."""
    text = (site / "index.html").read_text("utf-8")
    start = text.index("data-cm-data='")
    data_bytes = len(text[start:text.index("'", start + 14)].encode())
    assert data_bytes / PIECES < 100, f"{data_bytes / PIECES:.0f} bytes of data a piece"
    table = text.index('<table class="cm-matrix')
    matrix_bytes = len(text[table:text.index("</table>", table)].encode())
    per_cell = matrix_bytes / (PERSONAS * STAGES)
    assert per_cell < 260, f"{per_cell:.0f} bytes of matrix a cell"
