"""Topics: what a rule of kind ``mentions`` looks for in a document's text, in every supported language.

A rule names topic ids (``supplier_performance``); the words of each topic are the ``[topics]``
tables of the vocabulary files, one list per language. A text addresses a topic when any
language's words for it appear in it, compared as the vocabulary compares its terms: case,
accents, punctuation and simple plural endings do not matter, and a term ending in ``*`` matches
any word that starts with it ("responsab*" matches "responsabilidades").

The text is read leftmost-longest: where terms of several topics start at one word, the longest
wins and its words are used up, so a phrase counts for its own topic and not for the topics of
the words inside it. "Opportunities for improvement" is a review input, not a decision to
improve; "continual improvement" in a policy is not an improvement project.

A term ending in ``:`` counts only where it stands on its own: a heading, a label before a colon
or a tab, a table cell or a word in parentheses ("Improvement: inline camera", "## 3. Processes",
"(mejora)"), so a short word means a section or a label, never a passing use of it. Numbering in
front of a heading ("3.", "4.2") does not count.

A postal address (a postcode before a town) addresses the ``sites`` topic in every language.

Topics come from the built-in vocabulary only: checks run in worker processes that load no
plugins, and a text must be judged the same whatever the number of processes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from qmscheck.vocabulary import Vocabulary, VocabularyError, active, builtin, normalise, stem

#: Language names for the words of rules and findings, which are English.
LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
}

_FRAGMENT = re.compile(r"[:\t|()\[\]]")
#: A postal address names a site in any language: a postcode before a town, after a comma or at the
#: start of a line (", 78549 Spaichingen", "D-50197 Zaragoza"), or a British postcode ("LS1 4AB").
_ADDRESS = re.compile(
    r"(?:^|,)[ \t]*(?:[A-Z]{1,2}-)?\d{4,5}[ \t]+[A-ZÀ-ÖØ-Þ][^\W\d_]{2,}|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b",
    re.MULTILINE,
)
SITES = "sites"
_MIN_PREFIX = 4  # "resp*" is already a stretch; shorter prefixes match nearly anything


@dataclass(frozen=True)
class _Term:
    topic: str
    words: tuple[str, ...]
    prefix: bool  # the last word matches any word that starts with it


def _stemmed(text: str) -> list[str]:
    return [stem(word) for word in normalise(text).split()]


def _heading(text: str) -> tuple[str, ...]:
    """A fragment's words without the numbering in front of it."""
    words = _stemmed(text)
    while words and words[0].isdigit():
        words.pop(0)
    return tuple(words)


class Topics:
    """The topics of a vocabulary, and which of them a text addresses."""

    def __init__(self, vocabulary: Vocabulary, only: frozenset[str] | None = None) -> None:
        """``only``: these topics alone, so that no other topic's longer phrase uses their words up."""
        self._words = {topic: words for topic, words in vocabulary.topics.items() if only is None or topic in only}
        self.ids = frozenset(self._words)
        self._by_first: dict[str, list[_Term]] = {}
        self._prefixes: dict[str, list[_Term]] = {}
        self._standalone: dict[tuple[str, ...], set[str]] = {}
        for topic, by_language in sorted(self._words.items()):
            for language, texts in by_language.items():
                for text in texts:
                    self._add(topic, language, text)

    def _add(self, topic: str, language: str, text: str) -> None:
        where = f"vocabulary {language}: [topics] {topic}: {text!r}"
        body = text.strip()
        if body.endswith(":"):
            words = _heading(body[:-1])
            if not words or "*" in body:
                raise VocabularyError(f"{where}: a term that stands on its own needs words and no '*'")
            self._standalone.setdefault(words, set()).add(topic)
            return
        prefix = body.endswith("*")
        plain = normalise(body.rstrip("*")).split()
        if not plain:
            raise VocabularyError(f"{where}: no words")
        if prefix and len(plain[-1]) < _MIN_PREFIX:
            raise VocabularyError(f"{where}: a prefix needs at least {_MIN_PREFIX} letters")
        words = tuple([stem(word) for word in plain[:-1]] + [plain[-1] if prefix else stem(plain[-1])])
        term = _Term(topic, words, prefix)
        if prefix and len(words) == 1:
            self._prefixes.setdefault(words[0][:_MIN_PREFIX], []).append(term)
        else:
            self._by_first.setdefault(words[0], []).append(term)

    @staticmethod
    def name(topic: str) -> str:
        """The topic in English words, as findings and the rule docs name it: its id read aloud."""
        return topic.replace("_", " ")

    def terms(self, topic: str, language: str) -> tuple[str, ...]:
        return self._words.get(topic, {}).get(language, ())

    def languages(self, topic: str) -> tuple[str, ...]:
        """The languages that have words for the topic, in the vocabulary's order."""
        return tuple(self._words.get(topic, {}))

    def suggestions(self, topic: str) -> list[str]:
        return difflib.get_close_matches(topic, sorted(self.ids), n=3, cutoff=0.6)

    def found(self, text: str) -> frozenset[str]:
        """The topics the text addresses."""
        found: set[str] = set()
        plain = normalise(text).split()
        stemmed = [stem(word) for word in plain]
        position = 0
        while position < len(stemmed):
            end, topics = position, set()
            candidates = [
                *self._by_first.get(stemmed[position], ()),
                *(
                    term
                    for term in self._prefixes.get(plain[position][:_MIN_PREFIX], ())
                    if plain[position].startswith(term.words[0])
                ),
            ]
            for term in candidates:
                reached = _match(term, plain, stemmed, position)
                if reached > end:
                    end, topics = reached, {term.topic}
                elif reached == end > position:
                    topics.add(term.topic)
            found |= topics
            position = max(end, position + 1)
        for line in text.splitlines():
            for fragment in _FRAGMENT.split(line):
                found |= self._standalone.get(_heading(fragment), set())
        if SITES in self.ids and SITES not in found and _ADDRESS.search(text):
            found.add(SITES)
        return frozenset(found)


def _match(term: _Term, plain: list[str], stemmed: list[str], position: int) -> int:
    """Where the term ends when it starts at ``position``; ``position`` when it does not."""
    end = position + len(term.words)
    if end > len(stemmed):
        return position
    if not term.prefix:
        return end if tuple(stemmed[position:end]) == term.words else position
    if tuple(stemmed[position : end - 1]) != term.words[:-1] or not plain[end - 1].startswith(term.words[-1]):
        return position
    return end


@lru_cache(maxsize=1)
def builtin_topics() -> Topics:
    """The topics of the built-in vocabulary, built once per process."""
    return Topics(builtin())


def active_topics() -> Topics:
    """The topics of the words in use: the built-in ones and those of the selected packs
    (``vocabulary.active``)."""
    return _topics_of(active())


@lru_cache(maxsize=4)
def _topics_of(vocabulary: Vocabulary) -> Topics:
    return Topics(vocabulary)


def topics_in(text: str) -> frozenset[str]:
    """The topics a text addresses; several rules read the same manual or minutes."""
    return _found(active(), text)


@lru_cache(maxsize=64)
def _found(vocabulary: Vocabulary, text: str) -> frozenset[str]:
    return _topics_of(vocabulary).found(text)
