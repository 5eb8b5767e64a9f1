"""Accumulate extracted text without ever holding more than the limit."""

from __future__ import annotations

TEXT_LIMIT = 200_000


class TextBuffer:
    def __init__(self, limit: int = TEXT_LIMIT) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._limit = limit
        self.truncated = False

    @property
    def full(self) -> bool:
        return self._size >= self._limit

    def add(self, line: str) -> None:
        if not line:
            return
        if self.full:
            self.truncated = True
            return
        room = self._limit - self._size
        if len(line) + 1 > room:
            self.truncated = True
            line = line[:room]
        self._parts.append(line)
        self._size += len(line) + 1

    def text(self) -> str:
        return "\n".join(self._parts)[: self._limit]
