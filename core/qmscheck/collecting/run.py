"""Stage one: connectors -> evidence. Checking never goes back to the sources."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pluggy

from qmscheck import vocabulary
from qmscheck.collecting.classification import Candidate, Classification, Overrides
from qmscheck.collecting.connectors.base import DEFAULT_MAX_FILE_SIZE, CollectContext, Connector
from qmscheck.config.scan_config import ScanConfig
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import CollectionWarning, EvidenceItem, natural_key
from qmscheck.model.evidence_types import pack_types
from qmscheck.model.groups import EvidenceGroup, group_order
from qmscheck.model.report import SourceInfo
from qmscheck.storage.index import EvidenceIndex
from qmscheck.support.code_fingerprint import code_fingerprint
from qmscheck.support.executors import Executor
from qmscheck.support.gcpause import collector_paused
from qmscheck.support.progress import NullProgress, Progress
from qmscheck.support.registry import Registry
from qmscheck.support.tuning import Tuning


class CollectPlugins(Protocol):
    """What collecting needs of the loaded plugins (:class:`qmscheck.plugins.manager.Plugins` is one):
    the connectors by name, the plugins' classifiers, and the plugin objects, whose code the index's
    fingerprint covers."""

    connectors: Registry[Connector]
    manager: pluggy.PluginManager

    def classify(self, candidate: Candidate) -> Classification | None: ...


@dataclass
class CollectOptions:
    """``index``: the SQLite index file (None: nothing is cached); ``full``: read everything again;
    ``jobs``: processes for parsing, and for summarising in the check stage (None: one per CPU;
    1: in this process); ``tuning``: how the work is divided, for both stages (never what is found)."""

    index: Path | None = None
    full: bool = False
    jobs: int | None = 1
    #: None: each source's max_file_size option, else 200 MB; a number (--max-file-size) wins over both.
    max_file_size: int | None = None
    progress: Progress = field(default_factory=NullProgress)
    tuning: Tuning = field(default_factory=Tuning)
    #: Filled in by collect(): see Collection.stats.
    stats: Counter[str] = field(default_factory=Counter)
    #: Where both stages' CPU-bound work runs when not in this machine's processes (``jobs``): a
    #: Dask cluster (--executor dask). The caller starts and stops it.
    executor: Executor | None = None

    @property
    def processes(self) -> int:
        """``jobs``, None resolved."""
        return self.jobs if self.jobs is not None else default_jobs()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def fingerprint(config: ScanConfig, plugins: CollectPlugins, tuning: Tuning) -> str:
    """Everything besides a file's bytes that decides what it yields: the code of qmscheck and the
    plugins (its readers, classifiers and connectors), the words and evidence types plugins and
    selected packs add, the classification overrides, and the size
    of a large register's parts (what is stored of it is cut at that size)."""
    data = {
        "code": code_fingerprint(plugins.manager.get_plugins()),
        # The plugins' and selected packs' words and evidence types classify too.
        "words": vocabulary.extra_digest(),
        "types": sorted((name, kind.value) for name, kind in pack_types().items()),
        "classify": [rule.model_dump() for rule in config.classify],
        "part_items": tuning.part_items,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def collect(config: ScanConfig, plugins: CollectPlugins, options: CollectOptions | None = None) -> Collection:
    # Every file becomes a group that lives until the report is made (qmscheck.support.gcpause).
    with collector_paused():
        return _collect(config, plugins, options or CollectOptions())


def _collect(config: ScanConfig, plugins: CollectPlugins, options: CollectOptions) -> Collection:
    overrides = Overrides(config.classify)

    def classify(candidate: Candidate) -> Classification | None:
        return overrides.classify(candidate) or plugins.classify(candidate)

    index = EvidenceIndex(options.index)
    context = CollectContext(
        classify=classify,
        base_dir=config.base_dir,
        max_file_size=options.max_file_size or DEFAULT_MAX_FILE_SIZE,
        max_file_size_forced=options.max_file_size is not None,
        cache=index,
        full=options.full,
        jobs=options.processes,
        progress=options.progress,
        fingerprint=fingerprint(config, plugins, options.tuning),
        stats=options.stats,
        overrides=tuple(config.classify),
        tuning=options.tuning,
        executor=options.executor,
    )
    collection = Collection(stats=context.stats)
    seen_groups: set[str] = set()
    try:
        for source in config.sources:
            connector = plugins.connectors.get(source.connector)
            source_options = source.options()
            count = 0
            first_group = len(collection.groups)
            loose: list[EvidenceItem] = []
            seen_ids: set[str] = set()
            for collected in connector.collect(source_options, context):
                if isinstance(collected, CollectionWarning):
                    collection.warnings.append(collected)
                elif isinstance(collected, EvidenceGroup):
                    if collected.key in seen_groups:
                        collection.warnings.append(_duplicate(connector.name, collected.key))
                        continue
                    seen_groups.add(collected.key)
                    collection.groups.append(collected)
                    count += collected.count
                elif collected.id in seen_ids:
                    collection.warnings.append(_duplicate(connector.name, collected.locator, collected.id))
                else:
                    seen_ids.add(collected.id)
                    loose.append(collected)
                    count += 1
            if loose:
                loose.sort(key=lambda item: natural_key(item.id))
                key = loose[0].id
                if key in seen_groups:
                    collection.warnings.append(_duplicate(connector.name, key))
                else:
                    seen_groups.add(key)
                    collection.groups.append(EvidenceGroup.of_items(key, loose))
            # Where the source's files are in a git repository, and its quality manual: what SARIF
            # needs to point code scanning at a file for every finding, an absence included.
            in_repository = getattr(connector, "repository_path", None)
            collection.sources.append(
                SourceInfo(
                    connector=connector.name,
                    location=connector.describe(source_options),
                    items=count,
                    repository_path=in_repository(source_options, context) if in_repository else None,
                    quality_manual=_quality_manual(collection.groups[first_group:]),
                )
            )
    finally:
        index.close()
        options.progress.finish()
    collection.warnings.extend(index.warnings)  # a damaged, full or locked index: the scan went on without it
    # Groups are whole files (or sources) whose ids do not interleave: ordering groups orders items.
    collection.groups.sort(key=group_order)
    collection.warnings.sort(key=lambda w: (w.connector, w.locator, w.message))
    return collection


def _quality_manual(groups: list[EvidenceGroup]) -> str | None:
    """The locator of the first quality manual in evidence order (a share may hold copies)."""
    for group in sorted((g for g in groups if "quality_manual" in g.types), key=group_order):
        for item in group.decoded():
            if item.type == "quality_manual":
                return item.locator
    return None


def _duplicate(connector: str, locator: str, item_id: str | None = None) -> CollectionWarning:
    what = f"duplicate evidence id {item_id}" if item_id else "evidence already collected from another source"
    return CollectionWarning(connector=connector, locator=locator, message=f"{what}; the second copy was ignored")
