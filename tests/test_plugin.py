"""The MkDocs adapter under the real `mkdocs build` / `serve` (and ProperDocs)."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time

import pytest
import yaml

from conftest import REPO, Site, minimal_site

ENGINES = ["mkdocs", "properdocs"]


@pytest.mark.parametrize("engine", ENGINES)
def test_clean_site_builds_strict(site: Site, engine: str):
    minimal_site(site)
    run = site.build("--strict", engine=engine)
    assert run.code == 0, run.err
    assert "content-map" not in run.err
    assert (site.root / "site" / "awareness" / "index.html").is_file()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("options, message", [
    ({"fail_onn": "warn"}, "`fail_onn` is not an option of content-map; did you mean `fail_on`?"),
    ({"fail_on": "sometimes"}, "Expected one of: ('error', 'warn', 'never')"),
    ({"badges": "maybe"}, "badges: `maybe` is not one of true, false, public, internal, off"),
    ({"badges": 3}, "Expected type: (<class 'bool'>, <class 'str'>)"),
    ({"rules": {"stale": "loud"}}, "Expected one of: ('error', 'warn', 'info', 'ignore')"),
    ({"rules": {"stail": "warn"}}, "rules: `stail` is not a rule; did you mean `stale`?"),
    ({"coverage": {"count_status": ["done"]}}, "Expected one of:"),
    ({"coverage": {"waivers": [{"persona": "reader"}]}}, "needs stage, reason"),
])
def test_bad_options_are_config_errors(site: Site, engine: str, options, message):
    minimal_site(site, options)
    run = site.build(engine=engine)
    assert run.code == 1
    assert message in run.err
    assert "Traceback" not in run.err
    assert "content-map" in run.err


def test_check_reports_bad_options_with_exit_2(site: Site):
    minimal_site(site, {"fail_onn": "warn"})
    run = site.check()
    assert run.code == 2
    assert "invalid content-map options" in run.err
    assert "did you mean `fail_on`?" in run.err


def stale_site(site: Site, options: dict) -> Site:
    minimal_site(site, options)
    site.write("docs/advocacy.md", "---\npersonas: [reader]\nstage: advocacy\n"
               "review_by: 2020-01-01\n---\n# Advocacy\n")
    return site


def test_warnings_fail_strict_builds_through_the_plugin_logger(site: Site):
    stale_site(site, {})
    assert site.build().code == 0
    run = site.build("--strict")
    assert run.code == 1
    assert "WARNING -  content-map: docs/advocacy.md:4: stale:" in run.err
    assert "Aborted with 1 warnings in strict mode!" in run.out + run.err


def test_fail_on_warn_aborts_on_warnings(site: Site):
    stale_site(site, {"fail_on": "warn"})
    run = site.build()
    assert run.code == 1
    assert "content-map found 1 problem at or above `warn`:" in run.err
    assert "docs/advocacy.md:4: stale:" in run.err


def test_fail_on_never_builds_and_logs_errors(site: Site):
    minimal_site(site, {"fail_on": "never"})
    site.write("docs/advocacy.md", "---\npersonas: [nobody]\nstage: advocacy\n---\n# A\n")
    run = site.build()
    assert run.code == 0, run.err
    assert "ERROR   -  content-map: docs/advocacy.md:2: unknown-persona" in run.err
    assert (site.root / "site" / "advocacy" / "index.html").is_file()


def test_broken_front_matter_is_not_rendered_as_page_text(site: Site):
    minimal_site(site, {"fail_on": "never"})
    site.write("docs/advocacy.md", "---\npersonas: [reader\nstage: advocacy\n---\n# Advocacy\n")
    site.write("docs/deep.md", "---\nx: " + "[" * 30000 + "]" * 30000 + "\n---\n# Deep\n")
    run = site.build()
    assert run.code == 0, run.err[-2000:]
    html = (site.root / "site" / "advocacy" / "index.html").read_text()
    assert "personas: [reader" not in html
    assert "<h1 id=\"advocacy\">Advocacy</h1>" in html
    assert "values are nested more than 32 levels deep" in run.err
    assert (site.root / "site" / "deep" / "index.html").is_file()


def test_other_plugins_see_the_front_matter_mkdocs_would_parse(site: Site):
    """The plugin parses each page's block for MkDocs: `page.meta` must be what MkDocs's
    own parse gives, plain dicts and lists, the first line of the page text included."""
    minimal_site(site, {"fail_on": "never"})
    block = ("title: Decision\npersonas: [reader]\nstage: decision\nreview_by: 2099-01-01\n"
             "extra:\n  tags: [a, b]\n  nested: {x: 1}\nnotes:\n  - one\n  - two\n")
    site.write("docs/decision.md", f"---\n{block}---\n\n# Decision\n\nText.\n")
    site.write("hooks.py", """
        import json, yaml
        seen = {}
        def on_page_markdown(markdown, page, **kwargs):
            if page.file.src_uri == "decision.md":
                seen["meta"] = repr(page.meta)
                seen["types"] = sorted({type(v).__name__ for v in page.meta.values()})
                seen["start"] = markdown.lstrip("\\n")[:10]
            return markdown
        def on_post_build(config, **kwargs):
            with open("seen.json", "w") as out:
                json.dump(seen, out)
    """)
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    site.write("mkdocs.yml", config + "hooks: [hooks.py]\n")
    run = site.build()
    assert run.code == 0, run.err[-2000:]
    seen = json.loads((site.root / "seen.json").read_text(encoding="utf-8"))
    assert seen["meta"] == repr(yaml.safe_load(block))
    assert seen["types"] == ["date", "dict", "list", "str"]
    assert seen["start"] == "# Decision"


def test_disabled_plugin_does_nothing(site: Site):
    minimal_site(site, {"enabled": False})
    site.write("docs/advocacy.md", "---\npersonas: [nobody]\nstage: advocacy\n---\n# A\n")
    assert site.build("--strict").code == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_until(proc: subprocess.Popen, needle: str, timeout: float) -> str:
    """Read the server's log until `needle` appears (or fail after `timeout` seconds)."""
    seen = ""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            raise AssertionError(f"`{needle}` not seen; log so far:\n{seen}")
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(fd, 65536).decode(errors="replace")
            seen += chunk
    return seen


@pytest.mark.parametrize("engine", ENGINES)
def test_serve_stays_alive_on_findings_and_watches_personas(site: Site, engine: str):
    minimal_site(site)
    site.write("docs/advocacy.md", "---\npersonas: [nobody]\nstage: advocacy\n---\n# A\n")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", engine, "serve", "-f", str(site.root / "mkdocs.yml"),
         "-a", f"127.0.0.1:{port}"],
        cwd=site.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        log = _read_until(proc, "Serving on", 60)
        assert "docs/advocacy.md:2: unknown-persona: `nobody` is not a persona" in log
        # a new persona file fixes the page: the server notices and rebuilds without it
        site.write("personas/nobody.yml", "name: Nobody\n")
        log = _read_until(proc, "Reloading browsers", 30)
        assert proc.poll() is None
        assert "`nobody` is not a persona" not in log
        assert "coverage-gap: no published page for `nobody` at `buyer/awareness`" in log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize("engine", ENGINES)
def test_serve_fail_true_stops_serve_on_findings(site: Site, engine: str):
    minimal_site(site, {"serve_fail": True})
    site.write("docs/advocacy.md", "---\npersonas: [nobody]\nstage: advocacy\n---\n# A\n")
    proc = subprocess.run(
        [sys.executable, "-m", engine, "serve", "-f", str(site.root / "mkdocs.yml"),
         "-a", f"127.0.0.1:{_free_port()}"],
        cwd=site.root, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "content-map found" in proc.stderr and "unknown-persona" in proc.stderr


@pytest.mark.parametrize("engine", ENGINES)
def test_bundled_example_builds_strict(tmp_path, engine: str):
    run = subprocess.run(
        [sys.executable, "-m", engine, "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
         "-d", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "INFO    -  content-map: personas/cfo.yml:1: coverage-gap:" in run.stderr
    assert "waived" in run.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_bundled_example_checks_clean():
    from conftest import cli

    run = cli(["check", "-f", str(REPO / "mkdocs.yml"), "--format", "json"])
    assert run.code == 0
    report = run.json()
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0
    assert report["summary"]["pieces"] >= 30
    assert 4 <= report["summary"]["personas"] <= 6
    assert [c["state"] for c in report["matrix"]].count("waived") >= 1
