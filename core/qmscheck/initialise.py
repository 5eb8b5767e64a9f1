"""``qmscheck init``: a first ``qmscheck.toml`` for a folder, drafted from what its evidence says.

A scan of a bare folder knows the organisation only by the folder's name; the configuration is
where the organisation states its sites, processes, exclusions and its own frequencies, which
several rules judge against. Most of it is already written in the evidence: the quality manual
names the company and tabulates its processes, the audit programme lists the processes audited,
registers carry a site column, the scope documents declare the clauses that do not apply. The
draft takes each value from there and says where, so a person checks it against the documents
rather than typing it in; what the evidence does not say is left commented out, explained.

The exclusions the scope documents declare are written as values: listed in the file, the list is
complete, as the scope step takes it. The intervals a procedure states are written commented out,
with the sentence: a scan reads them from the procedure every time, so the file need not pin them.
A frequency only a register's name states ("Monthly KPI Reports") is one a scan never reads: the
draft states it, with where it came from, for the person to confirm. The file's first line names
the JSON Schema (``#:schema``), of which a copy is written into ``.qmscheck/`` beside it, where
editors find it offline and scans skip it as hidden.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from qmscheck.checking.packs import use_pack_words
from qmscheck.checking.scope import Declared, declared_exclusions, excludable_of, refused_exclusion, scope_documents
from qmscheck.checking.stated_periods import with_stated_periods
from qmscheck.collecting.inventory import NOT_RECOGNISED, RECOGNISED, Inventory, InventoryEntry, inventory
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import CONFIG_NAME, OrganisationConfig, ScanConfig, SourceConfig
from qmscheck.config.schema import SCHEMA_NAME, config_schema
from qmscheck.config.tomlfile import validation_problems
from qmscheck.errors import QmscheckError
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import EvidenceItem, Organisation, Parameters
from qmscheck.model.groups import items_of
from qmscheck.plugins.manager import Plugins
from qmscheck.scan import selected_packs
from qmscheck.storage.index import INDEX_DIR
from qmscheck.support.atomic import write_atomically
from qmscheck.support.progress import NullProgress, Progress
from qmscheck.vocabulary import RETIRED_STATES, active, builtin, normalise

__all__ = ["Draft", "Found", "draft_config", "initialise", "render_config"]

#: The documents in which an organisation names itself, most authoritative first.
_SELF_NAMING = ("quality_manual", "scope_statement", "quality_policy", "context_analysis")
#: The legal forms that end a company's name, in the languages of the vocabularies.
_LEGAL_FORM = (
    r"Ltd\.?|Limited|plc|PLC|LLC|L\.L\.C\.|Inc\.|Inc|Corp\.|Corp|GmbH & Co\. KG|GmbH|AG|KG|e\.K\."
    r"|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|S\.A\.|SA|S\.L\.U\.|S\.L\.|SL|S\.p\.A\.|SpA|S\.r\.l\.|Srl|S\.R\.L\."
    r"|Lda\.?|Ltda\.?|B\.V\.|BV|N\.V\.|NV|AB|Oy|A/S|ApS"
)
#: Up to six capitalised words on one line, then a legal form: "Acme Precision Parts Ltd", "Talleres Ebro, S.L.".
_COMPANY = re.compile(
    r"(?<![\w&-])((?:[A-ZÀ-ÖØ-Þ][\w&'’-]*[ \u00a0]+){0,5}[A-ZÀ-ÖØ-Þ][\w&'’-]*),?[ \u00a0]+("
    + _LEGAL_FORM
    + r")(?![\w])"
)
#: Articles that start a sentence naming the company ("Die Drehteile Kessler GmbH") and are no part of it.
_ARTICLES = frozenset({"The", "Die", "Der", "Das", "La", "Le", "Les", "El", "Los", "Las", "Il", "Lo", "De", "Het"})
#: Registers whose name may state how often they are made, and the parameter it is.
_NAMED_FREQUENCY = {"kpi_report": "kpi_report_frequency"}
#: The parameters, each with the example the commented-out line shows.
_PARAMETERS = {
    "kpi_report_frequency": "P1M",
    "complaint_closure_time": "P30D",
    "management_review_interval": "P12M",
    "internal_audit_interval": "P12M",
    "supplier_reevaluation_interval": "P12M",
}
#: ``[[classify]]`` suggestions written at most; the rest are counted.
_MAX_SUGGESTIONS = 40


@dataclass(frozen=True)
class Found:
    """A value of the draft and where the evidence says it."""

    value: str
    where: str


@dataclass
class Draft:
    """What ``qmscheck init`` found for each key of ``qmscheck.toml``."""

    name: Found
    sites: list[str] = field(default_factory=list)
    sites_where: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    processes_where: list[str] = field(default_factory=list)
    exclusions: list[Declared] = field(default_factory=list)
    #: Declared exclusions a configuration may not list, each with why (a scan would refuse the file).
    refused: list[tuple[Declared, str]] = field(default_factory=list)
    #: Parameters only the draft states (a scan never reads them): written as values.
    parameters: dict[str, Found] = field(default_factory=dict)
    #: Parameters a scan reads from the documents itself: written commented out, with the statement.
    read_by_scan: dict[str, Found] = field(default_factory=dict)
    #: (glob pattern, sheet, files) per group of files no classifier recognised.
    suggestions: list[tuple[str, str | None, int]] = field(default_factory=list)
    more_suggestions: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    #: The ``[[sources]] path``: the scanned folder, relative to the written file.
    source_path: str = "."


def _current(item: EvidenceItem) -> bool:
    """Neither retired nor an unfilled template: what the organisation says of itself today."""
    state = item.attributes.get("lifecycle")
    return (
        item.status not in RETIRED_STATES
        and state not in RETIRED_STATES
        and item.attributes.get("template") is not True
    )


def _name(items: Sequence[EvidenceItem], folder: Path) -> Found:
    """The company name most said in the first kind of self-naming document that says one."""
    for kind in _SELF_NAMING:
        counts: Counter[str] = Counter()
        first: dict[str, EvidenceItem] = {}
        for item in (i for i in items if i.type == kind and i.text and _current(i)):
            for match in _COMPANY.finditer(item.text or ""):
                words = match.group(1).split()
                while words and words[0] in _ARTICLES:
                    words = words[1:]
                if not words:
                    continue
                name = f"{' '.join(words)}{',' if match.group(0)[len(match.group(1))] == ',' else ''} {match.group(2)}"
                counts[name] += 1
                first.setdefault(name, item)
        if counts:
            name = max(counts, key=lambda n: (counts[n], -list(first).index(n)))
            return Found(name, f"{kind.replace('_', ' ')} {first[name].locator}")
    return Found(folder.resolve().name, "the folder's name (no quality manual or policy names a company)")


def _cells(line: str) -> list[str] | None:
    """A table row's cells: markdown ``| a | b |`` or a Word table's tab-separated row."""
    line = line.strip()
    if line.startswith("|"):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        return None if all(re.fullmatch(r":?-{3,}:?", cell) or not cell for cell in cells) else cells
    return [cell.strip() for cell in line.split("\t")] if "\t" in line else None


def _table_processes(text: str) -> list[str]:
    """The first column of each table whose first header cell is the ``process`` field ("Process")."""
    found: list[str] = []
    in_table = reading = False
    for line in text.splitlines():
        cells = _cells(line)
        if cells is None:
            if not re.fullmatch(r"\|[\s:|-]+\|?", line.strip()):  # a markdown separator row stays in the table
                in_table = reading = False
            continue
        if not in_table:
            in_table = True
            reading = bool(cells[0]) and active().field(cells[0]) == "process"
            continue
        if reading and cells[0]:
            found.append(cells[0])
    return found


def _processes(items: Sequence[EvidenceItem]) -> tuple[list[str], list[str]]:
    """The processes the quality manual tabulates; where it has no such table, those the audit
    programme lists (the two word them differently: "Compras y proveedores", "Compras"). A
    process's name is what precedes a parenthesis ("Commercial (devis, revue des exigences)")."""
    names: dict[str, str] = {}  # normalised -> as first written
    where: list[str] = []
    for item in (i for i in items if i.type == "quality_manual" and i.text and _current(i)):
        listed = _table_processes(item.text or "")
        if listed:
            where.append(f"the process table of {item.locator}")
            for process in listed:
                names.setdefault(normalise(_bare(process)), _bare(process))
    if names:
        return list(names.values()), where
    programme = [i for i in items if i.type == "audit_programme_entry" and _current(i)]
    for item in programme:
        process = _bare(str(item.field("process") or ""))
        if process:
            names.setdefault(normalise(process), process)
            where.append(f"the audit programme {item.locator.split(' row ')[0]}")
    return list(names.values()), list(dict.fromkeys(where))


def _bare(name: str) -> str:
    return re.sub(r"\s*\(.*", "", name).strip(" \t*_:;,.-")


def _sites(items: Sequence[EvidenceItem]) -> tuple[list[str], list[str]]:
    """The values of the registers' site column, most frequent first."""
    counts: Counter[str] = Counter()
    where: dict[str, None] = {}
    for item in items:
        if item.site and item.site.strip() and _current(item):
            counts[item.site.strip()] += 1
            where.setdefault(item.locator.split(" row ")[0], None)
    return sorted(counts, key=lambda site: (-counts[site], site)), list(where)


def _named_frequencies(items: Sequence[EvidenceItem]) -> dict[str, Found]:
    """A frequency a register's own name states: "Monthly KPI Reports.xlsx" makes KPI reports monthly."""
    found: dict[str, Found] = {}
    for item in items:
        parameter = _NAMED_FREQUENCY.get(item.type)
        if parameter is None or parameter in found or not item.provenance.locator.path:
            continue
        path = PurePosixPath(item.provenance.locator.path)
        names = [path.stem, item.provenance.locator.sheet or ""]
        words = " ".join(normalise(re.sub(r"[_.-]", " ", name)) for name in names)
        periods = {period for phrase, period in builtin().frequencies.items() if f" {phrase} " in f" {words} "}
        if len(periods) == 1:
            found[parameter] = Found(periods.pop(), f"the name of the register {path}")
    return found


def _suggestions(entries: Iterable[InventoryEntry]) -> tuple[list[tuple[str, str | None, int]], int]:
    """One ``[[classify]]`` suggestion per folder and file type of unrecognised files (a sheet of a
    recognised workbook on its own), so a folder of a thousand unread forms is one suggestion; a
    group of one file is named by the file itself."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for entry in entries:
        if entry.status != NOT_RECOGNISED or entry.path == CONFIG_NAME:
            continue
        path = PurePosixPath(entry.path)
        if entry.sheet is not None or not path.suffix:
            key = (_glob_escape(entry.path), entry.sheet)
        else:
            folder = "" if str(path.parent) == "." else f"{_glob_escape(str(path.parent))}/"
            key = (f"{folder}*{_glob_escape(path.suffix)}", None)
        groups.setdefault(key, []).append(entry.path)
    found = [
        (_glob_escape(paths[0]) if len(paths) == 1 else pattern, sheet, len(paths))
        for (pattern, sheet), paths in groups.items()
    ]
    return found[:_MAX_SUGGESTIONS], max(0, len(found) - _MAX_SUGGESTIONS)


def _glob_escape(text: str) -> str:
    """A path as a glob that matches only itself: ``[``, ``]``, ``*`` and ``?`` in brackets."""
    return re.sub(r"([*?\[\]])", r"[\1]", text)


def draft_config(
    folder: Path,
    plugins: Plugins,
    jobs: int = 1,
    progress: Progress | None = None,
    source_path: str = ".",
) -> Draft:
    """Read ``folder`` as a scan of it alone would (the base pack's words and types, no settings: not
    those of a ``qmscheck.toml`` in a folder above either) and draft its settings."""
    config = ScanConfig(
        organisation=OrganisationConfig(name=folder.resolve().name),
        sources=[SourceConfig.model_validate({"connector": "filesystem", "path": "."})],
        base_dir=folder,
    )
    packs = selected_packs(plugins, None)
    use_pack_words(packs, plugins.accepted_vocabularies)
    listing: Inventory = inventory(config, plugins, jobs=jobs, progress=progress or NullProgress())
    collection: Collection = collect(config, plugins, CollectOptions(jobs=jobs))
    items = items_of(collection.groups)
    read = with_stated_periods(Organisation(), collection).parameters
    draft = Draft(name=_name(items, folder), source_path=source_path, counts=listing.counts())
    draft.sites, draft.sites_where = _sites(items)
    draft.processes, draft.processes_where = _processes(items)
    standards = excludable_of(packs)
    for declared in declared_exclusions(scope_documents(collection)):
        refused = refused_exclusion(standards, declared.exclusion)
        if refused is None:
            draft.exclusions.append(declared)
        else:
            draft.refused.append((declared, refused))
    for name in _PARAMETERS:
        value = read.stated(name)
        if value is not None:
            draft.read_by_scan[name] = Found(value, read.source_of(name))
    draft.parameters = {
        name: found for name, found in _named_frequencies(items).items() if name not in draft.read_by_scan
    }
    draft.suggestions, draft.more_suggestions = _suggestions(listing.entries)
    return draft


def _string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, besides DEL, which TOML wants escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _comment(text: str, width: int = 100) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters, broken between words."""
    lines: list[str] = []
    current = "#"
    for word in text.split():
        if len(current) + 1 + len(word) > width and current != "#":
            lines.append(current)
            current = "#"
        current += " " + word
    return [*lines, current]


def _places(places: Sequence[str], limit: int = 3) -> str:
    shown = "; ".join(places[:limit])
    return shown + (f" and {len(places) - limit} more" if len(places) > limit else "")


def render_config(draft: Draft, schema_reference: str) -> str:
    """The commented ``qmscheck.toml`` of ``draft``; its first line points editors at the JSON Schema."""
    recognised = draft.counts.get(RECOGNISED, 0)
    out = [f"#:schema {schema_reference}"]
    out += _comment(
        f"qmscheck.toml for {draft.name.value}, drafted by `qmscheck init` from the {recognised} file(s) and "
        "sheet(s) it recognised. Each value says where it was found: check it against your documents, then "
        "keep this file with them. The first line lets editors that read `#:schema` (Taplo, Even Better TOML, "
        "Tombi) check and complete the keys; the schema is docs/qmscheck.schema.json of qmscheck."
    )
    if recognised == 0:
        out += _comment(
            "No quality-system evidence was recognised in this folder, so this file holds only what a scan "
            "needs. Add your documents (or point [[sources]] at them) and run `qmscheck inventory` to see "
            "what is recognised; `qmscheck init` on the filled folder drafts the rest."
        )
    out += ["", "[organisation]"]
    out += _comment(f"The organisation as reports name it. Found in: {draft.name.where}.")
    out.append(f"name = {_string(draft.name.value)}")
    out += _comment("The scope of the quality management system as your manual words it (ISO 9001 4.3).")
    out.append('# scope = ""')
    out += _comment("The sites the QMS covers; audit planning samples them.")
    if draft.sites:
        out += _comment(f"Found in the site column of: {_places(draft.sites_where)}.")
        out.append(f"sites = {_strings(draft.sites)}")
    else:
        out += _comment("No register names a site.")
        out.append('# sites = ["Main site"]')
    out += _comment("The QMS processes (ISO 9001 4.4): the audit programme is checked to cover each (AUD001).")
    if draft.processes:
        out += _comment(f"Found in: {_places(draft.processes_where)}.")
        out.append(f"processes = {_strings(draft.processes)}")
    else:
        out += _comment("Neither a process table in the quality manual nor an audit programme names them.")
        out.append('# processes = ["Sales", "Production"]')
    out += _comment('The ISO 9001 edition judged against; "2015" unless you choose another.')
    out.append('# edition = "2015"')
    out.append("")
    out += _comment(
        "Requirements not applicable (ISO 9001 4.3), each with its justification. A scan also reads the "
        "ones your scope documents declare; listed here, the list is complete, and a clause the documents "
        "declare that is not listed is reported as a conflict."
    )
    if draft.exclusions:
        for declared in draft.exclusions:
            out.append("[[organisation.exclusions]]")
            out += _comment(f"Declared in {declared.where}.")
            out.append(f"clause = {_string(declared.exclusion.clause)}")
            if declared.exclusion.standard:
                out.append(f"standard = {_string(declared.exclusion.standard)}")
            out.append(f"justification = {_string(declared.exclusion.justification)}")
            out.append("")
    for declared, refused in draft.refused:
        out += _comment(
            f"Declared in {declared.where}, but {refused}: left out, as a scan would refuse the file; "
            "the scan reports the declaration (SCOPE001)."
        )
        out += [f"# clause = {_string(declared.exclusion.clause)}", ""]
    if not draft.exclusions and not draft.refused:
        out += _comment("The scope documents declare none.")
        out += ["# [[organisation.exclusions]]", '# clause = "8.3"', '# justification = ""', ""]
    out += _parameters(draft)
    out += ["", "[scan]"]
    out += _comment(
        "The day date-relative checks are judged as of (YYYY-MM-DD); by default the day of the scan. "
        "Pin it to reproduce a report, or give --as-of."
    )
    out.append('# as_of = "2026-03-31"')
    out += _comment("1: documentation review (Stage 1); 2: implementation (Stage 2, the default).")
    out.append("# stage = 2")
    out += _comment('The grade at or above which `qmscheck scan` exits 1: "major" by default.')
    out.append('# fail_on = "major"')
    out += _comment("The rule packs that apply; by default the ISO 9001 base pack alone.")
    out.append('# packs = ["iso9001"]')
    out += ["", "[[sources]]"]
    out += _comment("Where the evidence is: this folder, read as a file share (paths are relative to this file).")
    out.append('connector = "filesystem"')
    out.append(f"path = {_string(draft.source_path)}")
    out.append("")
    out += _classify(draft)
    out.append("")
    out += _comment(
        "Records kept outside the sources (an eQMS, an HR system): rules needing them become checks on site."
    )
    out += ["# [[kept_elsewhere]]", '# type = "training_record"', '# where = "HR system, training module"']
    out.append("")
    out += _comment("What audit planning (`qmscheck plan`) needs: see docs/auditing.md.")
    out += ["# [audit]", '# complexity = "medium"']
    return "\n".join(out) + "\n"


def _parameters(draft: Draft) -> list[str]:
    out = ["[parameters]"]
    out += _comment(
        "Frequencies and deadlines your own documents set (ISO 9001 sets none): a rule judges one only "
        "when it is stated, as an ISO 8601 period (P1M a month, P30D thirty days, P12M a year)."
    )
    sources: list[tuple[str, str]] = []
    for name in _PARAMETERS:
        out += _comment(f"{name}: {Parameters.model_fields[name].description}")
        if name in draft.parameters:
            found = draft.parameters[name]
            out += _comment(f"Found in {found.where}: confirm it is what your documents set.")
            out.append(f"{name} = {_string(found.value)}")
            sources.append((name, found.where))
        elif name in draft.read_by_scan:
            found = draft.read_by_scan[name]
            out += _comment(f"A scan reads it from {found.where}; uncomment to state it here instead.")
            out.append(f"# {name} = {_string(found.value)}")
        else:
            out.append(f"# {name} = {_string(_PARAMETERS[name])}")
    out += _comment("Where the values above are stated, as findings cite it.")
    if sources:
        said = sources[0][1] if len(sources) == 1 else "; ".join(f"{name}: {where}" for name, where in sources)
        out.append(f"source = {_string(said)}")
    else:
        out.append('# source = "QP-07 Customer Feedback, section 4"')
    return out


def _classify(draft: Draft) -> list[str]:
    out = _comment(
        "Files no classifier recognised, read as 'unclassified'. To say what they are, uncomment a table and "
        "set type to an evidence type (`qmscheck inventory` shows those of the recognised files; "
        "docs/connectors.md lists them); pattern is a glob on the path inside the source."
    )
    if not draft.suggestions:
        return [*out, "# None: every file read was recognised or skipped.", *_example_classify()]
    for pattern, sheet, count in draft.suggestions:
        out.append("")
        out += _comment(f"{count} file(s) not recognised" if sheet is None else f"sheet {sheet!r} not recognised")
        out.append("# [[classify]]")
        out.append(f"# pattern = {_string(pattern)}")
        if sheet is not None:
            out.append(f"# sheet = {_string(sheet)}")
        out.append('# type = "TYPE"')
    if draft.more_suggestions:
        out += _comment(f"and {draft.more_suggestions} more folder(s) or sheet(s): see `qmscheck inventory`.")
    return out


def _example_classify() -> list[str]:
    return ["# [[classify]]", '# pattern = "Registers/Training*.xlsx"', '# type = "training_record"']


def _checked(text: str, where: Path) -> None:
    """The draft is a configuration qmscheck reads: a value it cannot take is a bug here, said so."""
    try:
        ScanConfig.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        problems = (
            [f"{path}: {message}" for path, message in validation_problems(exc, ScanConfig)]
            if isinstance(exc, ValidationError)
            else [str(exc)]
        )
        raise QmscheckError(f"the drafted {where} would not be read: {'; '.join(problems)}") from None


def initialise(
    folder: Path,
    plugins: Plugins,
    output: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[Path, Draft]:
    """Write the drafted ``qmscheck.toml`` for ``folder`` (to ``output``, by default into ``folder``),
    and the JSON Schema its first line names into ``.qmscheck/`` beside it. An existing file is never
    replaced: the organisation may have edited it."""
    if not folder.is_dir():
        raise QmscheckError(f"{folder} is not a folder: init drafts the qmscheck.toml of a folder of evidence")
    target = output if output is not None else folder / CONFIG_NAME
    if target.exists():
        hint = "" if output is not None else "; give --output FILE to write the draft elsewhere"
        raise QmscheckError(f"{target} exists: init never replaces a configuration{hint}")
    existing = folder / CONFIG_NAME
    if output is not None and existing.is_file():
        # The draft would be of a folder read without its own settings: say so rather than mislead.
        raise QmscheckError(f"{existing} exists: {folder} is configured already (scan it, or edit that file)")
    relative = _relative(folder, target.parent)
    draft = draft_config(folder, plugins, jobs=jobs, progress=progress, source_path=relative)
    schema_path = target.parent / INDEX_DIR / SCHEMA_NAME
    text = render_config(draft, f"./{INDEX_DIR}/{SCHEMA_NAME}")
    _checked(text, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # "x": never over a file made meanwhile
            handle.write(text)
        schema_path.parent.mkdir(exist_ok=True)
        write_atomically(schema_path, json.dumps(config_schema(), indent=2, sort_keys=True) + "\n")
    except FileExistsError:
        raise QmscheckError(f"{target} exists: init never replaces a configuration") from None
    except OSError as exc:
        raise QmscheckError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target, draft


def _relative(folder: Path, base: Path) -> str:
    """``folder`` as a ``[[sources]] path`` relative to ``base`` (where the file is), in forward slashes;
    absolute where no relative path leads there (another drive)."""
    try:
        return Path(os.path.relpath(folder.resolve(), base.resolve())).as_posix()
    except ValueError:
        return folder.resolve().as_posix()
