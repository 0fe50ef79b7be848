"""The cache's encoding: plain JSON, read back only through a shape the code declares.

The cache lives in the project, and a repository is untrusted input: nothing read from
it may run code, as unpickling or loading marshalled code would. So a value is written
as JSON for a type the caller names (`shape(tuple[Piece | None, list[Finding]])`), and
read back only through that same shape, which checks every part and builds nothing but
what the type names: text, numbers, booleans, `None`, dates, tuples, lists, mappings with
text keys, the frozen dataclasses the type names, and front-matter as `safe_yaml` builds
it (`YamlMap`, with the lines and source text of its entries). The data never names a
type. Anything else (bad JSON, a wrong shape, a wrong type, an unknown tag) raises
`Unreadable`, which a reader takes as "not in the cache".
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import itertools
import json
import operator
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .load.safe_yaml import MAX_DEPTH, YamlList, YamlMap

__all__ = ["Shape", "Table", "Unreadable", "dumps", "loads", "shape"]


class Unreadable(ValueError):
    """Data that is not what its shape says; for a cache, no entry."""


_Code = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Shape:
    """How values of one type become JSON data (`encode`) and come back (`decode`, or
    `many` for a list of data at once, much faster for thousands of records).

    All raise `Unreadable` for a value, or data, that does not fit the type. `kinds`, for
    a scalar type, names the JSON types that are the value itself."""

    encode: _Code
    decode: _Code
    many: Callable[[Sequence[Any]], Sequence[Any]]
    kinds: frozenset[type] | None = None


_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, check_circular=False).encode
_loads = json.JSONDecoder().decode


def dumps(data: Any) -> str:
    """JSON text of encoded data, on one line, ASCII only (so any text survives, lone
    surrogates of undecodable file names included)."""
    try:
        return _dumps(data)
    except (TypeError, ValueError, RecursionError) as exc:
        raise Unreadable(f"cannot be written as JSON: {exc}") from None


def loads(text: str | bytes) -> Any:
    """The data of JSON text; `Unreadable` if it is not JSON."""
    try:
        return _loads(text if isinstance(text, str) else text.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Unreadable(f"not JSON: {exc}") from None


def _wrong(what: str, data: Any) -> Unreadable:
    return Unreadable(f"expected {what}, not {type(data).__name__}")


def _one_by_one(decode: _Code) -> Callable[[Sequence[Any]], Sequence[Any]]:
    return lambda column: [decode(data) for data in column]


def _types(column: Any, kinds: frozenset[type] | set[type]) -> None:
    """Check that every item of `column` is of one of `kinds` (a loop in C)."""
    if not set(map(type, column)) <= kinds:
        raise Unreadable("a value of another type than declared")


def _scalar(*kinds: type) -> Shape:
    """A JSON scalar of exactly one of `kinds` (so True is no number and 1 no text)."""
    allowed = frozenset(kinds)

    def code(value: Any) -> Any:
        if type(value) not in allowed:
            raise _wrong(" or ".join(k.__name__ for k in kinds), value)
        return value

    def many(column: Sequence[Any]) -> Sequence[Any]:
        _types(column, allowed)
        return column
    return Shape(code, code, many, allowed)


def _date_out(value: Any) -> str:
    if type(value) is not dt.date:
        raise _wrong("a date", value)
    return value.isoformat()


def _date_in(data: Any) -> dt.date:
    if type(data) is not str:
        raise _wrong("a date", data)
    try:
        return dt.date.fromisoformat(data)
    except ValueError:
        raise Unreadable(f"not a date: {data[:40]!r}") from None


def _dates_in(column: Sequence[Any]) -> Sequence[Any]:
    _types(column, {str})
    try:
        return list(map(dt.date.fromisoformat, column))
    except ValueError:
        raise Unreadable("not a date") from None


_NONE = type(None)
_TEXTS: frozenset[type] = frozenset((str, _NONE))
_STR: frozenset[type] = frozenset((str,))
_SCALARS: dict[Any, Shape] = {
    str: _scalar(str),
    int: _scalar(int),
    bool: _scalar(bool),
    float: _scalar(float, int),
    _NONE: _scalar(_NONE),
    None: _scalar(_NONE),
    dt.date: Shape(_date_out, _date_in, _dates_in),
}


@functools.cache
def shape(hint: Any) -> Shape:
    """The shape of values of type `hint` (a type, or a type expression such as
    `tuple[str, ...]`, `dict[str, int]` or `Piece | None`); a TypeError for a type the
    cache cannot hold."""
    known = _SCALARS.get(hint)
    if known is not None:
        return known
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        others = [a for a in args if a is not _NONE]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"{hint}: only `X | None` unions can be cached")
        return _optional(shape(others[0]))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(shape(args[0]), tuple)
        return _fixed([shape(a) for a in args], tuple)
    if origin is list:
        return _sequence(shape(args[0]), list)
    if origin in (dict, Mapping):
        if args[0] is not str:
            raise TypeError(f"{hint}: mapping keys must be text")
        return _mapping(shape(args[1]))
    if hint is YamlMap:
        return Shape(_yaml_map_out, _yaml_map_in, _one_by_one(_yaml_map_in))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not hint.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            raise TypeError(f"{hint.__name__}: only frozen dataclasses can be cached")
        return _fixed([], hint)
    raise TypeError(f"{hint!r} cannot be cached")


def _optional(inner: Shape) -> Shape:
    if inner.kinds is not None:
        return _scalar(*inner.kinds, _NONE)
    encode, decode, many = inner.encode, inner.decode, inner.many

    def some(column: Sequence[Any]) -> Sequence[Any]:
        present = [i for i, data in enumerate(column) if data is not None]
        if len(present) == len(column):
            return many(column)
        out = [None] * len(column)
        for i, value in zip(present, many([column[i] for i in present]), strict=True):
            out[i] = value
        return out
    return Shape(lambda value: None if value is None else encode(value),
                 lambda data: None if data is None else decode(data), some)


def _lists(column: Sequence[Any], size: int | None = None) -> None:
    if set(map(type, column)) - {list} or (size is not None and set(map(len, column)) - {size}):
        raise Unreadable("expected lists" + ("" if size is None else f" of {size}"))


def _sequence(item: Shape, kind: Any) -> Shape:
    encode, decode, many, kinds = item.encode, item.decode, item.many, item.kinds

    def out(value: Any) -> list[Any]:
        if type(value) is not kind:
            raise _wrong(kind.__name__, value)
        if kinds is not None:
            for v in value:
                if type(v) not in kinds:
                    raise _wrong("a value of the declared type", v)
            return list(value)
        return [encode(v) for v in value]

    def back(data: Any) -> Any:
        if type(data) is not list:
            raise _wrong("a list", data)
        if kinds is not None:
            for value in data:
                if type(value) not in kinds:
                    raise _wrong("a value of the declared type", value)
            return kind(data)
        return kind(map(decode, data))

    def all_of(column: Sequence[Any]) -> Sequence[Any]:
        _lists(column)
        items = list(itertools.chain.from_iterable(column))
        if kinds is not None:
            _types(items, kinds)
            return list(map(kind, column))
        if not items:
            return list(map(kind, column))
        values = many(items)
        if len(values) == len(column) and kind is tuple:  # one item each, the usual case
            return list(zip(values))
        flow = iter(values)
        return [kind(itertools.islice(flow, n)) for n in map(len, column)]
    return Shape(out, back, all_of)


def _fixed(items: list[Shape], kind: Any) -> Shape:
    """A tuple of so many items of their own types, or a frozen dataclass (`kind`) as
    the list of its fields' values, in order."""
    names: list[str] = []
    if kind is not tuple:
        names = [f.name for f in dataclasses.fields(kind) if f.init]
        hints = typing.get_type_hints(kind)
        items = [shape(hints[name]) for name in names]
    size = len(items)
    plain = [(i, s.kinds) for i, s in enumerate(items) if s.kinds is not None]
    built = [(i, s.decode) for i, s in enumerate(items) if s.kinds is None]
    encoders = [(i, s.encode) for i, s in enumerate(items) if s.kinds is None]
    fields = operator.attrgetter(*names) if len(names) > 1 else None
    # Records of text only: equal data make equal values, so each is made once (text
    # equals nothing but text, as a number can equal a boolean).
    texts = not built and all(k <= _TEXTS for _, k in plain)

    def out(value: Any) -> list[Any]:
        if type(value) is not kind or (kind is tuple and len(value) != size):
            raise _wrong(getattr(kind, "__name__", "tuple"), value)
        values = value if kind is tuple else fields(value) if fields is not None else \
            tuple([getattr(value, name) for name in names])
        for i, allowed in plain:
            if type(values[i]) not in allowed:
                raise _wrong("a value of the declared type", values[i])
        if not encoders:
            return list(values)
        values = list(values)
        for i, encode in encoders:
            values[i] = encode(values[i])
        return values

    def back(data: Any) -> Any:
        if type(data) is not list or len(data) != size:
            raise _wrong(f"a list of {size}", data)
        for i, allowed in plain:
            if type(data[i]) not in allowed:
                raise _wrong("a value of the declared type", data[i])
        if built:
            data = data[:]
            for i, decode in built:
                data[i] = decode(data[i])
        return tuple(data) if kind is tuple else kind(*data)

    def many(column: Sequence[Any]) -> Sequence[Any]:
        """Column by column: each check, and each making of a value, is a loop in C."""
        _lists(column, size)
        if not column or not size:
            return [back(data) for data in column]
        if texts and len(column) > 1:
            _types(itertools.chain.from_iterable(column), _TEXTS)
            keys = list(map(tuple, column))
            unique = dict.fromkeys(keys)
            if len(unique) < len(column):
                made = dict(zip(unique, many(list(map(list, unique))), strict=True))
                return list(map(made.__getitem__, keys))
        columns = [s.many(values)
                   for s, values in zip(items, zip(*column, strict=True), strict=True)]
        if kind is tuple:
            return list(zip(*columns, strict=True))
        return list(map(kind, *columns))
    return Shape(out, back, many)


class Table:
    """The mappings of one file, each held once and referred to by its number.

    Thousands of pages share a handful of front-matter layouts (`Piece.lines`): while a
    table is `active`, a mapping is encoded as its number in the table, and decoded
    once per number, so the file is smaller, quicker to read, and the values are shared
    as they were when made."""

    def __init__(self, data: Any = ()):
        self.data: list[Any] = list(data)
        self.added: list[Any] = []  # entries added since the table was read
        self._numbers: dict[Any, int] | None = None
        self._made: dict[tuple[int, _Code], Any] = {}
        # Mappings already written while the table is in use, by identity: pieces made
        # in one run share their field layouts, so each is encoded once.
        self.seen: dict[int, tuple[Any, _Code, int]] = {}

    @contextlib.contextmanager
    def active(self) -> Iterator[Table]:
        token = _TABLE.set(self)
        try:
            yield self
        finally:
            _TABLE.reset(token)

    @staticmethod
    def _key(data: dict[str, Any]) -> Any:
        """What tells mappings apart: their keys, values and the values' types (1, 1.0
        and True are equal in Python, not here)."""
        values = tuple(data.values())
        try:
            return tuple(data), values, tuple(map(type, values)), hash(values)
        except TypeError:  # values that are lists or mappings
            return dumps(data)

    def number(self, data: dict[str, Any]) -> int:
        if self._numbers is None:
            self._numbers = {}
            for i, entry in enumerate(self.data):
                if type(entry) is dict:
                    self._numbers.setdefault(self._key(entry), i)
        key = self._key(data)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.data)
            self.data.append(data)
            self.added.append(data)
        return number

    def value(self, number: Any, decode: _Code) -> Any:
        key = (number, decode)
        made = self._made.get(key, _UNMADE)
        if made is _UNMADE:
            if type(number) is not int or not 0 <= number < len(self.data):
                raise _wrong("a number in the table", number)
            made = self._made[key] = decode(self.data[number])
        return made


_TABLE: contextvars.ContextVar[Table | None] = contextvars.ContextVar("table", default=None)
_UNMADE: Any = object()


def _mapping(item: Shape) -> Shape:
    encode, decode, kinds = item.encode, item.decode, item.kinds

    def out(value: Any) -> dict[str, Any] | int:
        table = _TABLE.get()
        if table is not None:
            seen = table.seen.get(id(value))
            if seen is not None and seen[0] is value and seen[1] is out:
                return seen[2]  # type: ignore[no-any-return]
        if not isinstance(value, Mapping):
            raise _wrong("a mapping", value)
        if not set(map(type, value)) <= _STR:
            raise Unreadable("a mapping key that is not text")
        if kinds is None:
            encoded = {key: encode(v) for key, v in value.items()}
        else:
            _types(value.values(), kinds)
            encoded = dict(value)
        if table is None:
            return encoded
        number = table.number(encoded)
        table.seen[id(value)] = (value, out, number)
        return number

    def inline(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise _wrong("an object", data)
        if kinds is not None:
            for v in data.values():
                if type(v) not in kinds:
                    raise _wrong("a value of the declared type", v)
            return data.copy()
        return {key: decode(v) for key, v in data.items()}

    def back(data: Any) -> dict[str, Any]:
        table = _TABLE.get()
        if table is not None and type(data) is int:
            return table.value(data, inline)  # type: ignore[no-any-return]
        return inline(data)

    def many(column: Sequence[Any]) -> Sequence[Any]:
        table = _TABLE.get()
        if table is not None and set(map(type, column)) == {int}:
            made = {number: table.value(number, inline) for number in set(column)}
            return list(map(made.__getitem__, column))
        if kinds is None:
            return [back(data) for data in column]
        _types(column, {dict})
        _types(itertools.chain.from_iterable(map(dict.values, column)), kinds)
        return list(map(dict.copy, column))
    return Shape(out, back, many)


# Front-matter: any value `safe_yaml` builds. Text, numbers, booleans and null are
# themselves; everything else is an object of one key saying what it is:
#   {"d": "2026-05-01"}  a date           {"t": "2026-05-01T10:00:00+02:00"}  a timestamp
#   {"M": [line, lines, raw, unbuilt, {key: value}]}  a mapping (a `YamlMap`)
#   {"L": [line, lines, raw, unbuilt, [value]]}       a list (a `YamlList`)
# with `raw` of a list as [[index, text]] (JSON keys are text) and `unbuilt` as
# [[line, text, kind]].


_YAML_SCALARS = frozenset((str, int, float, bool, _NONE))


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
    raise _wrong("a YAML value", value)


def _yaml_map_out(value: Any) -> dict[str, Any]:
    if type(value) is not YamlMap or not all(type(key) is str for key in value):
        raise _wrong("a YAML mapping with text keys", value)
    return {"M": [value.line, value.lines, value.raw, value.unbuilt,
                  {key: v if type(v) in _YAML_SCALARS else _yaml_out(v)
                   for key, v in value.items()}]}


def _yaml_in(data: Any, depth: int) -> Any:
    kind = type(data)
    if kind is str or kind is int or kind is float or kind is bool or data is None:
        return data
    if kind is not dict or len(data) != 1:
        raise _wrong("a YAML value", data)
    if depth > MAX_DEPTH:
        raise Unreadable("nested too deep")
    ((tag, body),) = data.items()
    if tag == "M":
        return _yaml_map_in(data, depth)
    if tag == "L":
        line, lines, raw, unbuilt, items = _container(body)
        if type(items) is not list or type(raw) is not list or \
                not _all(lines, int, list, len(items)):
            raise _wrong("a YAML list", body)
        result = YamlList(line)
        result.lines = lines
        for pair in raw:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int or \
                    type(pair[1]) is not str:
                raise _wrong("an index and its text", pair)
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
        raise _wrong("a YAML mapping", data)
    line, lines, raw, unbuilt, items = _container(data["M"])
    if type(items) is not dict or not _all(lines, int, dict) or not _all(raw, str, dict):
        raise _wrong("a YAML mapping", data)
    result = YamlMap(line)
    result.lines, result.raw, result.unbuilt = lines, raw, _unbuilt(unbuilt)
    for key, v in items.items():
        result[key] = _yaml_in(v, depth + 1)
    return result


def _container(body: Any) -> list[Any]:
    if type(body) is not list or len(body) != 5 or type(body[0]) is not int:
        raise _wrong("a YAML container", body)
    return body


def _all(values: Any, kind: type, container: Any, size: int | None = None) -> bool:
    """Whether `values` is a `container` (a list of `size`, or an object) of `kind` only."""
    if type(values) is not container or (size is not None and len(values) != size):
        return False
    items = values.values() if container is dict else values
    return all(type(v) is kind for v in items)


def _unbuilt(data: Any) -> list[tuple[int, str, str]]:
    if type(data) is not list:
        raise _wrong("a list", data)
    out = []
    for entry in data:
        if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not int or \
                type(entry[1]) is not str or type(entry[2]) is not str:
            raise _wrong("a line, text and kind", entry)
        out.append((entry[0], entry[1], entry[2]))
    return out
