"""The core renderer on its own: URLs, escaping, templates and the cost of big sites."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from content_map.model import Analysis, Cell, Journey, Persona, Piece, Stage, StageRef
from content_map.render import (
    Badges,
    Renderer,
    linkify,
    page_url,
    relative_url,
    render_pages,
    safe_url,
    toc_tokens,
)
from content_map.settings import Settings
from lxml import html as lxml_html

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("url", [
    "https://example.com/a?b=c", "http://example.com", "mailto:team@example.com",
    "../pricing/", "guide.md#section", "HTTPS://EXAMPLE.COM",
])
def test_safe_url_keeps_web_mail_and_relative_addresses(url):
    assert safe_url(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox",
    "//evil.example/x", "\\\\evil", "file:///etc/passwd", "jav&#x09;ascript:alert(1)", "",
])
def test_safe_url_refuses_everything_else(url):
    assert safe_url(url) is None


def test_linkify_links_web_addresses_and_leaves_the_rest_as_text():
    out = str(linkify('See https://example.com/x. Or [x](javascript:alert(1)) <b>bold</b>'))
    assert '<a href="https://example.com/x" rel="nofollow noopener">https://example.com/x</a>.' \
        in out
    assert "javascript:alert(1)" in out and 'href="javascript' not in out
    assert "&lt;b&gt;bold&lt;/b&gt;" in out


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("src", [
    "index.md", "guide.md", "a/b/c.md", "a/index.md", "a/README.md", "with space.md",
    "content-map/personas/cfo.md", "img/logo.png", "content-map/content-map.json",
])
def test_page_url_matches_mkdocs(src, directory_urls):
    from mkdocs.structure.files import File

    expected = File(src, "/docs", "/site", directory_urls).url
    assert page_url(src, directory_urls) == ("" if expected == "./" else expected)


@pytest.mark.parametrize("url, base, expected", [
    ("content-map/personas/cfo/", "content-map/", "personas/cfo/"),
    ("guides/x/", "content-map/personas/cfo/", "../../../guides/x/"),
    ("", "content-map/", "../"),
    ("content-map/", "", "content-map/"),
    ("content-map/personas/cfo.html", "content-map/index.html", "personas/cfo.html"),
    ("guides/x.html", "content-map/stages/buyer/awareness.html", "../../../guides/x.html"),
])
def test_relative_url(url, base, expected):
    assert relative_url(url, base) == expected


def test_toc_tokens_nest_by_level():
    from content_map.render import Heading

    tokens = toc_tokens([Heading(1, "t", "T"), Heading(2, "a", "A"), Heading(3, "b", "B"),
                         Heading(2, "c", "C")])
    assert [t["id"] for t in tokens] == ["t"]
    assert [t["id"] for t in tokens[0]["children"]] == ["a", "c"]
    assert tokens[0]["children"][0]["children"][0]["id"] == "b"


def _analysis(personas: int, pieces: int, stages: int = 5) -> Analysis:
    journey = Journey("buyer", "Buyer", tuple(
        Stage(f"s{i}", f"Stage {i}", "buyer", i) for i in range(stages)))
    people = tuple(Persona(f"p{i}", f"Persona {i}", f"personas/p{i}.yml")
                   for i in range(personas))
    items = []
    for n in range(pieces):
        items.append(Piece(
            path=f"pages/page-{n}.md", file=f"docs/pages/page-{n}.md", title=f"Page {n}",
            personas=(f"p{n % personas}", f"p{(n + 1) % personas}"),
            stages=(StageRef("buyer", f"s{n % stages}"),),
            status="published" if n % 4 else "draft", owner=f"owner-{n % 7}",
            channel="blog", format="guide", intent="learn",
            next=(f"pages/page-{(n + 1) % pieces}.md",),
        ))
    cells = []
    for person in people:
        for stage in journey.stages:
            matching = tuple(p.path for p in items
                             if person.id in p.personas and p.stages[0].stage == stage.id)
            counted = tuple(p for p in matching if not p.endswith(("0.md", "4.md", "8.md")))
            cells.append(Cell(person.id, "buyer", stage.id,
                              "covered" if counted else "gap", len(counted), 1, counted))
    return Analysis((journey,), people, tuple(items), tuple(cells), (), TODAY)


def test_every_page_renders_and_links_stay_inside_the_map():
    analysis = _analysis(personas=3, pieces=30)
    renderer = Renderer(analysis, Settings())
    pages = renderer.render_all()
    assert [p.url for p in pages][:2] == ["content-map/", "content-map/gaps/"]
    assert "content-map/personas/p0/" in [p.url for p in pages]
    assert "content-map/stages/buyer/s0/" in [p.url for p in pages]
    for page in pages:
        tree = lxml_html.fromstring(page.html)
        assert tree.xpath("//h1"), page.url
        for href in tree.xpath("//a/@href"):
            assert not href.startswith(("/", "http")), (page.url, href)


def test_render_pages_returns_url_title_and_html_without_mkdocs():
    analysis = _analysis(personas=2, pieces=4)
    pages = render_pages(analysis, Settings(), use_directory_urls=False)
    urls = [url for url, _, _ in pages]
    assert "content-map/index.html" in urls and "content-map/personas/p1.html" in urls
    overview = dict((url, body) for url, _, body in pages)["content-map/index.html"]
    assert 'href="personas/p0.html"' in overview


def test_badges_go_under_the_first_heading_and_next_steps_at_the_end():
    renderer = Renderer(_analysis(personas=2, pieces=4), Settings())
    badges = renderer.badges("pages/page-1.md")
    assert isinstance(badges, Badges)
    page = badges.apply("<h1 id='t'>Title</h1><p>Text</p>")
    assert page.index("Title") < page.index("cm-badges") < page.index("Text") \
        < page.index("cm-next")
    assert 'href="../../content-map/personas/p1/#buyer_s1"' in page
    assert 'href="../page-2/"' in page
    assert renderer.badges("not-a-piece.md") is None
    assert Renderer(_analysis(2, 4), Settings(badges=False)).badges("pages/page-1.md") is None


def test_templates_in_an_earlier_folder_override_the_package(tmp_path: Path):
    (tmp_path / "badges.html").write_text("<p class='mine'>{{ piece.title }}</p>",
                                          encoding="utf-8")
    renderer = Renderer(_analysis(2, 4), Settings(), template_dirs=[tmp_path / "missing",
                                                                    tmp_path])
    badges = renderer.badges("pages/page-1.md")
    assert badges is not None and badges.top == "<p class='mine'>Page 1</p>"


def test_yaml_values_are_escaped_everywhere():
    evil = '<img src=x onerror=alert(1)>'
    journey = Journey("buyer", f"J {evil}", (Stage("aw", f"S {evil}", "buyer", 0,
                                                   goal=evil, questions=(evil,), kpis=(evil,)),))
    persona = Persona("p", evil, "personas/p.yml", summary=f"[x](javascript:alert(1)) {evil}",
                      goals=(evil,), demographics={evil: evil}, narrative=evil)
    piece = Piece("a.md", "docs/a.md", evil, ("p",), (StageRef("buyer", "aw"),),
                  owner=evil, channel=evil, format=evil, intent=evil)
    cell = Cell("p", "buyer", "aw", "waived", 0, 1, (), (), ("a.md",), reason=evil)
    analysis = Analysis((journey,), (persona,), (piece,), (cell,), (), TODAY)
    renderer = Renderer(analysis, Settings())
    outputs = [r.html for r in renderer.render_all()]
    badges = renderer.badges("a.md")
    assert badges is not None
    outputs += [badges.top, badges.bottom]
    for out in outputs:
        assert "<img" not in out
        assert 'href="javascript' not in out.lower()
    assert any("&lt;img src=x onerror=alert(1)&gt;" in out for out in outputs)


def test_rendering_is_linear_in_pieces():
    """5,000 pieces: every map page and every badge in a few seconds, not minutes."""
    analysis = _analysis(personas=12, pieces=5000)
    start = time.perf_counter()
    renderer = Renderer(analysis, Settings())
    pages = renderer.render_all()
    for piece in analysis.pieces:
        renderer.badges(piece.path)
    elapsed = time.perf_counter() - start
    assert len(pages) == 2 + 12 + 5
    assert elapsed < 30, f"rendering took {elapsed:.1f}s"
