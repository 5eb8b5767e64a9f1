"""A registry keyed by a stable id that refuses duplicates and remembers who registered what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from qmscheck.errors import PluginError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, key: Callable[[T], str]) -> None:
        self._what = what
        self._key = key
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def registrar(self, owner: str) -> Callable[[T], None]:
        def register(item: T) -> None:
            name = self._key(item)
            if name in self._items:
                raise PluginError(f"{self._what} {name!r} registered twice: by {self._owners[name]} and by {owner}")
            self._items[name] = item
            self._owners[name] = owner

        return register

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise PluginError(f"unknown {self._what} {name!r} (known: {known})") from None

    def owner(self, name: str) -> str:
        return self._owners[name]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[name] for name in self.names())

    def __contains__(self, name: object) -> bool:
        return name in self._items
