"""`content-map schema`: JSON Schemas built from the declarations `check` enforces."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, Site, cli, minimal_site
from content_map.jsonschemas import DIALECT, all_schemas
from content_map.load.header import split_header
from content_map.load.schema import JOURNEY_FIELDS, PAGE_FIELDS, PERSONA_FIELDS, STAGE_FIELDS


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates stay strings."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str):
    return yaml.load(text, Loader=EditorLoader)  # noqa: S506 - a safe loader


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("schemas")
    run = cli(["schema", "--out", str(out), "-f", str(REPO / "mkdocs.yml")])
    assert run.code == 0, run.err
    files = sorted(p.name for p in out.iterdir())
    assert files == ["journey.schema.json", "page.schema.json", "persona.schema.json"]
    return {name.split(".")[0]: json.loads((out / name).read_text()) for name in files}


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def test_the_schemas_are_valid_draft_2020_12(schemas):
    for schema in schemas.values():
        assert schema["$schema"] == DIALECT
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schemas_come_from_the_declarations(schemas):
    for kind, fields in (("persona", PERSONA_FIELDS), ("journey", JOURNEY_FIELDS),
                         ("page", PAGE_FIELDS)):
        properties = schemas[kind]["properties"]
        assert list(properties) == [f.name for f in fields]
        for field in fields:
            assert properties[field.name]["description"] == field.description
    stage = schemas["journey"]["properties"]["stages"]["items"]
    assert list(stage["properties"]) == [f.name for f in STAGE_FIELDS]
    assert schemas["persona"]["required"] == ["name"]
    assert schemas["journey"]["required"] == ["stages"]
    assert schemas["persona"]["additionalProperties"] is False  # `unknown-field` in check
    assert schemas["page"]["additionalProperties"] is True  # MkDocs's own keys are welcome


def test_every_registry_file_of_the_bundled_example_is_valid(schemas):
    checked = 0
    for kind, folder in (("persona", "personas"), ("journey", "journeys")):
        for path in sorted((REPO / folder).glob("*.y*ml")):
            errors = list(validator(schemas[kind]).iter_errors(load(path.read_text())))
            assert not errors, (path, errors[0].message)
            checked += 1
    assert checked >= 6
    pages = 0
    for path in sorted((REPO / "content").rglob("*.md")):
        header, _ = split_header(path.read_text(encoding="utf-8"))
        if header.state != "ok":
            continue
        errors = list(validator(schemas["page"]).iter_errors(load(header.yaml)))
        assert not errors, (path, errors[0].message)
        pages += 1
    assert pages >= 30


MALFORMED = [
    ("persona", "name: Olivia\ntype: externl\n"),
    ("persona", "summary: no name\n"),
    ("persona", "name: Olivia\ngoals: {first: grow}\n"),
    ("persona", "name: Olivia\naliases: [Olivia Smith]\n"),
    ("persona", "name: Olivia\nnmae: typo\n"),
    ("persona", "name: Olivia\nskip_stages:\n  - stage: awareness\n"),
    ("persona", "name: Olivia\ndemographics: {age: [35, 44]}\n"),
    ("persona", "name: Olivia\nstages:\n  awareness: {emotion: calm, feeling: x}\n"),
    ("persona", "name: ''\n"),
    ("journey", "name: Buyer\n"),
    ("journey", "name: Buyer\nstages:\n  - id: Awareness Stage\n"),
    ("journey", "name: Buyer\nstages:\n  - name: no id\n"),
    ("journey", "stages:\n  - id: awareness\n    min_content: -1\n"),
    ("journey", "stages:\n  - id: awareness\n    min_content: two\n"),
    ("page", "personas: [cfo]\nstage: decision\nstatus: done\n"),
    ("page", "personas: [cfo]\nstage: decision\nreview_by: next week\n"),
    ("page", "personas: {cfo: yes}\nstage: decision\n"),
    ("page", "personas: [cfo]\nstage: [decision, retention]\n"),
]


@pytest.mark.parametrize("kind, text", MALFORMED)
def test_malformed_files_are_rejected_by_the_schema_and_by_check(schemas, site: Site, kind,
                                                                 text):
    assert list(validator(schemas[kind]).iter_errors(load(text))), "the schema accepted it"
    minimal_site(site)
    target = {"persona": "personas/p.yml", "journey": "journeys/buyer.yml",
              "page": "docs/p.md"}[kind]
    site.write(target, f"---\n{text}---\n# P\n" if kind == "page" else text)
    report = site.check("--format", "json").json()
    rules = {f["rule"] for f in report["findings"] if f["file"] == target}
    assert rules & {"schema", "unknown-field", "yaml-syntax"}, report["findings"]


VALID = [
    ("persona", "name: Olivia\ndemographics: {age: 35, location: UK}\ngoals:\n"),
    ("persona", "name: Olivia\npains: One pain only\njourneys: buyer\n"),
    ("persona", "name: Olivia\nstages:\n  buyer/awareness:\n  decision: {emotion: calm}\n"),
    ("journey", "stages:\n  - id: awareness\n    questions: Why?\n    min_content: 0\n"),
    ("page", "personas: reader\nstage: awareness\nreview_by: 2099-01-01\nstatus:\n"
             "template: custom.html\nhide: [toc]\n"),
]


@pytest.mark.parametrize("kind, text", VALID)
def test_valid_files_are_accepted_by_the_schema_and_by_check(schemas, site: Site, kind, text):
    errors = list(validator(schemas[kind]).iter_errors(load(text)))
    assert not errors, errors[0].message
    minimal_site(site)
    target = {"persona": "personas/reader.yml", "journey": "journeys/buyer.yml",
              "page": "docs/awareness.md"}[kind]
    site.write(target, f"---\n{text}---\n# P\n" if kind == "page" else text)
    report = site.check("--format", "json").json()
    rules = {f["rule"] for f in report["findings"] if f["file"] == target}
    assert not rules & {"schema", "unknown-field", "yaml-syntax"}, report["findings"]


def test_the_page_schema_follows_the_fields_option(site: Site, tmp_path):
    minimal_site(site, {"fields": {"personas": "audience", "stage": "funnel_stage"}})
    run = cli(["schema", "page", "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0, run.err
    page = json.loads(run.out)
    assert "audience" in page["properties"] and "funnel_stage" in page["properties"]
    assert "personas" not in page["properties"]
    assert all_schemas()["page.schema.json"]["properties"].keys() >= {"personas", "stage"}


def test_schema_without_a_site_prints_the_one_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for kind in ("persona", "journey", "page"):
        run = cli(["schema", kind])
        assert run.code == 0
        assert json.loads(run.out) == all_schemas()[f"{kind}.schema.json"]
    assert cli(["schema", "page", "-f", str(tmp_path / "missing.yml")]).code == 2


def test_readme_documents_the_editor_setup():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme
    assert "content-map schema --out" in readme
    assert Path(REPO / "README.md").is_file()
