"""The sizes that decide how a scan works, never what it finds.

A scan reads large registers in parts, decodes evidence in batches, starts worker processes
when there is enough to do and reads large files first. Each of those choices has a size; the
sizes live here, in one value handed to both stages (``CollectOptions.tuning``, which the
connectors get as ``CollectContext.tuning``, and ``CheckOptions.tuning``), so that a test can
take the paths of a large share on a small one through the options, as any caller would.
The per-file budget of parsing lives here too: it decides only when a hostile file is given up.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Tuning"]


@dataclass(frozen=True)
class Tuning:
    """How a scan divides its work. The report is identical whatever the tuning (the tests
    that set small sizes compare their reports with those of the defaults), but for a file that
    reaches the per-file budget (``file_seconds``, ``file_memory``): it becomes a warning.

    ``part_items`` also shapes what the evidence index stores of a large register (its parts),
    so it is part of the index's fingerprint: an index written under another part size is read
    afresh, never misread.
    """

    #: Rows per evidence group: a larger register is checked (and re-read when it grows) in parts
    #: of this size, so a check holds one part in memory, never the whole register.
    part_items: int = 10_000
    #: Items decoded and sent to the engine at once: many small files make one engine call.
    batch_items: int = 10_000
    #: Fewer items than this to summarise are summarised in this process: starting workers (importing
    #: qmscheck and the engine) costs more than a rescan's few changed files would win back.
    parallel_items: int = 50_000
    #: Fewer files than this to read are parsed by one worker process, for the same reason.
    small_batch: int = 16
    #: A source the index holds at least this many files of is large: its workers start while it
    #: is listed, before it is known whether anything changed.
    warm_workers_at: int = 1_000
    #: Files the index lists at least this large are looked at before the share is listed; the
    #: size at which a worker takes a file on its own (``connectors.worker.BATCH_BYTES``).
    early_bytes: int = 4 * 1024 * 1024
    #: Files at least this large are classified and written by the worker that reads them
    #: (``connectors.unit_classes``): their items then cross between processes once, encoded.
    ahead_bytes: int = 1024 * 1024
    #: Decoded items the findings' citations keep at hand: failures cite few items, mostly from
    #: few groups, and a part of a large register alone may be tens of megabytes decoded.
    keep_cited_items: int = 10_000
    #: The per-file budget of parsing, which runs in worker processes: a file still being parsed
    #: after this many seconds, or past this many bytes of address space, is stopped and becomes a
    #: warning naming the limit. A safety net for hostile or broken files, far above what a real
    #: document or register takes; here rather than in the config, so that a config planted in a
    #: share cannot lift them.
    file_seconds: int = 60
    file_memory: int = 2 * 1024**3

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"tuning {field.name} must be a whole number of at least 0, not {value!r}")
        for name in ("part_items", "file_seconds", "file_memory"):
            if getattr(self, name) < 1:
                raise ValueError(f"tuning {name} must be at least 1")
