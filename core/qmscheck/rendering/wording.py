"""A finding's own words in the report's language: its rule's fix from the rule's pack catalog (the
title: ``Standards.title``), and its statement phrase by phrase.

A statement is written in English by the check stage (``checking.grading`` and the steps after it):
the requirement ("ISO 9001 7.1.5 expects that ..."), the evidence seen, what is not met and how many
of how many were checked. Each of those frames is a message of qmscheck's catalog; the requirement
inside it is the rule's own (its pack's catalog, the rule id as context), and so is a condition's label
("lacks a calibration due date that has not passed"). Everything else in a statement (evidence labels,
locators, values, dates) is the evidence's and stays as it is. A frame with no translation stays
English, so a statement is never lost, only partly translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from qmscheck.i18n import N_, Translator
from qmscheck.model.report import Finding

#: What may follow the requirement's sentence in a statement.
_AFTER_REQUIREMENT: Final = r"(?= Evidence seen: | Not met| At site | Not established | Only an unfilled |$)"
_REQUIREMENT: Final = re.compile(r"^(?P<cite>.+?) expects that (?P<requirement>.+?)\." + _AFTER_REQUIREMENT)
_OWN_REQUIREMENT: Final = re.compile(
    r"^The organisation's own documented information expects that (?P<requirement>.+?)\." + _AFTER_REQUIREMENT
)


@dataclass(frozen=True)
class Frame:
    """An English phrase of a statement (``pattern``, its groups the parts kept or looked up) and its
    message (``message``, the groups as ``{name}`` placeholders). Groups named in ``rule_words`` are the
    rule's own words, translated by its pack's catalog."""

    pattern: re.Pattern[str]
    message: str
    rule_words: tuple[str, ...] = ()


FRAMES: Final = (
    Frame(re.compile(r" Evidence seen: "), N_(" Evidence seen: ")),
    Frame(re.compile(r" At site (?P<site>[^:]+): not met: "), N_(" At site {site}: not met: ")),
    Frame(re.compile(r"(?<=[.:]) Not met: "), N_(" Not met: ")),
    Frame(
        re.compile(r" Not met in (?P<count>\d+) of (?P<whole>\d+) instances checked: "),
        N_(" Not met in {count} of {whole} instances checked: "),
    ),
    Frame(
        re.compile(r" Not met by (?P<count>\d+) of (?P<whole>\d+) (?P<population>[^:]+): "),
        N_(" Not met by {count} of {whole} {population}: "),
    ),
    Frame(
        re.compile(r" (?P<count>\d+) of (?P<whole>\d+) (?P<population>[^.]+) checked\.$"),
        N_(" {count} of {whole} {population} checked."),
    ),
    Frame(re.compile(r"\bwill lack (?P<label>[^(;]+?) \("), N_("will lack {label} ("), ("label",)),
    Frame(re.compile(r"\blacks (?P<label>[^(;]+?) \("), N_("lacks {label} ("), ("label",)),
    Frame(re.compile(r", (?P<days>\d+) days past\)"), N_(", {days} days past)")),
    Frame(re.compile(r"\) by (?P<date>\d{4}-\d{2}-\d{2})"), N_(") by {date}")),
    Frame(re.compile(r" does not address: "), N_(" does not address: ")),
    Frame(re.compile(r"\bno (?P<what>[a-z ]+) was found\b"), N_("no {what} was found")),
    Frame(re.compile(r" Only an unfilled template was found: "), N_(" Only an unfilled template was found: ")),
)


def _replacer(frame: Frame, tr: Translator, rule: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
    message = tr.gettext(frame.message)

    def replace(match: re.Match[str]) -> str:
        values = match.groupdict()
        for name in frame.rule_words:
            values[name] = rule(values[name])
        return message.format(**values)

    return replace


def statement(finding: Finding, tr: Translator) -> str:
    """The finding's statement in ``tr``'s language, as far as its catalogs go."""
    text = finding.statement
    if tr.language == "en" or not text:
        return text

    def rule(words: str) -> str:
        for rule_id in (finding.rule_id, *finding.also_reported_by):
            translated = tr.rule(finding.pack, rule_id, words)
            if translated != words:
                return translated
        return words

    own = _OWN_REQUIREMENT.match(text)
    cited = _REQUIREMENT.match(text)
    if own:
        opening = tr.gettext("The organisation's own documented information expects that {requirement}.")
        text = opening.format(requirement=rule(own["requirement"])) + text[own.end() :]
    elif cited:
        opening = tr.gettext("{cite} expects that {requirement}.")
        text = opening.format(cite=cited["cite"], requirement=rule(cited["requirement"])) + text[cited.end() :]
    for frame in FRAMES:
        text = frame.pattern.sub(_replacer(frame, tr, rule), text)
    return text


def fix(finding: Finding, tr: Translator) -> str:
    return tr.rule(finding.pack, finding.rule_id, finding.fix)
