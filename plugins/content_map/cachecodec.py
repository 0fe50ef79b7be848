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

import dataclasses
import datetime as dt
import functools
import itertools
import json
import operator
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .load.safe_yaml import YamlMap

__all__ = ["Shape", "Unreadable", "check_types", "dumps", "loads", "one_by_one", "shape", "wrong"]


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


def wrong(what: str, data: Any) -> Unreadable:
    return Unreadable(f"expected {what}, not {type(data).__name__}")


def one_by_one(decode: _Code) -> Callable[[Sequence[Any]], Sequence[Any]]:
    return lambda column: [decode(data) for data in column]


def check_types(column: Any, kinds: frozenset[type] | set[type]) -> None:
    """Check that every item of `column` is of one of `kinds` (a loop in C)."""
    if not set(map(type, column)) <= kinds:
        raise Unreadable("a value of another type than declared")


def _scalar(*kinds: type) -> Shape:
    """A JSON scalar of exactly one of `kinds` (so True is no number and 1 no text)."""
    allowed = frozenset(kinds)

    def code(value: Any) -> Any:
        if type(value) not in allowed:
            raise wrong(" or ".join(k.__name__ for k in kinds), value)
        return value

    def many(column: Sequence[Any]) -> Sequence[Any]:
        check_types(column, allowed)
        return column
    return Shape(code, code, many, allowed)


def _date_out(value: Any) -> str:
    if type(value) is not dt.date:
        raise wrong("a date", value)
    return value.isoformat()


def _date_in(data: Any) -> dt.date:
    if type(data) is not str:
        raise wrong("a date", data)
    try:
        return dt.date.fromisoformat(data)
    except ValueError:
        raise Unreadable(f"not a date: {data[:40]!r}") from None


def _dates_in(column: Sequence[Any]) -> Sequence[Any]:
    check_types(column, {str})
    try:
        return list(map(dt.date.fromisoformat, column))
    except ValueError:
        raise Unreadable("not a date") from None


_NONE = type(None)
_TEXTS: frozenset[type] = frozenset((str, _NONE))
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
        from .cachetable import mapping  # it builds on the shapes here

        return mapping(shape(args[1]))
    if hint is YamlMap:
        from .yamlcodec import YAML_MAP  # it builds on the shapes here

        return YAML_MAP
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
            raise wrong(kind.__name__, value)
        if kinds is not None:
            for v in value:
                if type(v) not in kinds:
                    raise wrong("a value of the declared type", v)
            return list(value)
        return [encode(v) for v in value]

    def back(data: Any) -> Any:
        if type(data) is not list:
            raise wrong("a list", data)
        if kinds is not None:
            for value in data:
                if type(value) not in kinds:
                    raise wrong("a value of the declared type", value)
            return kind(data)
        return kind(map(decode, data))

    def all_of(column: Sequence[Any]) -> Sequence[Any]:
        _lists(column)
        items = list(itertools.chain.from_iterable(column))
        if kinds is not None:
            check_types(items, kinds)
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
            raise wrong(getattr(kind, "__name__", "tuple"), value)
        values = value if kind is tuple else fields(value) if fields is not None else \
            tuple([getattr(value, name) for name in names])
        for i, allowed in plain:
            if type(values[i]) not in allowed:
                raise wrong("a value of the declared type", values[i])
        if not encoders:
            return list(values)
        values = list(values)
        for i, encode in encoders:
            values[i] = encode(values[i])
        return values

    def back(data: Any) -> Any:
        if type(data) is not list or len(data) != size:
            raise wrong(f"a list of {size}", data)
        for i, allowed in plain:
            if type(data[i]) not in allowed:
                raise wrong("a value of the declared type", data[i])
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
            check_types(itertools.chain.from_iterable(column), _TEXTS)
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
