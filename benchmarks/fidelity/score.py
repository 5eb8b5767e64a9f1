#!/usr/bin/env python3
"""Score qmscheck against the fidelity benchmark's answer keys and print one table.

    python benchmarks/fidelity/score.py [--json FILE] [ORG ...]
    python benchmarks/fidelity/score.py --key plugins/qmscheck-iso13485/fixtures/keys/lindner-chirurgie.toml

Each key in ``keys/`` names a sample organisation (a folder a user would scan), its seeded defects,
its clean traps and the QMS files a good tool recognises. The organisation is scanned through the CLI
(``--format json --as-of <key's date> --no-index``) and inventoried (``inventory --format json``);
findings are matched to the key by rule and cited file. Real corpora under ``../shared/corpora`` get a
recognition row (and, for the handbook templates, template counts); they are skipped when absent.
See README.md beside this script for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
KEYS = HERE / "keys"
CORPORA = REPO.parent / "shared" / "corpora"
#: Files of a corpus that are not part of the QMS (licences, the repository's own readme).
NOT_QMS = re.compile(r"(^|/)(LICENSE|README)[^/]*$", re.IGNORECASE)
#: Document types a template can be recognised as without being taken for an approved document.
TEMPLATE_TYPES = {"form", "unclassified"}

Json = dict[str, Any]


@dataclass(frozen=True)
class Expectation:
    """A seeded defect or a clean trap of a key."""

    id: str
    rules: tuple[str, ...]
    files: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    text: str = ""
    what: str = ""

    def matches(self, finding: Json) -> bool:
        """The finding is this expectation's: same rule (its own, or one merged into it: an auditor's
        one nonconformity reports every requirement it names), and it cites one of the files (an
        absence finding cites none and matches on the rule and the key's text)."""
        reported_by = {finding.get("rule_id"), *finding.get("also_reported_by", [])}
        if "*" not in self.rules and not reported_by & set(self.rules):
            return False
        if self.text and self.text.lower() not in _finding_text(finding).lower():
            return False
        if not self.files:
            return True
        cited = [_cited_file(item.get("locator", "")) for item in finding.get("evidence", [])]
        if not cited:
            return bool(self.text)
        return any(_same_file(path, want) for path in cited for want in self.files)


@dataclass(frozen=True)
class QmsFile:
    path: str
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Key:
    name: str
    target: Path
    as_of: str
    defects: tuple[Expectation, ...] = ()
    traps: tuple[Expectation, ...] = ()
    tolerated: tuple[Expectation, ...] = ()
    qms_files: tuple[QmsFile, ...] = ()


@dataclass
class Score:
    name: str
    findings: int = 0
    defects: int = 0
    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    graded_right: list[str] = field(default_factory=list)
    true_findings: int = 0
    traps: int = 0
    traps_hit: list[str] = field(default_factory=list)
    false_findings: list[str] = field(default_factory=list)
    #: Findings that report a defect another finding already reports: an auditor writes one
    #: nonconformity per requirement and context (the judgement issue's target: at most 10 %).
    duplicates: list[str] = field(default_factory=list)
    #: Evidence requests: absences the scan did not establish. Not claims, so they count towards
    #: neither recall nor precision nor traps; the table shows how many there are.
    requests: list[str] = field(default_factory=list)
    qms_files: int = 0
    recognised: list[str] = field(default_factory=list)
    not_recognised: list[str] = field(default_factory=list)
    templates: int | None = None
    templates_detected: int | None = None
    templates_accepted: int | None = None

    @property
    def recall(self) -> float | None:
        return len(self.found) / self.defects if self.defects else None

    @property
    def precision(self) -> float | None:
        return self.true_findings / self.findings if self.findings else None

    @property
    def grade_accuracy(self) -> float | None:
        return len(self.graded_right) / len(self.found) if self.found else None

    @property
    def recognition(self) -> float | None:
        return len(self.recognised) / self.qms_files if self.qms_files else None

    @property
    def duplicate_share(self) -> float | None:
        return len(self.duplicates) / self.findings if self.findings else None

    def figures(self) -> Json:
        return {
            "recall": self.recall,
            "precision": self.precision,
            "grade_accuracy": self.grade_accuracy,
            "traps_hit": len(self.traps_hit) if self.traps else None,
            "recognition": self.recognition,
            "duplicate_share": self.duplicate_share,
        } | asdict(self)


def _finding_text(finding: Json) -> str:
    """What a key's ``text`` is looked for in: the finding's words and the places it cites."""
    cited = [f"{item.get('locator', '')} {item.get('label', '')}" for item in finding.get("evidence", [])]
    return " ".join([*(str(finding.get(part) or "") for part in ("statement", "absence", "title")), *cited])


def _cited_file(locator: str) -> str:
    """The file part of a locator: 'Log.xlsx [Sheet] row 6', 'log.csv row 4' and 'manual.md#policy' name the file."""
    return re.sub(r"( \[[^\]]*\].*| row \d+.*|#.*)$", "", locator).strip()


def _same_file(cited: str, wanted: str) -> bool:
    cited, wanted = cited.strip("/"), wanted.strip("/")
    return cited == wanted or cited.endswith("/" + wanted) or wanted.endswith("/" + cited)


def _expectations(entries: Iterable[Json]) -> tuple[Expectation, ...]:
    out = []
    for entry in entries:
        grade = entry.get("grade", ())
        out.append(
            Expectation(
                id=entry["id"],
                rules=tuple(entry["rules"]),
                files=tuple(entry.get("files", ())),
                grades=(grade,) if isinstance(grade, str) else tuple(grade),
                text=entry.get("text", ""),
                what=entry.get("what", ""),
            )
        )
    return tuple(out)


def load_key(path: Path) -> Key:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    org = data["organisation"]
    return Key(
        name=org["name"],
        target=(REPO / org["target"]).resolve(),
        as_of=org["as_of"],
        defects=_expectations(data.get("defect", ())),
        traps=_expectations(data.get("trap", ())),
        tolerated=_expectations(data.get("tolerated", ())),
        qms_files=tuple(QmsFile(f["path"], tuple(f.get("types", ()))) for f in data.get("qms_file", ())),
    )


def _describe(finding: Json) -> str:
    cited = sorted({_cited_file(item.get("locator", "")) for item in finding.get("evidence", [])})
    where = ", ".join(cited) if cited else "(absence)"
    return f"{finding.get('rule_id')} {finding.get('grade')}: {where}"


def _entries_by_file(inventory: Json) -> dict[str, list[Json]]:
    by_file: dict[str, list[Json]] = {}
    for entry in inventory.get("entries", []):
        by_file.setdefault(entry["path"], []).append(entry)
    return by_file


def _is_recognised(entries: Sequence[Json], types: Sequence[str]) -> bool:
    return any(e.get("status") == "recognised" and (not types or e.get("type") in types) for e in entries)


def score(key: Key, report: Json, inventory: Json | None) -> Score:
    """Match a scan report and an inventory to an answer key."""
    every: list[Json] = report.get("findings", [])
    findings = [f for f in every if f.get("grade") != "request"]
    result = Score(key.name, findings=len(findings), defects=len(key.defects), traps=len(key.traps))
    result.requests = [_describe(f) for f in every if f.get("grade") == "request"]
    for defect in key.defects:
        hits = [f for f in findings if defect.matches(f)]
        if not hits:
            result.missed.append(defect.id)
            continue
        result.found.append(defect.id)
        result.duplicates += [f"{defect.id}: {_describe(f)}" for f in hits[1:]]
        if not defect.grades or any(f.get("grade") in defect.grades for f in hits):
            result.graded_right.append(defect.id)
    for trap in key.traps:
        if any(trap.matches(f) for f in findings):
            result.traps_hit.append(trap.id)
    for finding in findings:
        if any(e.matches(finding) for e in key.defects + key.tolerated) and not any(
            t.matches(finding) for t in key.traps
        ):
            result.true_findings += 1
        else:
            result.false_findings.append(_describe(finding))
    if inventory is not None:
        by_file = _entries_by_file(inventory)
        result.qms_files = len(key.qms_files)
        for qms_file in key.qms_files:
            entries = [e for path, found in by_file.items() if _same_file(path, qms_file.path) for e in found]
            bucket = result.recognised if _is_recognised(entries, qms_file.types) else result.not_recognised
            bucket.append(qms_file.path)
    return result


def _is_template(entry: Json) -> bool:
    """Whether the inventory marks the file as an unfilled template (any of the ways it may say so)."""
    if entry.get("template") or entry.get("is_template"):
        return True
    return any(str(entry.get(f) or "").lower() == "template" for f in ("lifecycle", "state", "template_status"))


def score_corpus(name: str, inventory: Json, templates: bool) -> Score:
    """Recognition over every file of a real corpus (no key): each readable file but a licence or readme
    is QMS content. For a corpus of templates, also count those flagged as templates and those taken
    for an approved document (recognised as a document type other than a form, and not flagged)."""
    result = Score(name)
    for path, entries in sorted(_entries_by_file(inventory).items()):
        if NOT_QMS.search(path) or all(e.get("status") == "skipped" for e in entries):
            continue
        result.qms_files += 1
        (result.recognised if _is_recognised(entries, ()) else result.not_recognised).append(path)
        if templates:
            result.templates = (result.templates or 0) + 1
            flagged = any(_is_template(e) for e in entries)
            result.templates_detected = (result.templates_detected or 0) + flagged
            accepted = not flagged and any(
                e.get("status") == "recognised" and e.get("type") not in TEMPLATE_TYPES for e in entries
            )
            result.templates_accepted = (result.templates_accepted or 0) + accepted
    return result


def _qmscheck(*args: str) -> Json:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = [sys.executable, "-m", "qmscheck", *args, "--format", "json", "-q", "-j", "1", "--output", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if not out.exists():
            raise RuntimeError(f"{' '.join(command[2:])} failed (exit {done.returncode}):\n{done.stderr.strip()}")
        data: Json = json.loads(out.read_text(encoding="utf-8"))
        return data


def scan(target: Path, as_of: str) -> Json:
    return _qmscheck("scan", str(target), "--as-of", as_of, "--no-index", "--fail-on", "never")


def inventory(target: Path) -> Json:
    return _qmscheck("inventory", str(target))


def run_key(key: Key) -> Score:
    return score(key, scan(key.target, key.as_of), inventory(key.target))


def keys(names: Sequence[str] = ()) -> list[Key]:
    found = [load_key(path) for path in sorted(KEYS.glob("*.toml"))]
    return [k for k in found if not names or k.target.name in names]


def run_corpora() -> list[Score]:
    rows = []
    for name, templates in (("gstt-csc-qms-template", False), ("handbook-generator-iso9001", True)):
        folder = CORPORA / name
        if folder.is_dir():
            rows.append(score_corpus(name, inventory(folder), templates))
    return rows


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def table(rows: Sequence[Score]) -> str:
    head = (
        "organisation",
        "recognition",
        "recall",
        "precision",
        "grade acc.",
        "traps hit",
        "duplicates",
        "findings",
        "requests",
        "templates",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        recognition = f"{_pct(r.recognition)} ({len(r.recognised)}/{r.qms_files})"
        recall = f"{_pct(r.recall)} ({len(r.found)}/{r.defects})" if r.defects else "—"
        precision = f"{_pct(r.precision)} ({r.true_findings}/{r.findings})" if r.defects else "—"
        grades = f"{_pct(r.grade_accuracy)} ({len(r.graded_right)}/{len(r.found)})" if r.found else "—"
        traps = f"{len(r.traps_hit)}/{r.traps}" if r.traps else "—"
        duplicates = f"{_pct(r.duplicate_share)} ({len(r.duplicates)})" if r.defects else "—"
        findings = str(r.findings) if r.defects else "—"
        requests = str(len(r.requests)) if r.defects else "—"
        templates = "—"
        if r.templates is not None:
            templates = f"{r.templates_detected}/{r.templates} detected, {r.templates_accepted} accepted as approved"
        lines.append(
            f"| {r.name} | {recognition} | {recall} | {precision} | {grades} | {traps} | {duplicates} | {findings} "
            f"| {requests} "
            f"| {templates} |"
        )
    return "\n".join(lines)


def details(rows: Sequence[Score]) -> str:
    out = []
    for r in rows:
        parts = [f"## {r.name}"]
        if r.missed:
            parts.append("missed defects: " + ", ".join(r.missed))
        if r.found and len(r.graded_right) < len(r.found):
            parts.append("found at another grade: " + ", ".join(sorted(set(r.found) - set(r.graded_right))))
        if r.traps_hit:
            parts.append("clean traps hit: " + ", ".join(r.traps_hit))
        parts += [f"false finding: {f}" for f in r.false_findings]
        parts += [f"duplicate of {f}" for f in r.duplicates]
        parts += [f"evidence request: {f}" for f in r.requests]
        parts += [f"not recognised: {p}" for p in r.not_recognised]
        out.append("\n".join(parts))
    return "\n\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("orgs", nargs="*", help="organisation folder names (default: every key)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--details", action="store_true", help="list misses, false findings and unrecognised files")
    parser.add_argument(
        "--key", type=Path, action="append", default=[], help="score this answer key instead (e.g. a plugin's fixture)"
    )
    args = parser.parse_args(argv)
    rows = [run_key(key) for key in ([load_key(path) for path in args.key] or keys(args.orgs))]
    if not args.orgs and not args.key:
        rows += run_corpora()
    print(table(rows))
    if args.details:
        print("\n" + details(rows))
    if args.json:
        args.json.write_text(json.dumps([r.figures() for r in rows], indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
