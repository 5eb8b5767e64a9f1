"""``covers``: every key of the selected items is matched by an item of another type (every document
a master list names exists); with ``agree``, each matched pair also agrees on the fields it names (the
list's revision and status are the document's own). With ``numbers``, keys are document or record numbers
of the ``by`` items' own scheme, read out of the key field's text (a course "WI-02 Press setup" names
WI-02), so a training matrix or a review's action list is matched against the documents or the action
register by number."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date

from qmscheck.checking.conditions import compile_all, compile_selector
from qmscheck.checking.engine import Probe
from qmscheck.checking.facts import fold
from qmscheck.checking.phrases import field_words, require_phrase
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.rule_model import CoversCheck, Rule
from qmscheck.model.document_numbers import number_key, number_prefix, numbers_in
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.verdicts import Cited, Failure, GroupSummary, Place
from qmscheck.vocabulary import RETIRED_STATES, Vocabulary, active, normalise, words

#: Lifecycle states that all mean "out of use": a list saying obsolete agrees with a document in the archive.
_WORD = re.compile(r"\w+")
#: A revision's runs: digits, or letters ("Rev. 03" is rev, 03).
_REVISION_PARTS = re.compile(r"\d+|[^\W\d_]+")
#: What a record's status says of the work it tracks, as registers write it in English (the readers turn
#: "Offen", "Cerrada" into "open", "closed"): still to do, or no longer.
_RECORD_STATES = {
    **dict.fromkeys(
        ("open", "in progress", "ongoing", "pending", "overdue", "not started", "planned", "on hold", "started"),
        "open",
    ),
    **dict.fromkeys(("closed", "complete", "completed", "done", "finished", "resolved", "implemented"), "closed"),
}


def _key(value: object) -> str | None:
    if value is None or value == "":
        return None
    return fold(str(value))


def _number(value: object) -> str | None:
    """A ``by`` item's number as compared; None when it is no number with letters (a bare 12 says no scheme)."""
    if value is None or value == "":
        return None
    key = number_key(str(value))
    return key if key is not None and number_prefix(key) else None


def _numbers(value: object) -> list[list[str]]:
    """The numbers a key field names, as [compared, as written]: those written in it ("WI-02 Press setup"),
    else the whole value when it is one short code ("mr.25.3")."""
    if value is None or value == "":
        return []
    text = str(value)
    written = numbers_in(text) or ([text.strip()] if len(text.split()) == 1 else [])
    found = [[key, number] for number in written if (key := _number(number)) is not None]
    return list({key: [key, number] for key, number in found}.values())


def _shown(value: object) -> str | None:
    """A field's value as summaries keep it: text, a date in ISO form; None when empty."""
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else " ".join(str(value).split())


def _agreeing(check: CoversCheck, item: EvidenceItem) -> list[str | None]:
    return [_shown(item.field(name)) for name in check.agree]


def revision_key(text: str) -> str:
    """A revision as compared: without a label word before it ("Rev. C", "Issue 3", "v2"), case, leading
    zeros or a trailing ".0" ("Rev. 03" and "3", "2.0" and "2" agree)."""
    parts = _REVISION_PARTS.findall(text.casefold())
    # A label is a word followed by the revision itself; a lone letter is a label only as "v" or "r" before a number.
    while len(parts) > 1 and parts[0].isalpha() and (len(parts[0]) > 1 or (parts[0] in "vr" and parts[1].isdigit())):
        parts.pop(0)
    kept = [str(int(part)) if part.isdigit() else part for part in parts]
    while len(kept) > 1 and kept[-1] == "0":
        kept.pop()
    return ".".join(kept)


def status_meaning(text: str, vocabulary: Vocabulary) -> str | None:
    """What a status says of a document's life, in any language: draft, in_review, approved, or retired
    (superseded, obsolete, withdrawn and archived all take it out of use). None when no status word is in it."""
    state = vocabulary.status.get(normalise(text))
    if state is None:
        found = vocabulary.lifecycle.find(words(text))
        state = found[0].meaning if found else None
    return "retired" if state in RETIRED_STATES else state


def _comparable(name: str, value: str, vocabulary: Vocabulary) -> str | None:
    """The value as two sides are compared: None when it cannot be judged (a status word not known). A
    status is a document's lifecycle, else a record's open or closed."""
    if name == "status":
        return status_meaning(value, vocabulary) or _RECORD_STATES.get(normalise(value))
    if name == "revision":
        return revision_key(value)
    return fold(value)


def _disagreements(
    check: CoversCheck, listed: Sequence[str | None], offered: Sequence[str | None], vocabulary: Vocabulary
) -> list[int]:
    """The positions of the ``agree`` fields both sides state and compare differently."""
    found = []
    for index, (name, mine, theirs) in enumerate(zip(check.agree, listed, offered, strict=True)):
        if mine is None or theirs is None:
            continue
        a, b = _comparable(name, mine, vocabulary), _comparable(name, theirs, vocabulary)
        if a is not None and b is not None and a != b:
            found.append(index)
    return found


def _values(check: CoversCheck, values: Sequence[str | None], positions: Sequence[int]) -> str:
    return ", ".join(f"{field_words(check.agree[i])} {values[i]}" for i in positions)


def _tells_known(check: CoversCheck) -> bool:
    """Whether the check needs every "by" item's key, not only those of the items that meet ``require``:
    for the numbering scheme, or to tell a key that exists but falls short from one that does not."""
    return check.key is not None and bool(check.require) and (check.numbers or check.unmatched == "ignore")


def _within(key: str, keys: Collection[str]) -> str | None:
    """The key itself among ``keys``, else one that names it among others: a programme row for
    "Quality and management" covers the processes 'Quality' and 'Management'."""
    if key in keys:
        return key
    words = set(_WORD.findall(key))
    return next((other for other in sorted(keys) if words <= set(_WORD.findall(other))), None)


class Covers(Groupwise):
    kind = "covers"
    description = (
        "Every key of the selected items (or of the organisation's processes or sites) "
        "is matched by an item of another type that meets the required conditions."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        check = rule.check
        assert isinstance(check, CoversCheck)
        by = selection_probe(rule, as_of, check.by, name="by")
        if check.require:
            expression = {"$and": [compile_selector(check.by, as_of), compile_all(check.require, as_of).positive]}
            by = Probe(by.key, by.types, expression)
        probes = [selection_probe(rule, as_of), by]
        if _tells_known(check):
            probes.append(selection_probe(rule, as_of, check.by, name="known"))
        return probes

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """The keys the group's ``by`` items cover, and each selected item with its key. With ``agree``,
        each keyed item's values of those fields, and each covering item's key and values (its place
        following the keyed items' places)."""
        check = ctx.rule.check
        assert isinstance(check, CoversCheck)
        read = _number if check.numbers and check.key is not None else _key
        keys = (read(item.field(check.match)) for item in ctx.matched("by"))
        covered = sorted({key for key in keys if key is not None})
        data: dict[str, object] = {"covered": covered}
        places = []
        if check.keys_from is not None and check.require and set(check.by.types) <= set(ctx.rule.select.types):
            # The processes (or sites) the selected items name, met or not: a process planned in the
            # programme but never audited is a lapse to cite, not an absence.
            listed = []
            for item in ctx.selected:
                value = item.field(check.match)
                key = _key(value)
                if key is not None:
                    listed.append([key, f"{value}"])
                    places.append(ctx.place(item))
            if listed:
                data["listed"] = listed
        elif check.key is not None:
            keyed = []
            for item in ctx.selected:
                value = next((v for name in check.key_fields if (v := item.field(name)) not in (None, "")), None)
                own: object = _numbers(value) if check.numbers else _key(value)
                if check.numbers and not own:
                    continue  # names no number: not judged
                entry: list[object] = [own, f"{value}"]
                if check.agree:
                    entry.append(_agreeing(check, item))
                keyed.append(entry)
                places.append(ctx.place(item))
            if keyed:
                data["keyed"] = keyed
            if check.agree:
                offered = []
                for item in ctx.matched("by"):
                    match = item.field(check.match)
                    key = _number(match) if check.numbers else _key(match)
                    if key is not None:
                        offered.append([key, _agreeing(check, item)])
                        places.append(ctx.place(item))
                if offered:
                    data["offered"] = offered
            if _tells_known(check):
                # Every "by" item's key, and the items that have one but not what is required, to cite.
                met = {item.id for item in ctx.matched("by")}
                known, failing = set(), []
                for item in ctx.matched("known"):
                    match = item.field(check.match)
                    key = _number(match) if check.numbers else _key(match)
                    if key is None:
                        continue
                    known.add(key)
                    if item.id not in met:
                        failing.append(key)
                        places.append(ctx.place(item))
                data["known"] = sorted(known)
                if failing:
                    data["failing"] = failing
        if not places:  # the common case for a file of the "by" type: it only covers
            return GroupSummary(data=data)
        return GroupSummary(data=data, places=places)

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, CoversCheck)
        # The join runs on a set, outside the engine, where it is linear instead of quadratic.
        parts = [summary for summary in summaries if summary.data]
        covered = {key for part in parts for key in part.data["covered"]}
        by_what = " or ".join(t.replace("_", " ") for t in check.by.types)
        failures: list[Failure] = []
        if check.keys_from is not None:
            source = check.keys_from.split(".")[1]
            singular = {"processes": "process", "sites": "site"}[source]
            listed: dict[str, list[Cited]] = {}
            shown: dict[str, str] = {}
            for part in parts:
                for (key, value), place in zip(part.data.get("listed", ()), part.places, strict=True):
                    listed.setdefault(key, []).append(ctx.cited(place))
                    shown.setdefault(key, value)
            needs = "; ".join(require_phrase(condition, as_of=ctx.as_of) for condition in check.require)
            # Without a configured list, the processes the evidence itself names (the programme's).
            names = set(getattr(ctx.organisation, source)) or set(shown.values())
            for key in sorted(names, key=str.casefold):
                found = _key(key)
                if found is None or _within(found, covered):
                    continue
                found = _within(found, listed) or found
                if found in listed:
                    detail = f"the {singular} '{key}' is listed, but no {by_what} of it has {needs}"
                    failures.append(Failure(items=tuple(listed[found]), detail=detail))
                    continue
                absence = f"no {by_what} covers the {singular} '{key}'"
                failures.append(Failure(items=(), detail=absence, absence=absence))
            return failures
        assert check.key is not None
        if check.agree:
            return self._disagreeing(ctx, check, parts)
        needs = "; ".join(require_phrase(condition, as_of=ctx.as_of) for condition in check.require)
        with_needs = f" with {needs}" if needs else ""
        named = " or ".join(name.replace("_", " ") for name in check.key_fields)
        # What a matching item falls short of, as the rule names it where it does.
        short = "; ".join(condition.label or require_phrase(condition, as_of=ctx.as_of) for condition in check.require)
        known = covered.union(*(part.data.get("known", ()) for part in parts))
        scheme = {number_prefix(key) for key in known}
        # The "by" items that have a key but not what is required, cited beside the item that needs them.
        lacking: dict[str, list[Place]] = {}
        for part in parts:
            skip = len(part.data.get("keyed", ()))
            for key, place in zip(part.data.get("failing", ()), part.places[skip:], strict=True):
                lacking.setdefault(key, []).append(place)
        for part in parts:
            for (key, shown), place in zip(part.data.get("keyed", ()), part.places, strict=False):
                if check.numbers:
                    details = []
                    cited = [ctx.cited(place)]
                    for number, written in key:
                        if number in covered or number_prefix(number) not in scheme:
                            continue
                        if number in known:
                            details.append(f"names {written}, but no {by_what} numbered {written} has {short}")
                            cited += [ctx.cited(where) for where in lacking.get(number, ())]
                        elif check.unmatched_fails:
                            details.append(f"names {written}: no {by_what} has this number")
                    if details:
                        failures.append(Failure(items=tuple(cited), detail="; ".join(details)))
                    continue
                if key in covered:
                    continue
                if key is not None and key in known:
                    cited = [ctx.cited(place), *(ctx.cited(where) for where in lacking.get(key, ()))]
                    detail = f"the {by_what} matching {named} '{shown}' does not have {short}"
                    failures.append(Failure(items=tuple(cited), detail=detail))
                elif key is None or check.unmatched_fails:
                    # An item without the key cannot be matched at all: say so, not "matching 'None'".
                    detail = (
                        f"has no {named}" if key is None else f"no {by_what} matching {named} '{shown}'{with_needs}"
                    )
                    failures.append(Failure(items=(ctx.cited(place),), detail=detail))
        return failures

    @staticmethod
    def _disagreeing(ctx: RuleContext, check: CoversCheck, parts: Sequence[GroupSummary]) -> list[Failure]:
        """A failure per keyed item that disagrees with every item its key matches, citing both and
        saying both values; judged against the matching item that is current, else the one closest."""
        vocabulary = active()
        offered: dict[str, list[tuple[list[str | None], Place]]] = {}
        keyed: list[tuple[object, str, list[str | None], Place]] = []
        for part in parts:
            entries = part.data.get("keyed", ())
            given = part.data.get("offered", ())
            for (key, shown, values), place in zip(entries, part.places[: len(entries)], strict=True):
                if key is not None:
                    keyed.append((key, shown, values, place))
            stop = len(entries) + len(given)
            for (key, values), place in zip(given, part.places[len(entries) : stop], strict=True):
                offered.setdefault(key, []).append((values, place))
        status = check.agree.index("status") if "status" in check.agree else None
        scheme = {number_prefix(key) for key in offered}
        by_what = " or ".join(t.replace("_", " ") for t in check.by.types)
        failures = []
        for found, shown, listed, place in keyed:
            if isinstance(found, list):  # numbers: the first of the scheme's
                key = next((number for number, _ in found if number_prefix(number) in scheme), None)
                if key is None:
                    continue
            else:
                key = str(found)
            candidates = offered.get(key)
            if not candidates:
                # Nothing to compare with: whether it exists is a coverage check's question, unless the
                # check judges that too where the register is kept.
                if check.unmatched == "fail" and offered:
                    row = ctx.cited(place)
                    failures.append(Failure(items=(row,), detail=f"{shown} - {row.locator}: no {by_what} has it"))
                continue
            judged = []
            for order, (values, where) in enumerate(candidates):
                differing = _disagreements(check, listed, values, vocabulary)
                if not differing:
                    break
                value = values[status] if status is not None else None
                current = value is not None and status_meaning(value, vocabulary) == "approved"
                judged.append((not current, len(differing), order, differing, values, where))
            else:
                _, _, _, differing, values, where = min(judged, key=lambda entry: entry[:3])
                row, document = ctx.cited(place), ctx.cited(where)
                detail = (
                    f"{shown} - {row.locator}: {_values(check, listed, differing)}; "
                    f"{document.locator}: {_values(check, values, differing)}"
                )
                failures.append(Failure(items=(row, document), detail=detail))
        return failures
