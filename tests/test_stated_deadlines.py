"""The organisation's own deadline for complaints, read from the procedure that states it: the rule
that judges against it runs without a line of configuration, and cites the sentence."""

from __future__ import annotations

from pathlib import Path

from cli_process import scan_report


def _complaints_share(tmp_path: Path, sentence: str) -> Path:
    share = tmp_path / "share"
    (share / "Verfahren").mkdir(parents=True)
    (share / "Nachweise").mkdir()
    (share / "Verfahren" / "VA-08 Reklamationsbearbeitung.md").write_text(
        "# VA-08 Reklamationsbearbeitung\n\nStatus: freigegeben\n\n## 1. Zweck\n"
        f"Kundenreklamationen werden erfasst und bewertet.\n\n## 2. Ablauf\n{sentence}\n\n"
        "## 3. Nachweise\nReklamationsliste.\n",
        encoding="utf-8",
    )
    (share / "Nachweise" / "Reklamationsliste.csv").write_text(
        "Reklamations-Nr.;Kunde;Eingangsdatum;Abschlussdatum;Status\n"
        "R-2026-01;Müller Hydraulik;05.01.2026;20.01.2026;abgeschlossen\n"
        "R-2026-02;Kessler Antriebe;12.01.2026;;offen\n",
        encoding="utf-8",
    )
    return share


def test_a_complaint_deadline_stated_in_the_procedure_is_judged_and_cited(tmp_path: Path) -> None:
    share = _complaints_share(tmp_path, "Reklamationen werden binnen 4 Wochen abgeschlossen.")
    report = scan_report(share, share.parent)
    parameters = report["organisation"]["parameters"]
    assert parameters["complaint_closure_time"] == "P4W"
    assert "binnen 4 Wochen abgeschlossen" in parameters["stated_in"]["complaint_closure_time"]
    [finding] = [f for f in report["findings"] if "CUS001" in (f["rule_id"], *f["also_reported_by"])]
    assert [ref["label"] for ref in finding["evidence"]] == ["R-2026-02"]
    assert "VA-08" in finding["statement"]


def test_working_days_or_two_limits_state_no_deadline(tmp_path: Path) -> None:
    """Working days are not calendar days, and two limits in one sentence say nothing certain: no
    deadline is assumed, so the rule is listed as not run rather than judged against a guess."""
    for number, sentence in enumerate(
        (
            "Reklamationen werden innerhalb von 10 Arbeitstagen abgeschlossen.",
            "Reklamationen werden binnen 5 Tagen beantwortet und binnen 4 Wochen abgeschlossen.",
        )
    ):
        share = _complaints_share(tmp_path / str(number), sentence)
        report = scan_report(share, share.parent)
        assert report["organisation"]["parameters"]["complaint_closure_time"] is None
        assert "CUS001" in {rule["rule_id"] for rule in report["rules_not_run"]}
