"""The install the README gives, as a new user follows it: the wheel built with the
standard build tool, installed into a new virtual environment, used on the small site of
the README's "Use it on your site" walk-through: first gap, fix, green, and a map whose
templates and assets came from the wheel.

It needs the package index (or the machine's configured mirror) for the dependencies, as
the README's install does, and takes about a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.wheel

SOURCE = ("pyproject.toml", "README.md", "LICENSE")


def run(args: list[str | Path], cwd: Path, env: dict[str, str],
        timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def test_the_wheel_installs_and_builds_a_site_with_its_map(tmp_path: Path) -> None:
    # A copy of what the wheel is made of: building in the repository would write into it.
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCE:
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "plugins" / "content_map", source / "plugins" / "content_map",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    built = run([sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "dist",
                 source], tmp_path, env)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("mkdocs_content_map-*-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packaged = {Path(n).name for n in names if "/site/templates/" in n or "/site/assets/" in n}
    shipped = {p.name for folder in ("templates", "assets")
               for p in (REPO / "plugins/content_map/site" / folder).iterdir() if p.is_file()}
    assert shipped and shipped <= packaged
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

    # A new environment that sees nothing of this one: the wheel, its dependencies from
    # the index, nothing else.
    home = tmp_path / "env"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home)
    bin_dir = home / ("Scripts" if os.name == "nt" else "bin")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    installed = run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], tmp_path,
                    env, timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    where = run([bin_dir / "python", "-c", "import content_map; print(content_map.__file__)"],
                tmp_path, env)
    assert Path(where.stdout.strip()).is_relative_to(home), where.stdout

    # The README's walk-through, on a site written from scratch.
    site = tmp_path / "site"
    write(site, "mkdocs.yml", """
        site_name: Acme docs
        plugins:
          - search
          - content-map
        """)
    write(site, "personas/ops-lead.yml", """
        name: Olivia, Operations Lead
        summary: Runs month-end close and wants it shorter.
        """)
    write(site, "journeys/buyer.yml", """
        name: Buyer journey
        stages:
          - id: awareness
            name: Awareness
            goal: The reader sees the problem.
          - id: decision
            name: Decision
            goal: The reader chooses a tool.
        """)
    write(site, "docs/index.md", "# Acme\n")
    write(site, "docs/why-close-is-slow.md", """
        ---
        personas: [ops-lead]
        stage: awareness
        next: [pricing.md]
        ---
        # Why month-end close is slow
        """)
    first = run([bin_dir / "content-map", "check"], site, env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "no published page for `ops-lead` at `buyer/decision`" in first.stdout
    assert "the next step `pricing.md` is not a page of this site" in first.stdout

    made = run([bin_dir / "content-map", "new", "page", "docs/pricing.md", "--persona",
                "ops-lead", "--stage", "decision"], site, env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("created docs/pricing.md:"), made.stdout
    page = site / "docs" / "pricing.md"
    page.write_text(page.read_text(encoding="utf-8").replace("status: draft",
                                                             "status: published"),
                    encoding="utf-8")
    green = run([bin_dir / "content-map", "check"], site, env)
    assert green.returncode == 0, green.stdout + green.stderr
    assert green.stdout.lower().startswith("no problems"), green.stdout

    build = run([bin_dir / "mkdocs", "build", "--strict"], site, env)
    assert build.returncode == 0, build.stderr[-3000:]
    overview = (site / "site" / "content-map" / "index.html").read_text(encoding="utf-8")
    assert "Olivia, Operations Lead" in overview
    assets = site / "site" / "content-map" / "assets"
    assert {p.name for p in assets.iterdir()} >= {"content-map.css", "content-map.js"}
    # the cache keeps itself out of git, as the README says
    assert "*" in (site / ".cache" / "content-map" / ".gitignore").read_text().splitlines()
