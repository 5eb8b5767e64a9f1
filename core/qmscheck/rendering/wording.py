"""A finding's own words in the report's language: its rule's fix from the rule's pack catalog (the
title: ``Standards.title``), and its statement phrase by phrase.

A statement is written in English by the check stage (``checking.grading`` and the steps after it):
the requirement ("ISO 9001 7.1.5 expects that ..."), the evidence seen, what is not met and how many
of how many were checked. Each of those frames is a message of qmscheck's catalog, and so is each
detail a check primitive writes ("lacks ...", "no ... matching ...", "the newest ... is older than
..."); the requirement inside it is the rule's own (its pack's catalog, the rule id as context), and so
is a condition's label ("a calibration due date that has not passed"). qmscheck's own terms inside a
phrase (evidence types, field names, topics: :data:`TERMS`, periods) come from its catalog too.
Everything else in a statement (evidence labels, locators, values, dates) is the evidence's and stays
as it is. A phrase with no translation stays English, so a statement is never lost, only partly
translated.

The same goes for the other sentences the check stage writes in English for the JSON: why a rule
did not run (:func:`reason`) and why a file could not be read (:func:`warning`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from qmscheck.i18n import N_, N_plural, Translator
from qmscheck.model.report import Finding

#: qmscheck's own words that the check stage puts into a phrase: the built-in evidence types (one
#: and several, as ``checking.grading`` counts them), the canonical fields (as
#: ``checking.phrases.field_words`` names them) and the vocabulary's topics. tests/test_i18n.py
#: checks that every one of them is here.
TERMS: Final = (
    # evidence types
    N_("quality policy"),
    N_("quality policies"),
    N_("quality manual"),
    N_("quality manuals"),
    N_("scope statement"),
    N_("scope statements"),
    N_("context analysis"),
    N_("quality objective"),
    N_("quality objectives"),
    N_("procedure"),
    N_("procedures"),
    N_("work instruction"),
    N_("work instructions"),
    N_("form"),
    N_("forms"),
    N_("master document list"),
    N_("master document lists"),
    N_("audit programme entry"),
    N_("audit programme entries"),
    N_("internal audit report"),
    N_("internal audit reports"),
    N_("management review minutes"),
    N_("employee"),
    N_("employees"),
    N_("training record"),
    N_("training records"),
    N_("calibration record"),
    N_("calibration records"),
    N_("supplier"),
    N_("suppliers"),
    N_("supplier evaluation"),
    N_("supplier evaluations"),
    N_("nonconformity"),
    N_("nonconformities"),
    N_("corrective action"),
    N_("corrective actions"),
    N_("complaint"),
    N_("complaints"),
    N_("risk"),
    N_("risks"),
    N_("lessons learned"),
    N_("lessons learneds"),
    N_("purchase"),
    N_("purchases"),
    N_("inspection"),
    N_("inspections"),
    N_("quality plan"),
    N_("quality plans"),
    N_("kpi report"),
    N_("kpi reports"),
    N_("contract review"),
    N_("contract reviews"),
    N_("design project"),
    N_("design projects"),
    N_("design change"),
    N_("design changes"),
    N_("qms change"),
    N_("qms changes"),
    N_("process change"),
    N_("process changes"),
    N_("maintenance record"),
    N_("maintenance records"),
    N_("traceability record"),
    N_("traceability records"),
    N_("customer property"),
    N_("customer properties"),
    N_("release record"),
    N_("release records"),
    N_("action item"),
    N_("action items"),
    N_("review action"),
    N_("review actions"),
    N_("public document"),
    N_("public documents"),
    N_("repository file"),
    N_("repository files"),
    N_("unclassified"),
    N_("unclassifieds"),
    # fields
    N_("document number"),
    N_("revision"),
    N_("status"),
    N_("owner"),
    N_("approver"),
    N_("approved date"),
    N_("next review date"),
    N_("last reviewed date"),
    N_("issued date"),
    N_("completed date"),
    N_("due date"),
    N_("title"),
    N_("person"),
    N_("role"),
    N_("competence"),
    N_("instrument id"),
    N_("description"),
    N_("location"),
    N_("site"),
    N_("certificate"),
    N_("certificate expiry"),
    N_("certified standard"),
    N_("certification body"),
    N_("action date"),
    N_("effectiveness date"),
    N_("scope"),
    N_("score"),
    N_("result"),
    N_("evaluator"),
    N_("reference"),
    N_("source"),
    N_("classification"),
    N_("disposition"),
    N_("root cause"),
    N_("correction"),
    N_("effectiveness"),
    N_("customer"),
    N_("process"),
    N_("auditor"),
    N_("auditee"),
    N_("objective"),
    N_("current value"),
    N_("responded"),
    N_("response"),
    N_("last used date"),
    N_("quality relevant"),
    N_("start date"),
    N_("likelihood"),
    N_("impact"),
    N_("action"),
    N_("attendees"),
    N_("chair"),
    N_("design review"),
    N_("verification"),
    N_("validation"),
    N_("target"),
    # topics
    N_("climate change"),
    N_("interested parties"),
    N_("interested party requirements"),
    N_("products and services"),
    N_("sites"),
    N_("applicability"),
    N_("processes and their interaction"),
    N_("process owners"),
    N_("meeting applicable requirements"),
    N_("continual improvement"),
    N_("policy communication"),
    N_("responsibilities and authorities"),
    N_("customer satisfaction"),
    N_("complaints or delivery performance"),
    N_("actions from previous reviews"),
    N_("external and internal issues"),
    N_("process performance and product conformity"),
    N_("nonconformities and corrective actions"),
    N_("monitoring and measurement results"),
    N_("audit results"),
    N_("supplier performance"),
    N_("adequacy of resources"),
    N_("actions on risks and opportunities"),
    N_("improvement opportunities"),
    N_("improvement decisions"),
    N_("management system changes"),
    N_("resource needs"),
    N_("certification claim wording"),
)
_TERMS: Final = frozenset(TERMS)

#: A grade as a statement names it at its end ("... this is a major nonconformity.").
GRADE_PHRASES: Final = (
    N_("a major nonconformity"),
    N_("a minor nonconformity"),
    N_("an evidence request"),
    N_("an observation"),
    N_("an opportunity for improvement"),
)
_GRADE_PHRASES: Final = frozenset(GRADE_PHRASES)

_DATE: Final = r"\d{4}-\d{2}-\d{2}"
_UNIT: Final = r"(?:years?|months?|weeks?|days?)"
_PERIOD: Final = rf"\d+ {_UNIT}(?: \d+ {_UNIT})*"
_PERIOD_PART: Final = re.compile(rf"(?P<n>\d+) (?P<unit>{_UNIT})")
#: A term's words: lower-case words, looked up whole (or as parts joined by "or").
_WORDS: Final = r"[a-z][a-z ]*?"
_SINGULAR_TYPES: Final = "|".join(
    sorted((re.escape(term) for term in TERMS[: TERMS.index("document number")]), key=len, reverse=True)
)
_FIELD_TERMS: Final = "|".join(
    sorted(
        (re.escape(term) for term in TERMS[TERMS.index("document number") : TERMS.index("climate change")]),
        key=len,
        reverse=True,
    )
)
#: One thing a condition requires, with the values it was judged on: 'a due date (due date 2026-01-15,
#: 75 days past)'. Never a colon: that starts the next instance ('; Mei Chen: lacks ...').
_NEED: Final = r"[^;:()]+?(?: \((?:[^()]|\([^()]*\))*\))?"
_NEED_PARTS: Final = re.compile(r"^(?P<phrase>[^()]+?)(?: \((?P<values>(?:[^()]|\([^()]*\))*)\))?$")
_REQUIRED: Final = re.compile(
    rf"^(?:(?P<no>no )|an? )?(?P<field>{_FIELD_TERMS})(?: (?P<compare>on or after|on or before) (?P<bound>{_DATE}|the "
    r"scan date))?$"
)
_VALUE: Final = re.compile(rf"^(?P<field>{_FIELD_TERMS}) (?P<value>.*?)(?:, (?P<days>\d+) days past)?$")


@dataclass(frozen=True)
class Frame:
    """An English phrase of a statement (``pattern``, its groups the parts kept or looked up) and its
    message (``message``, the groups as ``{name}`` placeholders; a plural pair counts the ``count``
    group). ``words`` names the groups that are not kept as written, and how each is translated:
    ``rule`` (the rule's own words, its pack's catalog), ``title`` (the title of the rule the ``rule``
    group names), ``term`` (:data:`TERMS`, parts joined by "or" or commas), ``needs`` (what a condition
    requires, with the values judged), ``period`` ('12 months'), ``grade`` (:data:`GRADE_PHRASES`)."""

    pattern: re.Pattern[str]
    message: str | tuple[str, str]
    words: Mapping[str, str] = field(default_factory=dict)


def _frame(pattern: str, message: str | tuple[str, str], **words: str) -> Frame:
    return Frame(re.compile(pattern), message, words)


#: The frames of a statement, applied in this order (the requirement's opening comes first, apart).
FRAMES: Final = (
    # A merged rule's requirement of the organisation's own, inside the host finding's statement (checking.merge).
    _frame(
        r"\(The organisation's own documented information expects that (?P<requirement>.+?)\)(?= - not met|\.(?: |$))",
        N_("(The organisation's own documented information expects that {requirement})"),
        requirement="rule",
    ),
    _frame(r" Evidence seen: ", N_(" Evidence seen: ")),
    _frame(r" At site (?P<site>[^:]+): not met: ", N_(" At site {site}: not met: ")),
    _frame(r"(?<=[.:]) Not met: ", N_(" Not met: ")),
    _frame(
        r" Not met in (?P<count>\d+) of (?P<whole>\d+) instances checked: ",
        N_(" Not met in {count} of {whole} instances checked: "),
    ),
    _frame(
        rf" Not met by (?P<count>\d+) of (?P<whole>\d+) (?P<population>{_WORDS}): ",
        N_(" Not met by {count} of {whole} {population}: "),
        population="term",
    ),
    _frame(
        rf" (?P<count>\d+) of (?P<whole>\d+) (?P<population>{_WORDS}) checked\.(?= |$)",
        N_(" {count} of {whole} {population} checked."),
        population="term",
    ),
    _frame(
        rf"\bwill lack (?P<needs>{_NEED}(?:; {_NEED})*?) by (?P<date>{_DATE})",
        N_("will lack {needs} by {date}"),
        needs="needs",
    ),
    _frame(
        rf"\blacks (?P<needs>{_NEED}(?:; {_NEED})*?)(?=\.(?: |$)|$|; [^;:]+: | …)",
        N_("lacks {needs}"),
        needs="needs",
    ),
    _frame(
        rf"(?P<what>{_SINGULAR_TYPES}) (?P<name>.+?) does not address: (?P<topics>[a-z][a-z ,]*)(?=\.|;|$)",
        N_("{what} {name} does not address: {topics}"),
        what="term",
        topics="term",
    ),
    _frame(r" does not address: ", N_(" does not address: ")),
    _frame(rf"\bno (?P<what>{_WORDS}) was found\b", N_("no {what} was found"), what="term"),
    _frame(
        rf"\bonly (?P<count>\d+) (?P<what>{_WORDS}) found, (?P<wanted>\d+) expected",
        N_("only {count} {what} found, {wanted} expected"),
        what="term",
    ),
    _frame(
        rf"\bno (?P<what>{_WORDS}) with an? (?P<field>{_WORDS}) was found\b",
        N_("no {what} with a {field} was found"),
        what="term",
        field="term",
    ),
    _frame(
        rf"\bno (?P<what>{_WORDS}) with an? (?P<field>{_WORDS}) in (?P<name>\S+) \((?P<start>{_DATE}) to "
        rf"(?P<end>{_DATE})\)",
        N_("no {what} with a {field} in {name} ({start} to {end})"),
        what="term",
        field="term",
    ),
    _frame(rf", one being due every (?P<period>{_PERIOD})", N_(", one being due every {period}"), period="period"),
    _frame(
        r"\(its own (?P<name>[a-z_]+) = (?P<value>P[0-9A-Z]+), ",
        N_("(its own {name} = {value}, "),
    ),
    _frame(
        rf"\bno (?P<what>{_WORDS}) matching (?P<field>{_WORDS}) '(?P<value>[^']*)' with (?P<needs>{_NEED})"
        r"(?=\.(?: |$)|$|; )",
        N_("no {what} matching {field} '{value}' with {needs}"),
        what="term",
        field="term",
        needs="needs",
    ),
    _frame(
        rf"\bno (?P<what>{_WORDS}) matching (?P<field>{_WORDS}) '(?P<value>[^']*)'",
        N_("no {what} matching {field} '{value}'"),
        what="term",
        field="term",
    ),
    _frame(
        rf"\bthe (?P<what>{_WORDS}) matching (?P<field>{_WORDS}) '(?P<value>[^']*)' does not have "
        rf"(?P<needs>{_NEED})(?=\.(?: |$)|$|; )",
        N_("the {what} matching {field} '{value}' does not have {needs}"),
        what="term",
        field="term",
        needs="needs",
    ),
    _frame(
        rf"\bthe (?P<one>process|site) '(?P<key>[^']*)' is listed, but no (?P<what>{_WORDS}) of it has "
        rf"(?P<needs>{_NEED})(?=\.(?: |$)|$|; )",
        N_("the {one} '{key}' is listed, but no {what} of it has {needs}"),
        one="term",
        what="term",
        needs="needs",
    ),
    _frame(
        rf"\bno (?P<what>{_WORDS}) covers the (?P<one>process|site) '(?P<key>[^']*)'",
        N_("no {what} covers the {one} '{key}'"),
        what="term",
        one="term",
    ),
    _frame(r"\bthe same content is held by (?P<count>\d+) items: ", N_("the same content is held by {count} items: ")),
    _frame(
        rf"\b(?P<field>{_FIELD_TERMS}) '(?P<value>[^']*)' is held by (?P<count>\d+) items: ",
        N_("{field} '{value}' is held by {count} items: "),
        field="term",
    ),
    _frame(
        rf"\b(?P<field>{_FIELD_TERMS}) '(?P<value>[^']*)' is also named as (?P<other>{_FIELD_TERMS})\b",
        N_("{field} '{value}' is also named as {other}"),
        field="term",
        other="term",
    ),
    _frame(
        rf"\bthe newest (?P<what>{_WORDS}) will be older than (?P<period>{_PERIOD}) within (?P<window>{_PERIOD})",
        N_("the newest {what} will be older than {period} within {window}"),
        what="term",
        period="period",
        window="period",
    ),
    _frame(
        rf"\bthe newest (?P<what>{_WORDS}) is older than (?P<period>{_PERIOD})",
        N_("the newest {what} is older than {period}"),
        what="term",
        period="period",
    ),
    _frame(
        rf": due by (?P<deadline>{_DATE}), (?P<late>{_PERIOD}) late against the organisation's deadline of "
        rf"(?P<period>{_PERIOD})",
        N_(": due by {deadline}, {late} late against the organisation's deadline of {period}"),
        late="period",
        period="period",
    ),
    _frame(rf"\bno (?P<fields>{_WORDS}) by (?P<date>{_DATE})", N_("no {fields} by {date}"), fields="term"),
    _frame(rf"\b(?P<field>{_FIELD_TERMS}) (?P<date>{_DATE})\b", N_("{field} {date}"), field="term"),
    _frame(
        r"\brefers to (?P<numbers>[^:]+): no document in the share has this number",
        N_("refers to {numbers}: no document in the share has this number"),
    ),
    _frame(
        r"\brefers to (?P<numbers>[^:]+): no document in the share has these numbers",
        N_("refers to {numbers}: no document in the share has these numbers"),
    ),
    _frame(
        rf"\bno column of this register was understood to record (?P<needs>{_NEED}(?:; {_NEED})*?) \(columns not "
        r"understood: (?P<columns>[^)]*)\)",
        N_("no column of this register was understood to record {needs} (columns not understood: {columns})"),
        needs="needs",
    ),
    _frame(
        r" Not established in the register of (?P<where>.+?): ", N_(" Not established in the register of {where}: ")
    ),
    _frame(
        r"\. Show the auditor where this is recorded, or name the column in a \[\[classify\]\] entry of "
        r"qmscheck\.toml\. If it is not recorded at all, this is (?P<grade>[a-z ]+)\.$",
        N_(
            ". Show the auditor where this is recorded, or name the column in a [[classify]] entry of qmscheck.toml. "
            "If it is not recorded at all, this is {grade}."
        ),
        grade="grade",
    ),
    _frame(
        r" It fails at every site \((?P<sites>[^)]*)\): a breakdown of the system, not a local lapse\.",
        N_(" It fails at every site ({sites}): a breakdown of the system, not a local lapse."),
    ),
    _frame(
        r" … and (?P<count>[\d,]+) more instances?",
        N_plural(" … and {count} more instance", " … and {count} more instances"),
    ),
    _frame(r" \(every one is cited in the evidence list\)", N_(" (every one is cited in the evidence list)")),
    _frame(
        r" Nothing of the kind was found among the (?P<count>\d+) recognised files? ",
        N_plural(
            " Nothing of the kind was found among the {count} recognised file ",
            " Nothing of the kind was found among the {count} recognised files ",
        ),
    ),
    _frame(
        r" Nothing of the kind was found in the evidence given ",
        N_(" Nothing of the kind was found in the evidence given "),
    ),
    _frame(
        r" No file of the sources was recognised as quality-system evidence ",
        N_(" No file of the sources was recognised as quality-system evidence "),
    ),
    _frame(r", and the evidence may be among them: ", N_(", and the evidence may be among them: ")),
    _frame(r"\. The absence is not established, ", N_(". The absence is not established, ")),
    _frame(
        r"\. Whether such evidence is needed, and in what form, depends on the organisation's processes, and it is "
        r"often kept outside the files scanned \(in an ERP, on the shop floor\), so its absence here is not "
        r"established, ",
        N_(
            ". Whether such evidence is needed, and in what form, depends on the organisation's processes, and it "
            "is often kept outside the files scanned (in an ERP, on the shop floor), so its absence here is not "
            "established, "
        ),
    ),
    _frame(
        r"so this is not a nonconformity yet: show the auditor this evidence, or say where it is kept\. If it does "
        r"not exist, this is (?P<grade>[a-z ]+)\.",
        N_(
            "so this is not a nonconformity yet: show the auditor this evidence, or say where it is kept. If it "
            "does not exist, this is {grade}."
        ),
        grade="grade",
    ),
    _frame(
        r"\bAlso \((?P<rule>[A-Z][A-Z0-9_-]*)\): (?P<title>[^()]+?)(?= - not met| \(|\.(?: |$))",
        N_("Also ({rule}): {title}"),
        title="title",
    ),
    _frame(r" - not met: ", N_(" - not met: ")),
    _frame(r" Only an unfilled template was found: ", N_(" Only an unfilled template was found: ")),
)

_AFTER_REQUIREMENT: Final = (
    r"(?= Evidence seen: | Not met| At site | Not established | Only an unfilled | Nothing of the kind "
    r"| No file of the sources |$)"
)
#: A rule's requirement with the organisation's own period put in: 'suppliers are re-evaluated at the
#: interval the organisation itself set: 12 months (its own supplier_reevaluation_interval = P12M, ...)'.
_STATED: Final = re.compile(rf"^(?P<requirement>.+): (?P<period>{_PERIOD})(?P<rest> \(its own .*)$", re.S)
_REQUIREMENT: Final = re.compile(r"^(?P<cite>.+?) expects that (?P<requirement>.+?)\." + _AFTER_REQUIREMENT)
_OWN_REQUIREMENT: Final = re.compile(
    r"^The organisation's own documented information expects that (?P<requirement>.+?)\." + _AFTER_REQUIREMENT
)


class _Words:
    """How one finding's phrases translate their groups (:attr:`Frame.words`)."""

    def __init__(self, tr: Translator, rule: Callable[[str], str], title: Callable[[str, str], str]) -> None:
        self.tr = tr
        self.rule = rule
        self.title = title

    def term(self, words: str) -> str:
        """'quality policies or procedures' -> each part from the catalog; unknown words stay."""
        for separator, message in ((", ", ", "), (" or ", N_(" or "))):
            parts = words.split(separator)
            if len(parts) > 1 and all(part in _TERMS for part in parts):
                return self.tr.gettext(message).join(self.tr.gettext(part) for part in parts)
        return self.tr.gettext(words) if words in _TERMS else words

    def period(self, text: str) -> str:
        def unit(match: re.Match[str]) -> str:
            count, name = int(match["n"]), match["unit"].rstrip("s")
            forms = {
                "year": N_plural("{n} year", "{n} years"),
                "month": N_plural("{n} month", "{n} months"),
                "week": N_plural("{n} week", "{n} weeks"),
                "day": N_plural("{n} day", "{n} days"),
            }[name]
            return self.tr.ngettext(*forms, count)

        return _PERIOD_PART.sub(unit, text)

    def grade(self, text: str) -> str:
        return self.tr.gettext(text) if text in _GRADE_PHRASES else text

    def values(self, text: str) -> str:
        """'due date 2026-01-15, 75 days past; status draft'."""
        parts = []
        for value in text.split("; "):
            match = _VALUE.match(value)
            if match is None:
                parts.append(value)
                continue
            shown = f"{self.term(match['field'])} {match['value']}"
            if match["days"]:
                shown += self.tr.gettext(", {days} days past").format(days=match["days"])
            parts.append(shown)
        return "; ".join(parts)

    def needs(self, text: str) -> str:
        """What a condition requires: the rule's label, or qmscheck's words for a field's condition,
        each with the values it was judged on."""
        parts = []
        for need in re.split(rf"; (?={_NEED}(?:; |$))", text):
            whole = self.rule(need)
            if whole != need:
                parts.append(whole)
                continue
            match = _NEED_PARTS.match(need)
            if match is None:
                parts.append(need)
                continue
            phrase = self.rule(match["phrase"])
            if phrase == match["phrase"]:
                phrase = self.required(phrase)
            parts.append(phrase + (f" ({self.values(match['values'])})" if match["values"] is not None else ""))
        return "; ".join(parts)

    def required(self, phrase: str) -> str:
        match = _REQUIRED.match(phrase)
        if match is None:
            return phrase
        message = N_("no {field}") if match["no"] else N_("a {field}")
        shown = self.tr.gettext(message).format(field=self.term(match["field"]))
        if match["compare"]:
            bound = match["bound"] if match["bound"] != "the scan date" else self.tr.gettext("the scan date")
            compare = N_("{required} on or after {bound}") if match["compare"] == "on or after" else None
            compare = compare or N_("{required} on or before {bound}")
            shown = self.tr.gettext(compare).format(required=shown, bound=bound)
        return shown


def _replacer(frame: Frame, words: _Words) -> Callable[[re.Match[str]], str]:
    message = frame.message
    kinds: dict[str, Callable[[str], str]] = {
        "rule": words.rule,
        "term": words.term,
        "needs": words.needs,
        "period": words.period,
        "grade": words.grade,
    }

    def replace(match: re.Match[str]) -> str:
        values = match.groupdict()
        for name, kind in frame.words.items():
            if kind == "title":
                values[name] = words.title(values["rule"], values[name])
            else:
                values[name] = kinds[kind](values[name])
        if isinstance(message, tuple):
            text = words.tr.ngettext(*message, int(values["count"].replace(",", "")))
        else:
            text = words.tr.gettext(message)
        return text.format(**values)

    return replace


def translate_phrases(text: str, frames: tuple[Frame, ...], words: _Words) -> str:
    for frame in frames:
        text = frame.pattern.sub(_replacer(frame, words), text)
    return text


def _finding_words(finding: Finding, tr: Translator) -> _Words:
    """Words looked up in the catalog of the finding's pack, by its rule and the rules merged into it."""

    def rule(words: str) -> str:
        for rule_id in (finding.rule_id, *finding.also_reported_by):
            translated = tr.rule(finding.pack, rule_id, words)
            if translated != words:
                return translated
        # A requirement with the organisation's own interval or deadline put in (checking.parameters).
        stated = _STATED.match(words)
        if stated is not None and rule(stated["requirement"]) != stated["requirement"]:
            return f"{rule(stated['requirement'])}: {found.period(stated['period'])}{stated['rest']}"
        return words

    def title(rule_id: str, words: str) -> str:
        return tr.rule(finding.pack, rule_id, words)

    found = _Words(tr, rule, title)
    return found


def _opening(text: str, words: _Words) -> tuple[str, int] | None:
    """The statement's requirement sentence translated, and where the rest of the statement starts."""
    tr = words.tr
    own = _OWN_REQUIREMENT.match(text)
    if own:
        opening = tr.gettext("The organisation's own documented information expects that {requirement}.")
        return opening.format(requirement=words.rule(own["requirement"])), own.end()
    cited = _REQUIREMENT.match(text)
    if cited:
        opening = tr.gettext("{cite} expects that {requirement}.")
        return opening.format(cite=cited["cite"], requirement=words.rule(cited["requirement"])), cited.end()
    return None


def statement(finding: Finding, tr: Translator) -> str:
    """The finding's statement in ``tr``'s language, as far as its catalogs go."""
    text = finding.statement
    if tr.language == "en" or not text:
        return text
    words = _finding_words(finding, tr)
    opening = _opening(text, words)
    if opening is not None:
        text = opening[0] + text[opening[1] :]
    return translate_phrases(text, FRAMES, words)


def requirement_words(finding: Finding, tr: Translator) -> str | None:
    """The requirement sentence that opens the finding's statement, in ``tr``'s language (None when
    the statement opens otherwise)."""
    opening = _opening(finding.statement, _finding_words(finding, tr))
    return opening[0] if opening is not None else None


def absence_words(finding: Finding, tr: Translator) -> str | None:
    """What was looked for and not found ('no lessons learned was found'), in ``tr``'s language."""
    if finding.absence is None or tr.language == "en":
        return finding.absence
    return translate_phrases(finding.absence, FRAMES, _finding_words(finding, tr))


def fix(finding: Finding, tr: Translator) -> str:
    return tr.rule(finding.pack, finding.rule_id, finding.fix)


#: Why a rule did not run (``checking.passed``), and why a file was not understood.
REASONS: Final = (
    _frame(r"^deprecated$", N_("deprecated")),
    _frame(
        r"^not selected for this scan \(--select, --ignore\)$", N_("not selected for this scan (--select, --ignore)")
    ),
    _frame(r"^not in (?P<edition>.+)$", N_("not in {edition}")),
    _frame(r"^stage (?P<stages>[\d and]+) only$", N_("stage {stages} only")),
    _frame(
        r"^not applicable: clause (?P<clause>\S+) declared not applicable$",
        N_("not applicable: clause {clause} declared not applicable"),
    ),
    _frame(r"^not applicable: (?P<why>.+)$", N_("not applicable: {why}")),
    _frame(r"^skipped by pack (?P<pack>[^:]+): (?P<why>.+)$", N_("skipped by pack {pack}: {why}")),
    _frame(
        r"^the organisation states no (?P<name>[a-z_]+) \(\[parameters\] in qmscheck\.toml\): "
        r"nothing to judge against$",
        N_("the organisation states no {name} ([parameters] in qmscheck.toml): nothing to judge against"),
    ),
    _frame(r"^not recognised$", N_("not recognised")),
)

#: Why evidence could not be read or was read with a doubt (the readers' warnings); the rest stays English.
WARNINGS: Final = (
    _frame(r"^ambiguous date '(?P<value>[^']*)' for '(?P<label>[^']*)'$", N_("ambiguous date '{value}' for '{label}'")),
    _frame(
        r"^cannot parse date '(?P<value>[^']*)' for '(?P<label>[^']*)'$",
        N_("cannot parse date '{value}' for '{label}'"),
    ),
    _frame(
        r"^a byte-identical copy of the form (?P<form>.+): a blank form, not a record; no rule counts it$",
        N_("a byte-identical copy of the form {form}: a blank form, not a record; no rule counts it"),
    ),
)


def _plain(tr: Translator) -> _Words:
    return _Words(tr, lambda words: words, lambda rule_id, words: words)


def reason(text: str, tr: Translator) -> str:
    """Why a rule did not run, or a file was not understood, in ``tr``'s language."""
    return text if tr.language == "en" else translate_phrases(text, REASONS, _plain(tr))


def warning(text: str, tr: Translator) -> str:
    """A reader's warning in ``tr``'s language, as far as the catalog knows it."""
    return text if tr.language == "en" else translate_phrases(text, WARNINGS, _plain(tr))
