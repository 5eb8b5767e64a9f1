"""A report for the certification auditor keeps the statements and the evidence and gives no advice
on fixing: in no format does a fix text of acme's findings appear."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from qmscheck.auditing.audience import for_audience, for_auditor
from qmscheck.model.report import Report
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")


@pytest.fixture(scope="module")
def acme() -> Report:
    return scan(ScanRequest(target=ACME))


def fixes(report: Report) -> set[str]:
    return {finding.fix for finding in report.findings}


def test_acme_findings_give_fix_advice_to_the_organisation(acme: Report) -> None:
    assert acme.audience == "organisation" and all(fixes(acme))
    assert for_audience(acme, "organisation") is acme
    # What the auditor's report must leave out is there in the organisation's.
    rendered = {name: load_plugins().renderers.get(name).render(acme) for name in FORMATS}
    for advice in fixes(acme):
        # The text report folds long lines: compared without whitespace.
        assert "".join(f"Fix: {advice}".split()) in "".join(rendered["text"].split())
        assert escape(advice) in rendered["html"]


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_auditors_report_has_no_fix_advice_in_any_format(acme: Report, format_name: str) -> None:
    auditor = for_auditor(acme)
    text = load_plugins().renderers.get(format_name).render(auditor)
    flat = "".join(text.split())
    for advice in fixes(acme):
        for shown in (advice, advice[:40], escape(advice)[:40], json.dumps(advice)[1:41]):
            assert shown not in text
        assert "".join(advice.split()) not in flat
    assert "Fix:" not in text and "fix:" not in text
    # Statements and evidence stay.
    assert all(finding.statement[:30] in text or escape(finding.statement)[:30] in text for finding in acme.findings)
    assert [f.fingerprint for f in auditor.findings] == [f.fingerprint for f in acme.findings]


def test_the_auditors_report_says_whom_it_is_for(acme: Report) -> None:
    auditor = for_audience(acme, "auditor")
    renderers = load_plugins().renderers
    assert json.loads(renderers.get("json").render(auditor))["audience"] == "auditor"
    assert "Written for the certification auditor" in " ".join(renderers.get("text").render(auditor).split())
    assert "Written for the certification auditor" in renderers.get("html").render(auditor)
    sarif = json.loads(renderers.get("sarif").render(auditor))
    assert sarif["runs"][0]["properties"]["audience"] == "auditor"
    # A rule's help (which code scanning shows beside an alert) says why it matters, never how to fix it.
    fixes = {finding.fix for finding in acme.findings}
    helps = [rule["help"]["text"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert helps and not any(fix in text for text in helps for fix in fixes)
