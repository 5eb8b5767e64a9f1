"""Unfilled templates where a filled document or record was expected.

A template is collected as a form (``collecting.lifecycle``): it never counts as the management
review minutes or the audit report it is a form for. When a rule finds none of those, the finding
says which unfilled template was found instead ("only an unfilled template was found: …"), so the
reader knows the form exists and what is missing is its use. The template is named, not cited:
it is not evidence of the requirement, met or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from qmscheck.model.collection import Collection
from qmscheck.model.evidence import CollectionWarning
from qmscheck.model.groups import PART_MARK
from qmscheck.model.report import Finding

#: The evidence type of every template.
FORM = "form"
#: A statement names this many templates of the kind.
NAMED = 5


def unfilled_templates(collection: Collection) -> dict[str, list[str]]:
    """Per evidence type, the locators of the unfilled templates that are forms for it."""
    found: dict[str, list[str]] = {}
    for group in collection.groups:
        if FORM not in group.types:
            continue
        for item in group.decoded():
            made_for = item.attributes.get("template_for")
            if item.type == FORM and item.attributes.get("template") is True and isinstance(made_for, str):
                found.setdefault(made_for, []).append(item.locator)
    return {type_: sorted(set(locators)) for type_, locators in found.items()}


def note_unfilled_templates(
    findings: list[Finding], types_of: Mapping[str, Sequence[str]], templates: Mapping[str, list[str]]
) -> list[Finding]:
    """Each finding of absence whose rules look for a type of which only unfilled templates exist
    says so; every other finding stands as it is."""
    if not templates:
        return findings
    noted: list[Finding] = []
    for finding in findings:
        rules = [finding.rule_id, *finding.also_reported_by]
        files = sorted(
            {file for rule in rules for type_ in types_of.get(rule, ()) for file in templates.get(type_, ())}
        )
        if finding.absence is None or not files:
            noted.append(finding)
            continue
        named = ", ".join(files[:NAMED]) + (f" and {len(files) - NAMED} more" if len(files) > NAMED else "")
        statement = f"{finding.statement} Only an unfilled template was found: {named}."
        noted.append(finding.model_copy(update={"statement": statement}))
    return noted


def without_form_copies(collection: Collection) -> Collection:
    """The collection without files that are byte-identical copies of a form or template (a blank
    form copied into ``records/`` and never filled in): they are forms, never records, and never
    counted in a population. A warning names each copy and its original. Groups carry their file's
    sha256 (``EvidenceGroup.sha256``), so nothing is decoded."""
    forms: dict[str, str] = {}
    for group in collection.groups:
        if group.sha256 and FORM in group.types:
            forms.setdefault(group.sha256, group.key.partition(PART_MARK)[0])
    if not forms:
        return collection
    kept, copies = [], []
    for group in collection.groups:
        original = forms.get(group.sha256 or "")
        if original is not None and FORM not in group.types and group.key.partition(PART_MARK)[0] != original:
            copies.append((group.key.partition(PART_MARK)[0], original))
        else:
            kept.append(group)
    if not copies:
        return collection
    warnings = [
        CollectionWarning(
            connector=copy.partition(":")[0],
            locator=copy.partition(":")[2] or copy,
            message=f"a byte-identical copy of the form {original.partition(':')[2] or original}: a blank form, "
            "not a record; no rule counts it",
        )
        for copy, original in sorted(set(copies))
    ]
    return Collection(
        groups=kept, warnings=[*collection.warnings, *warnings], sources=collection.sources, stats=collection.stats
    )
