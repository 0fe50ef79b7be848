"""The MkDocs adapter: runs the engine during the build and reports through MkDocs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from .config import ContentMapConfig
from .engine import Project, Result, analyse
from .header import decode, split_header
from .model import Finding
from .settings import Settings

__all__ = ["ContentMapPlugin"]

log = get_plugin_logger("content-map")

_LOG_AT = {"error": log.error, "warn": log.warning, "info": log.info}


def finding_line(finding: Finding) -> str:
    return f"{finding.location}: {finding.rule}: {finding.message}"


class ContentMapPlugin(BasePlugin[ContentMapConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.settings = Settings()
        self.project: Project | None = None
        self.result: Result | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        self.settings = self.config.settings()
        self.project = Project(
            root=Path(config.config_file_path).parent,
            docs_dir=Path(config.docs_dir),
            settings=self.settings,
            config_file=Path(config.config_file_path).name,
        )
        return config

    def on_files(self, files: Any, *, config: Any) -> Any:
        if self.project is None:
            return files
        pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        self.result = analyse(self.project, pages)
        self._report(self.result)
        return files

    def _report(self, result: Result) -> None:
        fail_on = self.settings.fail_on
        stop = not self.serving or self.settings.serve_fail
        failing = result.analysis.at_or_above(fail_on) if stop else []
        failing_set = set(failing)
        for finding in result.analysis.findings:
            if finding in failing_set:
                continue
            _LOG_AT.get(finding.severity or "error", log.error)(finding_line(finding))
        if failing:
            noun = "problem" if len(failing) == 1 else "problems"
            raise PluginError(
                f"content-map found {len(failing)} {noun} at or above `{fail_on}`:\n"
                + "\n".join(f"  {finding_line(f)}" for f in failing)
                + "\n(run `content-map check` for details; `fail_on` sets what aborts the build)"
            )

    def on_page_read_source(self, *, page: Any, config: Any) -> str | None:
        """Keep broken front-matter away from MkDocs's parser, which would render it as text
        (or, nested deep enough, crash); the problem is already reported."""
        if self.result is None or page.file.src_uri not in self.result.broken:
            return None
        try:
            with open(page.file.abs_src_path, "rb") as handle:
                text = decode(handle.read())
        except Exception:  # the encoding problem was reported; give MkDocs an empty page
            return ""
        header, body = split_header(text)
        return body if header.state == "ok" else ""

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if self.project is not None:
            for folder in (self.settings.personas_dir, self.settings.journeys_dir):
                path = self.project.path(folder)
                if path.is_dir():
                    server.watch(str(path))
        return server

