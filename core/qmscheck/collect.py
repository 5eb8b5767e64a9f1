"""Stage one: connectors -> evidence. Checking never goes back to the sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from qmscheck.classify import Candidate, Classification, Overrides
from qmscheck.config import ScanConfig
from qmscheck.connectors.base import CollectContext
from qmscheck.evidence import CollectionWarning, EvidenceItem, natural_key
from qmscheck.plugins import Plugins
from qmscheck.report import SourceInfo


@dataclass
class Collection:
    items: list[EvidenceItem] = field(default_factory=list)
    warnings: list[CollectionWarning] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)


def collect(config: ScanConfig, plugins: Plugins) -> Collection:
    overrides = Overrides(config.classify)

    def classify(candidate: Candidate) -> Classification | None:
        return overrides.classify(candidate) or plugins.classify(candidate)

    context = CollectContext(classify=classify, base_dir=config.base_dir)
    collection = Collection()
    seen: set[str] = set()
    for source in config.sources:
        connector = plugins.connectors.get(source.connector)
        options = source.options()
        count = 0
        for collected in connector.collect(options, context):
            if isinstance(collected, CollectionWarning):
                collection.warnings.append(collected)
                continue
            if collected.id in seen:
                collection.warnings.append(
                    CollectionWarning(
                        connector=connector.name,
                        locator=collected.locator,
                        message=f"duplicate evidence id {collected.id}; the second copy was ignored",
                    )
                )
                continue
            seen.add(collected.id)
            collection.items.append(collected)
            count += 1
        collection.sources.append(
            SourceInfo(connector=connector.name, location=connector.describe(options), items=count)
        )
    collection.items.sort(key=lambda item: natural_key(item.id))
    collection.warnings.sort(key=lambda w: (w.connector, w.locator, w.message))
    return collection
