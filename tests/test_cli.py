"""`content-map check`, `matrix` and `rules`: formats, output files, exit codes, colour, and
where `-f` goes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO, Site, cli, minimal_site


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


def test_config_file_before_the_command(site: Site, tmp_path, monkeypatch):
    gap_site(site)
    config = str(site.root / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)  # no mkdocs.yml here: the one named must be read
    before = cli(["-f", config, "check", "--format", "json"])
    assert before.code == 1, before.err
    assert before.json()["findings"] == site.check("--format", "json").json()["findings"]
    assert cli(["--config-file", config, "matrix"]).code == 0
    # Named after the command too, that one counts.
    assert cli(["-f", str(tmp_path / "missing.yml"), "check", "-f", config]).code == 1
    run = cli(["-f", config, "check", "-f", str(tmp_path / "missing.yml")])
    assert run.code == 2 and "missing.yml" in run.err


def test_rules_lists_the_catalogue_and_explains_a_rule():
    from content_map.rules.catalogue import RULES

    run = cli(["rules"])
    assert run.code == 0
    listed = {line.split()[0]: line.split()[1] for line in run.out.splitlines()}
    assert listed == {rule.id: rule.default for rule in RULES.values()}
    rule = RULES["dead-end"]
    run = cli(["rules", "dead-end"])
    assert run.code == 0
    assert rule.summary in run.out and rule.help in run.out
    assert f"default severity: {rule.default}" in run.out
    run = cli(["rules", "dead-ends"])
    assert run.code == 2 and "did you mean `dead-end`?" in run.err
    run = cli(["rules", "\x1b[31mnope"])
    assert run.code == 2 and "\x1b" not in run.err and "\\x1b" in run.err


def test_the_readme_rules_table_is_the_catalogue():
    from content_map.rules.catalogue import RULES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Rules\n", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \|", section, re.MULTILINE)
    assert len(rows) == len(dict(rows))  # each rule once
    assert dict(rows) == {rule.id: rule.default for rule in RULES.values()}


def test_formats_come_from_the_registry():
    from content_map.cli import get_parser
    from content_map.reports.registry import EXPORTS, FORMATS

    commands = next(a for a in get_parser()._actions if a.dest == "command").choices
    check = next(a for a in commands["check"]._actions if a.dest == "format")
    assert check.choices == list(FORMATS) and check.default == "text"
    export = commands["export"]._actions
    assert next(a for a in export if a.dest == "format").choices == ["json", "csv"]
    assert next(a for a in export if a.dest == "table").choices == [
        f.table for f in EXPORTS if f.table]
    assert all(f.name in check.help for f in FORMATS.values())


def test_new_page_writes_the_sites_own_field_names(site: Site):
    minimal_site(site)
    site.config({"fields": {"personas": "audience", "stage": "phase"}})
    for page in ("awareness", "consideration", "decision", "retention", "advocacy"):
        site.write(f"docs/{page}.md", f"---\naudience: [reader]\nphase: {page}\n---\n")
    run = cli(["new", "page", "guides/more.md", "--persona", "reader", "--stage", "decision",
               "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0, run.err
    head = (site.root / "docs/guides/more.md").read_text(encoding="utf-8").split("---")[1]
    assert "audience:" in head and "phase:" in head and "personas:" not in head
