"""avoids: a document says none of the words of some topics, in any supported language.

The opposite of ``mentions``: the words of a topic are what a document must *not* say (a
certification claimed as "ISO certified" or "ISO 9001 accredited"). Each document that says one
is a failure quoting the words found and the wording to use instead.

Words compare as topics compare them (case, accents, punctuation and plural endings do not
matter), with one rule of their own: a term ending in "ISO" does not count where a standard's
number follows it. "Certifié ISO" names no standard and reads as ISO certifying; "certifié ISO
9001" names the standard and is what ISO's guidance asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, label, selection_probe
from qmscheck.checking.primitives.exists import type_phrase
from qmscheck.checking.rule_model import AvoidsCheck, Rule
from qmscheck.checking.topics import active_topics
from qmscheck.model.verdicts import Failure, GroupSummary
from qmscheck.vocabulary import normalise, stem

_ISO = "iso"
#: Words that continue "ISO" into a standard's designation ("ISO/IEC 17025"), besides numbers.
_DESIGNATION = frozenset({"iec", "ts", "tr"})

Term = tuple[str, tuple[str, ...]]  # the term as the vocabulary writes it, and its stemmed words


@lru_cache(maxsize=32)
def _terms(topics: tuple[str, ...]) -> dict[str, list[Term]]:
    """Per first stemmed word, the terms of the topics in every language, longest first."""
    vocabulary = active_topics()
    by_first: dict[str, list[Term]] = {}
    for topic in topics:
        for language in vocabulary.languages(topic):
            for text in vocabulary.terms(topic, language):
                words = tuple(stem(word) for word in normalise(text.rstrip("*:")).split())
                if words:
                    by_first.setdefault(words[0], []).append((text, words))
    for terms in by_first.values():
        terms.sort(key=lambda term: -len(term[1]))
    return by_first


def _names_a_standard(word: str) -> bool:
    return word[:1].isdigit() or word in _DESIGNATION


def said(text: str, topics: Sequence[str]) -> list[str]:
    """The terms of ``topics`` the text says, as the vocabulary writes them, in the order said."""
    by_first = _terms(tuple(topics))
    plain = normalise(text).split()
    stemmed = [stem(word) for word in plain]
    found: list[str] = []
    position = 0
    while position < len(stemmed):
        end = position + 1
        for term, words in by_first.get(stemmed[position], ()):
            stop = position + len(words)
            if tuple(stemmed[position:stop]) != words:
                continue
            if words[-1] == _ISO and stop < len(plain) and _names_a_standard(plain[stop]):
                continue
            if term not in found:
                found.append(term)
            end = stop
            break
        position = end
    return found


class Avoids(Groupwise):
    kind = "avoids"
    description = "A document says none of the words of the given topics (in any supported language)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        check = ctx.rule.check
        assert isinstance(check, AvoidsCheck)
        failures = []
        for item in ctx.selected:
            terms = said(f"{item.title or ''}\n{item.text or ''}", check.topics)
            if terms:
                quoted = ", ".join(f'"{term}"' for term in terms)
                detail = f'{type_phrase(ctx.rule)} {label(item)} says {quoted}; say instead "{check.instead}"'
                failures.append(Failure(items=(ctx.cite(item),), detail=detail))
        return GroupSummary(failures=failures)
