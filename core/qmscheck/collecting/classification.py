"""Deciding what a file, sheet or table holds: an evidence type and whether it is a document or a record.

The built-in classifier (:func:`classify_by_name`) weighs what each signal says: a document's title
and first heading, its document number ("PG-03"), the headings and labels typical of a type, its
file name and folders; a register's sheet name, file name and columns. Words come from the
vocabulary files of every supported language (``vocabulary``), so "Informe de auditoría
interna" and "Rapporto di audit interno" are audit reports. What a document says of itself weighs
more than its name, so when they disagree content wins, and the reason says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import PurePosixPath

from qmscheck.collecting.lifecycle import template_signal
from qmscheck.config.scan_config import ClassifyOverride
from qmscheck.model.evidence import Kind
from qmscheck.model.evidence_types import kind_of, pack_types
from qmscheck.vocabulary import Term, TermIndex, Vocabulary, active, words


@dataclass(frozen=True)
class Candidate:
    """What a connector knows about an unclassified source of evidence."""

    path: str  # inside the source, with forward slashes
    title: str | None = None
    sheet: str | None = None  # set for one sheet of a workbook (a register)
    headers: tuple[str, ...] = ()  # canonical field names of the sheet's columns
    columns: tuple[str, ...] = ()  # the sheet's header row as written
    is_register: bool = False
    headings: tuple[str, ...] = ()  # a document's section headings, in reading order
    text: str = ""  # the start of a document's body text
    status: str | None = None  # a document's status field as written ("Obsoleto", "Released")
    #: Why the unit is an unfilled template or a blank register (``lifecycle``), when its reader
    #: saw it; None leaves it to the classifier (which sees only the text above, no rows).
    template: str | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class Classification:
    type: str
    kind: Kind
    reason: str = ""  # what decided it, as inventory shows it
    language: str | None = None  # the language the candidate is written in, when told


#: For documents: when one signal (a title, a name) says several types, the first here wins: a
#: template of audit report is a form, "Management review procedure" a procedure, an audit report
#: of the management review process an audit report.
DOCUMENT_ORDER: tuple[str, ...] = (
    "form",
    "quality_policy",
    "quality_manual",
    "scope_statement",
    "work_instruction",
    "procedure",
    "context_analysis",
    "internal_audit_report",
    # Before the minutes: "Management review action log" is the register of the actions.
    "action_item",
    "management_review_minutes",
    "kpi_report",
    "quality_plan",
    "master_document_list",
    "lessons_learned",
    "quality_objective",
    "training_record",
    "calibration_record",
    "supplier_evaluation",
    "supplier",
    "nonconformity",
    "corrective_action",
    "complaint",
    "audit_programme_entry",
    "risk",
    "design_change",
    "design_project",
    "qms_change",
    "maintenance_record",
    "traceability_record",
    "customer_property",
    "release_record",
    "contract_review",
    # Last: "Website procedure" is a procedure, "Brochure review record" whatever else it says it is.
    "public_document",
)

#: For registers, likewise ("Supplier evaluations" is an evaluation, not the supplier list).
REGISTER_ORDER: tuple[str, ...] = (
    "employee",
    "training_record",
    "calibration_record",
    "supplier_evaluation",
    "supplier",
    "nonconformity",
    "corrective_action",
    "complaint",
    "audit_programme_entry",
    "quality_objective",
    "risk",
    "lessons_learned",
    "master_document_list",
    "kpi_report",
    "contract_review",
    "design_change",
    "design_project",
    "qms_change",
    "process_change",
    "maintenance_record",
    "traceability_record",
    "customer_property",
    "release_record",
    "purchase",
    "inspection",
    "action_item",
)

#: Columns that say what a register's rows are, whatever its name: per type, sets of canonical
#: fields of which one must be all present.
HEADER_SIGNATURES: dict[str, tuple[frozenset[str], ...]] = {
    "calibration_record": (frozenset({"instrument_id", "due"}), frozenset({"certificate", "due", "completed"})),
    "nonconformity": (frozenset({"root_cause", "disposition"}), frozenset({"description", "disposition"})),
    "supplier_evaluation": (frozenset({"supplier", "score"}),),
    "supplier": (frozenset({"supplier"}),),
    "training_record": (frozenset({"person", "competence"}),),
    "employee": (frozenset({"person", "role"}),),
    "risk": (frozenset({"risk"}), frozenset({"likelihood", "impact"})),
    "quality_objective": (frozenset({"objective"}),),
    "audit_programme_entry": (frozenset({"auditor", "process"}),),
    "complaint": (frozenset({"customer", "responded"}),),
    "action_item": (frozenset({"action", "owner", "status"}), frozenset({"action", "due", "status"})),
}

# How much each signal weighs. What a document says of itself (its title, its first heading)
# outweighs where it is kept and what it is called, so content wins when they disagree.
_TITLE, _HEADING, _SHEET, _NAME, _CODE, _SIGNATURE, _FOLDER = 4, 3, 4, 3, 2, 2, 1
_GENRES = frozenset({"procedure", "work_instruction", "form"})
_SECTIONS_MAX = 3  # headings typical of a type add one each, up to this
_CODE_TEXT = 300  # a document number in the control block under the title, not a reference further on
#: "PG-03", "HL-P-01", "CSC-PR-011", "MOD-09", "IA-25-01": the letters before the first number.
_DOCUMENT_CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2,4}[-_ ])?([A-Z]{1,5})[-_ ]?\d{1,4}(?![A-Za-z])")
#: Documents whose tables may read as registers (see the document readers).
_DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".docx", ".pdf", ".txt", ".html", ".htm"})
# [^\w\n]* rather than \W*: a run of blank lines would otherwise be rescanned from each of its lines.
_LABEL_CELL = re.compile(r"^[^\w\n]*([^\W\d][^:\t|\n]{0,40}?)\s*(?::|\t|\|)", re.MULTILINE)
_LABEL_LINE = re.compile(r"^[^\w\n]*([^\W\d][^:\n]{0,40}):", re.MULTILINE)


@dataclass(frozen=True)
class _Signal:
    type: str
    weight: int
    source: str  # "title", "file name", ...
    said: str  # the term or code that said it
    language: str | None
    naming: bool = True  # a title, heading, name or code: what may decide alone


def _first(hits: list[Term], order: tuple[str, ...]) -> Term | None:
    """The hit whose type ranks first: the built-in types in ``order``, then the types the scan's
    packs declare (a pack's word never outranks a built-in type a signal also says)."""
    added = pack_types()
    ranked = [hit for hit in hits if hit.meaning in order or hit.meaning in added]
    return min(ranked, key=lambda hit: _rank(hit.meaning, order)) if ranked else None


def _rank(meaning: str, order: tuple[str, ...]) -> int:
    return order.index(meaning) if meaning in order else len(order)


def _said_by(index: TermIndex, text: str | None, order: tuple[str, ...], weight: int, source: str) -> _Signal | None:
    if not text:
        return None
    hit = _first(index.find(words(text)), order)
    return None if hit is None else _Signal(hit.meaning, weight, source, hit.text, hit.language)


def _folders(path: str) -> list[str]:
    return list(reversed(PurePosixPath(path).parent.parts))


def _code(candidate: Candidate, vocabulary: Vocabulary, language: str | None) -> _Signal | None:
    for text, source in (
        (PurePosixPath(candidate.path).stem, "document number"),
        (candidate.title or "", "document number"),
        (candidate.text[:_CODE_TEXT], "document number in the text"),
    ):
        for match in _DOCUMENT_CODE.finditer(text):
            found = vocabulary.code(match.group(1), language)
            if found is not None:
                return _Signal(found, _CODE, source, match.group(0), language)
    return None


def _sections(candidate: Candidate, vocabulary: Vocabulary) -> list[_Signal]:
    texts = [*candidate.headings[1:], *_LABEL_LINE.findall(candidate.text)]
    per_type: dict[str, list[Term]] = {}
    for text in texts:
        for hit in vocabulary.sections.find(words(text)):
            found = per_type.setdefault(hit.meaning, [])
            if hit.text not in (term.text for term in found):
                found.append(hit)
    return [
        _Signal(
            type_,
            min(len(hits), _SECTIONS_MAX),
            "headings",
            ", ".join(hit.text for hit in hits[:3]),
            hits[0].language,
            naming=False,
        )
        for type_, hits in per_type.items()
    ]


def _document_signals(candidate: Candidate, vocabulary: Vocabulary, language: str | None) -> list[_Signal]:
    stem = PurePosixPath(candidate.path).stem
    title = candidate.title if candidate.title and words(candidate.title) != words(stem) else None
    heading = candidate.headings[0] if candidate.headings else None
    if heading is not None and title is not None and words(heading) == words(title):
        heading = None
    signals = [
        _said_by(vocabulary.documents, title, DOCUMENT_ORDER, _TITLE, "title"),
        _said_by(vocabulary.documents, heading, DOCUMENT_ORDER, _HEADING, "first heading"),
        _said_by(vocabulary.documents, stem, DOCUMENT_ORDER, _NAME, "file name"),
        _code(candidate, vocabulary, language),
        *(
            _said_by(vocabulary.documents, folder, DOCUMENT_ORDER, _FOLDER, "folder")
            for folder in _folders(candidate.path)
        ),
    ]
    return [signal for signal in signals if signal is not None] + _sections(candidate, vocabulary)


def _section_signals(candidate: Candidate, vocabulary: Vocabulary) -> list[_Signal]:
    """A section of a document (a chapter of the manual) is what its own heading and content say:
    the policy as chapter 4 of the manual is the policy. Its file's name says what the whole is."""
    signal = _said_by(vocabulary.documents, candidate.sheet, DOCUMENT_ORDER, _TITLE, "section heading")
    return ([signal] if signal is not None else []) + _sections(
        Candidate(candidate.path, headings=("", *candidate.headings), text=candidate.text), vocabulary
    )


def _register_signals(candidate: Candidate, vocabulary: Vocabulary) -> list[_Signal]:
    stem = PurePosixPath(candidate.path).stem
    # A table inside a document is named by its caption or heading and its columns; the file's
    # name says what the whole document is ("Compras y evaluación de proveedores" holds tables
    # of criteria, not supplier evaluations).
    in_document = PurePosixPath(candidate.path).suffix.lower() in _DOCUMENT_SUFFIXES

    def said(text: str | None, weight: int, source: str) -> _Signal | None:
        # A sheet or file named as a register ("Calibration Register") or as what its rows are.
        signal = _said_by(vocabulary.registers, text, REGISTER_ORDER, weight, source) or _said_by(
            vocabulary.documents, text, REGISTER_ORDER, weight, source
        )
        if signal is not None and in_document and source != "table name":
            return _Signal(signal.type, signal.weight, signal.source, signal.said, signal.language, naming=False)
        return signal

    signals = [
        said(candidate.sheet, _SHEET, "table name" if in_document else "sheet name"),
        said(stem, _NAME, "file name"),
        *(said(folder, _FOLDER, "folder") for folder in _folders(candidate.path)[:1]),
    ]
    headers = frozenset(candidate.headers)
    for type_ in REGISTER_ORDER:
        for signature in HEADER_SIGNATURES.get(type_, ()):
            if signature <= headers:
                signals.append(_Signal(type_, _SIGNATURE, "columns", ", ".join(sorted(signature)), None))
                break
    return [signal for signal in signals if signal is not None]


def _decide(signals: list[_Signal], order: tuple[str, ...]) -> str | None:
    scores: dict[str, int] = {}
    named: set[str] = set()
    for signal in signals:
        scores[signal.type] = scores.get(signal.type, 0) + signal.weight
        if signal.naming and signal.source != "folder":
            named.add(signal.type)
    # A type needs a title, heading, name, code or column set saying it, or enough of its typical
    # headings: a README in a procedures folder is not a procedure.
    eligible = [type_ for type_ in scores if type_ in named or scores[type_] >= _SECTIONS_MAX]
    if not eligible:
        return None
    chosen = min(eligible, key=lambda type_: (-scores[type_], order.index(type_) if type_ in order else len(order)))
    # A document numbered as a procedure, instruction or form is one, whatever record its topic
    # names ("CSC-PR-011 Management Review" is the procedure for the review, not its minutes). A
    # number in the text may be another document's ("see SOP-003"): only the name's or title's.
    genre = next((signal.type for signal in signals if signal.source == "document number"), None)
    if genre in _GENRES and kind_of(chosen) is Kind.RECORD:
        return genre
    return chosen


def _describe(signal: _Signal) -> str:
    language = f" ({signal.language})" if signal.language else ""
    return f"{signal.source} says '{signal.said}'{language}"


def _reason(chosen: str, signals: list[_Signal]) -> str:
    agree = [_describe(signal) for signal in signals if signal.type == chosen]
    reason = f"{chosen}: " + "; ".join(agree)
    against = [signal for signal in signals if signal.type != chosen and signal.naming]
    if against:
        beaten = "; ".join(f"{_describe(signal)} ({signal.type})" for signal in against)
        reason += f"; outweighs {beaten}"
    return reason


#: What a list of actions is when it is a table of management review minutes.
_REVIEW_ACTION_TABLES = frozenset({"action_item", "corrective_action"})


def _in_review_minutes(candidate: Candidate, vocabulary: Vocabulary) -> bool:
    """Whether a table is one of management review minutes: its document's title or file name says so."""
    if candidate.sheet is None or PurePosixPath(candidate.path).suffix.lower() not in _DOCUMENT_SUFFIXES:
        return False
    for text in (candidate.title, PurePosixPath(candidate.path).stem):
        said = _said_by(vocabulary.documents, text, DOCUMENT_ORDER, _TITLE, "document")
        if said is not None:
            return said.type == "management_review_minutes"
    return False


def _refined(chosen: str, headers: tuple[str, ...]) -> tuple[str, str]:
    """A register's columns settle what its name leaves open."""
    if chosen == "training_record" and "competence" not in headers:
        return "employee", "; no competence column: a list of staff"
    if chosen == "supplier" and "score" in headers:
        return "supplier_evaluation", "; a score column: supplier evaluations"
    if chosen == "supplier" and "completed" in headers:
        return "supplier_evaluation", "; a last-evaluated column: supplier evaluations"
    return chosen, ""


#: How much of a document's text tells its language: its opening pages say it as well as the
#: rest, and every scanned document pays for the words read here.
LANGUAGE_TEXT = 600
#: ... and how many of its headings.
HEADINGS = 12


def candidate_language(candidate: Candidate, vocabulary: Vocabulary | None = None) -> str | None:
    """The language a file is written in, from its words (see ``Vocabulary.language_of``)."""
    vocabulary = vocabulary or active()
    texts = [
        PurePosixPath(candidate.path).stem,
        candidate.title or "",
        candidate.sheet or "",
        *candidate.headings[:HEADINGS],
    ]
    # The labels of a control block ("Revision: B", "Fecha de edición<tab>15/01/2026") say it too.
    labels = [*candidate.columns, *_LABEL_CELL.findall(candidate.text)]
    return vocabulary.language_of([*texts, candidate.text[:LANGUAGE_TEXT]], labels=labels)


#: Files every repository or share carries about itself, not about the quality system: a README
#: that says where things are kept, a licence, a changelog of the repository. They are understood
#: (nothing in them can be the missing audit report), and no rule reads them.
_REPOSITORY_FILES = re.compile(
    r"^(readme|licen[cs]e|copying|notice|changelog|changes|contributing|code_of_conduct|codeowners|security"
    r"|authors|\.gitignore|\.gitattributes|\.editorconfig)(\.(md|markdown|txt|rst))?$",
    re.IGNORECASE,
)
REPOSITORY_FILE = "repository_file"


def classify_by_name(candidate: Candidate) -> Classification | None:
    """The built-in classifier: what a document's title, headings, document number, first lines,
    name and folders say it is, or a register's sheet name, file name and columns, in every
    language of the vocabulary. A template (template words, placeholders, a register of blank
    rows: ``lifecycle``) is a form whatever else it says."""
    if candidate.sheet is None and _REPOSITORY_FILES.match(candidate.name):
        return Classification(
            REPOSITORY_FILE, Kind.DOCUMENT, "a file about the repository itself (README, licence): not QMS evidence"
        )
    vocabulary = active()
    language = candidate_language(candidate, vocabulary)
    template = template_of(candidate)
    if template is not None and (candidate.sheet is None or candidate.is_register):
        return Classification("form", kind_of("form"), f"form: a template ({template})", language)
    if candidate.is_register:
        signals = _register_signals(candidate, vocabulary)
        chosen = _decide(signals, REGISTER_ORDER)
        if chosen is None:
            return None
        refined, why = _refined(chosen, candidate.headers)
        if refined in _REVIEW_ACTION_TABLES and _in_review_minutes(candidate, vocabulary):
            # The review's own list of what it decided or followed up, not the register that tracks them.
            refined, why = "review_action", "; a table of management review minutes: the review's actions"
        return Classification(refined, kind_of(refined), _reason(chosen, signals) + why, language)
    if candidate.sheet is not None:
        signals = _section_signals(candidate, vocabulary)
        chosen = _decide(signals, DOCUMENT_ORDER)
        return None if chosen is None else Classification(chosen, kind_of(chosen), _reason(chosen, signals), language)
    signals = _document_signals(candidate, vocabulary, language)
    chosen = _decide(signals, DOCUMENT_ORDER)
    if chosen is None:
        return None
    return Classification(chosen, kind_of(chosen), _reason(chosen, signals), language)


def template_of(candidate: Candidate) -> str | None:
    """Why a whole document or a register is an unfilled template, or None (``lifecycle``)."""
    if candidate.template is not None or candidate.is_register:
        return candidate.template
    return template_signal(candidate.path, candidate.title, candidate.text)


def template_for(candidate: Candidate) -> str | None:
    """What a template is a form for: the type its title, headings, name and columns would give a
    filled one ("Informe de auditoría interna (plantilla)" is for internal audit reports)."""
    vocabulary = active()
    if candidate.is_register:
        return _decide(_register_signals(candidate, vocabulary), REGISTER_ORDER)
    language = candidate_language(candidate, vocabulary)
    signals = [signal for signal in _document_signals(candidate, vocabulary, language) if signal.type != "form"]
    return _decide(signals, DOCUMENT_ORDER)


@dataclass
class Overrides:
    """``[[classify]]`` tables from the config, tried before any plugin."""

    rules: list[ClassifyOverride] = field(default_factory=list)

    def classify(self, candidate: Candidate) -> Classification | None:
        for rule in self.rules:
            if rule.sheet is not None and rule.sheet != candidate.sheet:
                continue
            if fnmatch(candidate.path, rule.pattern) or fnmatch(candidate.name, rule.pattern):
                kind = Kind(rule.kind) if rule.kind else kind_of(rule.type)
                return Classification(rule.type, kind, f"configured pattern '{rule.pattern}'")
        return None
