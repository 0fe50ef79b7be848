"""`generate`: the map as plain Markdown, in a folder of its own inside the project.

For engines that run no plugins. The folder is refused when it is the project's or the
docs directory itself, holds personas or journeys, or lies outside the project; one
outside the docs directory is allowed with a note, since its links to pages only work
once it is moved inside. `markdown_pages` renders and writes the pages; this module
chooses and checks where.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import writer
from .markdown_pages import GenerateError, render_pages, write_pages

if TYPE_CHECKING:
    from ..engine import Project
    from ..model import Analysis

__all__ = ["GenerateError", "Target", "generate", "shown", "target"]


def shown(path: Path) -> str:
    """`path` as the user would type it: relative to the working directory when inside it."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Target:
    """Where `generate` writes, with every link followed."""

    name: str  # as the user wrote it
    out: Path
    docs: Path
    root: Path

    @property
    def note(self) -> str | None:
        """What the user should know about the folder, though it is allowed."""
        if self.out == self.docs or self.docs in self.out.parents:
            return None
        return (f"{self.name} is outside the docs directory {shown(self.docs)}; its links "
                "to pages work once the folder is moved inside it")

    @property
    def docs_prefix(self) -> str:
        """The docs directory's path in the project, ending in `/`; empty when they agree
        (or the docs directory lies elsewhere)."""
        try:
            prefix = self.docs.relative_to(self.root).as_posix()
        except ValueError:
            return ""
        return "" if prefix in ("", ".") else prefix + "/"


def target(project: Project, name: str) -> Target:
    """The folder `--out NAME` names, or `GenerateError` saying why it is refused."""
    real = Path(os.path.realpath(name))
    docs = Path(os.path.realpath(project.docs_dir))
    root = Path(os.path.realpath(project.root))
    if real != root and root not in real.parents:
        raise GenerateError(f"{name}: is outside the project ({shown(root)}); generate "
                            "writes only inside it")
    if real in (root, docs):
        where = "the project's own folder" if real == root else "the docs directory itself"
        raise GenerateError(f"{name}: is {where}; name a folder of its own, e.g. "
                            f"{shown(docs / 'content-map')}")
    settings = project.settings
    for folder in (root / settings.personas_dir, root / settings.journeys_dir):
        held = Path(os.path.realpath(folder))
        if real == held or held in real.parents:
            raise GenerateError(f"{name}: is inside {shown(folder)}, which holds personas or "
                                f"journeys; name another folder, e.g. "
                                f"{shown(docs / 'content-map')}")
    return Target(name, real, docs, root)


def generate(analysis: Analysis, where: Target) -> str:
    """Write the map's pages into `where`; say what was written and removed.

    Raises `GenerateError` when a file the tool did not write is in the way, or a write
    fails; every write goes through the one writer, confined to the project."""
    pages = render_pages(analysis, where.out, where.docs, where.docs_prefix)
    try:
        writer.ensure_folder(where.out, where.root)
        done = write_pages(pages, where.out)
    except writer.WriteProblem as exc:
        raise GenerateError(str(exc)) from None
    except OSError as exc:
        raise GenerateError(f"{where.name}: cannot be written ({exc.strerror})") from None
    removed = (f"; removed {len(done.removed)} that are no longer on the map: "
               + ", ".join(done.removed)) if done.removed else ""
    return f"wrote {len(done.written)} pages to {shown(where.out)}{removed}"
