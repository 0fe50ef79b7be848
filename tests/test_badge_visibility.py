"""Badges on a public site, only in previews, or never: `badges: public | internal | off`."""

from __future__ import annotations

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import Site, minimal_site
from content_map.settings import PREVIEW_VARIABLE


def _built(site: Site, badges: object, command: str = "build") -> str:
    minimal_site(site, {"badges": badges})
    config = load_config(str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    config.plugins.on_startup(command=command, dirty=False)
    build(config)
    return (site.root / "site/awareness/index.html").read_text("utf-8")


@pytest.mark.parametrize(("badges", "shown"), [
    (True, True), ("public", True), (False, False), ("off", False), ("internal", False),
])
def test_a_build_shows_badges_as_the_option_says(site: Site, badges: object, shown: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREVIEW_VARIABLE, raising=False)
    page = _built(site, badges)
    assert ("cm-badges" in page) is shown
    assert (site.root / "site/content-map/index.html").is_file()  # the map stays


def test_internal_badges_show_in_a_preview_build(site: Site,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREVIEW_VARIABLE, "1")
    assert "cm-badges" in _built(site, "internal")


def test_internal_badges_show_under_serve(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREVIEW_VARIABLE, raising=False)
    assert "cm-badges" in _built(site, "internal", command="serve")


def test_an_unknown_badge_mode_is_a_configuration_error(site: Site) -> None:
    minimal_site(site, {"badges": "sometimes"})
    run = site.check()
    assert run.code == 2
    assert "badges: `sometimes` is not one of true, false, public, internal, off" in run.err
