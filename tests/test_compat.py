"""content-map beside the plugins content teams run, as installed from the package index
(the `test` extra pins their ranges): for each, a small site built for real, plus one
with all that can coexist. Each build passes (with `--strict`), prints no traceback, and
every link the map pages, the badges and the next steps write leads to a built file.

Sites are built once per module (`built`), in a subprocess, as a team runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from linkcheck import dead_links, map_links
from lxml import html

STAGES = ("awareness", "consideration", "decision", "retention", "advocacy")
PAGES = ("index.md", "guide.md", "pricing.md", "support.md", "stories.md")


@dataclass
class Built:
    root: Path
    code: int
    out: str
    err: str

    @property
    def site(self) -> Path:
        return self.root / "site"

    def export(self) -> dict[str, Any]:
        return json.loads((self.site / "content-map/content-map.json").read_text("utf-8"))

    def page(self, path: str) -> Any:
        return html.fromstring((self.site / path).read_text(encoding="utf-8"))


def pages(prefix: str = "", first_next: str | None = None) -> dict[str, str]:
    """Five published pages, one per stage of the buyer journey, each leading to the next:
    a site with no findings (`--strict` stays green)."""
    out = {}
    for i, (page, stage) in enumerate(zip(PAGES, STAGES, strict=True)):
        nxt = [f"{prefix}{PAGES[i + 1]}"] if i + 1 < len(PAGES) else []
        if i == 0 and first_next:
            nxt.append(first_next)
        head = {"title": stage.title(), "personas": ["reader"], "stage": stage,
                "review_by": "2099-01-01", **({"next": nxt} if nxt else {})}
        out[f"docs/{prefix}{page}"] = (f"---\n{yaml.safe_dump(head, sort_keys=False)}---\n\n"
                                       f"# {stage.title()}\n\nText.\n")
    return out


def make(root: Path, plugins: list[Any], files: dict[str, str], *, strict: bool = True,
         **config: Any) -> Built:
    """Write a site (Material, search, the given plugins and content-map) and build it."""
    settings: dict[str, Any] = {"site_name": "Compat", "docs_dir": "docs",
                                "theme": {"name": "material"}, **config}
    settings["plugins"] = ["search", *plugins,
                           *([] if any("content-map" in str(p) for p in plugins)
                             else ["content-map"])]
    files = {"personas/reader.yml": "name: Rita Reader\n", **files}
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(settings, sort_keys=False), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else [])],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
             "PATH": "/usr/bin:/bin", "HOME": str(root),
             **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}})
    return Built(root, proc.returncode, proc.stdout, proc.stderr)


def assert_sound(built: Built, map_path: str = "content-map") -> None:
    """The build passed, with no traceback, and every link the map wrote resolves."""
    assert built.code == 0, built.err[-4000:]
    assert "Traceback" not in built.err + built.out
    written = [href for page in built.site.rglob("*.html")
               for href in map_links(built.site, page.relative_to(built.site).as_posix(),
                                     map_path)]
    assert len(written) > 20, "the map and its badges wrote (nearly) no links"
    assert [str(d) for d in dead_links(built.site, map_path, fragments=True)] == []


# ---- Material's blog -----------------------------------------------------------------

BLOG = {
    "docs/blog/index.md": "# Blog\n",
    "docs/blog/posts/launch.md": """\
        ---
        date: 2026-01-15
        slug: launch-post
        categories: [News]
        tags: [Launch]
        personas: [reader]
        stage: consideration
        next: [pricing.md]
        ---
        # Launch post

        We launched.

        <!-- more -->

        More.
        """,
    "docs/blog/posts/soon.md": """\
        ---
        date: 2026-02-01
        draft: true
        personas: [reader]
        stage: decision
        ---
        # Coming soon

        Not yet.
        """,
}


def blog_site(root: Path, **config: Any) -> Built:
    files = {**pages(first_next="blog/posts/launch.md"), **BLOG,
             "docs/tags.md": "# Tags\n\n<!-- material/tags -->\n"}
    return make(root, [{"blog": {}}, {"tags": {}}], files, **config)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    """Each compatibility site, built the first time a test asks for it."""
    made: dict[str, Built] = {}

    def site(name: str) -> Built:
        if name not in made:
            made[name] = BUILDERS[name](tmp_path_factory.mktemp(name))
        return made[name]

    return site


def test_blog_posts_are_pieces_at_their_real_urls(sites):
    built = sites("blog")
    assert_sound(built)
    post = "blog/2026/01/15/launch-post/index.html"
    assert (built.site / post).is_file()
    overview = built.page("content-map/index.html")
    assert "../blog/2026/01/15/launch-post/" in overview.xpath("//a/@href")
    # the post's badges and the home page's next step, from where each is
    badges = built.page(post).xpath("//*[contains(@class, 'cm-badges')]//a/@href")
    assert "../../../../../content-map/stages/buyer/consideration/" in badges
    assert "blog/2026/01/15/launch-post/" in built.page("index.html").xpath(
        "//nav[contains(@class, 'cm-next')]//a/@href")


def test_a_draft_post_is_a_draft_and_never_linked(sites):
    built = sites("blog")
    pieces = {p["path"]: p for p in built.export()["pieces"]}
    assert pieces["blog/posts/soon.md"]["status"] == "draft"
    assert not (built.site / "blog/2026/02/01/soon").exists()
    overview = built.page("content-map/index.html")
    assert not [h for h in overview.xpath("//a/@href") if "soon" in h]
    assert overview.xpath("//*[@data-cm-unbuilt][contains(., 'Coming soon')]")
    # not published: the decision cell is still a gap for the reader (in progress)
    cell = next(c for c in built.export()["matrix"] if c["stage"] == "decision")
    assert cell["pieces"] == ["pricing.md"] and cell["in_progress_pieces"] == [
        "blog/posts/soon.md"]


def test_the_blogs_own_pages_are_never_pieces(sites):
    built = sites("blog")
    assert (built.site / "blog/archive/2026/index.html").is_file()
    assert (built.site / "blog/category/news/index.html").is_file()
    paths = {p["path"] for p in built.export()["pieces"]}
    assert paths == {*PAGES, "blog/posts/launch.md", "blog/posts/soon.md"}


def test_a_blog_without_directory_urls(sites):
    built = sites("blog-flat")
    assert_sound(built)
    overview = built.page("content-map/index.html")
    assert "../blog/2026/01/15/launch-post.html" in overview.xpath("//a/@href")


# ---- mkdocs-static-i18n --------------------------------------------------------------

LANGUAGES = [{"locale": "en", "default": True, "name": "English", "build": True},
             {"locale": "fr", "name": "Français", "build": True}]


def i18n_site(root: Path, structure: str, **config: Any) -> Built:
    if structure == "suffix":
        files = {**pages(), "docs/index.fr.md": "---\npersonas: [reader]\nstage: awareness\n"
                 "next: [guide.md]\n---\n# Accueil\n", "docs/guide.fr.md": "# Guide\n"}
    else:
        files = {**pages("en/"), "docs/fr/index.md": "---\npersonas: [reader]\n"
                 "stage: awareness\n---\n# Accueil\n"}
    return make(root, [{"i18n": {"docs_structure": structure, "languages": LANGUAGES}}], files,
                **config)


@pytest.mark.parametrize("structure", ["suffix", "folder"])
def test_i18n_builds_every_language_and_counts_a_page_once(sites, structure: str):
    built = sites(f"i18n-{structure}")
    assert_sound(built)
    prefix = "" if structure == "suffix" else "en/"
    assert {p["path"] for p in built.export()["pieces"]} == {
        prefix + p for p in PAGES}
    assert built.export()["summary"]["pieces"] == 5
    # the map is published once, in the default language; each language's pages carry
    # their badges and next steps, linking to that map and within their own language
    assert not (built.site / "fr/content-map").exists()
    overview = built.page("content-map/index.html")  # each page's translation, listed
    assert overview.xpath("//a[@class='cm-lang'][@hreflang='fr']/@href") == (
        ["../fr/", "../fr/guide/"] if structure == "suffix" else ["../fr/"])
    french = built.page("fr/index.html")
    assert "../content-map/stages/buyer/awareness/" in french.xpath(
        "//*[contains(@class, 'cm-badges')]//a/@href")
    if structure == "suffix":
        assert french.xpath("//h1/text()") == ["Accueil"]
        assert "guide/" in french.xpath("//nav[contains(@class, 'cm-next')]//a/@href")


# ---- each plugin beside content-map --------------------------------------------------

def awesome_nav_site(root: Path) -> Built:
    files = {**pages(), "docs/.nav.yml": "nav:\n  - index.md\n  - guide.md\n  - '*'\n"}
    return make(root, [{"awesome-nav": {}}], files)


def macros_site(root: Path) -> Built:
    files = pages()
    files["docs/guide.md"] = files["docs/guide.md"].replace("Text.", "On {{ config.site_name }}.")
    return make(root, [{"macros": {}}], files)


def committed(root: Path, files: dict[str, str]) -> dict[str, str]:
    """`files` written and committed in a new git repository at `root`."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text), encoding="utf-8")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "docs"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "pages"], cwd=root, check=True)
    return files


def git_dates_site(root: Path) -> Built:
    return make(root, [{"git-revision-date-localized": {"fallback_to_build_date": True}}],
                committed(root, pages()))


def redirects_site(root: Path) -> Built:
    return make(root, [{"redirects": {"redirect_maps": {"old.md": "guide.md"}}}], pages())


def minify_site(root: Path) -> Built:
    return make(root, [{"minify": {"minify_html": True, "minify_js": True,
                                   "minify_css": True}}], pages())


def section_index_site(root: Path) -> Built:
    files = pages()
    files["docs/more/index.md"] = "# More\n"
    nav = [{"Home": "index.md"}, {"More": ["more/index.md", "guide.md", "pricing.md"]},
           "support.md", "stories.md", {"Content map": "content-map/index.md"}]
    return make(root, [{"section-index": {}}], files, nav=nav)


def literate_nav_site(root: Path) -> Built:
    files = {**pages(), "docs/SUMMARY.md": "* [Home](index.md)\n* [Guide](guide.md)\n"
             "* [Pricing](pricing.md)\n* [Support](support.md)\n* [Stories](stories.md)\n"
             "* [Content map](content-map/index.md)\n"}
    return make(root, [{"literate-nav": {"nav_file": "SUMMARY.md"}}], files)


def everything_site(root: Path) -> Built:
    """All that coexist: the blog and tags, macros, git dates, redirects, minify, section
    index and literate nav."""
    files = {**pages(first_next="blog/posts/launch.md"), **BLOG,
             "docs/SUMMARY.md": "* [Home](index.md)\n* [Guide](guide.md)\n"
             "* [Pricing](pricing.md)\n* [Support](support.md)\n* [Stories](stories.md)\n"
             "* [Blog](blog/index.md)\n* [Content map](content-map/index.md)\n"}
    plugins = [{"blog": {}}, {"tags": {}}, {"macros": {}},
               {"git-revision-date-localized": {"fallback_to_build_date": True}},
               {"redirects": {"redirect_maps": {"old.md": "guide.md"}}},
               {"section-index": {}}, {"literate-nav": {"nav_file": "SUMMARY.md"}},
               "content-map", {"minify": {"minify_html": True}}]
    return make(root, plugins, committed(root, files))


def everything_translated_site(root: Path) -> Built:
    """All of the above with mkdocs-static-i18n, first as it asks to be. Not strict: i18n
    warns that it leaves the blog's archive and category pages alone."""
    files = {**pages(first_next="blog/posts/launch.md"), **BLOG,
             "docs/index.fr.md": "---\npersonas: [reader]\nstage: awareness\n---\n# Accueil\n",
             "docs/SUMMARY.md": "* [Home](index.md)\n* [Guide](guide.md)\n"
             "* [Pricing](pricing.md)\n* [Support](support.md)\n* [Stories](stories.md)\n"
             "* [Blog](blog/index.md)\n* [Content map](content-map/index.md)\n"}
    plugins = [{"i18n": {"docs_structure": "suffix", "languages": LANGUAGES}},
               {"blog": {}}, {"tags": {}}, {"macros": {}},
               {"git-revision-date-localized": {"fallback_to_build_date": True}},
               {"redirects": {"redirect_maps": {"old.md": "guide.md"}}},
               {"section-index": {}}, {"literate-nav": {"nav_file": "SUMMARY.md"}},
               "content-map", {"minify": {"minify_html": True}}]
    return make(root, plugins, committed(root, files), strict=False)


BUILDERS: dict[str, Callable[[Path], Built]] = {
    "blog": blog_site,
    "blog-flat": lambda root: blog_site(root, use_directory_urls=False),
    "i18n-suffix": lambda root: i18n_site(root, "suffix"),
    "i18n-folder": lambda root: i18n_site(root, "folder"),
    "i18n-nav": lambda root: i18n_site(root, "suffix", nav=[
        {"Home": "index.md"}, {"Guide": "guide.md"}, {"Map": "content-map/index.md"}]),
    "awesome-nav": awesome_nav_site,
    "macros": macros_site,
    "git-dates": git_dates_site,
    "redirects": redirects_site,
    "minify": minify_site,
    "section-index": section_index_site,
    "literate-nav": literate_nav_site,
    "everything": everything_site,
    "everything-translated": everything_translated_site,
}


@pytest.mark.parametrize("name", ["awesome-nav", "macros", "git-dates", "redirects", "minify",
                                  "section-index", "literate-nav", "everything"])
def test_content_map_beside_the_plugin(sites, name: str):
    built = sites(name)
    assert_sound(built)
    assert built.export()["summary"]["pieces"] >= 5


def test_each_plugin_did_its_part(sites):
    """The plugins ran, not only content-map: what each adds is in the site."""
    assert "On Compat." in (sites("macros").site / "guide/index.html").read_text("utf-8")
    assert (sites("redirects").site / "old/index.html").is_file()
    assert "\n\n" not in (sites("minify").site / "guide/index.html").read_text("utf-8")
    assert "git-revision-date" in (sites("git-dates").site / "guide/index.html").read_text(
        "utf-8")
    nav = sites("literate-nav").page("index.html").xpath("//nav//a")
    assert any("Content map" in a.text_content() for a in nav)


def test_i18n_with_a_nav_that_lists_the_map(sites):
    """Each language's build resolves the nav's entry for the map (to the default
    language's), so `--strict` stays green."""
    built = sites("i18n-nav")
    assert_sound(built)
    french_nav = built.page("fr/index.html").xpath("//nav//a[contains(., 'Map')]/@href")
    assert french_nav and all(h.rstrip("/").endswith("content-map") for h in french_nav)


def test_everything_translated(sites):
    built = sites("everything-translated")
    assert_sound(built)
    warnings = [line for line in built.err.splitlines() if line.startswith("WARNING")]
    assert warnings and all("mkdocs_static_i18n: Unhandled file case - blog/" in w
                            for w in warnings), warnings
    assert (built.site / "fr/index.html").is_file()
    assert "../fr/" in built.page("content-map/index.html").xpath("//a[@class='cm-lang']/@href")
