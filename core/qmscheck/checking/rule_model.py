"""The rule file model. The JSON Schema published in ``rules/rule-file.schema.json`` is generated from it.

The ``[rules.check]`` table of a rule is the parameters of one check kind. The built-in kinds
have their models here (:data:`BUILTIN_CHECKS`); a kind a plugin registers brings its own, a
subclass of :class:`CheckParams` (``params_model`` on the primitive). The published schema
covers the built-in kinds; :mod:`qmscheck.checking.packs` validates a plugin kind's table
against the schema of its model when the pack loads, and puts an instance of that model into
the rule.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    InstanceOf,
    SerializeAsAny,
    Tag,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from qmscheck.checking.manifest import CLAUSE_NUMBER
from qmscheck.model.evidence import Parameters
from qmscheck.model.grades import Grade
from qmscheck.model.periods import ANCHOR_PATTERN, PERIOD_PATTERN, Anchor, Period

#: The grades a rule file may give; an evidence request is the scan's judgement, never a rule's.
RuleGrade = Literal[Grade.MAJOR, Grade.MINOR, Grade.OBSERVATION, Grade.OFI]
#: Where a rule's requirement comes from: a *shall* of its pack's standard (``standard``; the base
#: pack says ``iso9001``), the organisation's own documented information (a frequency or deadline it
#: set), or good practice, which can only be advice.
Source = Literal["standard", "iso9001", "organisation", "good-practice"]
#: The organisation's own frequencies and deadlines a rule may judge against (``[parameters]``).
ParameterName = Literal[
    "kpi_report_frequency",
    "complaint_closure_time",
    "management_review_interval",
    "internal_audit_interval",
    "supplier_reevaluation_interval",
]
#: Where a rule judges against its organisation parameter: a fresh check's ``within``, or a date bound
#: ``as_of-parameter``. The check stage puts the stated period in its place (``checking.parameters``).
PARAMETER = "parameter"
PARAMETER_ANCHOR = "as_of-parameter"
_ANCHOR_OR_PARAMETER = f"(?:{ANCHOR_PATTERN})|^as_of-parameter$"
_PERIOD_OR_PARAMETER = f"(?:{PERIOD_PATTERN})|^parameter$"
if set(get_args(ParameterName)) != set(Parameters.model_fields) - {
    "source",
    "stated_in",
}:  # pragma: no cover - import-time guard
    raise RuntimeError("ParameterName must name every period of Parameters")
#: Grades of advice: all a good-practice rule may give.
ADVICE = (Grade.OBSERVATION, Grade.OFI)
Scalar = str | int | float | bool
Stage = Literal[1, 2]
STAGES: tuple[Stage, ...] = (1, 2)


_STRICT = ConfigDict(extra="forbid")
CLAUSE_PATTERN = CLAUSE_NUMBER
_OPERATORS = ("present", "equals", "one_of", "not_one_of", "at_least", "at_most", "on_or_after", "on_or_before")


class Condition(BaseModel):
    """One test on one field of an item: exactly one operator, or a group (``any`` / ``all``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    field: Annotated[str | None, Field(pattern=r"^[a-z][a-z0-9_]*$")] = None
    present: bool | None = None
    equals: Scalar | None = None
    one_of: Annotated[list[str] | None, Field(min_length=1)] = None
    not_one_of: Annotated[list[str] | None, Field(min_length=1)] = None
    at_least: float | None = None
    at_most: float | None = None
    on_or_after: Annotated[str | None, Field(pattern=_ANCHOR_OR_PARAMETER)] = None
    on_or_before: Annotated[str | None, Field(pattern=_ANCHOR_OR_PARAMETER)] = None
    any: Annotated[list[Condition] | None, Field(min_length=1)] = None
    all: Annotated[list[Condition] | None, Field(min_length=1)] = None
    label: str | None = Field(None, description="How the condition reads in a finding, e.g. 'a root cause'.")
    if_kept: bool = Field(
        False,
        description="In an 'each' check: judge the condition only in a register that keeps the field (some row has "
        "it); a register without the column is not faulted for it (a complaint log with no column for the reply).",
    )

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        used = [name for name in _OPERATORS if getattr(self, name) is not None]
        groups = [name for name in ("any", "all") if getattr(self, name) is not None]
        if groups:
            if self.field is not None or used or len(groups) > 1:
                raise ValueError("a group condition has exactly one of 'any' or 'all' and no field")
            return self
        if self.field is None:
            raise ValueError("a condition needs 'field' (or is a group with 'any'/'all')")
        if len(used) != 1:
            raise ValueError(f"a condition has exactly one operator of {', '.join(_OPERATORS)}; got {used or 'none'}")
        for name in ("on_or_after", "on_or_before"):
            value = getattr(self, name)
            if value is not None and value != PARAMETER_ANCHOR:
                Anchor.parse(value)
        return self

    @property
    def operator(self) -> str:
        return next(name for name in _OPERATORS if getattr(self, name) is not None)


class Selector(BaseModel):
    model_config = _STRICT

    type: str | list[str] = Field(description="Evidence type(s) this rule looks at.")
    kind: Literal["document", "record"] | None = None
    where: list[Condition] = Field(default_factory=list)

    @property
    def types(self) -> tuple[str, ...]:
        return (self.type,) if isinstance(self.type, str) else tuple(self.type)


class CheckParams(BaseModel):
    """The ``[rules.check]`` table of a rule: ``kind`` names the check primitive, the other keys
    are its parameters. A plugin's check kind subclasses it to declare them (unknown keys are
    refused), and may override :meth:`sentence`."""

    model_config = _STRICT
    kind: str

    def sentence(self, selection: str) -> str:
        """One sentence for ``qmscheck rules explain``: what a rule of this kind checks of the items
        ``selection`` names (e.g. 'calibration record whose status is not retired')."""
        params = self.model_dump(mode="json", exclude={"kind"})
        text = f"Every {selection} is checked by the '{self.kind}' check"
        return text + (f" with {json.dumps(params, sort_keys=True)}." if params else ".")


class ExistsCheck(CheckParams):
    model_config = _STRICT
    kind: Literal["exists"]
    min: Annotated[int, Field(ge=1)] = 1


class EachCheck(CheckParams):
    model_config = _STRICT
    kind: Literal["each"]
    require: Annotated[list[Condition], Field(min_length=1)]


class FreshCheck(CheckParams):
    model_config = _STRICT
    kind: Literal["fresh"]
    field: str
    within: Annotated[str, Field(pattern=_PERIOD_OR_PARAMETER)] = Field(
        description="A period, or 'parameter' for the organisation's own (the rule's parameter)."
    )


class CoversCheck(CheckParams):
    """Every key of the selected items (or of an organisation list) is matched by an item of ``by``."""

    model_config = _STRICT
    kind: Literal["covers"]
    key: str | list[str] | None = Field(
        None,
        description="Field of the selected items that must be covered; a list names fields of which the first an "
        "item has is its key (a programme row's report reference, else its number).",
    )
    keys_from: Literal["organisation.processes", "organisation.sites"] | None = None
    by: Selector
    match: str = Field(description="Field of the 'by' items holding the key.")
    require: list[Condition] = Field(default_factory=list, description="Conditions a covering item must meet.")
    agree: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        default_factory=list,
        description="Fields each selected item and the items its key matches must agree on where both state "
        "them (a master list's revision and status against the document's own): a disagreement with every "
        "matching item is a failure. Revisions compare without their label, case or leading zeros, statuses by "
        "their lifecycle meaning (or, for records, as open or closed). A check with 'agree' judges only that: a key "
        "nothing matches is left to a check without it, unless 'unmatched' is 'fail'.",
    )
    numbers: bool = Field(
        False,
        description="Keys are document or record numbers ('WI-02', 'MR-25-03'), compared whatever their separators, "
        "case and leading zeros: a selected item's key is each number its key field names ('WI-02 Press setup' "
        "names WI-02). Only numbers of the scheme of the 'by' items' own numbers (the same letters before the "
        "first digit) are judged: an item naming no such number (a course with no document number, an action "
        "numbered 1, 2, 3) is not.",
    )
    unmatched: Literal["fail", "ignore"] | None = Field(
        None,
        description="What a key that no 'by' item has at all is: a failure ('fail'), or not judged by this check "
        "('ignore': a check with 'require' then judges only the keys some 'by' item has, and another check says "
        "whether the rest exist). By default a failure, except with 'agree'. With 'agree', 'fail' judges a key "
        "only where some 'by' item has a key (the register is kept) and, with 'numbers', one of its scheme.",
    )

    @property
    def key_fields(self) -> tuple[str, ...]:
        return () if self.key is None else (self.key,) if isinstance(self.key, str) else tuple(self.key)

    @model_validator(mode="after")
    def _one_key_source(self) -> CoversCheck:
        if (self.key is None) == (self.keys_from is None):
            raise ValueError("covers needs exactly one of 'key' or 'keys_from'")
        if self.agree and self.key is None:
            raise ValueError("'agree' compares the selected items with the items their key matches: it needs 'key'")
        if (self.numbers or self.unmatched is not None) and self.key is None:
            raise ValueError("'numbers' and 'unmatched' describe the selected items' keys: they need 'key'")
        return self

    @property
    def unmatched_fails(self) -> bool:
        """Whether a key no 'by' item has is a failure (see ``unmatched``)."""
        return self.unmatched == "fail" if self.unmatched is not None else not self.agree


TopicId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class MentionsCheck(CheckParams):
    model_config = _STRICT
    kind: Literal["mentions"]
    topics: Annotated[
        list[TopicId],
        Field(
            min_length=1,
            description="Topic ids of the vocabulary's [topics] tables; a topic is addressed when its words "
            "appear in any supported language.",
        ),
    ]
    target: Literal["newest", "each"] = "newest"
    newest_by: str = "issued"


class AvoidsCheck(CheckParams):
    """A document says none of the words of the topics (a certification claimed in words ISO asks
    nobody to use); each one that does is a failure quoting what it says and what to say instead."""

    model_config = _STRICT
    kind: Literal["avoids"]
    topics: Annotated[
        list[TopicId],
        Field(
            min_length=1,
            description="Topic ids of the vocabulary's [topics] tables whose words a document must not use, "
            "in any supported language.",
        ),
    ]
    instead: str = Field(description="The wording to use instead, quoted in the finding.")


def check_period(text: str) -> Period:
    """A period a record must exist for: not empty, and either months/years or days/weeks."""
    period = Period.parse(text)
    if period == Period():
        raise ValueError("a period must not be empty")
    if period.days and (period.months or period.years):
        raise ValueError("a period is either whole months/years or days/weeks, not both")
    return period


class PeriodicCheck(CheckParams):
    """Records that must exist every period: each elapsed period without one is its own failure."""

    model_config = _STRICT
    kind: Literal["periodic"]
    field: str = Field(description="The date field that places a record in a period, e.g. 'issued'.")
    period: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None,
        description="P1M (calendar months), P3M (calendar quarters), P1Y, P1W (ISO weeks) or a number of days; "
        "none when the rule's organisation parameter gives it.",
    )
    since: Annotated[str, Field(pattern=ANCHOR_PATTERN)] = Field(
        "as_of-P12M", description="Periods starting on or after this date are checked (relative to as_of)."
    )
    grace: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="How long after a period ends its record may still arrive before it counts as missing."
    )

    @model_validator(mode="after")
    def _valid(self) -> PeriodicCheck:
        if self.period is not None:
            check_period(self.period)
        if Anchor.parse(self.since).field is not None:
            raise ValueError("'since' must be relative to as_of, e.g. 'as_of-P12M'")
        if self.grace is not None:
            Period.parse(self.grace)
        return self


class WithinCheck(CheckParams):
    """Each selected item reaches its ``end`` date within a period of its ``start`` date (a complaint
    closed within the organisation's closure time). The period is the rule's organisation parameter."""

    model_config = _STRICT
    kind: Literal["within"]
    start: str = Field(description="The date field the period runs from, e.g. 'issued' (received).")
    end: str | list[str] = Field(
        description="The date field that must fall within the period, e.g. 'completed' (closed); a list names "
        "fields of which the first an item has counts (closed, else answered)."
    )

    @property
    def ends(self) -> tuple[str, ...]:
        return (self.end,) if isinstance(self.end, str) else tuple(self.end)


class UniqueCheck(CheckParams):
    """No two selected items share a key (e.g. a document number, or the same bytes in two places)."""

    model_config = _STRICT
    kind: Literal["unique"]
    key: str = Field(description="The field that must be unique; 'sha256' compares file contents.")
    distinct: str | None = Field(
        None, description="Only a clash when the items differ in this field (e.g. 'revision': two revisions)."
    )
    ignore_folders: list[str] = Field(
        default_factory=list,
        description="Items inside a folder whose name contains one of these words (archive, obsolete) are allowed.",
    )


class ReferencesCheck(CheckParams):
    """The document numbers a selected document's text names are the numbers of documents that exist."""

    model_config = _STRICT
    kind: Literal["references"]
    by: Selector = Field(
        description="The documents a reference may name: their document numbers (and the numbers in their "
        "titles and file names) exist, and the letters those numbers start with are the organisation's "
        "numbering scheme; a number of another scheme ('ISO 9001', a customer's part) is not judged."
    )
    known: Selector | None = Field(
        None,
        description="Further items whose numbers exist (records, such as audit reports and review minutes) but "
        "whose letters are no scheme of documents: a procedure's example record number is not judged by them.",
    )


class DiffersCheck(CheckParams):
    """Per item: one field's value does not appear in the others (an auditor is not the auditee)."""

    model_config = _STRICT
    kind: Literal["differs"]
    field: str
    others: Annotated[list[str], Field(min_length=1)]


class ExclusionsCheck(CheckParams):
    """The requirements the organisation declares not applicable (``[organisation] exclusions``) are
    judged once per scan, before any rule runs, because they decide which rules run
    (:mod:`qmscheck.checking.scope`). A rule of this kind states what that judgement expects; which
    clauses may be excluded is each standard's, in its pack manifest (``[[exclusions]]``)."""

    model_config = _STRICT
    kind: Literal["exclusions"]
    min_justification: Annotated[int, Field(ge=1)] = Field(
        description="Fewest characters of justification an allowed exclusion needs."
    )
    disallowed_grade: RuleGrade = Field(description="Grade of an exclusion of a clause that may not be excluded.")


#: The one rule of kind ``exclusions``: the base pack's, which the scope step applies.
SCOPE_RULE_ID = "SCOPE001"

#: The check kinds qmscheck itself provides, by ``kind``.
BUILTIN_CHECKS: dict[str, type[CheckParams]] = {
    "exists": ExistsCheck,
    "each": EachCheck,
    "fresh": FreshCheck,
    "covers": CoversCheck,
    "mentions": MentionsCheck,
    "avoids": AvoidsCheck,
    "periodic": PeriodicCheck,
    "within": WithinCheck,
    "unique": UniqueCheck,
    "references": ReferencesCheck,
    "differs": DiffersCheck,
    "exclusions": ExclusionsCheck,
}
#: The tag of a check whose kind a plugin registered: already validated against the plugin's model.
PLUGIN_KIND = "plugin"


def _check_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("kind")
        return kind if isinstance(kind, str) and kind in BUILTIN_CHECKS else PLUGIN_KIND
    return value.kind if type(value) in BUILTIN_CHECKS.values() else PLUGIN_KIND


Check = Annotated[
    Annotated[ExistsCheck, Tag("exists")]
    | Annotated[EachCheck, Tag("each")]
    | Annotated[FreshCheck, Tag("fresh")]
    | Annotated[CoversCheck, Tag("covers")]
    | Annotated[MentionsCheck, Tag("mentions")]
    | Annotated[AvoidsCheck, Tag("avoids")]
    | Annotated[PeriodicCheck, Tag("periodic")]
    | Annotated[WithinCheck, Tag("within")]
    | Annotated[UniqueCheck, Tag("unique")]
    | Annotated[ReferencesCheck, Tag("references")]
    | Annotated[DiffersCheck, Tag("differs")]
    | Annotated[ExclusionsCheck, Tag("exclusions")]
    # A plugin kind arrives as an instance of its own model (see the module docstring); dumped in full.
    | Annotated[SerializeAsAny[InstanceOf[CheckParams]], Tag(PLUGIN_KIND), SkipJsonSchema()],
    Discriminator(_check_tag),
]


class Systemic(BaseModel):
    """When failures of one requirement in one context add up to a breakdown (a major nonconformity):
    at least ``min_failures`` failing instances making up at least ``min_share`` of the population.
    The defaults are the grading policy's (``qmscheck.checking.grading``); a rule sets its own only
    with a ``grade_reason``."""

    model_config = _STRICT
    min_failures: Annotated[int, Field(ge=1)] = 3
    min_share: Annotated[float, Field(ge=0, le=1)] = 0.2


class Examples(BaseModel):
    model_config = _STRICT
    passing: str
    failing: str


class Rule(BaseModel):
    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^[A-Z]{2,8}[0-9]{3}$", description="Stable, never reused.")]
    title: str
    clause: Annotated[str, Field(pattern=CLAUSE_PATTERN)]
    editions: list[str] | None = Field(
        None,
        description="The editions of its pack's standard the rule applies to; by default every edition the pack's "
        "manifest lists.",
    )
    stages: Annotated[list[Stage], Field(min_length=1)] = Field(default_factory=lambda: list(STAGES))
    status: Literal["stable", "deprecated"] = Field("stable", description="A deprecated rule does not run.")
    source: Source | None = Field(
        None,
        description="Where the requirement comes from: a 'shall' of the pack's standard (standard; the base pack "
        "says iso9001), the organisation's own "
        "documented information (organisation), or good practice (good-practice: observation or OFI only). "
        "Every rule of the base pack states it; a pack's rule without one keeps the grades it sets.",
    )
    parameter: ParameterName | None = Field(
        None,
        description="The organisation's own frequency or deadline ([parameters] in qmscheck.toml) the rule judges "
        "against; the rule finds nothing while the organisation has not stated it.",
    )
    grade: RuleGrade = Field(
        Grade.MINOR,
        description="Grade of an isolated lapse. The grading policy computes the rest from the extent of the "
        "failure; set it only for advice (good-practice: observation, the default, or ofi) or as an override "
        "with grade_reason.",
    )
    absent_grade: RuleGrade | None = Field(
        None, description="Override of the grade when the evidence is missing altogether (needs grade_reason)."
    )
    requirement_group: Annotated[str | None, Field(pattern=r"^[a-z][a-z0-9_-]*$")] = Field(
        None,
        description="A name shared by rules that judge one requirement stated in several clauses (8.7 and 10.2.1 a "
        "both ask that a nonconformity is corrected): their findings on the same evidence merge into one, as rules "
        "of one clause do.",
    )
    when_absent: Literal["nonconformity", "request"] = Field(
        "nonconformity",
        description="What finding nothing of the kind at all is, even when every file was understood: a "
        "nonconformity, or an evidence request for evidence whose form the standard leaves to the organisation "
        "and that is often kept outside a document share (routings in an ERP, the customer's drawings).",
    )
    systemic: Systemic | None = Field(
        None, description="Override of the policy's breakdown thresholds (needs grade_reason)."
    )
    grade_reason: str | None = Field(None, description="Why this rule departs from the grading policy.")
    warning_window: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="Items that would fail within this period are observations."
    )
    requirement: str = Field(
        description="What is required, in your own words: completes '<standard> <clause> expects that ...'."
    )
    why: str
    fix: str
    evidence: str = Field("", description="The evidence an auditor expects to see.")
    examples: Examples | None = None
    tags: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]] = Field(
        default_factory=list, description="Words to choose rules by (--select, --ignore): 'sterile', 'software'."
    )
    select: Selector
    check: Check

    @field_validator("warning_window")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None:
            Period.parse(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _advice_by_default(cls, data: Any) -> Any:
        # Good practice is advice: an observation unless the rule says ofi.
        if isinstance(data, dict) and data.get("source") == "good-practice" and "grade" not in data:
            return {**data, "grade": Grade.OBSERVATION}
        return data

    @model_validator(mode="after")
    def _grade_follows_source(self) -> Rule:
        if self.source == "good-practice":
            if any(grade not in ADVICE for grade in (self.grade, self.absent_grade) if grade is not None):
                raise ValueError(
                    "a good-practice rule grades observation or ofi only: nothing requires it, so it is advice"
                )
            if self.systemic is not None:
                raise ValueError("a good-practice rule cannot be systemic: advice never becomes a nonconformity")
        elif self.source is not None and self.grade_reason is None:
            departs = [
                name
                for name, value, policy in (
                    ("grade", self.grade, Grade.MINOR),
                    ("absent_grade", self.absent_grade, None),
                )
                if value is not None and value is not policy
            ]
            if self.systemic is not None:
                departs.append("systemic")
            if departs:
                raise ValueError(
                    f"{', '.join(departs)} departs from the grading policy: say why in grade_reason, or remove it"
                )
        if self.parameter is not None and self.source != "organisation":
            raise ValueError("a rule judged against an organisation parameter has source = 'organisation'")
        if self.parameter is None and uses_parameter(self.model_dump(mode="json")):
            raise ValueError(f"'{PARAMETER}' or '{PARAMETER_ANCHOR}' stands for the rule's 'parameter': name one")
        check = self.check
        if self.parameter is None and (
            isinstance(check, WithinCheck) or (isinstance(check, PeriodicCheck) and check.period is None)
        ):
            raise ValueError(f"a '{check.kind}' check without its own period needs the rule's 'parameter'")
        return self

    @property
    def advice(self) -> Grade | None:
        """The one grade a good-practice rule gives (observation unless it says ofi); None otherwise."""
        return self.grade if self.source == "good-practice" else None

    @property
    def thresholds(self) -> Systemic:
        """When failures in one context are a breakdown: the rule's override, else the policy's."""
        return self.systemic or Systemic()


def uses_parameter(data: object) -> bool:
    """Whether a rule's data (``model_dump(mode="json")``) stands a period for its parameter."""
    if isinstance(data, dict):
        return any(
            (key == "within" and value == PARAMETER) or value == PARAMETER_ANCHOR or uses_parameter(value)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return any(uses_parameter(value) for value in data)
    return False


class RuleFile(BaseModel):
    """One TOML file: the rules of one clause."""

    model_config = _STRICT

    clause: Annotated[str, Field(pattern=CLAUSE_PATTERN)]
    title: str
    rules: Annotated[list[Rule], Field(min_length=1)]


def check_schema(kind: str, model: type[CheckParams]) -> dict[str, Any]:
    """The JSON Schema of the ``[rules.check]`` table of a plugin's check ``kind``: its model's, with
    ``kind`` fixed to the one it is registered under."""
    schema = model.model_json_schema()
    schema.setdefault("properties", {})["kind"] = {"const": kind}
    schema["required"] = sorted({"kind", *schema.get("required", [])})
    return schema


def rule_file_schema() -> dict[str, Any]:
    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://qmscheck.invalid/schema/rule-file-v1.json"
    return schema


if (
    __name__ == "__main__"
):  # regenerate the published schema: python -m qmscheck.checking.rule_model > rules/rule-file.schema.json
    import json
    import sys

    sys.stdout.write(json.dumps(rule_file_schema(), indent=2, sort_keys=True) + "\n")
