"""A rule checked against the evidence vocabulary and its check kind, before anything runs.

A rule that names an evidence type nothing produces, or a field no item carries, does not fail:
it misjudges. An ``each`` rule over an unknown type selects nothing and passes; an ``exists`` rule
over it raises a false major; a typo in a required field fails every item; a negated condition on
a typo (``not_one_of``, ``present = false``) holds for every item, so the selection takes them all.
An option the rule's check kind never reads (``absent_grade`` on a ``mentions`` rule) is explained
to the reader and never applied. :func:`rule_problems` names each such place in a rule, with the
closest known name, so a pack is refused before it judges anyone.

The names a rule may use are the built-in evidence types and those the selected packs declare
(:func:`known_types`), and the fields an item can carry: the core fields, the ``[fields]`` of the
vocabulary, the fields readers set themselves, and those the selected packs declare
(:func:`known_fields`).

A plugin's check kind is walked through the values of its ``params_model``: a :class:`Selector`
or :class:`Condition` among them is checked like a built-in kind's, and a parameter annotated
:data:`FieldName` or :data:`EvidenceTypeName` is checked as one; other parameters are not names.
Which rule options a plugin's kind reads is its own business: they are not checked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from qmscheck.checking.rule_model import (
    BUILTIN_CHECKS,
    PARAMETER_ANCHOR,
    CheckParams,
    Condition,
    CoversCheck,
    DiffersCheck,
    EachCheck,
    ExclusionsCheck,
    ExistsCheck,
    FreshCheck,
    MentionsCheck,
    PeriodicCheck,
    Rule,
    Selector,
    UniqueCheck,
    WithinCheck,
)
from qmscheck.config.tomlfile import did_you_mean
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, Kind
from qmscheck.model.periods import Anchor
from qmscheck.vocabulary import builtin

__all__ = [
    "BUILTIN_NAMES",
    "READER_FIELDS",
    "EvidenceTypeName",
    "FieldName",
    "NameOf",
    "known_fields",
    "known_types",
    "reports_absence",
    "rule_problems",
]

Names = Literal["field", "type"]


@dataclass(frozen=True)
class NameOf:
    """Marks a check parameter whose value names a field or an evidence type (see :data:`FieldName`)."""

    what: Names


#: A plugin check parameter that names a field of the items (``field: FieldName``, ``others: list[FieldName]``):
#: checked against the known fields when the pack loads.
FieldName = Annotated[str, NameOf("field")]
#: A plugin check parameter that names an evidence type: checked against the known types.
EvidenceTypeName = Annotated[str, NameOf("type")]

#: The parameters of the built-in check kinds that name fields or evidence types (their selectors
#: and conditions are found by their values). Every other parameter is a period, a word or a switch.
BUILTIN_NAMES: Mapping[type[CheckParams], Mapping[str, Names]] = {
    CoversCheck: {"key": "field", "match": "field", "agree": "field"},
    DiffersCheck: {"field": "field", "others": "field"},
    FreshCheck: {"field": "field"},
    MentionsCheck: {"newest_by": "field"},
    PeriodicCheck: {"field": "field"},
    UniqueCheck: {"key": "field", "distinct": "field"},
    WithinCheck: {"start": "field", "end": "field"},
}
#: What ``unique`` compares for the same bytes in two places: the file's digest, not a field.
_DIGEST = "sha256"

#: Fields the readers put on an item whatever its columns are called: a document's lifecycle
#: (``collecting.lifecycle``: its state in English words, why, whether it sits in a folder of retired
#: documents, whether it is an unfilled template and what for).
READER_FIELDS: tuple[str, ...] = (
    "lifecycle",
    "lifecycle_reason",
    "kept_apart",
    "template",
    "template_reason",
    "template_for",
)
#: Fields the core names for itself (``EvidenceItem.field``).
_CORE_FIELDS: tuple[str, ...] = (*CORE_TEXT_FIELDS, *DATE_FIELDS, "id", "type", "kind")
#: A column named like a field the item model reserves is kept as ``<name>_value``
#: (``collecting.connectors.mapping``).
_RESERVED = ("id", "kind", "type")
#: How the names of those derived fields end (see :func:`known_fields`).
_DERIVED = ("_text", "_conflict", "_value")

#: The check kinds whose failures can be an absence (nothing of the kind at all): only their
#: findings are graded by ``absent_grade`` and turned into requests by ``when_absent``.
_ABSENCE_KINDS = (ExistsCheck, FreshCheck, PeriodicCheck)
#: The check kinds that judge near misses within the rule's ``warning_window``.
_WINDOW_KINDS = (EachCheck, FreshCheck)


def known_types(extra: Mapping[str, Kind], *, builtin: Mapping[str, Kind]) -> set[str]:
    """The evidence types a rule may name: ``builtin`` (``collecting.classification.EVIDENCE_TYPES``,
    which this layer cannot import) and ``extra``, those the selected packs declare."""
    return {*builtin, *extra}


def known_fields(extra: Collection[str] = ()) -> set[str]:
    """The fields a rule may name: the core fields of an item, every ``[fields]`` key of the built-in
    vocabulary (any language), the fields readers derive themselves (a date cell that is no date
    keeps its text as ``<date>_text``; two sources of a document that disagree on a field give
    ``<field>_conflict``; a column named like a reserved name is ``<name>_value``; the lifecycle's
    :data:`READER_FIELDS`), and ``extra``: what the selected packs declare or their vocabularies map."""
    named = {*_CORE_FIELDS, *builtin().field_labels, *extra}
    derived = {
        *(f"{name}_text" for name in DATE_FIELDS),
        *(f"{name}_conflict" for name in named),
        *(f"{name}_value" for name in _RESERVED),
    }
    return named | derived | set(READER_FIELDS)


def reports_absence(check: CheckParams) -> bool | None:
    """Whether a check of this kind can find nothing of the kind at all (an absence); None for a
    plugin's kind, which says nothing of it."""
    if isinstance(check, _ABSENCE_KINDS):
        return True
    if isinstance(check, CoversCheck):
        return check.keys_from is not None  # a process or site nothing covers; a key comes from an item
    return False if type(check) in BUILTIN_CHECKS.values() else None


def rule_problems(rule: Rule, types: Collection[str], fields: Collection[str]) -> list[str]:
    """Every place the rule names an evidence type not in ``types`` or a field not in ``fields``, and
    every option its check kind cannot apply, one message each, naming the path in the rule
    (``select.where[1].field``) and the closest known name."""
    walk = _Walk(types, fields)
    walk.selector(rule.select, "select")
    walk.params(rule.check, "check")
    return walk.problems + _option_problems(rule)


class _Walk:
    def __init__(self, types: Collection[str], fields: Collection[str]) -> None:
        self.types = types
        self.fields = fields
        self.problems: list[str] = []

    def name(self, what: Names, value: str, at: str) -> None:
        known = self.types if what == "type" else self.fields
        if value not in known:
            noun = "evidence type" if what == "type" else "field"
            # A derived field ('approved_text') is the answer only to a name of its own form.
            likely = [name for name in known if not name.endswith(_DERIVED) or value.endswith(_DERIVED)]
            self.problems.append(f"unknown {noun} {value!r} in {at}{did_you_mean(value, sorted(likely))}")

    def names(self, what: Names, value: object, at: str, allowed: Collection[str] = ()) -> None:
        values = [(value, at)] if isinstance(value, str) else [(v, f"{at}[{i}]") for i, v in enumerate(_list(value))]
        for one, where in values:
            if isinstance(one, str) and one not in allowed:
                self.name(what, one, where)

    def selector(self, selector: Selector, at: str) -> None:
        self.names("type", selector.type, f"{at}.type")
        self.conditions(selector.where, f"{at}.where", kept=False)

    def conditions(self, conditions: Sequence[Condition], at: str, *, kept: bool) -> None:
        """``kept``: whether ``if_kept`` applies here (an ``each`` check's ``require``, not inside a group)."""
        for index, condition in enumerate(conditions):
            where = f"{at}[{index}]"
            if condition.if_kept and not kept:
                self.problems.append(
                    f"if_kept in {where} does not apply: only a condition of an 'each' check's require, "
                    "not inside 'any' or 'all', is judged only where a register keeps its field"
                )
            if condition.field is not None:
                self.name("field", condition.field, f"{where}.field")
            for operator in ("on_or_after", "on_or_before"):
                bound = getattr(condition, operator)
                if bound is not None and bound != PARAMETER_ANCHOR:
                    anchor_field = Anchor.parse(bound).field
                    if anchor_field is not None:
                        self.name("field", anchor_field, f"{where}.{operator}")
            for group in ("any", "all"):
                members = getattr(condition, group)
                if members is not None:
                    self.conditions(members, f"{where}.{group}", kept=False)

    def params(self, check: CheckParams, at: str) -> None:
        names = BUILTIN_NAMES.get(type(check)) if type(check) in BUILTIN_CHECKS.values() else _marked(check)
        for name in type(check).model_fields:
            value = getattr(check, name)
            where = f"{at}.{name}"
            if isinstance(value, Selector):
                self.selector(value, where)
            elif conditions := [v for v in _list(value) if isinstance(v, Condition)]:
                self.conditions(conditions, where, kept=isinstance(check, EachCheck) and name == "require")
            elif isinstance(value, Condition):
                self.conditions([value], where, kept=False)
            elif names and name in names and value is not None:
                allowed = (_DIGEST,) if isinstance(check, UniqueCheck) else ()
                self.names(names[name], value, where, allowed)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _marks(annotation: object) -> Iterator[NameOf]:
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        yield from (mark for mark in metadata if isinstance(mark, NameOf))
        yield from _marks(base)
        return
    for argument in get_args(annotation):
        yield from _marks(argument)


def _mark(info: FieldInfo) -> NameOf | None:
    found = [mark for mark in info.metadata if isinstance(mark, NameOf)] or list(_marks(info.annotation))
    return found[0] if found else None


def _marked(check: CheckParams) -> dict[str, Names]:
    """The parameters of a plugin's check kind annotated as names (:data:`FieldName`, :data:`EvidenceTypeName`)."""
    return {name: mark.what for name, info in type(check).model_fields.items() if (mark := _mark(info)) is not None}


def _option_problems(rule: Rule) -> list[str]:
    """The options the rule sets that its check kind, or its source, never applies."""
    check, kind = rule.check, rule.check.kind
    written = rule.model_fields_set
    problems = []
    absence = reports_absence(check)
    for option in ("absent_grade", "when_absent"):
        if option not in written:
            continue
        if absence is False:
            how = (
                "a 'covers' check with 'key' judges the keys items have, so it never finds nothing at all"
                if isinstance(check, CoversCheck)
                else f"a '{kind}' check never finds nothing of the kind at all"
            )
            problems.append(
                f"{option} does not apply to check kind '{kind}': {how} (the kinds that do: exists, fresh, "
                "periodic, covers with keys_from)"
            )
        elif rule.source == "good-practice":
            problems.append(f"{option} does not apply to a good-practice rule: every finding of it is advice")
    if "warning_window" in written and absence is not None and not isinstance(check, _WINDOW_KINDS):
        problems.append(
            f"warning_window does not apply to check kind '{kind}': only 'each' and 'fresh' judge near misses"
        )
    if "systemic" in written and isinstance(check, ExclusionsCheck):
        problems.append("systemic does not apply to check kind 'exclusions': each exclusion is graded on its own")
    if isinstance(check, MentionsCheck) and check.target == "each" and "newest_by" in check.model_fields_set:
        problems.append("check.newest_by does not apply with target 'each': every selected document is read")
    return problems
