"""Reading a site's mkdocs.yml without MkDocs: where the docs are and the plugin's options.

mkdocs.yml may hold tags meant for MkDocs and its extensions (`!ENV`,
`!!python/name:…`); this reader resolves `!ENV` and reads any other tag as empty,
since the only keys it needs are plain values. `INHERIT` is followed as MkDocs does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..reader import NotRegular, read_bytes

__all__ = ["PLUGIN_NAME", "SiteConfig", "SiteConfigError", "read_site_config", "waiver_lines"]

PLUGIN_NAME = "content-map"

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SiteConfigError(Exception):
    """mkdocs.yml is missing or unreadable."""


class _TolerantLoader(_Base):  # type: ignore[misc,valid-type]
    pass


def _env(loader: Any, node: Any) -> Any:
    names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) \
        else [str(v) for v in loader.construct_sequence(node)]
    default = names.pop() if len(names) > 1 else None
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return default


_TolerantLoader.add_constructor("!ENV", _env)
_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda lo, su, no: None)


@dataclass(frozen=True)
class SiteConfig:
    path: Path
    docs_dir: Path
    options: dict[str, Any] | None  # None: the plugin is not enabled in this config
    site_name: str = ""
    has_nav: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.path.parent


MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""An mkdocs.yml (or an `INHERIT` target) larger than this is refused."""


def _load(path: Path, depth: int = 0) -> dict[str, Any]:
    try:
        raw = read_bytes(path, MAX_CONFIG_BYTES)
        if len(raw) > MAX_CONFIG_BYTES:
            raise SiteConfigError(f"{path}: is over {MAX_CONFIG_BYTES:,} bytes; not a site "
                                  "configuration")
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_TolerantLoader)  # noqa: S506
    except NotRegular as exc:
        raise SiteConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise SiteConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SiteConfigError(f"{path}: is not UTF-8 text") from None
    except RecursionError:
        raise SiteConfigError(f"{path}: values are nested too deep") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise SiteConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") \
            from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: must be a mapping of settings")
    parent = data.pop("INHERIT", None)
    if isinstance(parent, str) and depth < 8:
        base = _load(path.parent / parent, depth + 1)
        data = _merge(base, data)
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _plugin_options(plugins: Any) -> dict[str, Any] | None:
    entries: list[tuple[str, Any]] = []
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        for entry in plugins:
            if isinstance(entry, str):
                entries.append((entry, {}))
            elif isinstance(entry, dict):
                entries.extend(entry.items())
    for name, options in entries:
        if name == PLUGIN_NAME:
            options = dict(options or {})
            if options.pop("enabled", True) is False:
                return None
            return options
    return None


def read_site_config(path: str | os.PathLike[str] | None = None) -> SiteConfig:
    """Read mkdocs.yml (or properdocs.yml); by default from the working directory."""
    if path is None:
        for name in ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml"):
            if Path(name).is_file():
                path = name
                break
        else:
            raise SiteConfigError("no mkdocs.yml in this folder; pass its path with -f")
    config_path = Path(path).absolute()
    if not config_path.is_file():
        raise SiteConfigError(f"{path}: no such file")
    data = _load(config_path)
    docs = data.get("docs_dir") or "docs"
    return SiteConfig(
        path=config_path,
        docs_dir=(config_path.parent / str(docs)),
        options=_plugin_options(data.get("plugins")),
        site_name=str(data.get("site_name") or ""),
        has_nav=bool(data.get("nav")),
        raw=data,
    )


def _child(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value
    return None


def waiver_lines(path: Path) -> tuple[int, ...]:
    """The line of each of the plugin's `coverage.waivers` in the mkdocs.yml at `path`
    (none when they are not written in that file, e.g. inherited)."""
    try:
        text = read_bytes(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
        root = yaml.compose(text, Loader=_TolerantLoader)  # noqa: S506 - nodes only
    except (NotRegular, OSError, UnicodeDecodeError, RecursionError, yaml.YAMLError):
        return ()
    plugins = _child(root, "plugins")
    options = _child(plugins, PLUGIN_NAME)
    if isinstance(plugins, yaml.SequenceNode):
        options = next((_child(entry, PLUGIN_NAME) for entry in plugins.value
                        if _child(entry, PLUGIN_NAME) is not None), None)
    waivers = _child(_child(options, "coverage"), "waivers")
    if not isinstance(waivers, yaml.SequenceNode):
        return ()
    return tuple(entry.start_mark.line + 1 for entry in waivers.value)
