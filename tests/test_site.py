"""The published map: real `mkdocs build` (and ProperDocs) runs, asserted on the output."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import html as lxml_html

from conftest import REPO, Run, Site, minimal_site

EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_SUMMARY = ("[click me](javascript:alert(2)) JavaScript:alert(3) "
                "<script>alert(4)</script> <a href='javascript:alert(5)'>x</a> "
                "See https://example.com/ok.")


def configure(site: Site, options: dict[str, Any] | None = None, *,
              plugins: tuple[str, ...] = ("search",), **extra: Any) -> None:
    config: dict[str, Any] = {"site_name": "Test site", "docs_dir": "docs"}
    config.update(extra)
    config["plugins"] = [*plugins, {"content-map": options or {}}]
    site.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))


def build(site: Site, *args: str, engine: str = "mkdocs") -> Run:
    run = site.build(*args, engine=engine)
    assert run.code == 0, run.err[-4000:]
    return run


def parse(path: Path) -> Any:
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def target_file(site_dir: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file a relative href from `page` leads to, and its fragment."""
    parts = urlsplit(href)
    base = page.parent.relative_to(site_dir).as_posix()
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path \
        else page.relative_to(site_dir).as_posix()
    target = site_dir / path
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def broken_map_links(site_dir: Path) -> list[str]:
    """Links inside the plugin's own content that lead nowhere (file or fragment).

    Fails when it finds no such link at all: an empty list must mean every link was
    checked, not that the map (or its `cm` class) went missing."""
    broken = []
    checked = 0
    ids: dict[Path, set[str]] = {}
    for page in sorted(site_dir.rglob("*.html")):
        tree = parse(page)
        for href in tree.xpath("//*[contains(concat(' ', @class, ' '), ' cm ')]//a/@href"):
            if urlsplit(href).scheme:
                continue
            checked += 1
            assert not href.startswith("/"), f"{page}: absolute link {href}"
            target, fragment = target_file(site_dir, page, href)
            if not target.is_file():
                broken.append(f"{page.relative_to(site_dir)} -> {href}")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(parse(target).xpath("//@id"))
                if fragment not in ids[target]:
                    broken.append(f"{page.relative_to(site_dir)} -> {href} (no #{fragment})")
    assert checked, f"no links of the map's own content in {site_dir}"
    return broken


def map_file(site_dir: Path, path: str, directory_urls: bool) -> Path:
    if path.endswith(".json"):
        return site_dir / path
    stem = path[:-3] if path.endswith(".md") else path
    if stem.endswith("/index") or stem == "index":
        return site_dir / f"{stem}.html"
    return site_dir / (f"{stem}/index.html" if directory_urls else f"{stem}.html")


def nav_hrefs(page: Path) -> list[tuple[str, str]]:
    tree = parse(page)
    links = tree.xpath("//nav[contains(@class, 'md-nav--primary')]//a[@href]") or \
        tree.xpath("//*[contains(@class, 'navbar')]//a[@href]")
    return [(" ".join(a.text_content().split()), a.get("href")) for a in links]


# --- where the pages are -------------------------------------------------------------


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
@pytest.mark.parametrize("directory_urls", [True, False])
def test_map_pages_live_at_the_spec_urls_and_every_link_resolves(site: Site, theme: str,
                                                                 directory_urls: bool):
    minimal_site(site)
    configure(site, theme={"name": theme}, use_directory_urls=directory_urls)
    build(site, "--strict")
    out = site.root / "site"
    for path in ("content-map/index.md", "content-map/gaps.md", "content-map/attention.md",
                 "content-map/personas/reader.md", "content-map/stages/buyer/awareness.md",
                 "content-map/stages/buyer/advocacy.md", "content-map/content-map.json"):
        assert map_file(out, path, directory_urls).is_file(), path
    assert (out / "content-map/assets/content-map.css").is_file()
    assert (out / "content-map/assets/content-map.js").is_file()
    assert broken_map_links(out) == []
    # The badges on content pages link into the map, relative to the page.
    tree = parse(map_file(out, "awareness.md", directory_urls))
    persona_link = tree.xpath("//div[contains(@class, 'cm-badges')]//a/@href")[0]
    expected = "../content-map/personas/reader/#buyer_awareness" if directory_urls \
        else "content-map/personas/reader.html#buyer_awareness"
    assert persona_link == expected


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_assets_ship_with_the_package_and_load_on_every_page(site: Site, theme: str):
    minimal_site(site)
    configure(site, theme={"name": theme})
    build(site, "--strict")
    out = site.root / "site"
    for page in (out / "index.html", out / "content-map/personas/reader/index.html"):
        tree = parse(page)
        css = [h for h in tree.xpath("//link[@rel='stylesheet']/@href")
               if h.endswith("content-map.css")]
        js = tree.xpath("//script[contains(@src, 'content-map.js')]")
        assert len(css) == 1 and len(js) == 1, page
        assert js[0].get("defer") is not None
        for href in [css[0], js[0].get("src")]:
            assert not urlsplit(href).scheme, "no CDN"
            assert target_file(out, page, href)[0].is_file()
    packaged = (REPO / "plugins/content_map/site/assets/content-map.js").read_bytes()
    assert (out / "content-map/assets/content-map.js").read_bytes() == packaged


def test_a_custom_map_path(site: Site):
    minimal_site(site)
    configure(site, {"map_path": "/planning/map/"}, theme={"name": "material"})
    build(site, "--strict")
    out = site.root / "site"
    assert (out / "planning/map/index.html").is_file()
    assert (out / "planning/map/personas/reader/index.html").is_file()
    assert (out / "planning/map/content-map.json").is_file()
    assert broken_map_links(out) == []
    hrefs = nav_hrefs(out / "index.html")
    assert ("Content map", "planning/map/") in hrefs


# --- navigation and search -----------------------------------------------------------


def test_without_a_nav_the_map_adds_one_entry(site: Site):
    minimal_site(site)
    configure(site, {"nav_title": "Planning & coverage"}, theme={"name": "material"})
    run = build(site, "--strict")
    out = site.root / "site"
    hrefs = nav_hrefs(out / "awareness/index.html")
    map_links = [(text, href) for text, href in hrefs if "content-map" in href]
    assert map_links == [("Planning & coverage", "../content-map/")]
    assert "not included in the" not in run.err
    tree = parse(out / "content-map/index.html")
    assert tree.xpath("//title")[0].text_content().startswith("Planning & coverage")


def test_an_explicit_nav_places_the_overview_and_hides_the_rest(site: Site):
    minimal_site(site)
    configure(site, theme={"name": "material"}, nav=[
        {"Home": "index.md"}, {"Journey": ["awareness.md", "consideration.md", "decision.md",
                                           "retention.md", "advocacy.md"]},
        {"Planning": [{"Coverage": "content-map/index.md"},
                      {"Gaps": "content-map/gaps.md"}]},
    ])
    run = build(site, "--strict")
    assert "not included in the" not in run.err
    hrefs = nav_hrefs(site.root / "site/index.html")
    assert ("Coverage", "content-map/") in hrefs and ("Gaps", "content-map/gaps/") in hrefs
    assert not [h for _, h in hrefs if "personas" in h or "stages" in h]


def test_a_nav_without_the_map_still_builds_it_quietly(site: Site):
    minimal_site(site)
    configure(site, nav=[{"Home": "index.md"}, "awareness.md", "consideration.md",
                         "decision.md", "retention.md", "advocacy.md"])
    run = build(site, "--strict")
    assert "not included in the" not in run.err
    assert (site.root / "site/content-map/index.html").is_file()


def test_map_pages_are_in_the_search_index(site: Site):
    minimal_site(site)
    configure(site, {"search": "all"}, theme={"name": "material"})  # by default: as the nav
    build(site, "--strict")
    index = json.loads((site.root / "site/search/search_index.json").read_text("utf-8"))
    locations = {doc["location"]: doc for doc in index["docs"]}
    assert "content-map/personas/reader/" in locations
    assert locations["content-map/personas/reader/"]["title"] == "Rita Reader"
    assert "content-map/stages/buyer/decision/" in locations
    assert "content-map/gaps/" in locations
    # Filters and badges are not content: kept out of the index.
    assert not any("Clear filters" in doc["text"] for doc in index["docs"])


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_search_indexes_a_map_page_without_its_lists(site: Site, theme: str):
    """The persona page is found by what it says of the persona; the pieces it lists are
    found on their own pages, not on every map page that names them."""
    minimal_site(site)
    site.write("personas/reader.yml", "name: Rita Reader\nsummary: Reads the quarterly "
               "close notes.\ngoals: [Close the books in three days]\n")
    site.write("docs/advocacy.md", "---\ntitle: Referral programme playbook\n"
               "personas: [reader]\nstage: advocacy\nreview_by: 2099-01-01\n---\n\nText.\n")
    configure(site, {"search": "all"}, theme={"name": theme})
    build(site, "--strict")
    index = json.loads((site.root / "site/search/search_index.json").read_text("utf-8"))
    persona = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"]
                       if doc["location"].startswith("content-map/personas/reader/"))
    assert "Reads the quarterly close notes." in persona
    assert "Close the books in three days" in persona
    assert "Consideration" in persona  # a lane's heading stays
    listed = parse(site.root / "site/content-map/personas/reader/index.html").xpath(
        "//ul[contains(@class, 'cm-pieces')]//a[@class='cm-piece__title']/text()")
    assert listed == ["Awareness", "Consideration", "Decision", "Retention",
                      "Referral programme playbook"]
    assert not [doc for doc in index["docs"]  # the list: in the page, not in its index
                if doc["location"].startswith("content-map/")
                and "Referral programme" in doc["text"]]
    assert any(doc["location"].startswith("advocacy/") and "Referral programme" in doc["title"]
               for doc in index["docs"])


def test_map_pages_get_a_table_of_contents(site: Site):
    minimal_site(site)
    configure(site, theme={"name": "material"})
    build(site, "--strict")
    tree = parse(site.root / "site/content-map/stages/buyer/awareness/index.html")
    toc = tree.xpath("//nav[contains(@class, 'md-nav--secondary')]//a/@href")
    assert "#coverage" in toc and "#pieces" in toc and "#persona_reader" in toc


# --- what the pages show -------------------------------------------------------------


def gap_site(site: Site, options: dict[str, Any] | None = None, **extra: Any) -> None:
    configure(site, {"fail_on": "never", **(options or {})}, **extra)
    site.write("personas/reader.yml", """
        name: Rita Reader
        goals: [Understand the product]
        pains: [Too much jargon]
        motivations: [Save time]
        channels: [search, newsletter]
        demographics: {age: 30-39, location: Lisbon}
        stages:
          awareness: {emotion: curious, questions: ["What is this?"]}
        skip_stages: [{stage: advocacy, reason: Readers do not refer.}]
    """)
    site.write("personas/buyer.yml", "name: Bo Buyer\n")
    site.write("docs/index.md", "# Home\n")
    site.write("docs/intro.md", """
        ---
        title: Intro
        personas: [reader, buyer]
        stage: awareness
        owner: dana
        channel: blog
        format: article
        intent: learn
        review_by: 2099-01-01
        next: [compare.md]
        ---
        # Intro

        Text.
    """)
    site.write("docs/compare.md", """
        ---
        title: Compare
        personas: [reader]
        stage: consideration
        status: draft
        owner: sam
        review_by: 2099-01-01
        ---
        # Compare
    """)
    site.write("docs/typo.md", """
        ---
        personas: [reeder]
        stage: awareness
        ---
        # Typo
    """)


def test_overview_shows_figures_matrix_states_and_filters(site: Site):
    gap_site(site)
    build(site)
    tree = parse(site.root / "site/content-map/index.html")
    figures = [" ".join(li.text_content().split()) for li in tree.xpath(
        "//ul[contains(@class, 'cm-figures')]/li")]
    # At most four headline figures, after the verdict.
    assert figures == ["22% coverage 2 of 9 covered", "7 open gaps",
                       "1 with work under way what would close them", "0 accepted gaps"]
    verdict = tree.xpath("//*[@data-cm-verdict]")[0]
    assert verdict.get("data-gaps") == "7" and verdict.get("data-personas") == "Bo Buyer"
    assert verdict.xpath("p")[0].text_content().startswith("7 open gaps. Most are for Bo Buyer")
    cells = {td.get("data-cm-cell"): td for td in tree.xpath("//td[@data-cm-cell]")}
    assert len(cells) == 10
    assert display_state(cells["reader/buyer/awareness"]) == "covered"
    assert display_state(cells["reader/buyer/consideration"]) == "in-progress"
    assert display_state(cells["reader/buyer/advocacy"]) == "skipped"
    assert display_state(cells["buyer/buyer/decision"]) == "gap"
    assert cells["reader/buyer/consideration"].get("data-state") == "gap"
    # Compact cells: the count (the stylesheet adds the symbol, as decoration) and the
    # work under way; the state in words is the link's title.
    assert cells["reader/buyer/consideration"].text_content() == "0+1"
    assert cells["reader/buyer/consideration"].xpath("a/@title")[0].endswith(
        ": gap, work under way, 0 published (target 1), 1 under way")
    assert cells["buyer/buyer/decision"].text_content() == "0"
    assert cells["reader/buyer/advocacy"].text_content() == ""
    assert ": not relevant: " in cells["reader/buyer/advocacy"].xpath("a/@title")[0]
    # An accessible table: caption, column and row headers.
    table = tree.xpath("//table[contains(@class, 'cm-matrix')]")[0]
    assert table.xpath("caption") and table.xpath(".//th[@scope='col']")
    assert [th.xpath("a")[0].text_content()
            for th in table.xpath("./tbody/tr/th[@scope='row']")] == ["Bo Buyer", "Rita Reader"]
    # Coverage per row and per stage, with the total.
    assert [td.text for td in table.xpath("./tbody/tr/td[@class='cm-total']")] == ["1/5", "1/4"]
    assert table.xpath("./tfoot//td[contains(@class, 'cm-total--all')]")[0].text == "2/9"
    # The filter form is there, hidden until the script shows it: piece fields, persona
    # segments (both personas are external; neither says how often it visits), a persona
    # and a stage, and grouping.
    form = tree.xpath("//form[@data-cm-filters]")[0]
    assert form.get("hidden") is not None
    assert [s.get("name") for s in form.xpath(".//select")] == \
        ["status", "channel", "owner", "format", "intent", "type", "persona", "stage", "group"]
    assert form.xpath(".//select[@name='persona']/option/@value") == ["", "buyer", "reader"]
    assert form.xpath(".//select[@name='type']/option/@value") == ["", "external"]
    assert form.xpath(".//select[@name='owner']/option/@value") == ["", "dana", "sam"]
    rows = tree.xpath("//tr[@data-cm-item]")
    assert {r.xpath("td/span[contains(@class, 'cm-status')]")[0].text for r in rows} == \
        {"published", "draft"}
    assert all(r.get("hidden") is None for r in rows)
    data = json.loads(tree.xpath("//*[@data-cm-data]/@data-cm-data")[0])
    assert sorted(row[0] for row in data["pieces"]) == sorted(
        r.xpath("td/a")[0].text for r in rows)


def test_persona_page_shows_profile_and_the_lane(site: Site):
    gap_site(site)
    build(site)
    tree = parse(site.root / "site/content-map/personas/reader/index.html")
    text = " ".join(tree.text_content().split())
    for expected in ("Understand the product", "Too much jargon", "Save time", "newsletter",
                     "Lisbon", "curious", "What is this?", "Readers do not refer."):
        assert expected in text, expected
    lane = tree.xpath("//ol[contains(@class, 'cm-lane')]")[0]
    columns = lane.xpath("./li")
    assert [c.get("id") for c in columns] == [
        "buyer_awareness", "buyer_consideration", "buyer_decision", "buyer_retention",
        "buyer_advocacy"]
    assert [a.text_content() for a in columns[0].xpath(".//a[@class='cm-piece__title']")] == \
        ["Intro"]
    assert "Gap:" in columns[2].text_content()
    assert "1 under way" in columns[1].text_content()


def test_stage_page_shows_goal_questions_kpis_and_pieces_by_persona(site: Site):
    gap_site(site)
    site.write("journeys/buyer.yml", """
        name: Buyer journey
        stages:
          - id: awareness
            name: Awareness
            goal: The reader notices the problem.
            questions: ["Why is this slow?"]
            emotions: [uneasy]
            kpis: [time_on_page]
          - {id: consideration, name: Consideration}
          - {id: decision, name: Decision}
          - {id: retention, name: Retention}
          - {id: advocacy, name: Advocacy}
    """)
    build(site)
    tree = parse(site.root / "site/content-map/stages/buyer/awareness/index.html")
    text = " ".join(tree.text_content().split())
    for expected in ("The reader notices the problem.", "Why is this slow?", "uneasy",
                     "Time on page"):
        assert expected in text
    assert tree.xpath("//h3[@id='persona_reader']") and tree.xpath("//h3[@id='persona_buyer']")
    reader_pieces = tree.xpath("//h3[@id='persona_reader']/following-sibling::ul[1]//a/text()")
    assert reader_pieces == ["Intro"]


def test_gaps_speak_to_stakeholders_in_names(site: Site):
    gap_site(site, {"coverage": {"waivers": [
        {"persona": "buyer", "stage": "retention", "reason": "Buyers renew through sales.",
         "until": "2099-06-30"}]}})
    build(site)
    page = site.root / "site/content-map/gaps/index.html"
    tree = parse(page)
    text = " ".join(tree.xpath("//div[contains(@class, 'cm-gaps')]")[0].text_content().split())
    checked = site.check("--format", "json", "--fail-on", "never").json()
    rows = tree.xpath("//table[@data-cm-sortable]/tbody/tr")
    assert len(rows) == checked["summary"]["gaps"] > 0
    cells = [[" ".join(td.text_content().split()) for td in tr.xpath("td")] for tr in rows]
    assert {row[0] for row in cells} == {"Rita Reader", "Bo Buyer"}  # names, not ids
    assert ["Rita Reader", "Consideration", "0 published (target 1)", "1",
            "Compare (sam)", "sam"] in cells  # the draft under way, with its owner
    assert ["Bo Buyer", "Decision", "0 published (target 1)", "1", "None yet",
            "No one yet"] in cells
    # The accepted gap, with its reason and end date.
    assert "Bo Buyer at Retention: Buyers renew through sales. (accepted until 2099-06-30)" \
        in text
    # No rule ids, file paths or command lines: those are on Problems.
    for word in ("coverage-gap", "unknown-persona", "ERROR", ".yml", ".md", "content-map new",
                 "`", "reeder"):
        assert word not in text, word
    problems = checked["summary"]["errors"] + checked["summary"]["warnings"]
    assert tree.xpath(f"//a[text()='{problems} problems']/@href") == ["../problems/"]
    assert tree.xpath("//nav[@class='cm-tabs']/a[@aria-current='page']/text()") == ["Gaps"]
    assert broken_map_links(site.root / "site") == []


def test_problems_list_every_finding_by_file_even_when_the_build_goes_on(site: Site):
    gap_site(site)
    run = build(site)
    assert "unknown-persona" in run.err
    tree = parse(site.root / "site/content-map/problems/index.html")
    checked = site.check("--format", "json", "--fail-on", "never").json()
    items = tree.xpath("//li[contains(@class, 'cm-finding')]")
    assert len(items) == len(checked["findings"])
    files = tree.xpath("//h2/code/text()")
    assert sorted(files) == sorted({f["file"] for f in checked["findings"]})
    assert files[0] == "docs/typo.md"  # the file with the worst finding first
    for h2 in tree.xpath("//h2[code]"):
        listed = h2.xpath("following-sibling::ul[1]/li")
        assert h2.xpath("span/text()") == [str(len(listed))]
        assert all(h2.xpath("code/text()")[0] + ":" in " ".join(li.text_content().split())
                   for li in listed)
    typo = tree.xpath("//h2[code='docs/typo.md']/following-sibling::ul[1]/li")[0]
    assert "docs/typo.md:2" in typo.text_content()
    assert typo.xpath(".//a[@class='cm-loc']/@href") == ["../../typo/"]
    gap = tree.xpath("//h2[code='personas/buyer.yml']/following-sibling::ul[1]/li//a/@href")
    assert "../personas/buyer/#buyer_consideration" in gap
    assert tree.xpath("//nav[@class='cm-tabs']/a[@aria-current='page']/text()") == ["Problems"]
    overview = parse(site.root / "site/content-map/index.html")
    assert overview.xpath("//a[contains(text(), 'for editors')]/@href") == ["problems/"]
    assert broken_map_links(site.root / "site") == []


def test_problems_link_to_the_repository_when_the_site_says_where(site: Site):
    gap_site(site, repo_url="https://git.example.com/team/site",
             edit_uri="edit/main/docs/")
    build(site)
    tree = parse(site.root / "site/content-map/problems/index.html")
    sources = set(tree.xpath("//a[@class='cm-source']/@href"))
    assert "https://git.example.com/team/site/edit/main/personas/buyer.yml" in sources
    assert "https://git.example.com/team/site/edit/main/docs/typo.md" in sources


def test_badges_show_personas_stage_status_and_next_steps(site: Site):
    gap_site(site, theme={"name": "material"})
    build(site)
    out = site.root / "site"
    tree = parse(out / "intro/index.html")
    badges = tree.xpath("//div[contains(@class, 'cm-badges')]")[0]
    assert [a.text_content() for a in badges.xpath(".//a[contains(@class, 'cm-chip--persona')]")
            ] == ["Rita Reader", "Bo Buyer"]
    assert badges.xpath(".//a[contains(@class, 'cm-chip--stage')]/@href") == \
        ["../content-map/stages/buyer/awareness/"]
    h1 = tree.xpath("//h1")[0]
    assert h1.getnext() is badges or badges in h1.itersiblings()
    nxt = tree.xpath("//nav[contains(@class, 'cm-next')]//a")
    assert [(a.text_content(), a.get("href")) for a in nxt] == [("Compare", "../compare/")]
    draft = parse(out / "compare/index.html")
    assert draft.xpath("//div[contains(@class, 'cm-badges')]//span[contains(@class, "
                       "'cm-status-draft')]")
    assert not parse(out / "index.html").xpath("//*[contains(@class, 'cm-badges')]")
    # The piece's `status` is not Material's page status: no stray icons in the nav.
    assert not tree.xpath("//*[contains(@class, 'md-status')]")


def test_badges_can_be_turned_off(site: Site):
    gap_site(site, {"badges": False})
    build(site)
    page = (site.root / "site/intro/index.html").read_text("utf-8")
    assert "cm-badges" not in page and "cm-next" not in page


def test_content_map_json_is_the_check_report_plus_the_model(site: Site):
    gap_site(site)
    build(site)
    text = (site.root / "site/content-map/content-map.json").read_text("utf-8")
    assert text.count("\n") == 1  # compact: a file for tools, written fast on big sites
    exported = json.loads(text)
    checked = site.check("--format", "json", "--fail-on", "never").json()
    for key in ("version", "summary", "findings", "matrix"):
        assert exported[key] == checked[key], key
    assert [p["id"] for p in exported["personas"]] == ["buyer", "reader"]
    assert {p["path"] for p in exported["pieces"]} == {"intro.md", "compare.md", "typo.md"}
    assert exported["journeys"][0]["id"] == "buyer"


def test_export_false_writes_no_json(site: Site):
    gap_site(site, {"export": False})
    build(site)
    assert not (site.root / "site/content-map/content-map.json").exists()
    assert (site.root / "site/content-map/index.html").is_file()


def test_templates_can_be_overridden_from_custom_dir(site: Site):
    minimal_site(site)
    configure(site, theme={"name": "material", "custom_dir": "overrides"})
    site.write("overrides/content-map/badges.html",
               '<p class="cm my-badge">For {{ view.piece.personas | join(", ") }}</p>')
    build(site, "--strict")
    page = (site.root / "site/awareness/index.html").read_text("utf-8")
    assert '<p class="cm my-badge">For reader</p>' in page
    assert "cm-badges" not in page


def test_a_docs_page_at_a_map_url_is_replaced_with_a_warning(site: Site):
    minimal_site(site)
    configure(site)
    site.write("docs/content-map/index.md", "# Mine\n")
    run = site.build("--strict")
    assert run.code == 1
    assert "content-map/index.md is replaced by the generated content map" in run.err


# --- escaping ------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_html_in_yaml_is_text_everywhere(site: Site, theme: str):
    configure(site, {"fail_on": "never"}, theme={"name": theme})
    site.write("personas/evil.yml", yaml.safe_dump({
        "name": EVIL_NAME, "summary": EVIL_SUMMARY, "goals": [EVIL_NAME],
        "demographics": {"role": "<b onmouseover=alert(6)>x</b>"},
        "stages": {"awareness": {"emotion": EVIL_NAME, "questions": [EVIL_SUMMARY]}},
    }))
    site.write("journeys/buyer.yml", yaml.safe_dump({"name": f"Journey {EVIL_NAME}", "stages": [
        {"id": "awareness", "name": f"Stage {EVIL_NAME}", "goal": EVIL_SUMMARY,
         "questions": [EVIL_NAME], "kpis": [EVIL_NAME]},
        {"id": "decision", "name": "Decision"},
    ]}))
    site.write("docs/index.md", "# Home\n")
    site.write("docs/page.md", "---\n" + yaml.safe_dump({
        "title": "A page", "personas": ["evil"], "stage": "awareness",
        "owner": EVIL_NAME, "channel": "javascript:alert(7)", "format": "<i>f</i>",
    }) + "---\n# A page\n")
    build(site)
    out = site.root / "site"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text("utf-8")
        assert "<img src=x" not in text, page
        assert "<b onmouseover" not in text and "<script>alert" not in text, page
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", text, re.I), page
    persona = (out / "content-map/personas/evil/index.html").read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in persona
    assert "[click me](javascript:alert(2))" in persona
    assert '<a href="https://example.com/ok" rel="nofollow noopener">' in persona


# --- engines -------------------------------------------------------------------------


def test_properdocs_builds_the_map(site: Site):
    minimal_site(site)
    configure(site, theme={"name": "material"})
    build(site, "--strict", engine="properdocs")
    out = site.root / "site"
    assert (out / "content-map/personas/reader/index.html").is_file()
    assert parse(out / "awareness/index.html").xpath("//div[contains(@class, 'cm-badges')]")
    assert broken_map_links(out) == []


def test_the_bundled_example_publishes_its_map(tmp_path: Path):
    out = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
         "-d", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "not included in the" not in run.stderr
    assert broken_map_links(out) == []
    hrefs = nav_hrefs(out / "index.html")
    assert any(href == "content-map/" for _, href in hrefs)
    exported = json.loads((out / "content-map/content-map.json").read_text("utf-8"))
    overview = parse(out / "content-map/index.html")
    cells = {td.get("data-cm-cell"): td for td in overview.xpath("//td[@data-cm-cell]")}
    assert len(cells) == len(exported["matrix"])
    for cell in exported["matrix"]:
        td = cells[f"{cell['persona']}/{cell['journey']}/{cell['stage']}"]
        assert td.get("data-state") == cell["state"]
        if cell["state"] != "skipped":
            assert td.xpath(".//*[@data-cm-count]")[0].text == str(cell["count"])
    cells = list(cells.values())
    waived = [td for td in cells if td.get("data-state") == "waived"]
    assert waived and "accepted gap" in waived[0].xpath("a/@title")[0]


def display_state(td: Any) -> str:
    """The state a matrix cell shows (its colour and symbol follow the class)."""
    return next(c[len("cm-state-"):] for c in td.get("class").split() if c.startswith("cm-state-"))


def example_copy(root: Path) -> Site:
    """The bundled example in `root`, free to edit."""
    for name in ("content", "personas", "journeys", "analytics"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return Site(root)


def flows(page: Path) -> dict[str, Any]:
    return {f.get("data-cm-flow"): f for f in parse(page).xpath("//figure[@data-cm-flow]")}


def test_the_example_draws_every_journey_whole_and_a_missing_next_as_a_break(tmp_path: Path):
    site = example_copy(tmp_path)
    build(site, "--strict")
    out = site.root / "site"
    for persona in ("cfo", "controller", "it-admin", "staff-accountant", "support-agent"):
        for journey, figure in flows(out / f"content-map/personas/{persona}/index.html").items():
            assert figure.get("data-continuous") == "true", (persona, journey)
            assert not figure.xpath(".//*[@data-dead-end] | .//*[@data-cm-break]")
            assert "A reader can walk from" in figure.xpath("figcaption")[0].text_content()
    assert {td.get("data-continuous") for td in
            parse(out / "content-map/index.html").xpath("//td[@data-cm-walk]")} == {"true"}

    page = site.root / "content/guides/quarterly-access-reviews.md"
    original = page.read_text("utf-8")
    page.write_text(original.replace("next: [customers/it-reference-programme.md]\n", ""),
                    "utf-8")
    run = build(site)  # journey-break and dead-end are warnings: the build goes on
    assert "journey-break" in run.err
    figure = flows(out / "content-map/personas/it-admin/index.html")["buyer"]
    assert figure.get("data-continuous") == "false" and figure.get("data-reached") == "retention"
    stop = figure.xpath(".//a[@data-stop]")
    assert [a.get("data-cm-node") for a in stop] == ["guides/quarterly-access-reviews.md"]
    assert stop[0].get("data-dead-end") is not None and "no next step" in stop[0].text_content()
    assert figure.xpath(".//*[@data-cm-break]")
    verdict = " ".join(figure.xpath("figcaption")[0].text_content().split())
    assert "Readers stop at Retention (guides/quarterly-access-reviews.md)" in verdict
    assert flows(out / "content-map/personas/it-admin/index.html")["support"] \
        .get("data-continuous") == "true"
    walk = parse(out / "content-map/index.html").xpath("//td[@data-cm-walk='it-admin/buyer']")[0]
    assert walk.get("data-continuous") == "false" and "breaks at Retention" in walk.text_content()
    assert broken_map_links(out) == []

    page.write_text(original, "utf-8")
    build(site, "--strict")
    assert flows(out / "content-map/personas/it-admin/index.html")["buyer"] \
        .get("data-continuous") == "true"


def test_results_segments_and_needs_attention_in_a_real_build(site: Site):
    gap_site(site, {"metrics": {"file": "data/metrics.csv", "color_by": "views"}},
             theme={"name": "material"})
    site.write("personas/agent.yml", "name: Ada Agent\ntype: internal\nfrequency: frequent\n")
    site.write("docs/old.md", """
        ---
        title: Old news
        personas: [agent]
        stage: awareness
        owner: sam
        intent: fix
        review_by: 2000-01-01
        ---
        # Old news
    """)
    site.write("data/metrics.csv", "page,views,rating\nintro.md,300,4\n/old/,100,2\n"
               "nowhere.md,5,5\n")
    build(site)
    out = site.root / "site"
    overview = parse(out / "content-map/index.html")
    views = overview.xpath("//li[@data-cm-result='views']//*[@data-cm-value]")[0]
    assert (views.text, float(views.get("data-cm-value"))) == ("400", 400.0)
    rating = overview.xpath("//li[@data-cm-result='rating']//*[@data-cm-value]")[0]
    assert rating.text == "3.5" and float(rating.get("data-cm-value")) == (4 * 300 + 2 * 100) / 400
    cells = {td.get("data-cm-cell"): td for td in overview.xpath("//td[@data-cm-cell]")}
    assert cells["reader/buyer/awareness"].get("data-quantile") is not None
    assert "300" in cells["reader/buyer/awareness"].text_content()
    rows = {tr.get("data-cm-persona"): tr for tr in overview.xpath("//tr[@data-cm-persona]")}
    assert rows["agent"].get("data-persona-type") == "internal"
    assert overview.xpath("//select[@name='type']/option/@value") == ["", "external", "internal"]
    assert overview.xpath("//select[@name='group']/option/@value") == ["", "type", "frequency"]
    # The CSV row for an unknown page is a finding with its line, on Problems.
    problems = parse(out / "content-map/problems/index.html")
    row = problems.xpath("//h2[code='data/metrics.csv']/following-sibling::ul[1]/li")[0]
    assert "data/metrics.csv:4" in row.text_content() and "nowhere.md" in row.text_content()
    # Needs attention: the stale page under its owner; the draft that would close a gap.
    attention = parse(out / "content-map/attention/index.html")
    review = attention.xpath("//section[starts-with(@data-cm-group, 'r:')]")
    assert [s.xpath("h3")[0].text.strip() for s in review] == ["sam"]
    assert "Old news" in review[0].text_content() and "stale since 2000-01-01" in \
        review[0].text_content()
    work = attention.xpath("//section[starts-with(@data-cm-group, 'w:')]")
    assert [s.get("data-cm-group") for s in work] == ["w:reader/buyer/consideration"]
    assert [a.text for a in work[0].xpath(".//a[@class='cm-piece__title']")] == ["Compare"]
    assert attention.xpath("//form[@data-cm-filters]//select/@name") == \
        ["status", "channel", "owner", "format", "intent", "type", "frequency"]
    assert broken_map_links(out) == []


def test_a_site_with_no_personas_and_no_pieces_still_gets_a_map(site: Site):
    configure(site, theme={"name": "material"})
    site.write("docs/index.md", "# Home\n")
    build(site, "--strict")
    tree = parse(site.root / "site/content-map/index.html")
    assert "No persona follows this journey." in tree.text_content()
    assert tree.xpath("//span[contains(@class, 'cm-figure__value')]")[0].text == "n/a"
    assert not tree.xpath("//form[@data-cm-filters]")  # nothing to filter
    assert (site.root / "site/content-map/stages/buyer/awareness/index.html").is_file()
