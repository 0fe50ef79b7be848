"""`content-map generate`: the map as plain Markdown that any engine builds without plugins."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, Site, cli, minimal_site
from content_map.reports.markdown_text import table, text
from content_map.site.markdown_pages import MARKER

TODAY = "2026-01-15"


def generate(config: Path, out: Path, *args: str):
    return cli(["generate", "-f", str(config), "--out", str(out), "--today", TODAY, *args])


def plain_config(config: Path) -> Path:
    """The same site with the content-map plugin taken out: what an engine without plugins sees."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["plugins"] = [p for p in data.get("plugins", []) if p != "content-map"
                       and not (isinstance(p, dict) and "content-map" in p)] or ["search"]
    plain = config.with_name("plain.yml")
    plain.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return plain


def build(config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(config)], cwd=config.parent, capture_output=True, text=True,
                          timeout=300, env=env)


def links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"', html)]


def assert_links_resolve(site_dir: Path, page: str) -> int:
    """Every relative link of the built page leads to a built file; returns how many."""
    html = (site_dir / page).read_text(encoding="utf-8")
    base = posixpath.dirname(page)
    count = 0
    for href in links(html):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
        path = site_dir / target
        assert path.is_file() or (path / "index.html").is_file(), (page, href)
        count += 1
    return count


def test_the_bundled_example_builds_with_plain_mkdocs(tmp_path):
    for name in ("mkdocs.yml", "content", "personas", "journeys"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    out = tmp_path / "content" / "content-map"
    run = generate(tmp_path / "mkdocs.yml", out)
    assert run.code == 0, run.err
    assert run.err == ""
    personas = sorted(p.stem for p in (tmp_path / "personas").glob("*.yml"))
    generated = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert "index.md" in generated and "gaps.md" in generated
    assert [g for g in generated if g.startswith("personas/")] == \
        [f"personas/{p}.md" for p in personas]
    assert "stages/buyer/consideration.md" in generated
    assert "stages/support/onboarding.md" in generated

    proc = build(plain_config(tmp_path / "mkdocs.yml"))
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"^WARNING", proc.stderr, flags=re.M), proc.stderr
    site_dir = tmp_path / "site"
    index = (site_dir / "content-map" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in index and "Catherine, Chief Financial Officer" in index
    assert "Buyer journey" in index and "Support journey" in index
    assert "97% (33 of 34 cells)" in index
    assert "≈ 0" in index and "–" in index
    assert assert_links_resolve(site_dir, "content-map/index.html") > 40

    cfo = "content-map/personas/cfo/index.html"
    html = (site_dir / cfo).read_text(encoding="utf-8")
    assert "Past finance-system projects overran" in html  # pains, as typed
    assert "Is a ten-day close normal for a company our size?" in html  # the lane's questions
    assert "CFO referral programme launches" in html  # the waiver's reason
    assert assert_links_resolve(site_dir, cfo) > 10
    stage = "content-map/stages/buyer/decision/index.html"
    html = (site_dir / stage).read_text(encoding="utf-8")
    assert 'id="persona-cfo"' in html and "Plans and pricing" in html
    assert assert_links_resolve(site_dir, stage) > 5
    gaps = (site_dir / "content-map/gaps/index.html").read_text(encoding="utf-8")
    assert "coverage-gap" in gaps and "<code>buyer/advocacy</code>" in gaps
    assert_links_resolve(site_dir, "content-map/gaps/index.html")


def awkward_site(site: Site) -> Site:
    minimal_site(site)
    site.write("personas/reader.yml", """\
        name: "Rita | <script>alert(1)</script> *Reader*"
        summary: "- not a list\\n# not a heading [x](javascript:alert(2))"
        pains: ["Pipes | in | cells", "<img src=x onerror=alert(3)>"]
        demographics: {role: "a|b", "x<y": "`tick`"}
        """)
    site.write("docs/awareness.md", """\
        ---
        title: "Awareness | today"
        owner: "<em>now</em>"
        personas: [reader]
        stage: awareness
        review_by: 2099-01-01
        next: [consideration.md]
        ---
        # Awareness
        """)
    return site


def test_values_cannot_break_tables_or_inject_html(site: Site):
    awkward_site(site)
    out = site.root / "docs" / "content-map"
    assert generate(site.root / "mkdocs.yml", out).code == 0
    proc = build(plain_config(site.root / "mkdocs.yml"))
    assert proc.returncode == 0, proc.stderr
    for page in (site.root / "site" / "content-map").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "javascript:" not in html.replace("[x](javascript:alert(2))", ""), page
        assert "<em>now</em>" not in html, page
    index = (site.root / "site/content-map/index.html").read_text(encoding="utf-8")
    assert "Rita | &lt;script&gt;alert(1)&lt;/script&gt; *Reader*" in index
    persona = (site.root / "site/content-map/personas/reader/index.html").read_text()
    assert "- not a list # not a heading [x](javascript:alert(2))" in persona
    assert "Pipes | in | cells" in persona
    stage = (site.root / "site/content-map/stages/buyer/awareness/index.html").read_text()
    assert "&lt;em&gt;now&lt;/em&gt;" in stage and "Awareness | today</a>" in stage
    # Every row of every table has as many cells as its header.
    for page in (site.root / "site" / "content-map").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for body in re.findall(r"<table>(.*?)</table>", html, flags=re.S):
            rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
            widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
            assert len(widths) == 1, (page, widths)


def test_generate_never_overwrites_what_it_did_not_write(site: Site):
    minimal_site(site)
    out = site.root / "docs" / "map"
    out.mkdir(parents=True)
    mine = out / "index.md"
    mine.write_text("# My own page\n")
    run = generate(site.root / "mkdocs.yml", out)
    assert run.code == 2
    assert "index.md was not generated by content-map" in run.err
    assert mine.read_text() == "# My own page\n"
    assert sorted(p.name for p in out.rglob("*")) == ["index.md"]  # nothing half-written


def test_generate_is_repeatable_and_removes_pages_that_left_the_map(site: Site):
    minimal_site(site)
    site.write("personas/second.yml", "name: Second\n")
    out = site.root / "docs" / "map"
    assert generate(site.root / "mkdocs.yml", out).code == 0
    first = {p: p.read_bytes() for p in out.rglob("*.md")}
    assert all(text.startswith(MARKER.encode()) for text in first.values())
    assert generate(site.root / "mkdocs.yml", out).code == 0
    assert {p: p.read_bytes() for p in out.rglob("*.md")} == first
    (out / "notes.md").write_text("# Kept: not generated\n")
    (site.root / "personas/second.yml").unlink()
    run = generate(site.root / "mkdocs.yml", out)
    assert run.code == 0
    assert "removed 1 that are no longer on the map: personas/second.md" in run.out
    assert not (out / "personas/second.md").exists()
    assert (out / "notes.md").read_text() == "# Kept: not generated\n"


def test_generate_outside_the_docs_dir_says_links_need_it_inside(site: Site):
    minimal_site(site)
    run = generate(site.root / "mkdocs.yml", site.root / "elsewhere")
    assert run.code == 0
    assert "outside the docs directory" in run.err
    index = (site.root / "elsewhere" / "index.md").read_text()
    assert "](../../docs/awareness.md)" in (site.root / "elsewhere/personas/reader.md").read_text()
    assert "[Rita Reader](personas/reader.md)" in index


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_value_is_one_literal_table_cell(value):
    html = markdown.markdown(table(["A", "B"], [[text(value), "end"]]),
                             extensions=["tables", "attr_list", "toc"])
    cells = re.findall(r"<td>(.*?)</td>", html, flags=re.S)
    assert len(cells) == 2 and cells[1] == "end"
    assert "<" not in cells[0].replace("&lt;", "")  # no tag, no link, no emphasis
    shown = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", value)
    assert unescape(cells[0]) == " ".join(shown.split())
