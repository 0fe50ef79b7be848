"""The core never imports MkDocs: only the two adapters (plugin, config) may."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import content_map

ADAPTERS = {"plugin", "config", "__main__"}


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(content_map.__path__)
                  if m.name not in ADAPTERS)


def test_core_modules_import_without_mkdocs(site):
    site.write("docs/index.md", "---\npersonas: [p]\nstage: awareness\n---\n")
    site.write("personas/p.yml", "name: P\n")
    site.write("mkdocs.yml", "site_name: x\n")
    modules = core_modules()
    assert {"engine", "model", "safe_yaml", "rules", "coverage", "report", "cli"} <= set(modules)
    script = f"""
import sys, importlib, importlib.abc

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('mkdocs', 'properdocs', 'material'):
            raise ImportError('the core must not import ' + name)

sys.meta_path.insert(0, Block())
for name in {modules!r}:
    importlib.import_module('content_map.' + name)
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


def test_plugin_module_stays_a_thin_adapter():
    source = (content_map.__path__[0] + "/plugin.py")
    with open(source, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert len(lines) < 400, "plugin.py should only wire hooks; move logic into the core"
