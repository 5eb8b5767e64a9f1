"""Let file properties fill document-control fields the body left empty."""

from __future__ import annotations

from .field_collector import FieldCollector
from .fields import DEFAULT_PRIORITY
from .labels import inline_pairs

# Below any label in the document itself, so properties only fill gaps and
# stale template properties do not produce conflict warnings.
PROPERTY_PRIORITY = DEFAULT_PRIORITY + 10
SUBJECT_PRIORITY = DEFAULT_PRIORITY + 20

# Core property -> field.  Core "revision" is Word's save counter, not the
# document revision, so it is deliberately absent.
_CORE_FIELDS = {
    "identifier": "document_number",
    "version": "revision",
    "content_status": "status",
}


def feed_properties(collector: FieldCollector, properties: dict[str, str], custom: list[tuple[str, str]]) -> None:
    for name, value in custom:
        collector.add(name, value, "custom property", extra=False, priority=PROPERTY_PRIORITY)
    for key, field in _CORE_FIELDS.items():
        if properties.get(key):
            collector.add(
                key,
                properties[key],
                "file property",
                extra=False,
                field=field,
                priority=PROPERTY_PRIORITY,
            )
    subject = properties.get("subject", "")
    for label, value in inline_pairs(subject):
        collector.add(label, value, "subject", extra=False, priority=SUBJECT_PRIORITY)
