"""The package's shape: a core that never imports MkDocs, folders that follow the pipeline
(load → rules → reports, site), small modules and thin adapters."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import content_map

PACKAGE = Path(content_map.__path__[0])
ON_MKDOCS = {"content_map.plugin", "content_map.config"}
"""The adapters that import MkDocs (the command line loads `config` only to validate)."""
ADAPTERS = ON_MKDOCS | {"content_map.cli", "content_map.__main__"}
STAGES = ("load", "rules", "reports", "site")
MAX_LINES = {"plugin": 250, "cli": 300}
"""Adapters' own limits; every other module stays under `MAX_MODULE_LINES`."""
MAX_MODULE_LINES = 400


def all_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(content_map.__path__, "content_map."))


def core_modules() -> list[str]:
    return [name for name in all_modules() if name not in ADAPTERS]


def mkdocs_free_modules() -> list[str]:
    return [name for name in all_modules() if name not in ON_MKDOCS | {"content_map.__main__"}]


def test_the_pipeline_shows_in_the_folders():
    modules = set(all_modules())
    for stage in STAGES:
        assert f"content_map.{stage}" in modules
        assert any(m.startswith(f"content_map.{stage}.") for m in modules)
    assert not [m for m in modules if m.count(".") > 2], "one level of folders"


def test_core_modules_import_without_mkdocs(site):
    site.write("docs/index.md", "---\npersonas: [p]\nstage: awareness\n---\n")
    site.write("personas/p.yml", "name: P\n")
    site.write("mkdocs.yml", "site_name: x\n")
    modules = mkdocs_free_modules()
    assert {"content_map.engine", "content_map.load.safe_yaml", "content_map.rules.coverage",
            "content_map.reports.text", "content_map.site.markdown_pages",
            "content_map.cli"} <= set(modules)
    script = f"""
import sys, importlib, importlib.abc

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('mkdocs', 'properdocs', 'material'):
            raise ImportError('the core must not import ' + name)

sys.meta_path.insert(0, Block())
for name in {modules!r}:
    importlib.import_module(name)
from content_map.cli import main
code = main(['check', '-f', {str(site.root / 'mkdocs.yml')!r}, '--format', 'json'])
assert code == 1, code  # the persona has gaps: the check ran to the end
assert not any(m.split('.')[0] in ('mkdocs', 'properdocs') for m in sys.modules)
print('ok')
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().endswith("ok")


def _imports(path: Path, module: str) -> set[str]:
    """Every module of the package that `path` imports (at the top or inside a function)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("content_map")}


def _module_path(name: str) -> Path:
    parts = name.split(".")[1:]
    folder = PACKAGE.joinpath(*parts)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


FORBIDDEN = {
    "load": ("rules", "reports", "site", "plugin", "config", "cli"),
    "rules": ("reports", "site", "plugin", "config", "cli"),
    "reports": ("site", "plugin", "config", "cli"),
    "site": ("plugin", "config", "cli"),
}


def test_each_stage_imports_only_what_comes_before_it():
    wrong = []
    for name in all_modules():
        parts = name.split(".")
        stage = parts[1] if len(parts) > 1 else ""
        for target in _imports(_module_path(name), name):
            top = target.split(".")[1] if target.count(".") else ""
            if top in FORBIDDEN.get(stage, ()):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_core_imports_no_adapter():
    wrong = [f"{name} imports {target}" for name in core_modules()
             for target in _imports(_module_path(name), name) if target in ADAPTERS]
    assert wrong == []


def test_modules_are_small_and_adapters_thin():
    long = []
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = MAX_LINES.get(path.stem, MAX_MODULE_LINES) if path.parent == PACKAGE \
            else MAX_MODULE_LINES
        if lines > limit:
            long.append(f"{path.relative_to(PACKAGE)}: {lines} lines (limit {limit})")
    assert long == []
