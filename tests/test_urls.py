"""Relative URLs: the fast segment comparison agrees with `posixpath.relpath`."""

from __future__ import annotations

import posixpath

from hypothesis import example, given, settings
from hypothesis import strategies as st

from content_map.site.urls import relative_url


def by_relpath(url: str, base: str) -> str:
    """The definition: what `relative_url` computed before it compared segments itself."""
    if url in ("", "."):
        url = "./"
    base_dir = base if base.endswith("/") or base == "" else posixpath.dirname(base)
    rel = posixpath.relpath("/" + url, "/" + base_dir)
    if url.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


segment = st.sampled_from(["a", "b", "content-map", "personas", "x y", "%C3%A9", ".", ".."])
url = st.builds(lambda parts, slash, page: "/".join(parts) + ("/" if slash else page),
                st.lists(segment, max_size=4), st.booleans(),
                st.sampled_from(["", "/index.html", "/page.html", "/data.json"]))


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(url, url)
@example("", "")
@example(".", "a/")
@example("content-map/personas/cfo/", "content-map/")
@example("content-map/", "content-map/personas/cfo/")
@example("guides/pilot/", "guides/pilot/")
@example("a/b.html", "a/b.html")
@example("a//b/", "a/")
def test_relative_url_agrees_with_relpath(target: str, base: str):
    assert relative_url(target, base) == by_relpath(target, base)


def test_relative_urls_between_map_pages_and_content_pages():
    assert relative_url("content-map/personas/cfo/", "guides/pilot/") == \
        "../../content-map/personas/cfo/"
    assert relative_url("guides/pilot/", "content-map/") == "../guides/pilot/"
    assert relative_url("content-map/", "content-map/") == "./"
    assert relative_url("", "content-map/stages/buyer/decision/") == "../../../../"
    assert relative_url("content-map/content-map.json", "content-map/gaps/") == \
        "../content-map.json"
