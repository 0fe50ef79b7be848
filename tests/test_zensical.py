"""Zensical, which builds a site's mkdocs.yml but runs no MkDocs plugins: the documented
workflow (`content-map check` as the gate, `content-map generate` into a folder git
ignores, `zensical build`) publishes the map the plugin publishes, at the same URLs, with
`content-map.json` and links that all lead somewhere; the same holds for the plugin's
build under MkDocs and ProperDocs. The real `zensical` from the package index runs here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser.conftest import copy_example
from linkcheck import dead_links, map_links
from lxml import html

from conftest import Site, cli, minimal_site
from content_map.settings import Settings
from content_map.site.layout import EXPORT, Layout
from content_map.site.urls import page_url

if sys.version_info < (3, 11):
    pytest.skip("Zensical needs Python 3.11 or later", allow_module_level=True)

TODAY = "2026-01-15"
ENGINES = ("mkdocs", "properdocs", "zensical")
OUT = "content-map"  # the map's folder in the docs tree: `map_path`'s default


@dataclass
class Built:
    """A site built by one engine, and what `content-map check` said of it first."""

    root: Path
    site: Path
    docs: Path
    gate: int  # check's exit code
    checked: dict[str, Any]  # check --format json
    log: str

    def export(self) -> dict[str, Any]:
        return json.loads((self.site / OUT / EXPORT).read_text(encoding="utf-8"))


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def zensical_config(config: Path, **changes: Any) -> None:
    """The site as a team moving to Zensical keeps it: the same mkdocs.yml, with the
    Markdown extension that adds the badges."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.update(changes)
    extensions = data.setdefault("markdown_extensions", [])
    extensions.append("content_map.markdown")
    config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def gate(config: Path) -> tuple[int, dict[str, Any]]:
    done = cli(["check", "-f", str(config), "--format", "json", "--today", TODAY,
                "--no-cache"])
    return done.code, done.json()


def zensical_workflow(config: Path) -> Built:
    """The README's workflow, step by step, as CI runs it."""
    root = config.parent
    docs = root / (yaml.safe_load(config.read_text(encoding="utf-8")).get("docs_dir") or "docs")
    code, checked = gate(config)
    (root / ".gitignore").write_text(f"/{docs.name}/{OUT}/\n/site/\n", encoding="utf-8")
    generated = cli(["generate", "-f", str(config), "--out", str(docs / OUT),
                     "--today", TODAY])
    assert generated.code == 0, generated.err
    assert generated.err == ""
    build = run(["zensical", "build", "--clean", "-f", str(config)], root)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "Traceback" not in build.stderr and "content-map:" not in build.stderr, build.stderr
    return Built(root, root / "site", docs, code, checked, build.stdout + build.stderr)


def plugin_build(config: Path, engine: str) -> Built:
    root = config.parent
    code, checked = gate(config)
    build = run([engine, "build", "-f", str(config), "-d", str(root / "site")], root)
    assert build.returncode == 0, build.stderr[-4000:]
    return Built(root, root / "site", root, code, checked, build.stderr)


def built_by(engine: str, config: Path) -> Built:
    if engine == "zensical":
        zensical_config(config)
        return zensical_workflow(config)
    return plugin_build(config, engine)


def map_files(built: Built) -> set[str]:
    """Every file of the map in the built site, relative to the site folder."""
    return {p.relative_to(built.site).as_posix() for p in (built.site / OUT).rglob("*")
            if p.is_file()}


def expected_pages(checked: dict[str, Any], export: dict[str, Any],
                   use_directory_urls: bool = True) -> set[str]:
    """The built files of the map pages the plugin makes (SPEC: overview, Gaps, Problems,
    Needs attention, one page per persona and per stage), from the layout alone."""
    stages = [(j["id"], s["id"]) for j in export["journeys"] for s in j["stages"]]
    personas = [p["id"] for p in export["personas"]]
    layout = Layout(Settings(map_path=OUT), (), ())
    srcs = [layout.overview_src, layout.gaps_src, layout.problems_src, layout.attention_src,
            *(layout.persona_src(p) for p in personas),
            *(layout.stage_src(j, s) for j, s in stages)]
    assert len(checked["matrix"]) <= len(personas) * len(stages)
    return {_file(page_url(src, use_directory_urls)) for src in srcs}


def _file(url: str) -> str:
    return url + "index.html" if url.endswith("/") or not url else url


def assert_map_published(built: Built, use_directory_urls: bool = True) -> None:
    """The checks every engine passes: pages, export, links."""
    export = built.export()
    assert export["matrix"] == built.checked["matrix"]
    assert export["summary"] == built.checked["summary"]
    pages = expected_pages(built.checked, export, use_directory_urls)
    files = map_files(built)
    assert pages <= files, sorted(pages - files)
    assert {f"{OUT}/assets/content-map.css", f"{OUT}/assets/content-map.js"} <= files
    assert dead_links(built.site, OUT, fragments=True) == []
    linked = sum(len(map_links(built.site, page, OUT)) for page in pages)
    assert linked > 10 * len(pages)  # the check saw the map's links, not an empty page


# --- the bundled example, under each engine -------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    return {engine: built_by(engine, copy_example(tmp_path_factory.mktemp(engine)))
            for engine in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_example_map_is_published_whole(example: dict[str, Built], engine: str):
    built = example[engine]
    assert built.gate == 0  # the example has no error
    assert_map_published(built)


def test_zensical_publishes_every_file_the_plugin_publishes(example: dict[str, Built]):
    plugin = map_files(example["mkdocs"])
    assert map_files(example["properdocs"]) == plugin
    assert map_files(example["zensical"]) == plugin


def test_zensical_pages_show_what_the_plugin_pages_show(example: dict[str, Built]):
    def shown(built: Built, page: str, query: str) -> list[str]:
        tree = html.fromstring((built.site / OUT / page).read_text(encoding="utf-8"))
        return [" ".join(str(e if isinstance(e, str) else e.text_content()).split())
                for e in tree.xpath(query)]

    for page, query in [
        ("index.html", "//ul[contains(@class, 'cm-figures')]/li"),
        ("index.html", "//td[@data-cm-cell]"),
        ("index.html", "//form[@data-cm-filters]//select/@id"),
        ("personas/cfo/index.html", "//*[contains(@class, 'cm-flow')]//a"),
        ("attention/index.html", "//h2"),
        ("gaps/index.html", "//h2"),
        ("problems/index.html", "//h2"),
        # the table of contents, from the page's headings (the extension gives it)
        ("stages/buyer/decision/index.html", "//nav[contains(@class, 'md-nav--secondary')]"
                                             "//a/@href"),
    ]:
        mine = shown(example["zensical"], page, query)
        assert mine, (page, query)
        assert mine == shown(example["mkdocs"], page, query), (page, query)
    zensical = example["zensical"].site
    index = (zensical / OUT / "index.html").read_text(encoding="utf-8")
    assert index.count('href="assets/content-map.css"') == 1
    assert index.count('src="assets/content-map.js"') == 1


def test_badges_and_next_steps_come_from_the_markdown_extension(example: dict[str, Built]):
    export = example["zensical"].export()
    piece = next(p for p in export["pieces"] if p["next"] and p["status"] != "published")
    url = _file(page_url(piece["path"]))
    pages = {}
    for engine in ("mkdocs", "zensical"):
        tree = html.fromstring((example[engine].site / url).read_text(encoding="utf-8"))
        badges = tree.xpath("//div[contains(@class, 'cm-badges')]")
        steps = tree.xpath("//nav[contains(@class, 'cm-next')]")
        assert len(badges) == 1 and len(steps) == 1, engine
        pages[engine] = (" ".join(badges[0].text_content().split()),
                         [a.get("href") for a in steps[0].xpath(".//a")])
        title = tree.xpath("//article//h1")[0]
        assert title.getnext() is badges[0], engine  # under the title
    assert pages["zensical"] == pages["mkdocs"]
    assert piece["status"] in pages["zensical"][0]


def searched_map_pages(built: Built) -> set[str]:
    """The map pages a site's search index holds, by URL."""
    for name, key in (("search.json", "items"), ("search/search_index.json", "docs")):
        index = built.site / name
        if index.is_file():
            entries = json.loads(index.read_text(encoding="utf-8"))[key]
            return {str(e["location"]).partition("#")[0] for e in entries
                    if str(e["location"]).startswith(OUT)}
    raise AssertionError(f"no search index in {built.site}")


def test_the_search_index_holds_the_map_pages_the_plugin_lets_it(example: dict[str, Built]):
    plugin = searched_map_pages(example["mkdocs"])
    assert plugin == {f"{OUT}/"}  # the example's nav names only the overview
    assert searched_map_pages(example["zensical"]) == plugin


def test_status_values_are_no_navigation_markers(example: dict[str, Built]):
    for engine in ENGINES:
        index = (example[engine].site / "index.html").read_text(encoding="utf-8")
        assert "md-status" not in index, engine


# --- a site with gaps: the gate fails, the build does not ------------------------------


NOT_IN_NAV = f"/{OUT}/*\n!/{OUT}/index.md\n"
"""What the README tells a site without `nav` to add: the map's pages stay out of the
navigation but its overview, as the plugin does it."""


def gaps_site(site: Site, **config: Any) -> Path:
    minimal_site(site)
    site.config({}, theme={"name": "material"}, not_in_nav=NOT_IN_NAV, **config)
    site.write("personas/ops.yml", "name: Ops lead\n")  # no page serves this persona
    site.write("docs/draft.md", "---\npersonas: [ops]\nstage: decision\nstatus: draft\n"
               "owner: dana\n---\n# A draft\n")
    return site.root / "mkdocs.yml"


@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_a_site_with_gaps_publishes_its_gaps_and_check_is_the_gate(site: Site,
                                                                   use_directory_urls: bool):
    config = gaps_site(site, use_directory_urls=use_directory_urls)
    zensical_config(config)
    built = zensical_workflow(config)
    assert built.gate == 1  # check fails the pipeline ...
    gaps = built.checked["summary"]["gaps"]
    assert gaps == 5
    assert_map_published(built, use_directory_urls)  # ... the build does not
    name = "gaps/index.html" if use_directory_urls else "gaps.html"
    report = (built.site / OUT / name).read_text(encoding="utf-8")
    assert "Ops lead" in report and "dana" in report
    home = html.fromstring((built.site / "index.html").read_text(encoding="utf-8"))
    nav = {str(h).lstrip("./") for h in home.xpath("//nav[contains(@class, 'md-nav--primary')]"
                                                  "//a[contains(@class, 'md-nav__link')]/@href")}
    overview = f"{OUT}/" if use_directory_urls else f"{OUT}/index.html"
    assert {h for h in nav if h.startswith(OUT)} == {overview}
    assert searched_map_pages(built) == {overview}


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_a_site_with_gaps_under_the_plugin_stops_where_check_does(site: Site, engine: str):
    config = gaps_site(site)
    code, _ = gate(config)
    stopped = run([engine, "build", "-f", str(config)], site.root)
    assert code == stopped.returncode == 1
    assert "content-map found 5 problems at or above `error`" in stopped.stderr
    site.config({"fail_on": "never"}, theme={"name": "material"}, not_in_nav=NOT_IN_NAV)
    assert_map_published(plugin_build(config, engine))


def test_generate_twice_changes_nothing_and_keeps_what_it_did_not_write(site: Site):
    config = gaps_site(site)
    out = site.root / "docs" / OUT
    first = cli(["generate", "-f", str(config), "--out", str(out), "--today", TODAY])
    assert first.code == 0, first.err
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert {p.relative_to(out).as_posix() for p in files} >= {
        "index.md", "gaps.md", "problems.md", "attention.md", "personas/ops.md",
        "assets/content-map.css", "assets/content-map.js", "content-map.json",
        ".content-map-files"}
    (out / "notes.md").write_text("# Mine\n", encoding="utf-8")
    again = cli(["generate", "-f", str(config), "--out", str(out), "--today", TODAY])
    assert again.code == 0 and again.out == first.out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file() and p.name != "notes.md"} == files
    (site.root / "personas/ops.yml").unlink()
    (site.root / "docs/draft.md").unlink()
    third = cli(["generate", "-f", str(config), "--out", str(out), "--today", TODAY])
    assert "removed 1 that are no longer on the map: personas/ops.md" in third.out
    assert (out / "notes.md").read_text(encoding="utf-8") == "# Mine\n"


def test_zensical_stops_on_broken_front_matter_and_check_names_the_line(site: Site):
    config = gaps_site(site)
    site.write("docs/broken.md", "---\ntitle: Broken\npersonas: [reader\nstage: x\n---\n# B\n")
    code, checked = gate(config)
    assert code == 1
    found = [f for f in checked["findings"] if f["file"] == "docs/broken.md"]
    assert found and found[0]["rule"] == "yaml-syntax" and found[0]["line"] >= 3
    build = run(["zensical", "build", "--clean"], site.root)
    assert build.returncode != 0
    assert "broken.md" in build.stdout + build.stderr


def test_the_extension_adds_nothing_under_mkdocs_where_the_plugin_does_it(site: Site):
    minimal_site(site)
    site.config({}, theme={"name": "material"},
                markdown_extensions=["content_map.markdown"])
    build = run(["mkdocs", "build", "--strict"], site.root)
    assert build.returncode == 0, build.stderr
    page = (site.root / "site/awareness/index.html").read_text(encoding="utf-8")
    assert page.count('class="cm cm-badges"') == 1
    assert page.count('class="cm cm-next"') == 1


def test_the_extension_says_once_why_a_site_gets_no_badges(site: Site):
    minimal_site(site)
    site.config({"fail_on": "sometimes"}, theme={"name": "material"},
                markdown_extensions=["content_map.markdown"])
    build = run(["zensical", "build", "--clean"], site.root)
    assert build.returncode == 0, build.stderr
    log = build.stdout + build.stderr
    assert log.count("content-map: no badges in this build: fail_on: `sometimes`") == 1, log
    assert "Traceback" not in log
    page = (site.root / "site/awareness/index.html").read_text(encoding="utf-8")
    assert "cm-badges" not in page


def test_the_readme_documents_the_workflow_these_tests_run():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Zensical\n"):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)
    commands = [line.split("#")[0].split() for line in blocks[0][1].splitlines()]
    assert commands == [["content-map", "check"],
                        ["content-map", "generate", "--out", f"docs/{OUT}"],
                        ["zensical", "build", "--clean"]]
    settings = yaml.safe_load(blocks[1][1])
    assert settings["markdown_extensions"] == ["content_map.markdown"]
    assert settings["not_in_nav"] == NOT_IN_NAV
    job = yaml.safe_load(blocks[2][1])
    steps = [step.get("run", "") for step in job["jobs"]["docs"]["steps"]]
    assert [" ".join(c) for c in commands] == [s for s in steps if s.startswith(
        ("content-map", "zensical"))]
