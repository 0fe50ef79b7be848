"""The core renderer on its own: URLs, escaping, templates, views and the cost of big sites."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from content_map.model import (
    Analysis,
    Cell,
    Continuity,
    Finding,
    Journey,
    Persona,
    Piece,
    Stage,
    StageRef,
)
from content_map.rules.coverage import counting_paths
from content_map.settings import Settings
from content_map.site import composer, links
from content_map.site.figures import format_metric
from content_map.site.flow import FLOW_CAP, FLOW_EDGE_CAP, HEAD, NODE_H, PAD, ROW_GAP, flow
from content_map.site.index import Index
from content_map.site.layout import ASSETS
from content_map.site.output import Badges, Heading, toc_tokens
from content_map.site.pagedata import LIST_CAP, data_attribute, shares
from content_map.site.renderer import Renderer, render_pages
from content_map.site.urls import linkify, page_url, relative_url, safe_url
from content_map.site.views import PersonaView
from content_map.vocabulary import STATES

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
    tokens = toc_tokens([Heading(1, "t", "T"), Heading(2, "a", "A"), Heading(3, "b", "B"),
                         Heading(2, "c", "C")])
    assert [t["id"] for t in tokens] == ["t"]
    assert [t["id"] for t in tokens[0]["children"]] == ["a", "c"]
    assert tokens[0]["children"][0]["children"][0]["id"] == "b"


def _made(*args: Any, **fields: Any) -> Analysis:
    """An analysis as the engine makes it, with the pieces that count (`counting`)."""
    made = Analysis(*args, **fields)
    if "counting" in fields:
        return made
    return replace(made, counting=frozenset(counting_paths(list(made.pieces), Settings(),
                                                           made.today)))


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
    return _made((journey,), people, tuple(items), tuple(cells), (), TODAY)


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
    (tmp_path / "badges.html").write_text("<p class='mine'>{{ view.piece.title }}</p>",
                                          encoding="utf-8")
    renderer = Renderer(_analysis(2, 4), Settings(), template_dirs=[tmp_path / "missing",
                                                                    tmp_path])
    badges = renderer.badges("pages/page-1.md")
    assert badges is not None and badges.top == "<p class='mine'>Page 1</p>"


def test_pages_alike_share_the_package_badges_but_not_an_override(tmp_path: Path):
    """Pages 1 and 11 have the same personas, stage, status and folder: the package's
    badges are the same for both; an override may show anything, so each has its own."""
    analysis = _analysis(2, 12)
    own = Renderer(analysis, Settings())
    first, second = own.badges("pages/page-1.md"), own.badges("pages/page-11.md")
    assert first is not None and second is not None and first.top == second.top
    assert first.bottom != second.bottom  # the next steps are each page's own
    (tmp_path / "badges.html").write_text("<p>{{ view.piece.title }}</p>", encoding="utf-8")
    custom = Renderer(analysis, Settings(), template_dirs=[tmp_path])
    tops = [custom.badges(f"pages/page-{n}.md").top for n in (1, 11)]  # type: ignore[union-attr]
    assert tops == ["<p>Page 1</p>", "<p>Page 11</p>"]


def test_yaml_values_are_escaped_everywhere():
    evil = '<img src=x onerror=alert(1)>'
    journey = Journey("buyer", f"J {evil}", (Stage("aw", f"S {evil}", "buyer", 0,
                                                   goal=evil, questions=(evil,), kpis=(evil,)),))
    persona = Persona("p", evil, "personas/p.yml", summary=f"[x](javascript:alert(1)) {evil}",
                      goals=(evil,), demographics={evil: evil}, narrative=evil)
    piece = Piece("a.md", "docs/a.md", evil, ("p",), (StageRef("buyer", "aw"),),
                  owner=evil, channel=evil, format=evil, intent=evil)
    cell = Cell("p", "buyer", "aw", "waived", 0, 1, (), (), ("a.md",), reason=evil)
    analysis = _made((journey,), (persona,), (piece,), (cell,), (), TODAY)
    renderer = Renderer(analysis, Settings())
    outputs = [r.html for r in renderer.render_all()]
    badges = renderer.badges("a.md")
    assert badges is not None
    outputs += [badges.top, badges.bottom]
    for out in outputs:
        assert "<img" not in out
        assert 'href="javascript' not in out.lower()
    assert any("&lt;img src=x onerror=alert(1)&gt;" in out for out in outputs)


def test_rendering_is_linear_in_pieces(monkeypatch: pytest.MonkeyPatch):
    """5,000 pieces: every map page and every badge, with work in proportion to the pieces.

    Counted, not timed: how often a piece's role is looked up (the index sorts by it, the
    page data, the cards and the flows ask it) and how many links are made (every href
    goes through `relative_url`). A page that went through every piece for each piece
    would ask millions of times."""
    calls = {"role": 0, "link": 0}
    role, relative_url = Index.role, links.relative_url

    def counted_role(self: Index, piece: Piece) -> str:
        calls["role"] += 1
        return role(self, piece)

    def counted_link(url: str, base: str) -> str:
        calls["link"] += 1
        return relative_url(url, base)

    monkeypatch.setattr(Index, "role", counted_role)
    monkeypatch.setattr(links, "relative_url", counted_link)
    analysis = _analysis(personas=12, pieces=5000)
    renderer = Renderer(analysis, Settings())
    pages = renderer.render_all()
    assert len(pages) == 5 + 12 + 5
    for page in pages:  # the lists are capped: a page shows a share and holds the rest
        assert len(lxml_html.fromstring(page.html).xpath("//li[@data-cm-item]")) <= LIST_CAP
    assert calls["link"] <= len(pages) * LIST_CAP
    calls["link"] = 0
    for piece in analysis.pieces:
        renderer.badges(piece.path)
    assert calls["link"] <= 4 * len(analysis.pieces)  # two personas, a stage, a next step
    assert calls["role"] <= 20 * len(analysis.pieces)


# --- the journey flow ------------------------------------------------------------------


def _flow_analysis(continuous: bool = False, extra: int = 0) -> Analysis:
    """Four stages; p's pieces a1 → b1 → c1 (a dead end), a1 → b2 (a draft) → a1 (backward),
    and d1 at the last stage, which nothing links to unless the walk is continuous."""
    journey = Journey("buyer", "Buyer", tuple(
        Stage(s, f"Stage {s}", "buyer", i) for i, s in enumerate("abcd")))
    people = (Persona("p", "Pat", "personas/p.yml", type="external", frequency="frequent"),
              Persona("q", "Quinn", "personas/q.yml", type="internal", frequency="occasional"))

    def piece(name: str, stage: str, nxt: tuple[str, ...] = (), status: str = "published",
              personas: tuple[str, ...] = ("p",), owner: str = "dana") -> Piece:
        return Piece(f"{name}.md", f"docs/{name}.md", f"Piece {name}", personas,
                     (StageRef("buyer", stage),), status=status, owner=owner,
                     intent="compare" if stage == "b" else "learn",
                     next=tuple(f"{n}.md" for n in nxt))

    items = [piece("a1", "a", ("b1", "b2")), piece("b1", "b", ("c1",)),
             piece("b2", "b", ("a1",), status="draft"),
             piece("c1", "c", ("d1",) if continuous else ()), piece("d1", "d", (), owner="sam"),
             piece("q1", "a", (), personas=("q",))]
    items += [piece(f"z{n:02d}", "b", (), owner="sam") for n in range(extra)]
    cells = []
    for person in people:
        for stage in journey.stages:
            mine = [i for i in items if person.id in i.personas and i.stages[0].stage == stage.id]
            counted = tuple(i.path for i in mine if i.status == "published")
            cells.append(Cell(person.id, "buyer", stage.id, "covered" if counted else "gap",
                              len(counted), 1, counted,
                              tuple(i.path for i in mine if i.status == "draft")))
    walk = Continuity("p", "buyer", continuous, "a", "d", "d" if continuous else "c",
                      ("a1.md", "b1.md", "c1.md") + (("d1.md",) if continuous else ()))
    findings = () if continuous else (
        Finding("dead-end", "docs/c1.md", 1, "nowhere to go", "warn", persona="p",
                journey="buyer", stage="c"),)
    return _made((journey,), people, tuple(items), tuple(cells), findings, TODAY,
                 continuity=(walk,), dead_ends={} if continuous else {("p", "buyer"): ("c1.md",)})


def page_pieces(tree: Any) -> dict[str, dict[str, Any]]:
    """The pieces of a page's data (`data-cm-data`) by title, decoded as content-map.js
    decodes them: fields, the segments of their personas, figures and items' keys."""
    data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
    out: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(data["pieces"]):
        personas = [data["personas"][i] for i in row[3]]
        piece = {"href": data["root"] + row[1], "role": ["counting", "progress", "other"][row[2]],
                 "personas": [p[0] for p in personas],
                 "stages": [data["stages"][i][0] for i in row[4]],
                 "figures": {m: v for m, v in zip(data["metrics"], row[6] if len(row) > 6
                                                  else [], strict=False) if v is not None},
                 "keys": [data["keys"][k] for item in data["items"] if item[0] == index
                          for k in item[1]]}
        for at, facet in enumerate(data["facets"]):
            piece[facet] = data["values"][at][row[5][at]]
        for at, facet in enumerate(data["segments"]):
            piece[facet] = sorted({p[3 + at] for p in personas if p[3 + at]})
        out[row[0]] = piece
    return out


def _persona_view(renderer: Renderer, persona: str = "p") -> PersonaView:
    page = next(p for p in renderer.pages() if p.persona == persona)
    view = renderer.composer.view(page, renderer.addresses.links(page.src_uri))
    assert isinstance(view, PersonaView)
    return view


def _persona_page(renderer: Renderer, persona: str = "p") -> Any:
    page = next(p for p in renderer.pages() if p.persona == persona)
    return lxml_html.fromstring(renderer.render(page).html)


def test_the_flow_draws_a_node_per_piece_and_an_edge_per_next_link():
    analysis = _flow_analysis()
    renderer = Renderer(analysis, Settings())
    drawn = flow(renderer.index, analysis.personas[0], analysis.journeys[0])
    assert [[n.piece.path for n in c.nodes] for c in drawn.columns] == \
        [["a1.md"], ["b1.md", "b2.md"], ["c1.md"], ["d1.md"]]
    assert [n.role for n in drawn.columns[1].nodes] == ["counting", "progress"]
    edges = {(e.source.piece.path, e.target.piece.path): (e.kind, e.on_walk)
             for e in drawn.edges}
    assert edges == {("a1.md", "b1.md"): ("forward", True), ("a1.md", "b2.md"): ("forward", False),
                     ("b1.md", "c1.md"): ("forward", True), ("b2.md", "a1.md"): ("back", False)}
    assert [p.path for p in drawn.dead_ends] == ["c1.md"]
    assert [(s.path, t.path) for s, t in drawn.backward] == [("b2.md", "a1.md")]
    assert drawn.break_at is not None
    # The persona page's view holds the same flow: the template only draws it.
    shown = _persona_view(renderer).lanes[0].flow
    assert [(n.piece.path, n.x, n.y) for n in shown.nodes] == \
        [(n.piece.path, n.x, n.y) for n in drawn.nodes]
    assert [e.d for e in shown.edges] == [e.d for e in drawn.edges]

    tree = _persona_page(renderer)
    figure = tree.xpath("//figure[@data-cm-flow='buyer']")[0]
    assert figure.get("data-continuous") == "false" and figure.get("data-reached") == "c"
    svg = figure.xpath(".//svg")[0]
    assert svg.get("role") == "group" and svg.xpath("./title")
    nodes = {a.get("data-cm-node"): a for a in svg.xpath(".//a[@data-cm-node]")}
    assert set(nodes) == {"a1.md", "b1.md", "b2.md", "c1.md", "d1.md"}  # not q's piece
    assert nodes["c1.md"].get("href") == "../../../c1/"
    # Dead ends, the stop and backward steps are said in words, not only in colour.
    assert "no next step" in nodes["c1.md"].get("aria-label")
    assert "readers stop here" in nodes["c1.md"].get("aria-label")
    assert "no next step" in nodes["c1.md"].text_content()
    assert "draft" in nodes["b2.md"].text_content()
    back = svg.xpath(".//path[@data-kind='back']")
    assert [(e.get("data-from"), e.get("data-to")) for e in back] == [("b2.md", "a1.md")]
    assert "backward" in svg.xpath(".//g[contains(@class, 'cm-flow__edges')]")[0].text_content()
    assert svg.xpath(".//*[@data-cm-break]")
    verdict = " ".join(figure.xpath("figcaption")[0].text_content().split())
    assert "breaks at Stage c" in verdict
    assert "Readers stop at Stage c (c1.md)" in verdict
    problems = " ".join(figure.xpath(".//div[contains(@class, 'cm-flow__problems')]")[0]
                        .text_content().split())
    assert "No next step (1 piece): Piece c1" in problems
    assert "Backward step (1): Piece b2 → Piece a1" in problems
    # The list says the same as the drawing.
    listed = " ".join(figure.xpath(".//details")[0].text_content().split())
    assert "Piece b2 (draft): next Piece a1 (Stage a, backward)" in listed


def test_a_continuous_walk_is_said_and_drawn_without_a_break():
    analysis = _flow_analysis(continuous=True)
    tree = _persona_page(Renderer(analysis, Settings()))
    figure = tree.xpath("//figure[@data-cm-flow='buyer']")[0]
    assert figure.get("data-continuous") == "true"
    verdict = " ".join(figure.xpath("figcaption")[0].text_content().split())
    assert "A reader can walk from Stage a to Stage d by following next links: " \
        "Piece a1 → Piece b1 → Piece c1 → Piece d1." in verdict
    assert not figure.xpath(".//*[@data-cm-break]") and not figure.xpath(".//*[@data-dead-end]")
    walk = figure.xpath(".//path[contains(@class, 'cm-flow__edge--walk')]")
    assert [(e.get("data-from"), e.get("data-to")) for e in walk] == \
        [("a1.md", "b1.md"), ("b1.md", "c1.md"), ("c1.md", "d1.md")]


def test_a_crowded_stage_draws_the_walk_first_and_counts_the_rest():
    analysis = _flow_analysis(extra=20)
    renderer = Renderer(analysis, Settings())
    column = flow(renderer.index, analysis.personas[0], analysis.journeys[0]).columns[1]
    assert len(column.nodes) == FLOW_CAP and column.more == 22 - FLOW_CAP
    assert {"b1.md", "b2.md"} <= {n.piece.path for n in column.nodes}  # linked pieces first
    tree = _persona_page(renderer)
    assert f"+{22 - FLOW_CAP} more" in tree.xpath("//a[contains(@class, 'cm-flow__more')]")[0] \
        .text_content()
    assert tree.xpath("//a[contains(@class, 'cm-flow__more')]/@href") == ["#buyer_b"]


def test_the_flow_is_bounded_on_a_big_site():
    """2,000 pieces for one persona: the drawing keeps to `FLOW_CAP` boxes a stage and
    `FLOW_EDGE_CAP` arrows, and counts the rest."""
    analysis = _analysis(personas=3, pieces=3000)
    renderer = Renderer(analysis, Settings())
    drawn = flow(renderer.index, analysis.personas[0], analysis.journeys[0])
    assert all(len(c.nodes) <= FLOW_CAP for c in drawn.columns)
    assert sum(c.more for c in drawn.columns) > 0
    assert len(drawn.edges) <= FLOW_EDGE_CAP
    assert drawn.height <= PAD * 2 + HEAD + (FLOW_CAP + 1) * (NODE_H + ROW_GAP) + 24


def test_the_overview_says_whether_each_journey_can_be_walked():
    renderer = Renderer(_flow_analysis(), Settings())
    tree = lxml_html.fromstring(renderer.render(renderer.pages()[0]).html)
    walks = {td.get("data-cm-walk"): td for td in tree.xpath("//td[@data-cm-walk]")}
    assert set(walks) == {"p/buyer", "q/buyer"}
    assert walks["p/buyer"].get("data-continuous") == "false"
    assert "breaks at Stage c" in walks["p/buyer"].text_content()
    assert walks["p/buyer"].xpath("a/@href") == ["personas/p/#flow-buyer"]
    assert walks["q/buyer"].get("data-continuous") == "none"
    assert "not checked" in walks["q/buyer"].text_content()
    assert "0/1" in tree.xpath("//*[@data-cm-walkable]")[0].text_content()


# --- segments --------------------------------------------------------------------------


def test_every_view_filters_by_persona_segment_and_intent():
    renderer = Renderer(_flow_analysis(), Settings())
    for page in renderer.pages():
        if page.kind in ("gaps", "problems"):
            continue
        tree = lxml_html.fromstring(renderer.render(page).html)
        names = tree.xpath("//form[@data-cm-filters]//select/@name")
        assert {"type", "frequency", "intent"} <= set(names), page.src_uri
        assert ("group" in names) == (page.kind == "overview"), page.src_uri
    tree = lxml_html.fromstring(renderer.render(renderer.pages()[0]).html)
    rows = {tr.get("data-cm-persona"): tr for tr in tree.xpath("//tr[@data-cm-persona]")}
    assert rows["q"].get("data-persona-type") == "internal"
    assert rows["p"].get("data-persona-frequency") == "frequent"
    items = page_pieces(tree)
    assert items["Piece a1"]["type"] == ["external"]
    assert items["Piece q1"]["type"] == ["internal"]
    assert items["Piece a1"]["keys"] == ["p/buyer/a"] and items["Piece a1"]["intent"] == "learn"
    rows = tree.xpath("//tr[@data-cm-item]")
    assert [int(tr.get("data-cm-item")) for tr in rows] == list(range(len(items)))
    stage = next(p for p in renderer.pages() if p.kind == "stage" and p.stage == "a")
    tree = lxml_html.fromstring(renderer.render(stage).html)
    sections = tree.xpath("//section[@data-cm-persona]")
    assert [s.get("data-persona-type") for s in sections] == ["external", "internal"]


# --- results ---------------------------------------------------------------------------


@pytest.mark.parametrize("metric, value, text", [
    ("views", 61869.0, "61,869"), ("views", 2.5, "3"), ("conversions", 0, "0"),
    ("avg_time_on_page", 194.49, "3m 14s"), ("avg_time_on_page", 59.5, "1m 00s"),
    ("avg_time_on_page", 42, "42s"), ("bounce_rate", 0.48548, "48.5%"),
    ("bounce_rate", 1, "100.0%"), ("rating", 4.1068, "4.1"), ("rating", 4.25, "4.3"),
])
def test_figures_are_written_as_the_script_writes_them(metric, value, text):
    assert format_metric(metric, value) == text


def _with_figures(analysis: Analysis, figures: dict[str, dict[str, float]]) -> Analysis:
    return replace(analysis, figures=figures)


def test_results_show_on_the_overview_persona_and_stage_pages_and_colour_the_matrix():
    base = _flow_analysis()
    figures = {"a1.md": {"views": 100, "rating": 4.0}, "b1.md": {"views": 300, "rating": 5.0},
               "c1.md": {"views": 50}, "d1.md": {"views": 1000, "conversions": 7},
               "b2.md": {"views": 99999}}  # a draft: shown on its card, not counted
    analysis = _with_figures(base, figures)
    renderer = Renderer(analysis, Settings(color_by="views"))
    pages = {p.src_uri: p for p in renderer.pages()}
    tree = lxml_html.fromstring(renderer.render(pages["content-map/index.md"]).html)
    headline = {li.get("data-cm-result"): li for li in tree.xpath("//li[@data-cm-result]")}
    assert headline["views"].xpath(".//*[@data-cm-value]/text()") == ["1,450"]
    assert float(headline["views"].xpath(".//*/@data-cm-value")[0]) == 1450
    assert headline["rating"].xpath(".//*[@data-cm-value]/text()") == ["4.8"]  # 4×100 + 5×300
    assert headline["conversions"].xpath(".//*[@data-cm-value]/text()") == ["7"]
    cells = {td.get("data-cm-cell"): td for td in tree.xpath("//td[@data-cm-cell]")}
    assert [cells[f"p/buyer/{s}"].get("data-quantile") for s in "abcd"] == ["1", "2", "0", "3"]
    assert "cm-q-3" in cells["p/buyer/d"].get("class")
    assert cells["q/buyer/b"].get("data-quantile") is None  # a gap has no figure
    assert "1,000" in cells["p/buyer/d"].text_content()  # the number, not only the colour
    legend = " ".join(tree.xpath("//*[@data-cm-colour-legend]")[0].text_content().split())
    assert "Cells coloured by views" in legend and "Top quarter: 1,000" in legend
    rows = {tr.xpath("td/a")[0].text: tr for tr in tree.xpath("//tr[@data-cm-item]")}
    assert page_pieces(tree)["Piece b2"]["figures"] == {"views": 99999}
    assert "99,999" in rows["Piece b2"].text_content()

    persona = lxml_html.fromstring(renderer.render(pages["content-map/personas/p.md"]).html)
    mine = persona.xpath("//li[@data-cm-result='views']//*[@data-cm-value]/text()")
    assert mine == ["1,450"]
    lane = persona.xpath("//li[@id='buyer_b']")[0]
    assert lane.xpath(".//p[contains(@class, 'cm-stage__figures')]"
                      "//*[@data-cm-fig='p/buyer/b'][@data-cm-metric='views']/text()") == ["300"]
    stage = lxml_html.fromstring(renderer.render(pages["content-map/stages/buyer/d.md"]).html)
    assert stage.xpath("//li[@data-cm-result='views']//*[@data-cm-value]/text()") == ["1,000"]


def test_no_metrics_no_results_anywhere():
    renderer = Renderer(_flow_analysis(), Settings(color_by="views"))
    for rendered in renderer.render_all():
        assert "data-cm-result" not in rendered.html and "data-quantile" not in rendered.html


# --- needs attention -------------------------------------------------------------------


def test_needs_attention_groups_reviews_by_owner_work_by_cell_and_counts_holdings():
    base = _flow_analysis()
    dates = {"a1.md": TODAY - dt.timedelta(days=3), "b1.md": TODAY + dt.timedelta(days=30),
             "c1.md": TODAY + dt.timedelta(days=31), "d1.md": TODAY}
    pieces = tuple(replace(p, review_by=dates.get(p.path)) for p in base.pieces)
    cells = tuple(replace(c, state="gap", count=0, pieces=()) if (c.persona, c.stage) == ("p", "b")
                  else c for c in base.cells)
    analysis = _made(base.journeys, base.personas, pieces, cells, (), TODAY, base.continuity)
    renderer = Renderer(analysis, Settings())
    page = next(p for p in renderer.pages() if p.kind == "attention")
    assert renderer.render(page).url == "content-map/attention/"
    tree = lxml_html.fromstring(renderer.render(page).html)
    review = {s.xpath("h3")[0].text.strip(): s
              for s in tree.xpath("//section[starts-with(@data-cm-group, 'r:')]")}
    assert list(review) == ["dana", "sam"]
    dana = [" ".join(li.text_content().split()) for li in review["dana"].xpath(".//li")]
    assert dana[0].startswith("Piece a1") and "stale since 2026-05-29 (3 days ago)" in dana[0]
    assert "due 2026-07-01 (in 30 days)" in dana[1] and len(dana) == 2  # c1 is 31 days out
    assert "due 2026-06-01 (today)" in review["sam"].text_content()
    work = tree.xpath("//section[starts-with(@data-cm-group, 'w:')]")
    assert [s.get("data-cm-group") for s in work] == ["w:p/buyer/b"]
    assert work[0].get("data-persona-type") == "external"
    assert [a.text for a in work[0].xpath(".//a[@class='cm-piece__title']")] == ["Piece b2"]
    holds = {tr.xpath("th/a")[0].text: [td.text for td in tr.xpath("td")]
             for tr in tree.xpath("//table[contains(@class, 'cm-holds')]/tbody/tr")}
    # columns: draft, published, stale, due, all
    assert holds == {"dana": ["1", "4", "1", "1", "5"], "sam": ["0", "1", "0", "1", "1"]}
    # The filters count from the page's data: each card names its item there.
    pieces = page_pieces(tree)
    assert pieces["Piece a1"]["keys"] == ["r", "r-stale", "r:o0", "h:o0", "h:o0:s1",
                                          "h:o0:stale"]
    data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
    cards = tree.xpath("//section[starts-with(@data-cm-group, 'h:')]//li[@data-cm-item]")
    assert sorted(data["pieces"][data["items"][int(li.get("data-cm-item"))][0]][0]
                  for li in cards) == sorted(p.title for p in analysis.pieces)
    work_card = work[0].xpath(".//li[@data-cm-item]")[0]
    shown_for = data["items"][int(work_card.get("data-cm-item"))][2]
    assert [data["personas"][i][0] for i in shown_for] == ["p"]  # the cell's persona only
    # The overview points here, with the numbers.
    overview = lxml_html.fromstring(renderer.render(renderer.pages()[0]).html)
    review_figure = " ".join(overview.xpath("//*[@data-cm-review-figure]")[0]
                             .text_content().split())
    assert review_figure.startswith("3 to review: 1 overdue, 2 due within 30 days")
    assert overview.xpath("//*[@data-cm-review-figure]//a/@href") == ["attention/"]


# --- big sites: the lists stay bounded, the data covers everything ---------------------


@pytest.mark.parametrize("sizes, limits", [
    ([], []),
    ([10, 20], [10, 20]),  # everything fits
    ([2, 3490, 98], [2, 200, 98]),  # the small groups whole, the big one what is left
    ([400, 400], [150, 150]),
    ([30] * 100, [3] * 100),  # never fewer than 3 a group
])
def test_shares_fit_the_budget_small_groups_first(sizes, limits):
    assert shares(sizes, 300) == limits


def test_page_data_is_json_no_value_can_break_out_of():
    evil = "</div><img src=x onerror=alert(1)>' \" & \u2028 \u2029 <!-- <script>"
    assert str(data_attribute([evil])) == (
        '["&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;&#39; \\" &amp; \u2028 \u2029 '
        '&lt;!-- &lt;script&gt;"]')
    journey = Journey("buyer", "Buyer", (Stage("aw", evil, "buyer", 0),))
    persona = Persona("p", evil, "personas/p.yml", type="external")
    piece = Piece("a.md", "docs/a.md", evil, ("p",), (StageRef("buyer", "aw"),), owner=evil,
                  channel=evil, format=evil, intent=evil)
    cell = Cell("p", "buyer", "aw", "gap", 0, 1)
    renderer = Renderer(_made((journey,), (persona,), (piece,), (cell,), (), TODAY),
                        Settings())
    for page in renderer.pages():
        if page.kind not in ("overview", "attention"):
            continue
        html = renderer.render(page).html
        assert "<img" not in html and "<script" not in html and "<!--" not in html
        tree = lxml_html.fromstring(html)
        data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
        assert data["pieces"][0][0] == evil  # the script gets the text back, as text
        assert data["personas"][0][1] == evil and data["stages"][0][0] == evil
        assert data["values"][data["facets"].index("owner")] == ["", evil]


def test_the_stylesheet_draws_each_state_symbol_in_the_matrix():
    css = (ASSETS / "content-map.css").read_text("utf-8")
    for state, (symbol, _) in STATES.items():
        rule = rf'td\.cm-state-{state} > a::before \{{\s*content: "{symbol}"; ' \
               rf'content: "{symbol}" / "";'  # decoration: empty alternative text
        assert re.search(rule, css), state


def test_a_big_overview_keeps_every_piece_as_data_and_lists_none():
    analysis = _analysis(personas=12, pieces=LIST_CAP + 1)
    renderer = Renderer(analysis, Settings())
    tree = lxml_html.fromstring(renderer.render(renderer.pages()[0]).html)
    assert not tree.xpath("//tr[@data-cm-item]")
    note = " ".join(tree.xpath("//p[contains(@class, 'cm-list-note')]")[0]
                    .text_content().split())
    assert note.startswith(f"There are {LIST_CAP + 1} pieces: more than this page lists "
                           f"({LIST_CAP}).")
    assert tree.xpath("//p[contains(@class, 'cm-list-note')]/a/@href") == \
        [f"stages/buyer/s{i}/" for i in range(5)]
    box = tree.xpath("//*[@data-cm-list]")[0]
    assert box.get("data-cm-list") == str(LIST_CAP) and box.get("hidden") is not None
    assert box.xpath(".//thead//th/text()")[:3] == ["Piece", "Personas", "Stages"]
    pieces = page_pieces(tree)
    assert len(pieces) == LIST_CAP + 1
    assert pieces["Page 1"]["keys"] == ["p1/buyer/s1", "p2/buyer/s1"]
    assert pieces["Page 1"]["href"] == "../pages/page-1/" and pieces["Page 1"]["owner"] == \
        "owner-1"
    assert pieces["Page 4"]["role"] == "progress"  # a draft
    # The matrix still counts them all, without the script.
    counts = {td.get("data-cm-cell"): int(td.xpath(".//*[@data-cm-count]")[0].text)
              for td in tree.xpath("//td[@data-cm-cell]")}
    assert counts == {f"{c.persona}/{c.journey}/{c.stage}": c.count for c in analysis.cells}

    small = Renderer(_analysis(personas=12, pieces=LIST_CAP), Settings())
    tree = lxml_html.fromstring(small.render(small.pages()[0]).html)
    assert len(tree.xpath("//tr[@data-cm-item]")) == LIST_CAP
    assert not tree.xpath("//*[@data-cm-list] | //p[contains(@class, 'cm-list-note')]")


def test_needs_attention_and_problems_list_a_share_and_say_how_many_more():
    base = _analysis(personas=3, pieces=1000)
    findings = tuple(Finding("dead-end", f"docs/pages/page-{n}.md", 4, f"dead end {n}", "warn",
                             persona="p0", journey="buyer", stage="s0") for n in range(400))
    analysis = _made(base.journeys, base.personas, base.pieces, base.cells, findings, TODAY)
    renderer = Renderer(analysis, Settings())
    pages = {p.kind: p for p in renderer.pages()}

    tree = lxml_html.fromstring(renderer.render(pages["attention"]).html)
    holds = tree.xpath("//section[starts-with(@data-cm-group, 'h:')]")
    assert len(holds) == 7
    cards = [len(s.xpath(".//li[@data-cm-item]")) for s in holds]
    assert sum(cards) <= LIST_CAP and min(cards) == LIST_CAP // 7
    first = holds[0]
    assert first.xpath(".//h3//*[@data-cm-all]")[0].text == "143"  # all of them, counted
    more = first.xpath(".//p[@data-cm-more-of='h:o0']")[0]
    assert more.xpath(".//*[@data-cm-more]")[0].text == str(143 - cards[0])
    assert more.xpath("a/@href") == ["../?owner=owner-0#pieces"]
    assert len(page_pieces(tree)) == 1000

    # Problems keeps every finding (SPEC §8), by file: a share in full, the rest in short.
    tree = lxml_html.fromstring(renderer.render(pages["problems"]).html)
    files = tree.xpath("//h2/code/text()")  # the files listed in full, each headed
    assert len(files) == LIST_CAP
    assert files[:2] == ["docs/pages/page-0.md", "docs/pages/page-1.md"]
    assert tree.xpath("//h2[@id='other-files']/text()") == \
        [f"{400 - LIST_CAP} more files, in short"]
    files += tree.xpath("//ul[@class='cm-files-brief']/li/code/text()")  # then together
    assert len(set(files)) == 400
    listed = tree.xpath("//ul[@class='cm-findings']/li")
    brief = tree.xpath("//ul[@class='cm-findings-brief']/li")
    assert len(listed) == LIST_CAP and len(listed) + len(brief) == 400
    assert listed[0].xpath(".//span[@class='cm-message']/text()") == ["dead end 0"]
    more = " ".join(tree.xpath("//p[@class='cm-more']")[0].text_content().split())
    assert more == f"{400 - LIST_CAP} of them are listed in short, each linking to where it " \
        "is on the site (content-map check prints them in full, as does content-map.json)."
    assert brief[0].text_content() == f"{files[LIST_CAP]}:4 (p0, s0)"
    assert brief[0].xpath("a/@href") == ["../personas/p0/#buyer_s0"]


def test_crowded_persona_and_stage_pages_list_a_share_and_keep_every_piece_as_data(
        monkeypatch: pytest.MonkeyPatch):
    """Past LIST_CAP cards, a persona or stage page lists a share of each cell, says how
    many more there are with a link that lists them, and holds every piece as data."""
    from urllib.parse import parse_qs, urljoin, urlsplit

    base = _analysis(personas=3, pieces=60)  # each persona: 8 pieces at each of 5 stages
    loose = tuple(Piece(f"loose/{n}.md", f"docs/loose/{n}.md", f"Loose {n}", (),
                        (StageRef("buyer", "s0"),)) for n in range(15))  # no persona
    analysis = _made(base.journeys, base.personas, base.pieces + loose, base.cells, (),
                        TODAY)
    small = Renderer(analysis, Settings())
    pages = {p.src_uri: p for p in small.pages()}
    persona_src, stage_src = "content-map/personas/p0.md", "content-map/stages/buyer/s0.md"
    # Up to LIST_CAP cards, nothing changes: every card carries its data, no page data.
    tree = lxml_html.fromstring(small.render(pages[persona_src]).html)
    assert not tree.xpath("//*[@data-cm-data] | //*[@data-cm-more-of]")
    assert len(tree.xpath("//li[@data-cm-keys]")) == 40

    monkeypatch.setattr(composer, "LIST_CAP", 12)
    renderer = Renderer(analysis, Settings())
    mine = {s: [p for p in base.pieces if "p0" in p.personas and p.stages[0].stage == s]
            for s in (f"s{i}" for i in range(5))}

    def more_link(tree: Any, key: str, page_url: str) -> tuple[str, dict[str, list[str]]]:
        note = tree.xpath(f"//p[@data-cm-more-of='{key}']")[0]
        href = urljoin("https://site.test/" + page_url, note.xpath("a/@href")[0])
        parts = urlsplit(href)
        return (note.xpath(".//*[@data-cm-more]")[0].text,
                {"page": [parts.path], "fragment": [parts.fragment], **parse_qs(parts.query)})

    rendered = renderer.render(pages[persona_src])
    tree = lxml_html.fromstring(rendered.html)
    cards = tree.xpath("//li[@data-cm-item]")
    assert 12 <= len(cards) == 5 * 3 < 40  # a share of each cell (at least 3 a cell)
    assert not tree.xpath("//li[@data-cm-keys]")  # the cards name their items; no data on them
    lane = tree.xpath("//li[@id='buyer_s0']")[0]
    listed = [a.text for a in lane.xpath(".//a[@class='cm-piece__title']")]
    # Without the script the column still counts all 8; the published ones are listed first.
    assert lane.xpath(".//*[@data-cm-all='p0/buyer/s0']")[0].text == "8"
    published = sorted((p.title for p in mine["s0"] if p.status == "published"), key=str.lower)
    assert listed == published[:3]
    count, link = more_link(tree, "p0/buyer/s0", rendered.url)
    assert count == "5"
    # The link is the overview filtered to this persona at this stage, with both choices
    # on its form, where the script lists the pieces that match.
    assert link == {"page": ["/content-map/"], "fragment": ["pieces"], "persona": ["p0"],
                    "stage": ["buyer/s0"]}
    overview = lxml_html.fromstring(renderer.render(pages["content-map/index.md"]).html)
    assert "p0" in overview.xpath("//select[@name='persona']/option/@value")
    assert "buyer/s0" in overview.xpath("//select[@name='stage']/option/@value")
    # Every piece of the persona is in the data, counted under its cell, for p0 only.
    pieces = page_pieces(tree)
    assert set(pieces) == {p.title for stage in mine.values() for p in stage}
    assert pieces["Page 0"]["keys"] == ["p0/buyer/s0"]
    assert pieces["Page 0"]["href"] == "../../../pages/page-0/"
    data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
    for card in cards:
        item = data["items"][int(card.get("data-cm-item"))]
        assert data["pieces"][item[0]][0] == card.xpath("a")[0].text
        assert [data["personas"][i][0] for i in item[2]] == ["p0"]
        assert urljoin(rendered.url, data["root"] + data["pieces"][item[0]][1]) == \
            urljoin(rendered.url, card.xpath("a/@href")[0])

    rendered = renderer.render(pages[stage_src])
    tree = lxml_html.fromstring(rendered.html)
    groups = tree.xpath("//section[@class='cm-persona-group']")
    assert [s.xpath("h3/@id")[0] for s in groups] == \
        ["persona_p0", "persona_p1", "persona_p2", "persona_none"]
    assert [len(s.xpath(".//li[@data-cm-item]")) for s in groups] == [3, 3, 3, 3]
    assert [s.xpath("h3//*[@data-cm-all]")[0].text for s in groups] == ["8", "8", "8", "15"]
    assert " ".join(tree.xpath("//h2[@id='pieces']/following-sibling::p[1]")[0]
                    .text_content().split()) == "27 pieces at this stage."
    count, link = more_link(tree, "p1/buyer/s0", rendered.url)
    assert count == "5" and link["persona"] == ["p1"] and link["stage"] == ["buyer/s0"]
    count, link = more_link(tree, "none", rendered.url)  # no persona: the stage's pieces
    assert count == "12" and "persona" not in link and link["stage"] == ["buyer/s0"]
    pieces = page_pieces(tree)
    assert len(pieces) == 12 + 15
    assert sorted(pieces["Page 0"]["keys"]) == ["p0/buyer/s0", "p1/buyer/s0"]
    assert pieces["Loose 3"]["keys"] == ["none"]
    data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
    loose_items = [item for item in data["items"] if data["keys"][item[1][0]] == "none"]
    assert len(loose_items) == 15 and all(item[2] == [] for item in loose_items)


def test_work_on_a_gap_that_does_not_fit_links_to_the_cell_on_the_overview():
    """More drafts for a gap than Needs attention lists: the note leads to the overview
    filtered to the persona and stage, which lists every one of them."""
    journey = Journey("buyer", "Buyer", (Stage("s0", "Stage 0", "buyer", 0),))
    persona = Persona("p0", "Persona 0", "personas/p0.yml")
    drafts = tuple(Piece(path=f"pages/draft-{n}.md", file=f"docs/pages/draft-{n}.md",
                         title=f"Draft {n}", personas=("p0",),
                         stages=(StageRef("buyer", "s0"),), status="draft")
                   for n in range(LIST_CAP + 20))
    cell = Cell("p0", "buyer", "s0", "gap", 0, 1, in_progress=tuple(p.path for p in drafts))
    renderer = Renderer(_made((journey,), (persona,), drafts, (cell,), (), TODAY),
                        Settings())
    page = next(p for p in renderer.pages() if p.kind == "attention")
    tree = lxml_html.fromstring(renderer.render(page).html)
    note = tree.xpath("//p[@data-cm-more-of='w:p0/buyer/s0']")[0]
    listed = len(tree.xpath("//section[@data-cm-group='w:p0/buyer/s0']//li[@data-cm-item]"))
    assert note.xpath(".//*[@data-cm-more]")[0].text == str(LIST_CAP + 20 - listed)
    assert note.xpath("a/@href") == ["../?persona=p0&stage=buyer/s0#pieces"]
