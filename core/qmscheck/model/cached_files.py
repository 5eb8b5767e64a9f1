"""What the evidence index keeps of one file, as the storage layer writes it and a connector reads
it back: plain records shared by both, so that neither imports the other."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CachedFile", "FileEntry", "Listed"]

#: A file as the index last saw it: location, size, mtime_ns, sha256. The rows as SQLite gives
#: them: a rescan lists 100k, too many to wrap each in a named tuple.
Listed = tuple[str, int, int, str]

#: What the index knows about one file's items, as SQLite gives the row: location, sha256;
#: ``payload``, the compressed items the connector stored; the seal the index made of the row
#: (an HMAC, :mod:`qmscheck.storage.guarded`; empty when it did not verify); types and warnings
#: (JSON lists); the number of items; ``parts``, the content digests of a large register's parts
#: (empty for a file checked in one piece); ``ordering``, the file's place in evidence order.
CachedFile = tuple[str, str, bytes, bytes, str, int, str, str, str]


class FileEntry(NamedTuple):
    """What a file yielded, as a connector hands it to the index to keep (one per file and scan)."""

    source: str
    location: str
    size: int
    mtime_ns: int
    sha256: str
    fingerprint: str
    payload: bytes
    types: str  # JSON list of the evidence types among the items
    items: int  # how many items the payload holds
    warnings: str  # JSON list
    parts: str  # JSON list of part digests
    ordering: str
