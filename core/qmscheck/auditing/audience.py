"""Who a report is written for. The organisation reads each finding's fix; a certification body's
report must not advise on how to close a nonconformity (that would be consultancy, which ISO/IEC
17021-1 keeps apart from certification), so the auditor's report keeps the statements and the
evidence and leaves every fix out. The decisions recorded on the findings stay in either."""

from __future__ import annotations

from qmscheck.model.report import Audience, Report

__all__ = ["for_audience", "for_auditor"]


def for_auditor(report: Report) -> Report:
    """``report`` without fix advice (every finding's fix is empty), marked as the auditor's."""
    findings = [finding.model_copy(update={"fix": ""}) for finding in report.findings]
    return report.model_copy(update={"findings": findings, "audience": "auditor"})


def for_audience(report: Report, audience: Audience) -> Report:
    """``report`` as ``audience`` reads it. A report written for the auditor has no fix advice left
    to give back: asked for the organisation, it stays as it is."""
    return for_auditor(report) if audience == "auditor" else report
