"""`content-map generate`: the plugin's map as Markdown pages and files beside them, for
engines that run no plugins (the builds themselves are in tests/test_zensical.py)."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import markdown
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, Site, cli, minimal_site
from content_map.reports.markdown_text import table, text
from content_map.site.markdown_pages import MANIFEST, MARKER, owned

TODAY = "2026-01-15"


def generate(config: Path, out: Path, *args: str):
    return cli(["generate", "-f", str(config), "--out", str(out), "--today", TODAY, *args])


def front_matter(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:text.index("\n---\n")])


def body(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("\n---\n\n") + 6:]


def test_the_bundled_example_is_generated_whole(tmp_path):
    for name in ("mkdocs.yml", "content", "personas", "journeys", "analytics"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    out = tmp_path / "content" / "content-map"
    run = generate(tmp_path / "mkdocs.yml", out)
    assert run.code == 0, run.err
    assert run.err == ""
    personas = sorted(p.stem for p in (tmp_path / "personas").glob("*.yml"))
    generated = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert {"index.md", "gaps.md", "problems.md", "attention.md"} <= set(generated)
    assert [g for g in generated if g.startswith("personas/")] == \
        [f"personas/{p}.md" for p in personas]
    assert "stages/buyer/consideration.md" in generated
    assert "stages/support/onboarding.md" in generated
    assert (out / "assets/content-map.css").is_file()
    assert (out / "assets/content-map.js").is_file()
    export = json.loads((out / "content-map.json").read_text(encoding="utf-8"))
    checked = cli(["check", "-f", str(tmp_path / "mkdocs.yml"), "--format", "json",
                   "--today", TODAY, "--no-cache"]).json()
    assert export["matrix"] == checked["matrix"]

    # Each page is the plugin's HTML in one raw HTML block, with its title and the assets.
    index = out / "index.md"
    assert front_matter(index) == {"title": "Content map", "hide": ["toc"]}
    html = body(index)
    assert html.startswith('<div class="cm-generated">\n<link rel="stylesheet" '
                           'href="assets/content-map.css">\n')
    assert html.endswith('<script src="assets/content-map.js" defer></script>\n</div>\n')
    assert "\n\n" not in html and "\n    " not in html  # one HTML block, never code
    assert "<form" in html and "data-cm-filters" in html and "data-cm-data=" in html
    assert "Catherine, Chief Financial Officer" in html
    cfo = out / "personas/cfo.md"
    assert front_matter(cfo)["title"] == "Catherine, Chief Financial Officer"
    html = body(cfo)
    assert "Past finance-system projects overran" in html  # pains, as typed
    assert "cm-flow" in html  # the journey's flow diagram
    # Links are relative to the page's Markdown file, as Zensical reads them.
    assert 'href="../../customers/cfo-close-roundtable/"' in html
    assert 'href="../stages/buyer/decision/#persona_cfo"' in html
    stage = body(out / "stages/buyer/decision.md")
    assert 'id="persona_cfo"' in stage and "Plans and pricing" in stage


def awkward_site(site: Site) -> Site:
    minimal_site(site)
    site.write("personas/reader.yml", """\
        name: 'Rita | <script>alert(1)</script> *Reader* "q" \\ b'
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


def test_values_cannot_inject_html_or_break_the_front_matter(site: Site):
    awkward_site(site)
    out = site.root / "docs" / "content-map"
    assert generate(site.root / "mkdocs.yml", out).code == 0
    for page in out.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "javascript:" not in text.replace("[x](javascript:alert(2))", ""), page
        assert "<em>now</em>" not in text, page
    # The title reads back as the escaped name: themes print titles as they are.
    meta = front_matter(out / "personas/reader.md")
    assert meta["title"] == ("Rita | &lt;script&gt;alert(1)&lt;/script&gt; *Reader* "
                             "&#34;q&#34; \\ b")
    assert meta.keys() == {"title", "hide", "search"}  # a persona page is not in the nav
    persona = body(out / "personas/reader.md")
    assert "Rita | &lt;script&gt;alert(1)&lt;/script&gt; *Reader*" in persona
    stage = body(out / "stages/buyer/awareness.md")
    assert "&lt;em&gt;now&lt;/em&gt;" in stage and "Awareness | today</a>" in stage


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
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert all(owned(p, listed=True) for p in first if p.name != MANIFEST)
    assert all(text.startswith(b"---\n# content-map: generated file")
               for p, text in first.items() if p.suffix == ".md")
    assert generate(site.root / "mkdocs.yml", out).code == 0
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    (out / "notes.md").write_text("# Kept: not generated\n")
    (site.root / "personas/second.yml").unlink()
    run = generate(site.root / "mkdocs.yml", out)
    assert run.code == 0
    assert "removed 1 that are no longer on the map: personas/second.md" in run.out
    assert not (out / "personas/second.md").exists()
    assert (out / "notes.md").read_text() == "# Kept: not generated\n"


def test_a_page_an_older_generate_wrote_is_replaced(site: Site):
    minimal_site(site)
    out = site.root / "docs" / "map"
    out.mkdir(parents=True)
    (out / "index.md").write_text(f"{MARKER}\n\n# Content map\n", encoding="utf-8")
    (out / MANIFEST).write_text("index.md\nold.md\n", encoding="utf-8")
    (out / "old.md").write_text(f"{MARKER}\n\n# Gone\n", encoding="utf-8")
    run = generate(site.root / "mkdocs.yml", out)
    assert run.code == 0, run.err
    assert front_matter(out / "index.md")["title"] == "Content map"
    assert not (out / "old.md").exists()


def test_a_data_file_the_tool_did_not_list_is_never_overwritten(site: Site):
    minimal_site(site)
    out = site.root / "docs" / "map"
    out.mkdir(parents=True)
    (out / "content-map.json").write_text("{}\n", encoding="utf-8")
    run = generate(site.root / "mkdocs.yml", out)
    assert run.code == 2
    assert "content-map.json was not generated by content-map" in run.err
    assert (out / "content-map.json").read_text(encoding="utf-8") == "{}\n"


def test_generate_outside_the_docs_dir_says_links_need_it_inside(site: Site):
    minimal_site(site)
    run = generate(site.root / "mkdocs.yml", site.root / "elsewhere")
    assert run.code == 0
    assert "outside the docs directory" in run.err and "as elsewhere/" in run.err
    # The links are those of docs/elsewhere/, where it belongs.
    persona = body(site.root / "elsewhere/personas/reader.md")
    assert 'href="../../awareness/"' in persona
    assert 'href="personas/reader/"' in body(site.root / "elsewhere/index.md")


def test_a_folder_other_than_map_path_is_noted_for_the_badges(site: Site):
    minimal_site(site)
    run = generate(site.root / "mkdocs.yml", site.root / "docs" / "planning")
    assert run.code == 0
    assert "map_path is content-map" in run.err and "set map_path: planning" in run.err
    assert (site.root / "docs/planning/personas/reader.md").is_file()


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


def test_a_theme_override_of_a_template_is_used(site: Site):
    minimal_site(site)
    site.config({}, theme={"name": "material", "custom_dir": "overrides"})
    site.write("overrides/content-map/gaps.html", '<div class="cm my-gaps">Ours</div>')
    assert generate(site.root / "mkdocs.yml", site.root / "docs" / "content-map").code == 0
    assert '<div class="cm my-gaps">Ours</div>' in body(site.root / "docs/content-map/gaps.md")
