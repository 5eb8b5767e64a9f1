"""Find "Label: value" pairs in free text lines."""

from __future__ import annotations

import re

from .fields import SYNONYMS, canonical_field
from .limits import MAX_INLINE_CHARS

# Header/footer and PDF lines often pack several pairs on one line
# ("Doc No: QP-01    Rev: C    Page 1 of 3").
_SEGMENT_SPLIT = re.compile(r"\t+|\s+\|\s+|\s{3,}")
_LABEL = re.compile(r"^[^\W\d_][\w .'’°º#&()/-]{0,39}$")
_MAX_LABEL_WORDS = 6


def _clean_label(text: str) -> str:
    return text.strip().strip("*_`").strip()


def split_pair(segment: str) -> tuple[str, str] | None:
    """('Label', 'value') when the segment reads 'Label: value', else None."""
    label, sep, value = segment.partition(":")
    if not sep:
        return None
    label = _clean_label(label)
    if not _LABEL.match(label) or len(label.split()) > _MAX_LABEL_WORDS:
        return None
    # "ISO 9001:2015", "10:30" and URLs are not pairs; a known label may be
    # written without the space ("Rev:B").
    if value[:1] not in ("", " ", "\t") and canonical_field(label) is None:
        return None
    return label, value.strip().strip("*_").strip()


def label_pairs(line: str) -> list[tuple[str, str]]:
    """All 'Label: value' pairs on one line of text."""
    pairs = []
    for segment in _SEGMENT_SPLIT.split(line.strip()):
        pair = split_pair(segment)
        if pair is not None:
            pairs.append(pair)
    return pairs


def _inline_pattern() -> re.Pattern[str]:
    labels = sorted({*SYNONYMS["document_number"], *SYNONYMS["revision"]}, key=len, reverse=True)
    alternatives = "|".join(
        r"[\s.-]*".join(re.escape(word) for word in re.split(r"[\s.-]+", label) if word)
        for label in labels
        if "_" not in label
    )
    # A value needs a digit or must be a short code ("Rev B"), so prose like
    # "Document control" is not read as a document number.
    value = r"([A-Za-z0-9][\w./-]*\d[\w./-]*|(?-i:[A-Z0-9]{1,3}))(?![\w])"
    return re.compile(rf"(?<![\w])({alternatives})\.?[\s:#.-]*{value}", re.IGNORECASE)


_INLINE = _inline_pattern()


def inline_pairs(text: str) -> list[tuple[str, str]]:
    """Pairs from prose like 'Document No WI-07 Rev B' (no colons), in its first MAX_INLINE_CHARS
    characters: the pattern's many alternatives cost time in proportion to the text searched."""
    return [(match.group(1), match.group(2)) for match in _INLINE.finditer(text, 0, MAX_INLINE_CHARS)]
