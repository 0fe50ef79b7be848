"""A table of the mappings one cache file holds, each written once and referred to by
its number: thousands of pages share a handful of front-matter layouts."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .cachecodec import Shape, Unreadable, check_types, dumps, wrong

__all__ = ["Table", "mapping"]

_Code = Callable[[Any], Any]
_STR: frozenset[type] = frozenset((str,))


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
                raise wrong("a number in the table", number)
            made = self._made[key] = decode(self.data[number])
        return made


_TABLE: contextvars.ContextVar[Table | None] = contextvars.ContextVar("table", default=None)
_UNMADE: Any = object()


def mapping(item: Shape) -> Shape:
    """The shape of a mapping with text keys and values of `item`'s shape; held once in
    the active table, if any."""
    encode, decode, kinds = item.encode, item.decode, item.kinds

    def out(value: Any) -> dict[str, Any] | int:
        table = _TABLE.get()
        if table is not None:
            seen = table.seen.get(id(value))
            if seen is not None and seen[0] is value and seen[1] is out:
                return seen[2]  # type: ignore[no-any-return]
        if not isinstance(value, Mapping):
            raise wrong("a mapping", value)
        if not set(map(type, value)) <= _STR:
            raise Unreadable("a mapping key that is not text")
        if kinds is None:
            encoded = {key: encode(v) for key, v in value.items()}
        else:
            check_types(value.values(), kinds)
            encoded = dict(value)
        if table is None:
            return encoded
        number = table.number(encoded)
        table.seen[id(value)] = (value, out, number)
        return number

    def inline(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise wrong("an object", data)
        if kinds is not None:
            for v in data.values():
                if type(v) not in kinds:
                    raise wrong("a value of the declared type", v)
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
        check_types(column, {dict})
        check_types(itertools.chain.from_iterable(map(dict.values, column)), kinds)
        return list(map(dict.copy, column))
    return Shape(out, back, many)
