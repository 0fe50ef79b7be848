"""`content-map check` and `matrix`: formats, output files, exit codes, colour."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import Site, cli, minimal_site


def gap_site(site: Site) -> Site:
    minimal_site(site)
    site.write("docs/advocacy.md", "# No longer mapped\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n---\n")
    return site


def test_exit_codes(site: Site):
    minimal_site(site)
    assert site.check().code == 0
    gap_site(site)
    assert site.check().code == 1
    assert site.check("--fail-on", "never").code == 0


def test_usage_errors_exit_2(site: Site, tmp_path):
    assert cli(["check", "-f", str(tmp_path / "missing.yml")]).code == 2
    assert cli(["nonsense"]).code == 2
    assert cli(["check", "--format", "yaml"]).code == 2
    minimal_site(site)
    assert site.check("--today", "someday").code == 2
    site.write("mkdocs.yml", "site_name: [unclosed\n")
    run = site.check()
    assert run.code == 2 and "invalid YAML" in run.err
    site.write("mkdocs.yml", "site_name: x\ndocs_dir: nowhere\n")
    run = site.check()
    assert run.code == 2 and "does not exist" in run.err


def test_output_file_holds_the_report(site: Site):
    gap_site(site)
    target = site.root / "report.json"
    run = site.check("--format", "json", "-o", str(target))
    assert run.code == 1 and run.out == ""
    report = json.loads(target.read_text())
    assert report["version"] == 1
    assert [f["rule"] for f in report["findings"]] == ["dead-end", "coverage-gap"]
    assert set(report["summary"]) >= {"personas", "stages", "pieces", "errors", "warnings",
                                      "coverage"}


def test_colour_only_when_asked_or_on_a_terminal(site: Site, monkeypatch):
    gap_site(site)
    assert "\033[" not in site.check().out
    assert "\033[31;1m" in site.check("--color", "always").out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in site.check("--color", "auto").out


def test_check_without_plugin_options_uses_defaults(site: Site):
    minimal_site(site)
    site.write("mkdocs.yml", "site_name: No plugin here\ndocs_dir: docs\n"
               "markdown_extensions:\n  - pymdownx.emoji:\n"
               "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    assert site.check().code == 0


def test_env_tags_and_inherit_in_mkdocs_yml(site: Site, monkeypatch):
    minimal_site(site)
    site.write("base.yml", "site_name: Base\nplugins:\n  - content-map:\n"
               "      personas_dir: !ENV [PERSONAS_DIR, personas]\n")
    site.write("mkdocs.yml", "INHERIT: base.yml\ndocs_dir: docs\n")
    monkeypatch.setenv("PERSONAS_DIR", "people")
    site.write("people/reader.yml", "name: Rita\n")
    (site.root / "personas" / "reader.yml").unlink()
    report = site.check("--format", "json").json()
    assert report["summary"]["personas"] == 1 and report["findings"] == []


def test_matrix_prints_states(site: Site):
    gap_site(site)
    run = cli(["matrix", "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0
    rows = run.out.splitlines()
    assert rows[0] == "Buyer journey (buyer)"
    assert rows[1].split() == ["awareness", "consideration", "decision", "retention", "advocacy"]
    assert rows[2].split() == ["reader", "✔", "1", "✔", "1", "✔", "1", "✔", "1", "✖", "0"]
    assert "coverage 80%" in run.out


def test_module_entry_point_and_console_script(site: Site):
    minimal_site(site)
    run = subprocess.run([sys.executable, "-m", "content_map", "check", "-f",
                          str(site.root / "mkdocs.yml")], capture_output=True, text=True)
    assert run.returncode == 0
    assert "no problems" in run.stdout
