"""``qmscheck rules explain ID``: everything about one rule, the way ``ruff rule`` explains a lint.

The text is Markdown that reads well in a terminal; ``qmscheck.checking.ruledocs`` writes the same text
into ``docs/rules/<ID>.md``, so the command and the published docs never disagree.

``qmscheck rules explain`` (in :mod:`qmscheck.cli`) prints this text.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qmscheck.checking.manifest import Crosswalk, CrosswalkEntry, Standard, load_crosswalk
from qmscheck.checking.packs import LoadedPacks, LoadedRule, base_manifest
from qmscheck.checking.phrases import SCAN_DATE, require_phrase, where_phrase
from qmscheck.checking.phrases import anchor_phrase as _anchor
from qmscheck.checking.phrases import article as _a
from qmscheck.checking.phrases import field_words as _field
from qmscheck.checking.rule_model import (
    PARAMETER,
    AvoidsCheck,
    Check,
    Condition,
    CoversCheck,
    DiffersCheck,
    EachCheck,
    ExclusionsCheck,
    ExistsCheck,
    FreshCheck,
    MentionsCheck,
    PeriodicCheck,
    ReferencesCheck,
    Rule,
    Selector,
    UniqueCheck,
    WithinCheck,
)
from qmscheck.checking.topics import LANGUAGE_NAMES, active_topics
from qmscheck.model.grades import GRADE_LABELS, Grade
from qmscheck.model.periods import Period

CASES_FOLDER = "cases"


@dataclass(frozen=True)
class CaseName:
    """A named case from the rule's case file (``cases/<clause>.toml`` next to the rule file)."""

    name: str
    passing: bool


def case_file(loaded: LoadedRule) -> Path:
    """The rule's case file: in the folder its pack's manifest names, else ``cases/`` beside the rule file."""
    return (loaded.pack.cases or loaded.file.parent / CASES_FOLDER) / loaded.file.name


def case_names(loaded: LoadedRule) -> list[CaseName]:
    """Names of the cases written for this rule, passing ones first, in file order."""
    source = case_file(loaded)
    if not source.is_file():
        return []
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    names = [
        CaseName(str(case["name"]), not case.get("expect"))
        for case in data.get("cases", [])
        if case.get("rule") == loaded.rule.id
    ]
    return [case for case in names if case.passing] + [case for case in names if not case.passing]


def _types(selector: Selector) -> str:
    return " or ".join(t.replace("_", " ") for t in selector.types)


def selection_phrase(selector: Selector) -> str:
    """'calibration record whose status is not one of retired, ...'."""
    text = _types(selector)
    if selector.kind:
        text += f" ({selector.kind})"
    if selector.where:
        text += " whose " + " and whose ".join(where_phrase(c) for c in selector.where)
    return text


def _requirements(conditions: Sequence[Condition]) -> str:
    parts = [require_phrase(c, nested=len(conditions) > 1) for c in conditions]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def check_sentence(rule: Rule) -> str:
    """One readable sentence saying what the rule checks, generated from its selector and check."""
    check: Check = rule.check
    selection = selection_phrase(rule.select)
    if isinstance(check, ExistsCheck):
        count = "at least one" if check.min == 1 else f"at least {check.min} items of type"
        return f"There must be {count} {selection}."
    if isinstance(check, EachCheck):
        return f"Every {selection} must have {_requirements(check.require)}."
    if isinstance(check, FreshCheck):
        within = (
            f"the organisation's {rule.parameter}" if check.within == PARAMETER else Period.parse(check.within).human()
        )
        return f"The newest {selection} must have {_a(_field(check.field))} no more than {within} before {SCAN_DATE}."
    if isinstance(check, CoversCheck):
        by = selection_phrase(check.by)
        covering = f"{_a(by)} whose {_field(check.match)} names it"
        if check.require:
            covering += f" and which has {_requirements(check.require)}"
        if check.keys_from is not None:
            source = {"organisation.processes": "process", "organisation.sites": "site"}[check.keys_from]
            return f"Every {source} in the organisation's {source} list must be covered by {covering}."
        key = " or ".join(_field(name) for name in check.key_fields)
        numbers = (
            f" Keys are numbers in the numbering scheme of the {by}'s own numbers, whatever their separators and "
            f"leading zeros; an item whose {key} names no such number is not judged."
            if check.numbers
            else ""
        )
        if check.agree:
            unmatched = (
                f" A key no {by} has fails too, where some {by} has a key{' of its scheme' if check.numbers else ''}."
                if check.unmatched == "fail"
                else ""
            )
            return (
                f"Every {selection} must state the same {', '.join(_field(name) for name in check.agree)} as "
                f"{_a(by)} whose {_field(check.match)} matches its {key} (where both state one; revisions compare "
                "without label or leading zeros, statuses by their lifecycle meaning or as open or closed)."
                f"{unmatched}{numbers}"
            )
        ignored = f" Only keys some {by} has are judged." if not check.unmatched_fails else ""
        covered = covering.replace("names it", f"matches its {key}")
        return f"Every {selection} must be covered by {covered}.{ignored}{numbers}"
    if isinstance(check, PeriodicCheck):
        period = Period.parse(check.period).human() if check.period else f"the organisation's {rule.parameter}"
        return (
            f"For every period of {period} starting on or after {_anchor(check.since)} that has ended, there must be "
            f"{_a(selection)} whose {_field(check.field)} falls in it; each missing period is a failure."
        )
    if isinstance(check, WithinCheck):
        ends = ", or else its ".join(_field(name) for name in check.ends)
        return (
            f"Every {selection} must have its {ends} within the organisation's {rule.parameter} "
            f"of its {_field(check.start)} (or still be inside that time on the scan date)."
        )
    if isinstance(check, UniqueCheck):
        what = "the same file content" if check.key == "sha256" else f"the same {_field(check.key)}"
        text = f"Among every {selection}, no two may have {what}"
        if check.distinct:
            text += f" with different {_field(check.distinct)} values"
        if check.ignore_folders:
            text += f", except in folders named like {', '.join(repr(w) for w in check.ignore_folders)}"
        return text + "."
    if isinstance(check, ReferencesCheck):
        return (
            f"Every document number that the text of a {selection} names, in the organisation's own numbering "
            f"scheme (the letters a number of a {selection_phrase(check.by)} starts with), must be the number of "
            "such a document."
        )
    if isinstance(check, DiffersCheck):
        others = " or ".join(_field(o) for o in check.others)
        return f"In every {selection}, the {_field(check.field)} must not also be named as its {others}."
    if isinstance(check, MentionsCheck):
        if check.target == "newest":
            subject = f"The newest {selection} (by {_field(check.newest_by)})"
        else:
            subject = f"Every {selection}"
        topics = ", ".join(active_topics().name(topic) for topic in check.topics)
        return f"{subject} must address each of these topics: {topics}."
    if isinstance(check, AvoidsCheck):
        topics = ", ".join(active_topics().name(topic) for topic in check.topics)
        return (
            f"Every {selection} must not use the words of these topics: {topics}; a document that does is "
            f'told to say "{check.instead}" instead.'
        )
    if isinstance(check, ExclusionsCheck):
        *earlier, last = [exclusion.clause for exclusion in base_manifest().exclusions]
        allowed = f"{', '.join(earlier)} or {last}" if earlier else last
        return (
            "Every requirement the organisation declares not applicable ([organisation] exclusions) must fall "
            f"under clause {allowed} and be justified in at least {check.min_justification} characters; "
            "each exclusion that is not is its own finding, judged before any rule runs. An allowed, "
            "justified exclusion makes the rules under its clause not applicable."
        )
    # A plugin's check kind says in its own words what it checks.
    return check.sentence(selection)


def _term_words(term: str) -> str:
    if term.endswith(":"):
        return f"'{term[:-1].strip()}' as a heading or label"
    if term.endswith("*"):
        return f"a word starting '{term[:-1]}'"
    return f"'{term}'"


def topic_line(topic: str) -> str:
    """A topic in English words and the languages it is also known in: 'supplier performance
    (`supplier_performance`): any of 'supplier performance', ... and its equivalents in German, ...'."""
    topics = active_topics()
    english = ", ".join(_term_words(term) for term in topics.terms(topic, "en"))
    others = [LANGUAGE_NAMES.get(language, language) for language in topics.languages(topic) if language != "en"]
    text = f"{topics.name(topic)} (`{topic}`): any of {english or 'no English words'}"
    if others:
        listed = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
        text += f", and its equivalents in {listed}"
    return text


SOURCE_WORDS = {
    "iso9001": "ISO 9001",
    "standard": "the standard of its pack",
    "organisation": "the organisation's own documented information",
    "good-practice": "good practice (advice only)",
}


def source_words(rule: Rule, standard: Standard | None = None) -> str:
    """Where the rule's requirement comes from, in words."""
    if rule.source is None:
        return "not stated (a pack rule graded as it says)"
    words = standard.name if rule.source == "standard" and standard else SOURCE_WORDS[rule.source]
    if rule.parameter is not None:
        words += f" ([parameters] {rule.parameter}; nothing is judged while it is not set)"
    return words


# -- grade in words -------------------------------------------------------------------------------


def _share(value: float) -> str:
    return f"{value * 100:g}%"


def grade_lines(rule: Rule) -> list[str]:
    if rule.advice is not None:
        return [f"{rule.advice.value} ({GRADE_LABELS[rule.advice]}): good practice, so every finding is advice"]
    lines = [f"{rule.grade.value} ({GRADE_LABELS[rule.grade]}) for an isolated lapse"]
    if isinstance(rule.check, ExclusionsCheck):
        grade = rule.check.disallowed_grade
        lines.append(f"{grade.value} ({GRADE_LABELS[grade]}) when the excluded requirement may not be excluded")
    absent = rule.absent_grade or Grade.MAJOR
    lines.append(f"{absent.value} ({GRADE_LABELS[absent]}) when nothing of the kind exists at all")
    thresholds = rule.thresholds
    lines.append(
        f"a breakdown: {thresholds.min_failures} or more failing in one context (a register, the documents), "
        f"making up at least {_share(thresholds.min_share)} of the items checked, become one "
        f"{Grade.MAJOR.value} nonconformity citing them all"
    )
    if rule.grade_reason is not None:
        lines.append(f"override: {_paragraph(rule.grade_reason)}")
    if rule.warning_window is not None:
        window = Period.parse(rule.warning_window).human()
        lines.append(f"warning window: an item that would fail within {window} is an {Grade.OBSERVATION.value}")
    return lines


def mapped_clauses(loaded: LoadedRule) -> list[tuple[Crosswalk, CrosswalkEntry]]:
    """What the crosswalk of the rule's pack says of its clause."""
    pack = loaded.pack
    if not (pack.manifest and pack.manifest.pack.crosswalk and pack.root):
        return []
    crosswalk = load_crosswalk(pack.root / pack.manifest.pack.crosswalk)
    return [(crosswalk, entry) for entry in crosswalk.maps(loaded.rule.clause)]


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def explain_text(loaded: LoadedRule) -> str:
    """The full explanation of one rule, as Markdown."""
    rule = loaded.rule
    standard = loaded.standard
    out: list[str] = [f"# {rule.id}: {rule.title}", ""]
    heading = f" ({loaded.clause_title})" if loaded.clause_title else ""
    out.append(f"- **Clause:** {standard.cite(rule.clause)}{heading}")
    out.append(f"- **Requirement from:** {source_words(rule, standard)}")
    out.append("- **Grade:** " + grade_lines(rule)[0])
    out += [f"  - {line}" for line in grade_lines(rule)[1:]]
    out.append(f"- **Stages:** {', '.join(f'stage {s}' for s in sorted(rule.stages))}")
    out.append(f"- **Editions:** {', '.join(rule.editions or standard.editions)}")
    out.append(f"- **Status:** {rule.status}")
    out.append(f"- **Pack:** {loaded.pack.name} {loaded.pack.version} (`{loaded.file.parent.name}/{loaded.file.name}`)")
    if rule.tags:
        out.append(f"- **Tags:** {', '.join(rule.tags)}")
    for crosswalk, entry in mapped_clauses(loaded):
        kind = "the same requirement as" if entry.same_requirement else "related to"
        note = f" ({entry.note})" if entry.note else ""
        out.append(f"- **Crosswalk:** {kind} {crosswalk.to} {', '.join(entry.to)}{note}")
    if loaded.overlays:
        out += ["", "## Changed by other packs (in a scan that selects them)", ""]
        out += [
            f"- **{overlay.pack}**: {overlay.change}. Why: {_paragraph(overlay.reason)}" for overlay in loaded.overlays
        ]
    out += ["", "## What it checks", ""]
    out.append(f"{standard.cite(rule.clause)} expects that {_paragraph(rule.requirement).rstrip('.')}.")
    out += ["", check_sentence(rule)]
    if isinstance(rule.check, MentionsCheck | AvoidsCheck):
        out.append("")
        out += [f"- {topic_line(topic)}" for topic in rule.check.topics]
    out += ["", "## Why it matters", "", _paragraph(rule.why)]
    out += ["", "## Evidence expected", "", _paragraph(rule.evidence) or "Not stated."]
    out += ["", "## Examples", ""]
    if rule.examples is not None:
        out.append(f"- Passing: {_paragraph(rule.examples.passing)}")
        out.append(f"- Failing: {_paragraph(rule.examples.failing)}")
    else:
        out.append("- No examples written.")
    cases = case_names(loaded)
    if cases:
        source = f"{loaded.file.parent.name}/{CASES_FOLDER}/{loaded.file.name}"
        passing = ", ".join(f"`{c.name}`" for c in cases if c.passing) or "none"
        failing = ", ".join(f"`{c.name}`" for c in cases if not c.passing) or "none"
        out += ["", f"Test cases in `{source}`:", "", f"- passing: {passing}", f"- failing: {failing}"]
    out += ["", "## How to fix", "", _paragraph(rule.fix)]
    return "\n".join(out) + "\n"


# -- the command ---------------------------------------------------------------------------------


def find_rule(packs: LoadedPacks, rule_id: str) -> LoadedRule | None:
    wanted = rule_id.strip().upper()
    return next((loaded for loaded in [*packs.rules, *packs.skipped] if loaded.rule.id == wanted), None)


def close_matches(packs: LoadedPacks, rule_id: str) -> list[str]:
    ids = sorted(loaded.rule.id for loaded in packs.rules)
    return difflib.get_close_matches(rule_id.strip().upper(), ids, n=5, cutoff=0.5)
