"""What real sites already have: translations beside their pages, their own taxonomy in
front-matter, a search index to keep clean, and a repository to commit to."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html

from conftest import Site, cli, minimal_site
from content_map.jsonschemas import all_schemas

# ---- translations ---------------------------------------------------------------------

I18N = {"i18n": {"docs_structure": "suffix", "languages": [
    {"locale": "en", "default": True, "name": "English"}, {"locale": "fr", "name": "Français"}]}}


def i18n_config(site: Site, structure: str = "suffix") -> None:
    plugin = {"i18n": {**I18N["i18n"], "docs_structure": structure}}
    config = {"site_name": "Test", "docs_dir": "docs", "plugins": [plugin, "content-map"]}
    site.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))


def test_a_translation_is_not_a_second_piece(site: Site):
    minimal_site(site)
    site.write("docs/awareness.fr.md", "---\ntitle: Découverte\npersonas: [reader]\n"
               "stage: awareness\n---\n# Découverte\n")
    site.write("docs/index.fr.md", "# Accueil\n")  # a translation with no front-matter
    i18n_config(site)
    run = site.check("--format", "json")
    assert run.code == 0, run.out
    report = run.json()
    assert report["summary"]["pieces"] == 5
    cell = next(c for c in report["matrix"] if c["stage"] == "awareness")
    assert cell["pieces"] == ["awareness.md"] and cell["count"] == 1


def test_translations_in_language_folders(site: Site):
    minimal_site(site)
    docs = site.root / "docs"
    for lang in ("en", "fr"):
        (docs / lang).mkdir()
    for page in sorted(docs.glob("*.md")):
        text = re.sub(r"next: \[([a-z]+)\.md\]", r"next: [en/\1.md]", page.read_text("utf-8"))
        for lang in ("en", "fr"):
            (docs / lang / page.name).write_text(text, "utf-8")
        page.unlink()
    i18n_config(site, "folder")
    report = site.check("--format", "json").json()
    assert report["summary"]["pieces"] == 5, report["findings"]
    assert all(p.startswith("en/") for c in report["matrix"] for p in c["pieces"])


def test_without_the_i18n_plugin_a_dotted_name_is_a_page_of_its_own(site: Site):
    minimal_site(site)
    site.write("docs/awareness.fr.md", "---\npersonas: [reader]\nstage: awareness\n---\n")
    assert site.check("--format", "json").json()["summary"]["pieces"] == 6


# ---- Material's blog ------------------------------------------------------------------

def test_a_posts_date_can_stand_for_when_it_is_published(site: Site):
    """`fields: {due: date}`: a post's `date` is when it is due; a draft past it is
    overdue, and a published post's date is no finding."""
    minimal_site(site, {"fields": {"due": "date"}, "rules": {"overdue": "error"}})
    site.write("docs/blog/posts/out.md", "---\ndate: 2026-01-15 10:30:00\n"
               "personas: [reader]\nstage: decision\n---\n# Out\n")
    site.write("docs/blog/posts/soon.md", "---\ndate: 2026-02-01\ndraft: true\n"
               "personas: [reader]\nstage: decision\n---\n# Soon\n")
    report = site.check("--format", "json", "--today", "2026-03-01").json()
    assert [(f["rule"], f["file"]) for f in report["findings"] if f["severity"] == "error"] \
        == [("overdue", "docs/blog/posts/soon.md")]


# ---- a site's own taxonomy ------------------------------------------------------------

JOURNEY = """\
name: Documentation
stages:
  - id: start
    name: Get started
    labels: [Get started]
  - id: write
    labels: [Customization, Writing]
"""


def taxonomy_site(site: Site, options: dict[str, Any] | None = None, **extra: Any) -> Site:
    """Pages that say `tags: [Get started, Authoring]`, as they did before content-map:
    labels in the persona and journey files map them, and no page is edited."""
    config = {"site_name": "Test", "docs_dir": "docs", **extra,
              "plugins": ["search", {"content-map": {
                  "fields": {"personas": "tags", "stages": "tags"}, **(options or {})}}]}
    site.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    site.write("journeys/docs.yml", JOURNEY)
    site.write("personas/author.yml", "name: Author\nlabels: [Authoring, Authors]\n")
    site.write("docs/index.md", "---\ntags: [Get started, Authoring]\n---\n# Home\n")
    site.write("docs/write.md", "---\ntags: [Customization, Authoring, Extras]\n---\n# Write\n")
    site.write("docs/community.md", "---\ntags: [Community]\n---\n# Community\n")
    site.write("docs/plain.md", "# Plain\n")
    return site


def test_a_sites_own_labels_map_its_pages(site: Site):
    report = taxonomy_site(site).check("--format", "json", "--fail-on", "error")
    assert report.code == 0, report.out
    data = report.json()
    assert data["summary"]["pieces"] == 2  # community.md names no label: not a piece
    assert {(c["persona"], c["stage"]): c["pieces"] for c in data["matrix"]} == {
        ("author", "start"): ["index.md"], ("author", "write"): ["write.md"]}
    assert not [f for f in data["findings"] if f["rule"] in (
        "unknown-persona", "unknown-stage", "unknown-field", "schema")]


def test_unmatched_labels_error_reports_them_as_before(site: Site):
    data = taxonomy_site(site, {"unmatched_labels": "error"}).check("--format", "json").json()
    assert data["summary"]["pieces"] == 3
    unknown = sorted((f["rule"], f["file"]) for f in data["findings"]
                     if f["rule"].startswith("unknown-"))
    assert unknown == [("unknown-persona", "docs/community.md"),
                       ("unknown-persona", "docs/index.md"),
                       ("unknown-persona", "docs/write.md"),
                       ("unknown-persona", "docs/write.md"),
                       ("unknown-stage", "docs/community.md"),
                       ("unknown-stage", "docs/index.md"),
                       ("unknown-stage", "docs/write.md"),
                       ("unknown-stage", "docs/write.md")]


def test_without_labels_a_renamed_field_reports_unknown_values(site: Site):
    minimal_site(site, {"fields": {"personas": "audience"}})
    site.write("docs/extra.md", "---\naudience: [nobody]\nstage: awareness\n---\n")
    data = site.check("--format", "json").json()
    assert [f["rule"] for f in data["findings"] if f["file"] == "docs/extra.md"] == [
        "unknown-persona"]


def test_the_map_of_a_labelled_site(site: Site):
    taxonomy_site(site, theme={"name": "material"})
    run = site.build()  # not strict: no page says `next` yet (`dead-end` warns)
    assert run.code == 0, run.err[-3000:]
    export = json.loads((site.root / "site/content-map/content-map.json").read_text("utf-8"))
    assert sorted(p["path"] for p in export["pieces"]) == ["index.md", "write.md"]
    persona = lxml_html.fromstring(
        (site.root / "site/content-map/personas/author/index.html").read_text("utf-8"))
    listed = persona.xpath("//*[contains(concat(' ', @class, ' '), ' cm ')]//a/@href")
    assert "../../../write/" in listed and "../../../community/" not in listed


def test_new_page_accepts_and_writes_the_sites_labels(site: Site):
    taxonomy_site(site)
    run = cli(["new", "page", "more.md", "--persona", "Authors", "--stage", "Writing",
               "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0, run.err
    head = yaml.safe_load((site.root / "docs/more.md").read_text("utf-8").split("---")[1])
    assert head["tags"] == ["Authoring"] and head["stage"] == "write"


def test_the_schemas_accept_labels(site: Site):
    taxonomy_site(site)
    schemas = all_schemas({"personas": "tags", "stages": "tags"})
    persona = schemas["persona.schema.json"]["properties"]["labels"]
    assert {"type": "array", "items": {"type": ["string", "number"], "pattern": r"\S"}} \
        in persona["anyOf"]
    stage = schemas["journey.schema.json"]["properties"]["stages"]["items"]["properties"]
    assert "labels" in stage
    run = cli(["schema", "persona", "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0 and '"labels"' in run.out


# ---- search ---------------------------------------------------------------------------

def search_locations(site: Site, theme: str, options: dict[str, Any] | None = None) -> set[str]:
    minimal_site(site)
    config = {"site_name": "Test", "docs_dir": "docs", "theme": {"name": theme},
              "plugins": ["search", {"content-map": options or {}}]}
    site.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    run = site.build("--strict")
    assert run.code == 0, run.err[-3000:]
    index = json.loads((site.root / "site/search/search_index.json").read_text("utf-8"))
    return {doc["location"].partition("#")[0] for doc in index["docs"]}


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_search_indexes_the_map_pages_the_nav_shows(site: Site, theme: str):
    located = search_locations(site, theme)
    assert "content-map/" in located  # the overview is in the nav
    assert not [loc for loc in located if loc.startswith("content-map/") and loc != "content-map/"]
    assert "awareness/" in located  # the site's own pages are all there


def test_search_all_indexes_every_map_page(site: Site):
    located = search_locations(site, "mkdocs", {"search": "all"})
    assert {"content-map/personas/reader/", "content-map/gaps/"} <= located


def test_a_map_page_listed_in_the_nav_is_indexed(site: Site):
    minimal_site(site)
    nav = [{"Home": "index.md"}, {"Reader": "content-map/personas/reader.md"}]
    config = {"site_name": "Test", "docs_dir": "docs", "nav": nav, "theme": {"name": "material"},
              "plugins": ["search", "content-map"]}
    site.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    assert site.build().code == 0
    index = json.loads((site.root / "site/search/search_index.json").read_text("utf-8"))
    located = {doc["location"].partition("#")[0] for doc in index["docs"]}
    assert "content-map/personas/reader/" in located and "content-map/" not in located


# ---- the cache in a repository --------------------------------------------------------

def test_git_add_all_leaves_the_cache_out(site: Site):
    minimal_site(site)
    subprocess.run(["git", "init", "-q"], cwd=site.root, check=True)
    assert site.build().code == 0
    assert site.check().code == 0
    assert any((site.root / ".cache/content-map").iterdir())
    subprocess.run(["git", "add", "-A"], cwd=site.root, check=True)
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=site.root,
                            check=True, capture_output=True, text=True).stdout.split()
    assert "mkdocs.yml" in staged and not [p for p in staged if p.startswith(".cache/")]


def test_generate_lists_a_translated_page_once(site: Site, tmp_path: Path):
    minimal_site(site)
    site.write("docs/awareness.fr.md", "---\npersonas: [reader]\nstage: awareness\n---\n")
    i18n_config(site)
    out = site.root / "docs" / "map"
    run = cli(["generate", "-f", str(site.root / "mkdocs.yml"), "--out", str(out)])
    assert run.code == 0, run.err
    text = "\n".join(p.read_text("utf-8") for p in out.rglob("*.md"))
    assert "awareness.fr.md" not in text


# ---- a page the build does not write --------------------------------------------------

def test_a_big_map_names_an_unbuilt_piece_without_a_link(site: Site, monkeypatch):
    """Past the list cap, lists come from the page data: an unbuilt piece has no URL
    there, and the cards the page lists show it unlinked."""
    from content_map.engine import Project, analyse
    from content_map.settings import Settings
    from content_map.site import pagedata
    from content_map.site.renderer import Renderer

    monkeypatch.setattr(pagedata, "LIST_CAP", 2)
    monkeypatch.setattr("content_map.site.composer.LIST_CAP", 2, raising=False)
    minimal_site(site)
    site.write("docs/soon.md", "---\ntitle: Coming soon\ndraft: true\npersonas: [reader]\n"
               "stage: decision\n---\n")
    analysis = analyse(Project(site.root, site.root / "docs", Settings())).analysis
    renderer = Renderer(analysis, Settings(), unbuilt=frozenset({"soon.md"}))
    urls = []
    for page in renderer.pages():
        tree = lxml_html.fromstring(renderer.render(page).html)
        assert not [h for h in tree.xpath("//a/@href") if "soon" in h], page.src_uri
        for blob in tree.xpath("//@data-cm-data"):
            urls += [row[1] for row in json.loads(blob)["pieces"] if row[0] == "Coming soon"]
    assert urls and set(urls) == {None}  # in the data of the pages that list it
    persona = renderer.render(next(p for p in renderer.pages() if p.kind == "persona")).html
    assert "data-cm-unbuilt" in persona and "Coming soon" in persona
