"""The generated pages' links and front-matter, without an engine: every link the renderer
makes for a page's URL, rebased onto the page's Markdown file, leads to the same place
once an engine that reads links as relative to the Markdown file (Zensical) resolves it;
any title reads back from the front-matter as it was written."""

from __future__ import annotations

import posixpath
import re

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from content_map.site.markdown_pages import _yaml_string, rebase
from content_map.site.urls import page_url, relative_url

SEGMENT = st.sampled_from(["a", "b", "index", "map", "x y", "é"])
SOURCE = st.lists(SEGMENT, min_size=0, max_size=3).map(
    lambda parts: "/".join([*parts, "page"]) + ".md") | st.sampled_from(["index.md",
                                                                          "a/index.md"])
TARGET = st.lists(SEGMENT, min_size=0, max_size=3).map(lambda parts: "/".join(parts))


def resolved_by_the_engine(href: str, src: str, url: str) -> str:
    """Where a link on the page from `src` (built at `url`) leads, read as Zensical reads
    it: relative to the folder of the Markdown file."""
    base = posixpath.dirname(src)
    path = href.split("#", 1)[0].split("?", 1)[0]
    target = posixpath.normpath(posixpath.join(base, path)) if path else base
    target = "" if target == "." else target
    return target + "/" if (path.endswith("/") or path in (".", "..")) and target else target


@settings(max_examples=400, deadline=None)
@given(SOURCE, TARGET, st.booleans(), st.booleans(), st.sampled_from(["", "#x", "?a=1#y"]))
def test_a_rebased_link_leads_where_the_page_link_led(src, target, directory, folder, tail):
    url = page_url(src, directory)
    target_url = target + "/" if folder and target else target
    href = relative_url(target_url, url) + tail
    html = f'<p><a class="x" href="{href}" data-x=\'{{"href":"{href}"}}\'>t</a></p>'
    done = rebase(html, url, src)
    moved = re.search(r' href="([^"]*)"', done)
    assert moved is not None
    assert moved.group(1).endswith(tail)
    assert resolved_by_the_engine(moved.group(1), src, url).rstrip("/") == \
        target_url.rstrip("/")
    assert f'data-x=\'{{"href":"{href}"}}\'' in done  # page data is left as it was


def test_fragments_queries_and_outside_addresses_stay():
    html = ('<a href="#top">a</a><a href="?q=1">b</a><a href="https://e.com/x">c</a>'
            '<a href="mailto:a@b.c">d</a><a href="/abs/">e</a>')
    assert rebase(html, "map/gaps/", "map/gaps.md") == html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_any_title_reads_back_from_the_front_matter(title):
    assert yaml.safe_load(f"title: {_yaml_string(title)}\n")["title"] == title
