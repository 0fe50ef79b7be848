"""The cache's encoding of front-matter: any value `safe_yaml` builds, with the line and
source text of each entry, read back only as `YamlMap`, `YamlList` and plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .cachecodec import Shape, Unreadable, one_by_one, wrong
from .load.safe_yaml import MAX_DEPTH, YamlList, YamlMap

__all__ = ["YAML_MAP"]

# Front-matter: any value `safe_yaml` builds. Text, numbers, booleans and null are
# themselves; everything else is an object of one key saying what it is:
#   {"d": "2026-05-01"}  a date           {"t": "2026-05-01T10:00:00+02:00"}  a timestamp
#   {"M": [line, lines, raw, unbuilt, {key: value}]}  a mapping (a `YamlMap`)
#   {"L": [line, lines, raw, unbuilt, [value]]}       a list (a `YamlList`)
# with `raw` of a list as [[index, text]] (JSON keys are text) and `unbuilt` as
# [[line, text, kind]].


_YAML_SCALARS = frozenset((str, int, float, bool, type(None)))


def _yaml_out(value: Any) -> Any:
    kind = type(value)
    if kind in _YAML_SCALARS:
        return value
    if kind is YamlMap:
        return _yaml_map_out(value)
    if kind is YamlList:
        return {"L": [value.line, value.lines, [[i, t] for i, t in value.raw.items()],
                      value.unbuilt,
                      [v if type(v) in _YAML_SCALARS else _yaml_out(v) for v in value]]}
    if kind is dt.date:
        return {"d": value.isoformat()}
    if kind is dt.datetime:
        return {"t": value.isoformat()}
    raise wrong("a YAML value", value)


def _yaml_map_out(value: Any) -> dict[str, Any]:
    if type(value) is not YamlMap or not all(type(key) is str for key in value):
        raise wrong("a YAML mapping with text keys", value)
    return {"M": [value.line, value.lines, value.raw, value.unbuilt,
                  {key: v if type(v) in _YAML_SCALARS else _yaml_out(v)
                   for key, v in value.items()}]}


def _yaml_in(data: Any, depth: int) -> Any:
    kind = type(data)
    if kind is str or kind is int or kind is float or kind is bool or data is None:
        return data
    if kind is not dict or len(data) != 1:
        raise wrong("a YAML value", data)
    if depth > MAX_DEPTH:
        raise Unreadable("nested too deep")
    ((tag, body),) = data.items()
    if tag == "M":
        return _yaml_map_in(data, depth)
    if tag == "L":
        line, lines, raw, unbuilt, items = _container(body)
        if type(items) is not list or type(raw) is not list or \
                not _all(lines, int, list, len(items)):
            raise wrong("a YAML list", body)
        result = YamlList(line)
        result.lines = lines
        for pair in raw:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int or \
                    type(pair[1]) is not str:
                raise wrong("an index and its text", pair)
            result.raw[pair[0]] = pair[1]
        result.unbuilt = _unbuilt(unbuilt)
        result.extend(_yaml_in(v, depth + 1) for v in items)
        return result
    if type(body) is str and (tag == "d" or tag == "t"):
        try:
            return dt.date.fromisoformat(body) if tag == "d" else dt.datetime.fromisoformat(body)
        except ValueError:
            raise Unreadable(f"not a date: {body[:40]!r}") from None
    raise Unreadable(f"unknown tag {tag[:20]!r}")


def _yaml_map_in(data: Any, depth: int = 0) -> YamlMap:
    if type(data) is not dict or len(data) != 1 or "M" not in data:
        raise wrong("a YAML mapping", data)
    line, lines, raw, unbuilt, items = _container(data["M"])
    if type(items) is not dict or not _all(lines, int, dict) or not _all(raw, str, dict):
        raise wrong("a YAML mapping", data)
    result = YamlMap(line)
    result.lines, result.raw, result.unbuilt = lines, raw, _unbuilt(unbuilt)
    for key, v in items.items():
        result[key] = _yaml_in(v, depth + 1)
    return result


def _container(body: Any) -> list[Any]:
    if type(body) is not list or len(body) != 5 or type(body[0]) is not int:
        raise wrong("a YAML container", body)
    return body


def _all(values: Any, kind: type, container: Any, size: int | None = None) -> bool:
    """Whether `values` is a `container` (a list of `size`, or an object) of `kind` only."""
    if type(values) is not container or (size is not None and len(values) != size):
        return False
    items = values.values() if container is dict else values
    return all(type(v) is kind for v in items)


def _unbuilt(data: Any) -> list[tuple[int, str, str]]:
    if type(data) is not list:
        raise wrong("a list", data)
    out = []
    for entry in data:
        if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not int or \
                type(entry[1]) is not str or type(entry[2]) is not str:
            raise wrong("a line, text and kind", entry)
        out.append((entry[0], entry[1], entry[2]))
    return out


YAML_MAP = Shape(_yaml_map_out, _yaml_map_in, one_by_one(_yaml_map_in))
"""The shape of a page's front-matter."""
