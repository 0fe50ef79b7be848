"""The cache folder is part of the repository, so it is untrusted input like the rest.

A committed `.cache/` must not run code (no pickle, no marshalled templates are loaded
from it), must not send writes out of the project (a `.cache` link), must not hang a run
(a FIFO at a cache file's name), and a cache that cannot be written must not fail one.
Each case runs `content-map check` and a real MkDocs build, and compares the result with
a run that has no cache.
"""

from __future__ import annotations

import errno
import hashlib
import json
import marshal
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jinja2.bccache import bc_magic
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import Site, age, cli, minimal_site, same_tree
from content_map.site import renderer

CACHE = Path(".cache/content-map")
NAMES = ("pages", "settings", "across-pieces", "rendered")


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's own cache folder (compiled templates), outside every test project."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path, build_warnings) -> Site:
    """A small site with a finding or two, its files old enough to be cached."""
    build_warnings.expect(r"unknown-persona: `nobody`")  # reported, not fatal: fail_on never
    site = minimal_site(Site(tmp_path / "project"), {"fail_on": "never"})
    site.write("docs/advocacy.md", "---\npersonas: [reader, nobody]\nstage: advocacy\n"
                                   "review_by: 2099-01-01\n---\n# Advocacy\n")
    age(site.root)
    return site


def check(site: Site, *args: str) -> dict:
    run = cli(["check", "-f", str(site.root / "mkdocs.yml"), "--format", "json", *args])
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    return run.json()


def build_into(site: Site, out: str, **options) -> Path:
    """A real MkDocs build, in this process; the site folder it wrote."""
    config = {"site_name": "Test", "docs_dir": "docs", "theme": {"name": "material"},
              "plugins": [{"content-map": {"fail_on": "never", **options}}]}
    (site.root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    age(site.root / "mkdocs.yml")
    build(load_config(str(site.root / "mkdocs.yml"), site_dir=str(site.root / out)))
    return site.root / out


class _Payload:
    """Unpickled, it writes `path`: what a hostile repository would commit."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return exec, (f"open({self.path!r}, 'w').write('owned')",)


def plant_payloads(root: Path, sentinel: Path) -> None:
    """A pickle payload at every cache file name (this version's and earlier ones'), and
    compiled template code where a bytecode cache in the project would look for it."""
    folder = root / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(_Payload(sentinel))
    for name in NAMES:
        for suffix in (".pickle", ".json"):
            (folder / f"{name}{suffix}").write_bytes(payload)
    env = renderer.environment()
    code = marshal.dumps(compile(f"open({str(sentinel)!r}, 'w').write('owned')", "t", "exec"))
    for templates in (folder / "templates", root / ".cache" / "content-map" / "templates"):
        templates.mkdir(parents=True, exist_ok=True)
        for name in env.list_templates():
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            key = hashlib.sha1(f"{name}|{filename}".encode()).hexdigest()  # noqa: S324
            checksum = hashlib.sha1(source.encode("utf-8")).hexdigest()  # noqa: S324
            data = bc_magic + pickle.dumps(checksum, 2) + code
            (templates / f"__jinja2_{key}.cache").write_bytes(data)
            (templates / f"{key}.cache").write_bytes(data)


def test_a_committed_cache_runs_no_code_in_check(project: Site, tmp_path: Path):
    sentinel = tmp_path / "owned"
    expected = check(project, "--no-cache")
    plant_payloads(project.root, sentinel)
    assert check(project) == expected
    assert check(project) == expected  # again, from the cache this run wrote
    assert not sentinel.exists()


def test_a_committed_cache_runs_no_code_in_a_build(project: Site, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    sentinel = tmp_path / "owned"
    clean = build_into(project, "clean", cache=False)
    plant_payloads(project.root, sentinel)
    # Even a user cache folder set inside the project is not trusted with compiled code.
    monkeypatch.setenv("XDG_CACHE_HOME", str(project.root / ".cache"))
    first = build_into(project, "first")
    second = build_into(project, "second")
    assert not sentinel.exists()
    assert same_tree(clean, first) and same_tree(clean, second)


@pytest.mark.parametrize("link", [".cache", ".cache/content-map"])
def test_a_cache_link_out_of_the_project_is_not_used(project: Site, tmp_path: Path,
                                                     link: str):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project.root / link).parent.mkdir(parents=True, exist_ok=True)
    (project.root / link).symlink_to(outside, target_is_directory=True)
    expected = check(project, "--no-cache")
    assert check(project) == expected
    assert check(project) == expected
    clean = build_into(project, "clean", cache=False)
    assert same_tree(clean, build_into(project, "built"))
    assert list(outside.iterdir()) == []


def test_a_cache_link_inside_the_project_is_followed(project: Site):
    (project.root / "elsewhere").mkdir()
    (project.root / ".cache").symlink_to(project.root / "elsewhere", target_is_directory=True)
    check(project)
    assert (project.root / "elsewhere" / "content-map" / "pages.json").is_file()


def test_the_cache_folder_is_never_committed(project: Site):
    check(project)
    assert (project.root / CACHE / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] \
        == "*"
    proc = subprocess.run(["git", "init", "-q", str(project.root)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("no git")
    subprocess.run(["git", "-C", str(project.root), "add", "-A"], check=True)
    listed = subprocess.run(["git", "-C", str(project.root), "ls-files"], check=True,
                            capture_output=True, text=True).stdout.split()
    assert "docs/advocacy.md" in listed
    assert not [name for name in listed if name.startswith(".cache")]


def test_an_old_cache_folder_gets_its_gitignore(project: Site):
    (project.root / CACHE).mkdir(parents=True)
    (project.root / CACHE / "pages.pickle").write_bytes(b"from an earlier version")
    check(project)
    assert (project.root / CACHE / ".gitignore").is_file()


RUN = """
import sys
from content_map.cli import main
sys.exit(main(["check", "-f", sys.argv[1], "--format", "json", "-o", sys.argv[2]]))
"""


def test_a_fifo_at_a_cache_file_name_does_not_hang(project: Site, tmp_path: Path):
    folder = project.root / CACHE
    folder.mkdir(parents=True)
    for name in NAMES:
        for suffix in (".pickle", ".json"):
            os.mkfifo(folder / f"{name}{suffix}")
    os.mkfifo(folder / ".gitignore")
    expected = check(project, "--no-cache")
    out = tmp_path / "report.json"
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", RUN, str(project.root / "mkdocs.yml"),
                               str(out)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr  # `fail_on: never`
        assert json.loads(out.read_text(encoding="utf-8")) == expected
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                           str(project.root / "mkdocs.yml")], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_a_file_where_the_cache_folder_goes_fails_nothing(project: Site):
    (project.root / ".cache").write_text("a file, not a folder")
    expected = check(project, "--no-cache")
    assert check(project) == expected
    clean = build_into(project, "clean", cache=False)
    assert same_tree(clean, build_into(project, "built"))


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch, project: Site, user_cache: Path) -> None:
    """Every file opened for writing in the project's cache or the user's cache, and
    every rename into them, fails: no space left on the device."""
    real_open, real_replace = os.open, os.replace
    folders = (str(project.root / ".cache"), str(user_cache))

    def ours(path: object) -> bool:
        return isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(folders)

    def full_open(path, flags, *args, **kwargs):
        if ours(path) and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def full_replace(src, dst, *args, **kwargs):
        if ours(dst):
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "open", full_open)
    monkeypatch.setattr(os, "replace", full_replace)


def test_a_full_disk_fails_no_check(project: Site, disk_full):
    expected = check(project, "--no-cache")
    assert check(project) == expected
    page = project.root / "docs" / "decision.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    age(page)
    assert check(project) == expected


def test_a_full_disk_fails_no_build(project: Site, disk_full):
    clean = build_into(project, "clean", cache=False)
    assert same_tree(clean, build_into(project, "first"))
    assert same_tree(clean, build_into(project, "second"))


def test_compiled_templates_are_kept_in_the_users_cache(project: Site, user_cache: Path):
    clean = build_into(project, "clean", cache=False)
    assert not (user_cache / "content-map").exists()  # `cache: false` keeps nothing
    assert same_tree(clean, build_into(project, "first"))
    kept = sorted((user_cache / "content-map" / "templates").iterdir())
    assert kept and all(p.suffix == ".cache" for p in kept)
    assert not (project.root / CACHE / "templates").exists()
    for path in kept:  # damaged: compiled again, never a failure
        path.write_bytes(b"damaged")
    (project.root / CACHE / "rendered.json").unlink()  # so the map is rendered again
    assert same_tree(clean, build_into(project, "second"))
