"""The shared "golden" report every renderer test uses, and what all formats promise alike.

The report is built in code, not scanned, so renderer tests never depend on the engine:
findings of every grade, evidence with sheet/row locators and hashes, an ERP record,
findings about absent evidence, a warning, a not-applicable clause, rules that passed (one
with nothing to check) and did not run, manual checks to verify on site, and hostile text
(``<script>``, pipes, a control character) where evidence text can end up.
Other ``test_render_*`` modules import :func:`golden_report` from here.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from qmscheck.model.evidence import CollectionWarning, Organisation
from qmscheck.model.grades import Grade
from qmscheck.model.report import (
    EvidenceRef,
    EvidenceSeen,
    Finding,
    ManualCheck,
    NotApplicable,
    PackInfo,
    PassedRule,
    Report,
    RuleNotRun,
    SourceInfo,
    StandardInfo,
    finding_sort_key,
    summarise,
)
from qmscheck.plugins.manager import load_plugins
from qmscheck.rendering.base import Renderer

XSS = "<script>alert(1)</script>"
XSS_FLAG = '<img src=x onerror="window.__xss=1">'
BUILTIN_FORMATS = {"text", "json", "sarif", "junit", "markdown", "html"}
SHA_TRAINING = "67872f356fc7164cfc92b60a3eebe86dca24a04d705ad6030be56c47b4de22f6"
SHA_NC_LOG = "639ef3288dbd1831034d5012ed0bac706be0347e7ad17c67986063dfd4b73873"
SHA_PROCEDURE = "34d39a61cdd1aa032ab1b7382d2ae5ad4c0ddb26a59afa0cabcb8acf0d839b5"
SHA_CALIBRATION = "9fb7b39dd664327c6d88f3f2d06126c5207c7f2d787a20d461042ad33d07bd64"


def _ref(ref_id: str, locator: str, label: str, sha256: str | None = None) -> EvidenceRef:
    return EvidenceRef(id=ref_id, locator=locator, label=label, sha256=sha256)


def _finding(
    rule_id: str,
    clause: str,
    grade: Grade,
    title: str,
    statement: str,
    *,
    evidence: list[EvidenceRef] | None = None,
    absence: str | None = None,
    pack: str = "iso9001",
    stages: list[int] | None = None,
) -> Finding:
    return Finding(
        id=f"{rule_id}-{grade.value[:3]}{len(statement):04d}",
        grade=grade,
        clause=clause,
        rule_id=rule_id,
        title=title,
        statement=statement,
        evidence=evidence or [],
        absence=absence,
        why=f"Why {rule_id} matters to a certification body.",
        fix=f"Fix for {rule_id}: act and record it.",
        pack=pack,
        stages=stages or [1, 2],
    )


def golden_findings() -> list[Finding]:
    training = "04 Records/Training Matrix.xlsx"
    findings = [
        _finding(
            "CMP001",
            "7.2",
            Grade.MAJOR,
            "Competence records are current",
            "ISO 9001 7.2 expects current competence evidence. 3 instances show a systemic breakdown.",
            evidence=[
                _ref(f"fs:{training}#Training:{row}", f"{training} [Training] row {row}", name, SHA_TRAINING)
                for row, name in ((5, "Marek Nowak"), (9, "Mei Chen"), (15, "Connor Walsh"))
            ],
            stages=[2],
        ),
        _finding(
            "AUD002",
            "9.2.2",
            Grade.MAJOR,
            "Internal audit reports are kept",
            "ISO 9001 9.2.2 expects audit results to be retained. Not met: no internal audit report was found.",
            absence="no internal audit report was found",
        ),
        _finding(
            "DOC002",
            "7.5.2",
            Grade.MINOR,
            "Controlled documents are reviewed | re-approved by their due date",
            "ISO 9001 7.5.2 expects documents to be reviewed. Evidence seen: QP-05. Not met: review overdue.",
            evidence=[
                _ref(
                    "fs:02 Procedures/QP-05 Calibration.docx",
                    "02 Procedures/QP-05 Calibration.docx",
                    "QP-05",
                    SHA_PROCEDURE,
                )
            ],
        ),
        _finding(
            "SUP002",
            "8.4.1",
            Grade.MINOR,
            "Suppliers in use are approved",
            "ISO 9001 8.4.1 expects suppliers to be approved. Not met: Rapid Castings Ltd is not approved.",
            evidence=[_ref("odoo:res.partner/42", "https://erp.acme.test/odoo res.partner/42", "Rapid Castings Ltd")],
        ),
        _finding(
            "NCR001",
            "10.2.2",
            Grade.MINOR,
            "Closed nonconformities show root cause",
            f"ISO 9001 10.2.2 expects a root cause. Evidence seen: NC-2025-014 {XSS_FLAG}. Not met: no root cause.\x07",
            evidence=[
                _ref(
                    "fs:04 Records/NC and CAPA Log.xlsx#Log:6",
                    f"04 Records/NC and CAPA Log.xlsx [Log {XSS}] row 6",
                    f"NC-2025-014 {XSS}",
                    SHA_NC_LOG,
                )
            ],
        ),
        _finding(
            "SCOPE001",
            "4.3",
            Grade.MINOR,
            "Exclusions from the QMS scope are allowed and justified",
            "ISO 9001 4.3 expects exclusions to be justified. Not met: 8.5.1 excluded without a reason.",
            pack="qmscheck",
        ),
        _finding(
            "CAL001",
            "7.1.5",
            Grade.OBSERVATION,
            "Instruments in use are within their calibration due date",
            "ISO 9001 7.1.5 expects calibrated instruments. Not met: CAL-004 falls due by 2026-04-30.",
            evidence=[
                _ref(
                    "fs:04 Records/Calibration Log.xlsx#Instruments:5",
                    "04 Records/Calibration Log.xlsx [Instruments] row 5",
                    "CAL-004",
                    SHA_CALIBRATION,
                )
            ],
            stages=[2],
        ),
        _finding(
            "MRV001",
            "9.3.1",
            Grade.REQUEST,
            "A management review was held in the last 12 months",
            "ISO 9001 9.3.1 expects a yearly review. Nothing of the kind was found among the 41 recognised files; "
            "1 could not be read, and the evidence may be among them. The absence is not established.",
            evidence=[
                _ref("file:05 Broken/Corrupt Register.xlsx", "05 Broken/Corrupt Register.xlsx", "not a zip file")
            ],
            absence="no management review minutes were found",
            stages=[2],
        ),
        _finding(
            "KNW001",
            "7.1.6",
            Grade.OFI,
            "Organisational knowledge is captured",
            "ISO 9001 7.1.6 expects knowledge to be kept. Not met: no lessons learned log was found.",
            absence="no lessons learned log was found",
        ),
    ]
    return sorted(findings, key=finding_sort_key)


def golden_passed() -> list[PassedRule]:
    return [
        PassedRule(
            rule_id="CAL003",
            clause="7.1.5",
            title="Calibration is traceable and dated",
            pack="iso9001",
            evidence=EvidenceSeen(
                types=["calibration_record"],
                files=4,
                items=57,
                sample=[
                    "filesystem:04 Records/Calibration Log.xlsx",
                    f"filesystem:04 Records/Gauges {XSS} | 2025.xlsx",
                    "filesystem:04 Records/Gauges 2026.xlsx",
                ],
            ),
        ),
        PassedRule(
            rule_id="POL001",
            clause="5.2",
            title="A quality policy is documented",
            pack="iso9001",
            evidence=EvidenceSeen(
                types=["quality_manual", "quality_policy"],
                files=1,
                items=1,
                sample=["filesystem:01 Policies/Quality Policy.docx"],
            ),
        ),
        PassedRule(
            rule_id="NCR002",
            clause="10.2.1",
            title="Open nonconformities are not overdue",
            pack="iso9001",
            evidence=EvidenceSeen(types=["corrective_action"], files=0, items=0, sample=[]),
        ),
    ]


def golden_manual_checks() -> list[ManualCheck]:
    return [
        ManualCheck(
            clause="7.3",
            title="People know the policy, their objectives and their part",
            questions=["Ask staff what the policy means for their work.", f"Ask about {XSS} | pipes."],
            evidence=["Induction records."],
        ),
        ManualCheck(
            clause="10.3",
            title="The QMS keeps getting better",
            questions=["Ask how top management judges improvement."],
            evidence=["Key indicators over two years.", "Completed improvement actions."],
        ),
    ]


#: ISO 9001 as a scan names it: the top-level clauses and the sub-clauses the golden findings cite.
ISO_9001 = StandardInfo(
    id="iso9001",
    name="ISO 9001",
    title="Quality management systems: requirements",
    edition="2015",
    clauses={
        "4": "Context of the organization",
        "4.3": "Scope of the quality management system",
        "5": "Leadership",
        "6": "Planning",
        "7": "Support",
        "7.1.5": "Monitoring and measuring resources",
        "7.2": "Competence",
        "8": "Operation",
        "8.4.1": "Control of externally provided processes, products and services",
        "9": "Performance evaluation",
        "10": "Improvement",
    },
)


def golden_report(findings: list[Finding] | None = None) -> Report:
    chosen = golden_findings() if findings is None else findings
    return Report(
        tool_version="0.1.0",
        organisation=Organisation(
            name="Acme <Precision> & Parts | Ltd", scope="Machining to drawings", sites=["Springfield"]
        ),
        as_of=date(2026, 3, 31),
        stage=2,
        edition="2015",
        sources=[
            SourceInfo(connector="filesystem", location="share", items=42),
            SourceInfo(connector="odoo", location="https://erp.acme.test/odoo", items=7),
        ],
        evidence_count=49,
        packs=[PackInfo(name="iso9001", version="0.1.0", rules=20)],
        standards=[ISO_9001],
        rules_evaluated=18,
        findings=chosen,
        not_applicable=[
            NotApplicable(clause="8.3", justification="No design | development work", rule_ids=["DES001", "DES002"])
        ],
        rules_passed=golden_passed(),
        rules_not_run=[
            RuleNotRun(
                rule_id=rule_id,
                clause="8.3",
                title=f"Design rule {rule_id}",
                pack="iso9001",
                reason="not applicable: clause 8.3 declared not applicable",
            )
            for rule_id in ("DES001", "DES002")
        ]
        + [
            RuleNotRun(
                rule_id="AUD009",
                clause="9.2.2",
                title="Audit programme reviewed at stage 1",
                pack="iso9001",
                reason="stage 1 only",
            )
        ],
        manual_checks=golden_manual_checks(),
        warnings=[
            CollectionWarning(
                connector="filesystem", locator="05 Broken/Corrupt Register.xlsx", message=f"not a zip file {XSS}"
            )
        ],
        summary=summarise(chosen),
    )


@pytest.fixture
def report() -> Report:
    return golden_report()


def builtin_renderers() -> dict[str, Renderer]:
    plugins = load_plugins(entry_points=False)
    return {name: plugins.renderers.get(name) for name in plugins.renderers.names()}


def test_every_builtin_format_is_registered_through_the_hook_with_a_distinct_extension() -> None:
    renderers = builtin_renderers()
    assert set(renderers) >= BUILTIN_FORMATS
    builtin = [renderers[name] for name in sorted(BUILTIN_FORMATS)]
    assert len({renderer.extension for renderer in builtin}) == len(builtin)
    assert {name: load_plugins(entry_points=False).renderers.owner(name) for name in BUILTIN_FORMATS} == {
        name: "qmscheck.plugins.builtin.renderers" for name in BUILTIN_FORMATS
    }


def test_golden_report_covers_every_grade() -> None:
    assert {finding.grade for finding in golden_findings()} == set(Grade)


@pytest.mark.parametrize("name", sorted(BUILTIN_FORMATS))
def test_rendering_is_deterministic(name: str, report: Report) -> None:
    renderer = builtin_renderers()[name]
    first = renderer.render(report)
    assert first == renderer.render(golden_report())
    assert first.endswith("\n")


# JSON is the saved report itself, kept in the order given; every other format sorts.
@pytest.mark.parametrize("name", sorted(BUILTIN_FORMATS - {"json"}))
def test_output_does_not_depend_on_the_order_findings_were_saved_in(name: str) -> None:
    renderer = builtin_renderers()[name]
    shuffled = golden_findings()
    random.Random(7).shuffle(shuffled)
    assert shuffled != golden_findings()
    assert renderer.render(golden_report(shuffled)) == renderer.render(golden_report())


@pytest.mark.parametrize("name", sorted(BUILTIN_FORMATS))
def test_a_saved_json_report_renders_exactly_like_the_original(name: str, report: Report) -> None:
    saved = builtin_renderers()["json"].render(report)
    renderer = builtin_renderers()[name]
    assert renderer.render(Report.model_validate_json(saved)) == renderer.render(report)


@pytest.mark.parametrize("name", sorted(BUILTIN_FORMATS - {"text"}))
def test_no_terminal_colour_codes_outside_text(name: str, report: Report) -> None:
    assert "\x1b[" not in builtin_renderers()[name].render(report, color=True)


def test_text_uses_colour_only_when_asked(report: Report) -> None:
    renderer = builtin_renderers()["text"]
    assert "\x1b[" not in renderer.render(report, color=False)
    assert "\x1b[" in renderer.render(report, color=True)
