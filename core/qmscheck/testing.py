"""Helpers for testing rules and packs without a file share: for qmscheck's tests and vendors' packs alike."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qmscheck.checking.packs import LoadedPacks, RulePack, load_packs, use_pack_words
from qmscheck.checking.run import CheckOptions, run_check
from qmscheck.collecting.classification import Candidate, Classification
from qmscheck.collecting.connectors.base import CollectContext, Connector
from qmscheck.config.tomlfile import read_toml, validation_problems
from qmscheck.errors import RulePackError
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import CollectionWarning, Dates, EvidenceItem, Locator, Organisation, Provenance
from qmscheck.model.evidence_types import kind_of
from qmscheck.model.grades import Grade
from qmscheck.model.groups import EvidenceGroup
from qmscheck.model.report import Report
from qmscheck.plugins.manager import Plugins, load_plugins

__all__ = [
    "ExpectedFinding",
    "LoadedPacks",
    "Plugins",
    "RuleCase",
    "case_findings",
    "case_items",
    "case_rules",
    "check_items",
    "connector_items",
    "free_port",
    "item",
    "load_case_file",
    "load_cases",
    "load_packs",
    "load_plugins",
    "missing_cases",
    "run_case",
    "stop_process",
    "wait_until_listening",
]

_CORE = ("title", "document_number", "revision", "owner", "approver", "status", "site", "text")
_DATES = tuple(Dates.model_fields)


def item(evidence_type: str, ref: str, **fields: Any) -> EvidenceItem:
    """An evidence item from flat fields: core fields, dates and attributes sorted out by name."""
    core = {name: fields.pop(name) for name in _CORE if name in fields}
    dates = Dates(**{name: fields.pop(name) for name in _DATES if name in fields})
    return EvidenceItem(
        id=f"test:{ref}",
        kind=kind_of(evidence_type),
        type=evidence_type,
        provenance=Provenance(connector="test", locator=Locator(path=ref)),
        dates=dates,
        attributes=fields,
        **core,
    )


def check_items(
    packs: Sequence[RulePack] | Path,
    items: Sequence[EvidenceItem],
    *,
    as_of: date,
    organisation: Organisation | None = None,
    stage: int = 2,
    plugins: Plugins | None = None,
) -> Report:
    """Run the rules of ``packs`` (or of one folder of rule files) over ``items`` as of a date."""
    if isinstance(packs, Path):
        packs = [RulePack(name="under-test", version="0", path=packs, api=">=2")]
    plugins = plugins or load_plugins(entry_points=False)
    loaded = load_packs(list(packs), plugins.checks)
    use_pack_words(loaded.packs, plugins.accepted_vocabularies)
    collection = Collection.of_items(list(items))
    options = CheckOptions(as_of=as_of, stage=stage)
    return run_check(collection, loaded, plugins, organisation or Organisation(), options)


# --- rule case files ----------------------------------------------------------------
# Named passing and failing cases kept next to the rules (sqlfluff's way). The base pack
# and any vendor pack use the same format and the same runner:
#
#     [[cases]]
#     rule = "CAL001"                      # the rule under test; only this rule runs
#     name = "overdue_instrument_in_use"   # snake_case, unique per rule
#     as_of = 2026-03-31                   # the scan date (a TOML date)
#     stage = 2                            # optional
#     organisation = { processes = ["Sales"] }   # optional
#     expect = [{ grade = "minor", evidence = ["cal7"] }]   # [] makes a passing case
#     [[cases.items]]
#     type = "calibration_record"
#     ref = "cal7"                         # the item id becomes test:cal7
#     due = 2026-01-15                     # core fields, dates and attributes by name


class ExpectedFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: Grade
    evidence: list[str] = Field(default_factory=list)


class RuleCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    name: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    as_of: date
    stage: Literal[1, 2] = 2
    organisation: Organisation = Field(default_factory=Organisation)
    expect: list[ExpectedFinding]
    items: list[dict[str, Any]] = Field(default_factory=list)
    source: str = ""

    @property
    def passing(self) -> bool:
        return not self.expect

    @property
    def test_id(self) -> str:
        return f"{self.rule}-{self.name}"

    def expected(self) -> list[tuple[str, list[str]]]:
        return sorted((e.grade.value, sorted(e.evidence)) for e in self.expect)


def _case_name(raw: Any, number: int) -> str:
    """How a problem names a case: its rule and name as written, else its position in the file."""
    if isinstance(raw, dict) and isinstance(raw.get("rule"), str) and isinstance(raw.get("name"), str):
        return f"case {raw['rule']} {raw['name']!r}"
    return f"case #{number}"


def _case(raw: Any, number: int, path: Path) -> RuleCase | list[str]:
    """One ``[[cases]]`` table, its items built as a run builds them so that a typo in a case is
    found when the file is read; else its problems, each naming the file and the case."""
    at = f"{path}: {_case_name(raw, number)}"
    if not isinstance(raw, dict):
        return [f"{at}: a case is a table ([[cases]]), not {type(raw).__name__}"]
    try:
        case = RuleCase.model_validate({**raw, "source": path.name})
    except ValidationError as exc:
        return [f"{at}: {key}: {message}" for key, message in validation_problems(exc, RuleCase)]
    problems = []
    for position, fields in enumerate(case.items):
        missing = [key for key in ("type", "ref") if not isinstance(fields.get(key), str)]
        if missing:
            problems.append(f"{at}: items[{position}]: needs {' and '.join(missing)} (text)")
            continue
        try:
            _case_item(fields)
        except ValidationError as exc:
            problems += [f"{at}: items[{position}]: {error['msg']}" for error in exc.errors()]
    return problems or case


def load_case_file(path: Path) -> list[RuleCase]:
    """The ``[[cases]]`` tables of one case file; every problem names the file and the case."""
    data = read_toml(path, RulePackError)
    other = sorted(set(data) - {"cases"})
    if other:
        raise RulePackError(f"{path}: only [[cases]] tables are allowed, not {', '.join(other)}")
    raws = data.get("cases", [])
    if not isinstance(raws, list):
        raise RulePackError(f"{path}: cases: write each case as a [[cases]] table")
    cases: list[RuleCase] = []
    problems: list[str] = []
    for number, raw in enumerate(raws, start=1):
        case = _case(raw, number, path)
        if isinstance(case, RuleCase):
            cases.append(case)
        else:
            problems += case
    if problems:
        raise RulePackError("invalid case file:\n  " + "\n  ".join(problems))
    return cases


def load_cases(folder: Path) -> list[RuleCase]:
    """Every ``[[cases]]`` table of the ``*.toml`` files in ``folder``, in file order."""
    return [case for path in sorted(folder.glob("*.toml")) for case in load_case_file(path)]


def _case_item(fields: dict[str, Any]) -> EvidenceItem:
    fields = dict(fields)
    return item(fields.pop("type"), fields.pop("ref"), **fields)


def case_items(case: RuleCase) -> list[EvidenceItem]:
    """The case's evidence as items."""
    return [_case_item(fields) for fields in case.items]


def case_rules(case: RuleCase, packs: LoadedPacks) -> LoadedPacks:
    """Only the case's rule."""
    only = LoadedPacks(packs=packs.packs, rules=[r for r in packs.rules if r.rule.id == case.rule])
    if not only.rules:
        raise RulePackError(f"{case.source}: {case.name}: unknown rule {case.rule}")
    return only


def case_findings(report: Report) -> list[tuple[str, list[str]]]:
    """A report's findings as a case states them: (grade, cited refs), sorted."""
    return sorted(
        (finding.grade.value, sorted(ref.id.removeprefix("test:") for ref in finding.evidence))
        for finding in report.findings
    )


def run_case(case: RuleCase, packs: LoadedPacks, plugins: Plugins | None = None) -> list[tuple[str, list[str]]]:
    """Run only the case's rule over its items; the findings as (grade, cited refs), sorted."""
    report = run_check(
        Collection.of_items(case_items(case)),
        case_rules(case, packs),
        plugins or load_plugins(entry_points=False),
        case.organisation,
        CheckOptions(as_of=case.as_of, stage=case.stage),
    )
    return case_findings(report)


def missing_cases(cases: Sequence[RuleCase], packs: LoadedPacks) -> list[str]:
    """Rules of ``packs`` without a passing or without a failing case; a deprecated rule does not run,
    so it needs none."""
    passing = {case.rule for case in cases if case.passing}
    failing = {case.rule for case in cases if not case.passing}
    rule_ids = {loaded.rule.id for loaded in packs.rules if loaded.rule.status != "deprecated"}
    problems = [f"{rule_id}: no passing case" for rule_id in sorted(rule_ids - passing)]
    return problems + [f"{rule_id}: no failing case" for rule_id in sorted(rule_ids - failing)]


def connector_items(
    connector: Connector,
    options: dict[str, Any],
    *,
    base_dir: Path | None = None,
    classify: Callable[[Candidate], Classification | None] | None = None,
    warnings: list[CollectionWarning] | None = None,
) -> list[EvidenceItem]:
    """Run ``connector`` over the source ``options`` describe, as a scan without an index does, and
    return its items (groups unpacked). Fails (AssertionError, naming each item) unless every item
    validates as it would be stored, is attributed to the connector, says where it lives and carries
    the sha256 of its source bytes, and ids are unique. A warning fails too, unless ``warnings`` is
    a list to collect them in. ``classify`` defaults to the built-in classifiers."""
    if classify is None:
        classify = load_plugins(entry_points=False).classify
    context = CollectContext(classify=classify, base_dir=base_dir or Path.cwd())
    items: list[EvidenceItem] = []
    found_warnings: list[CollectionWarning] = []
    for collected in connector.collect(options, context):
        if isinstance(collected, EvidenceGroup):
            items += collected.items()
        elif isinstance(collected, CollectionWarning):
            found_warnings.append(collected)
        else:
            items.append(collected)
    problems: list[str] = []
    if warnings is None:
        problems += [f"warning: {warning.locator}: {warning.message}" for warning in found_warnings]
    else:
        warnings += found_warnings
    seen: set[str] = set()
    for evidence in items:
        at = f"item {evidence.id}"
        try:
            EvidenceItem.model_validate_json(evidence.model_dump_json())
        except ValidationError as exc:
            problems.append(f"{at}: does not validate: {exc.errors()[0]['msg']}")
        if evidence.provenance.connector != connector.name:
            problems.append(f"{at}: provenance.connector is {evidence.provenance.connector!r}, not {connector.name!r}")
        if str(evidence.provenance.locator) == "?":
            problems.append(f"{at}: provenance.locator says nowhere (set a path, url, model or row)")
        if evidence.sha256 is None:
            problems.append(f"{at}: no sha256 of its source bytes (qmscheck.api.values_sha256 for a database row)")
        if evidence.id in seen:
            problems.append(f"{at}: id used twice")
        seen.add(evidence.id)
    assert not problems, f"connector {connector.name}: " + "\n  ".join(["", *problems])
    return items


def stop_process(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Stop a server a test started: politely (SIGTERM), then for good, never waiting unbounded."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now, for a server a test starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(process: subprocess.Popen[Any], port: int, seconds: float = 30) -> str | None:
    """Wait for a server a test started to accept connections on 127.0.0.1:``port``.
    None when it does; otherwise why not (it exited, or did not listen in time), for a skip or a failure."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            return f"it exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return None
        except OSError:
            if time.monotonic() > deadline:
                return f"it did not listen on port {port} within {seconds:g} s"
            time.sleep(0.2)
