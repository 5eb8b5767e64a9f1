"""Scope exclusions: which requirements the organisation declared not applicable, and whether it may.

ISO 9001 lets an organisation declare a requirement not applicable only when it does not
affect its ability to provide conforming products and services, and it must say why. In
practice certification bodies accept only a few clause 8 requirements: design and
development, identification and traceability where no customer or law asks for it, property
of customers or providers when none is held, and post-delivery activities when there are none.
A justified, allowed exclusion turns the rules under it into "not applicable"; any other
exclusion is itself a finding and the rules still run.

What may be excluded, how long a justification must be, and every word of the finding come
from rule SCOPE001 of the base pack (``rules/iso9001/rules/4.3.toml``), so ``qmscheck rules explain
SCOPE001`` shows what this module applies. The exclusions are judged here, once per scan and
before any rule runs, because they decide which rules run; the rule's own check, the built-in
kind ``exclusions`` (:class:`Exclusions`), therefore finds nothing when the rules run.

Exclusions come from two places, judged alike: the organisation settings (``[organisation]
exclusions`` in ``qmscheck.toml``) and the documents SCOPE001 reads (the quality manual, a scope
statement, or the scope section of a manual), where a sentence names a clause and says, in any
supported language, that it does not apply ("Clause 8.3 is not applicable because ...",
"Apartado 8.3: no aplicable. ..."). What follows in the paragraph is its justification. A clause
declared in both is one exclusion; one declared in the documents while the settings list the
exclusions without it is a conflict the report states, and its rules run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from qmscheck.checking.engine import Probe
from qmscheck.checking.grading import fingerprint
from qmscheck.checking.manifest import Crosswalk, Standard
from qmscheck.checking.packs import BASE_PACK, LoadedRule, RulePack, base_pack, load_packs
from qmscheck.checking.primitives.base import CheckContext
from qmscheck.checking.rule_model import SCOPE_RULE_ID, ExclusionsCheck, Rule
from qmscheck.config.tomlfile import did_you_mean
from qmscheck.errors import ConfigError
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import EvidenceItem, Exclusion, Organisation
from qmscheck.model.grades import Grade
from qmscheck.model.groups import items_of
from qmscheck.model.report import EvidenceRef, Finding, NotApplicable
from qmscheck.model.verdicts import Failure
from qmscheck.vocabulary import active, words


@dataclass
class Applicability:
    not_applicable: list[NotApplicable] = field(default_factory=list)
    not_applicable_ids: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


@cache
def scope_rule() -> LoadedRule:
    """SCOPE001 as the bundled base pack declares it: the scope step applies it whatever packs run."""
    rules = load_packs([base_pack()]).rules
    return next(loaded for loaded in rules if loaded.rule.id == SCOPE_RULE_ID)


@dataclass(frozen=True)
class Excludable:
    """What one standard lets an organisation declare not applicable (its pack manifest's exclusions)."""

    standard: Standard
    clauses: tuple[str, ...]

    @classmethod
    def of(cls, pack: RulePack) -> Excludable:
        manifest = pack.manifest or base_pack().manifest
        assert manifest is not None
        return cls(manifest.standard, tuple(exclusion.clause for exclusion in manifest.exclusions))


def excludable_of(packs: Sequence[RulePack]) -> list[Excludable]:
    """Each standard of ``packs`` with its exclusions; first the standard an organisation's documents
    number their clauses by: that of the pack no other builds on (ISO 13485 over the ISO 9001 it
    depends on), the base standard when that is not one pack."""
    depended = {dependency.pack for pack in packs for dependency in pack.depends}
    leaves = [pack for pack in packs if pack.name not in depended]
    first = leaves[0] if len(leaves) == 1 else next((p for p in packs if p.name == BASE_PACK), None)
    ordered = [first] if first else []
    ordered += [pack for pack in packs if pack is not first]
    found: dict[str, Excludable] = {}
    for pack in ordered:
        found.setdefault(pack.standard.id, Excludable.of(pack))
    return list(found.values())


def _params(rule: Rule) -> ExclusionsCheck:
    assert isinstance(rule.check, ExclusionsCheck)
    return rule.check


def _under(clause: str, excluded: str) -> bool:
    return clause == excluded or clause.startswith(excluded + ".")


def _excludable(allowed: Excludable, clause: str) -> bool:
    return any(_under(clause, excludable) for excludable in allowed.clauses)


def refused_exclusion(standards: Sequence[Excludable], exclusion: Exclusion) -> str | None:
    """Why a configuration may not list ``exclusion`` (a scan refuses it), or None: the clause is one
    its standard lets an organisation declare not applicable. ``standards`` as :func:`excludable_of`
    orders them: an exclusion naming no standard is of the first."""
    wanted = exclusion.standard or (standards[0].standard.id if standards else None)
    allowed = next((found for found in standards if found.standard.id == wanted), None)
    if allowed is None:
        return f"{wanted} is not a standard of the selected packs"
    if _excludable(allowed, exclusion.clause):
        return None
    which = ", ".join(allowed.clauses) or "none"
    return f"{allowed.standard.name} lets only {which} be declared not applicable"


def _invalid(params: ExclusionsCheck, allowed: Excludable, exclusion: Exclusion) -> str | None:
    if not _excludable(allowed, exclusion.clause):
        which = ", ".join(allowed.clauses) or "none"
        return (
            f"{allowed.standard.name} clause {exclusion.clause} cannot be declared not applicable: it bears on "
            f"product and service conformity (only {which} can be, when they do not apply)"
        )
    if len(exclusion.justification.strip()) < params.min_justification:
        return f"the exclusion of clause {exclusion.clause} has no adequate justification"
    return None


@dataclass(frozen=True)
class Declared:
    """An exclusion a document declares, the document (or section of one) that declares it, and the
    heading it stands under inside a whole document."""

    exclusion: Exclusion
    item: EvidenceItem
    heading: str | None = None

    @property
    def where(self) -> str:
        if self.heading and self.item.provenance.locator.sheet is None:
            return f"{self.item.locator} [{self.heading}]"
        return self.item.locator


# A clause of ISO 9001's requirements (4 to 10) with at least one sub-clause, not part of a longer
# number: "8.3" and "8.5.5", never a date ("10.01.2026") or a version ("4.3.12.7").
_CLAUSE = re.compile(r"(?<![\d.,])((?:[4-9]|10)(?:\.\d{1,2}){1,3})(?![\d]|[.,]\d)")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"[^\W\d_]+")
# Markup and punctuation left at either end of a justification ("**", ":", "(", "—").
_LOOSE_ENDS = " \t*_:;,.()[]-–—>"
# Words before the clause that justify rather than name it: "Since we build to print, 8.3 ...".
_JUSTIFYING_LEAD = 4
# A line this short that ends no sentence is a heading ("Scope", "1. Campo di applicazione").
_HEADING_WORDS = 8


def _heading(line: str) -> str | None:
    """The heading a line is: a markdown heading, or a short line that ends no sentence (a Word
    heading is a paragraph of its own); None for prose, list items and table rows."""
    if line.startswith("#"):
        return line.lstrip("#").strip() or None
    if "\t" in line or line.startswith(("|", "- ", "* ", "+ ", ">")) or line.endswith((".", "!", "?", ":", ";", ",")):
        return None
    return line if len(line.split()) <= _HEADING_WORDS else None


def _paragraphs(text: str) -> list[tuple[str | None, str]]:
    """Prose paragraphs with the heading they stand under: blank lines, headings, list items and
    table rows end one; so does a line ending a sentence (a Word paragraph is one line). Headings
    and table rows declare nothing."""
    paragraphs: list[tuple[str | None, str]] = []
    current: list[str] = []
    heading: str | None = None

    def close() -> None:
        if current:
            paragraphs.append((heading, " ".join(current)))
            current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("|") or "\t" in line:
            close()
            continue
        found = _heading(line) if not current else None
        if line.startswith("#") or found is not None:
            close()
            heading = found or heading
            continue
        if line.startswith(("- ", "* ", "+ ")):
            close()
        current.append(line.lstrip("> "))
        if line.rstrip("*_ ").endswith((".", "!", "?")):
            close()
    close()
    return paragraphs


def _spans(sentence: str) -> list[tuple[int, int]]:
    """Where the sentence says that something does not apply, as character offsets."""
    tokens: list[tuple[int, int]] = []
    stemmed: list[str] = []
    for match in _WORD.finditer(sentence):
        for word in words(match.group()):
            stemmed.append(word)
            tokens.append((match.start(), match.end()))
    return [(tokens[start][0], tokens[end - 1][1]) for start, end, _ in active().not_applicable.spans(stemmed)]


def _clean(text: str) -> str:
    return " ".join(text.replace("**", " ").replace("__", " ").split()).strip(_LOOSE_ENDS)


def _declarations(paragraph: str) -> Iterable[tuple[str, str]]:
    """(clause, justification) for each clause a sentence of the paragraph declares not applicable;
    the justification is the rest of the paragraph, and the words before the clause when they are
    more than the clause's name."""
    sentences = _SENTENCE_END.split(paragraph)
    for index, sentence in enumerate(sentences):
        spans = _spans(sentence)
        clauses = list(_CLAUSE.finditer(sentence))
        if not spans or not clauses:
            continue
        first = min(clauses[0].start(), spans[0][0])
        last = max(clauses[-1].end(), spans[-1][1])
        lead = sentence[:first]
        parts = [lead] if len(_LETTERS.findall(lead)) >= _JUSTIFYING_LEAD else []
        parts += [sentence[last:], *sentences[index + 1 :]]
        justification = _clean(" ".join(parts))
        for clause in dict.fromkeys(match.group(1) for match in clauses):
            yield clause, justification


# A table cell that is a clause number and nothing else: "7.5.9.2", "6.4.2".
_CLAUSE_CELL = re.compile(r"^(?:[4-9]|10)(?:\.\d{1,2}){0,3}$")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")


def _cells(line: str) -> list[str] | None:
    """A table row's cells (markdown ``| a | b |`` or a Word table's tab-separated row); None otherwise."""
    if line.startswith("|"):
        return [cell.strip() for cell in line.strip().strip("|").split("|")]
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    return None


def _table_rows(text: str) -> Iterable[tuple[list[str], list[str]]]:
    """Each table row with the headings it stands under (outermost first)."""
    headings: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            headings = [*(entry for entry in headings if entry[0] < level), (level, line.lstrip("#").strip())]
            continue
        cells = _cells(line)
        if cells and not all(_SEPARATOR_CELL.match(cell) or not cell for cell in cells):
            yield [heading for _, heading in headings], cells


#: A standard's name in a heading: "ISO 13485:2016", "ISO/IEC 27001", "IATF 16949", "AS9100D".
_STANDARD_NAME = re.compile(r"\b(?:ISO(?:/IEC)?|IEC|IATF|AS|EN)\s?\d{4,5}", re.IGNORECASE)
#: What a heading naming a standard the scan does not judge against stands for.
OTHER_STANDARD = "(another standard)"


def _standard_named(texts: Sequence[str], standards: Mapping[str, str]) -> str | None:
    """The standard the nearest of ``texts`` that names one names ("ISO 13485:2016" -> iso13485);
    :data:`OTHER_STANDARD` when it names one the scan does not judge against; None when none does."""
    for text in reversed(texts):
        squeezed = "".join(text.lower().split())
        for name, standard in standards.items():
            if "".join(name.lower().split()) in squeezed:
                return standard
        if _STANDARD_NAME.search(text):
            return OTHER_STANDARD
    return None


def _table_declarations(
    item: EvidenceItem, standards: Mapping[str, str]
) -> Iterable[tuple[str | None, str, str, str | None]]:
    """(standard, clause, justification, heading) for each row of a table of requirements that do
    not apply: a table under a heading that says so ("Non-Applicable Requirements"), whose row
    starts with a clause number; the rest of the row (its title and rationale) justifies it."""
    section = item.provenance.locator.sheet or ""
    for headings, cells in _table_rows(item.text or ""):
        context = [section, *headings]
        if not cells or not _CLAUSE_CELL.match(cells[0]) or not any(_spans(text) for text in context):
            continue
        standard = _standard_named(context, standards)
        if standard == OTHER_STANDARD:
            continue  # a table of another standard's clauses says nothing of these standards
        justification = _clean(" - ".join(cell.replace("<br>", " ") for cell in cells[1:] if cell))
        yield standard, cells[0], justification, headings[-1] if headings else None


def declared_exclusions(items: Iterable[EvidenceItem], standards: Mapping[str, str] | None = None) -> list[Declared]:
    """The exclusions the documents declare, one per clause: in sentences ("Clause 8.3 does not
    apply because ...") or in a table of requirements that do not apply; from a section of a
    document before the whole of it (it is the more precise citation), and the best justified where
    several say it. ``standards`` (name -> id): a table under a heading naming one declares that
    standard's clauses; otherwise the clause is of the standard the organisation's documents number by."""
    found: dict[tuple[str | None, str], Declared] = {}

    def keep(standard: str | None, clause: str, justification: str, item: EvidenceItem, heading: str | None) -> None:
        known = found.get((standard, clause))
        if known is None or len(justification) > len(known.exclusion.justification):
            exclusion = Exclusion(clause=clause, justification=justification, standard=standard)
            found[(standard, clause)] = Declared(exclusion, item, heading)

    ordered = sorted(items, key=lambda item: (item.provenance.locator.sheet is None, item.locator))
    for item in ordered:
        for heading, paragraph in _paragraphs(item.text or ""):
            standard = _standard_named([item.provenance.locator.sheet or "", heading or ""], standards or {})
            if standard == OTHER_STANDARD:
                continue
            for clause, justification in _declarations(paragraph):
                keep(standard, clause, justification, item, heading)
        for standard, clause, justification, heading in _table_declarations(item, standards or {}):
            keep(standard, clause, justification, item, heading)
    return [found[key] for key in sorted(found, key=lambda key: (key[0] or "", key[1]))]


def scope_documents(collection: Collection) -> list[EvidenceItem]:
    """The documents SCOPE001 reads (its selection's types), where exclusions are declared."""
    types = frozenset(scope_rule().rule.select.types)
    return [item for item in items_of(g for g in collection.groups if g.reads(types)) if item.type in types]


def _cited(declared: Declared | None) -> list[EvidenceRef]:
    if declared is None:
        return []
    item = declared.item
    label = item.title or item.document_number or item.locator
    return [EvidenceRef(id=item.id, locator=item.locator, sha256=item.sha256, label=label)]


def _finding(
    loaded: LoadedRule,
    standard: str,
    clause: str,
    problem: str,
    grade: Grade,
    declared: Declared | None,
    suffix: str = "",
) -> Finding:
    rule = loaded.rule
    qualified = clause if standard == loaded.standard.id else f"{standard}-{clause}"
    return Finding(
        id=f"SCOPE-{qualified}{suffix}",
        fingerprint=fingerprint(loaded.standard.id, rule.id, standard, clause, suffix),
        grade=grade,
        standard=loaded.standard.id,
        clause=rule.clause,
        rule_id=rule.id,
        title=rule.title,
        statement=f"{loaded.standard.cite(rule.clause)} expects that {rule.requirement.rstrip('.')}. "
        f"Not met: {problem}.",
        absence=None,
        evidence=_cited(declared),
        why=" ".join(rule.why.split()),
        fix=" ".join(rule.fix.split()),
        pack=loaded.pack.name,
        stages=sorted(rule.stages),
    )


def _judged(
    params: ExclusionsCheck, allowed: Excludable, configured: Exclusion | None, declared: Declared | None
) -> Exclusion:
    """One exclusion of a clause from the settings and the documents: the settings' justification,
    or the documents' where the settings give none that is adequate."""
    if configured is None:
        assert declared is not None
        return declared.exclusion
    if (
        declared is not None
        and _invalid(params, allowed, configured)
        and not _invalid(params, allowed, declared.exclusion)
    ):
        return declared.exclusion
    return configured


def _excluded_rules(
    rules: Sequence[LoadedRule], standard: str, clause: str, crosswalks: Sequence[Crosswalk]
) -> list[str]:
    """The rules an exclusion switches off: its standard's under the clause, and another standard's
    under a clause a crosswalk says states the same requirement."""
    same = {(standard, clause)}
    for crosswalk in crosswalks:
        for entry in crosswalk.clauses:
            if not entry.same_requirement:
                continue
            if crosswalk.standard == standard and _under(entry.clause, clause):
                same.update((crosswalk.to, target) for target in entry.to)
            if crosswalk.to == standard and any(_under(target, clause) for target in entry.to):
                same.add((crosswalk.standard, entry.clause))
    return sorted(
        loaded.rule.id
        for loaded in rules
        if any(loaded.standard.id == std and _under(loaded.rule.clause, excluded) for std, excluded in same)
    )


def applicability(
    organisation: Organisation,
    rules: list[LoadedRule],
    declared: Sequence[Declared] = (),
    excludable: Sequence[Excludable] | None = None,
    crosswalks: Sequence[Crosswalk] = (),
) -> Applicability:
    """Which rules do not apply, from the exclusions configured and those the documents declare
    (:func:`declared_exclusions`), and SCOPE001's findings on them. ``excludable``: what each standard
    of the scan allows, the standard the documents number clauses by first (:func:`excludable_of`)."""
    result = Applicability()
    scope = scope_rule()
    params = _params(scope.rule)
    allowed_by = {entry.standard.id: entry for entry in excludable or [Excludable.of(base_pack())]}
    primary = next(iter(allowed_by))
    configured = {(exclusion.standard or primary, exclusion.clause): exclusion for exclusion in organisation.exclusions}
    in_documents = {(entry.exclusion.standard or primary, entry.exclusion.clause): entry for entry in declared}
    # Settings that list the exclusions say which apply: a clause they leave out applies.
    settings_list = "exclusions" in organisation.model_fields_set
    for standard, clause in sorted(configured.keys() | in_documents.keys()):
        allowed = allowed_by.get(standard)
        if allowed is None:
            raise ConfigError(
                f"[organisation] exclusions: standard {standard!r} is not a standard of the selected packs "
                f"({', '.join(allowed_by)}){did_you_mean(standard, allowed_by)}"
            )
        source = in_documents.get((standard, clause))
        exclusion = _judged(params, allowed, configured.get((standard, clause)), source)
        problem = _invalid(params, allowed, exclusion)
        where = f" (declared in {source.where})" if source is not None else ""
        if problem:
            grade = scope.rule.grade if _excludable(allowed, clause) else params.disallowed_grade
            result.findings.append(_finding(scope, standard, clause, problem + where, grade, source))
            continue
        if source is not None and (standard, clause) not in configured and settings_list:
            conflict = (
                f"{source.where} declares clause {clause} not applicable, but the organisation settings "
                f"(qmscheck.toml [organisation] exclusions) do not exclude it, so its rules were run"
            )
            result.findings.append(_finding(scope, standard, clause, conflict, Grade.OBSERVATION, source, "-settings"))
            continue
        ids = _excluded_rules(rules, standard, clause, crosswalks)
        result.not_applicable.append(
            NotApplicable(standard=standard, clause=clause, justification=exclusion.justification + where, rule_ids=ids)
        )
        result.not_applicable_ids.update(ids)
    return result


class Exclusions:
    """The check of kind ``exclusions``: SCOPE001's, judged by :func:`applicability` before the rules
    run (see the module docstring), so it reads no evidence and finds nothing itself."""

    kind = "exclusions"
    description = "The organisation's declared exclusions are allowed and justified (judged by the scope step)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return []

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        return []
