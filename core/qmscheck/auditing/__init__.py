"""The certification auditor's toolkit, built on a scan: sampling, the evidence bundle, comparing
scans, dispositions, the on-site checklist and audit planning (issue 20)."""
