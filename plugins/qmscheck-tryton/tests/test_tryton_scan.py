"""End to end against a real Tryton server: `qmscheck scan` reports every seeded ERP defect, cites
the ERP record, and says nothing about the clean records."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest
from qmscheck.testing import free_port
from tryton_support import READER, TrytonServer

PASSWORD_ENV = "QMSCHECK_TEST_TRYTON_PASSWORD"


def write_config(folder: Path, server: TrytonServer, **overrides: Any) -> Path:
    options: dict[str, Any] = {
        "connector": "tryton",
        "name": "ERP",
        "url": server.url,
        "database": server.database,
        "user": "admin",
        "password_env": PASSWORD_ENV,
    }
    options.update(overrides)
    lines = [
        "[organisation]",
        'name = "Seeded Tryton Company"',
        "",
        "[parameters]",
        # The company's own deadline: ISO 9001 sets none, so CUS001 judges complaints against it.
        'complaint_closure_time = "P30D"',
        'source = "QP-07 Customer Feedback"',
        "",
        "[scan]",
        f"as_of = {server.as_of.isoformat()}",
        # The ERP rules apply where the organisation selects their pack.
        'packs = ["iso9001", "tryton-erp"]',
        "",
        "[[sources]]",
    ]
    for key, value in options.items():
        if value is None:
            continue
        lines.append(f"{key} = {json.dumps(value)}")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "qmscheck.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def scan(config: Path, password: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != PASSWORD_ENV}
    if password is not None:
        env[PASSWORD_ENV] = password
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", "scan", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tryton_server: TrytonServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    config = write_config(tmp_path_factory.mktemp("scan"), tryton_server)
    result = scan(config, tryton_server.password, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def item_id(server: TrytonServer, model: str, record_id: int) -> str:
    return f"tryton:{server.database}/{model}/{record_id}"


def erp_findings(report: dict[str, Any]) -> set[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return {
        (f["rule_id"], f["grade"], tuple(sorted(e["id"] for e in f["evidence"])), tuple(f["also_reported_by"]))
        for f in report["findings"]
        if any(e["id"].startswith("tryton:") for e in f["evidence"])
    }


def test_every_seeded_erp_defect_is_reported(tryton_server: TrytonServer, report: dict[str, Any]) -> None:
    seeded = tryton_server.seeded

    def party(name: str) -> str:
        return item_id(tryton_server, "party.party", seeded.suppliers[name])

    def purchase(role: str) -> str:
        return item_id(tryton_server, "purchase.purchase", seeded.purchases[role][0])

    def inspection(role: str) -> str:
        return item_id(tryton_server, "quality.inspection", seeded.inspections[role][0])

    def complaint(role: str) -> str:
        return item_id(tryton_server, "sale.complaint", seeded.complaints[role][0])

    def both(*ids: str) -> tuple[str, ...]:
        return tuple(sorted(ids))

    # One nonconformity per requirement and context (here: one ERP table), citing every record;
    # the base ISO 9001 pack judges the same ERP evidence, and where both packs fault the same
    # records under the same clause the report merges them into one finding.
    expected = {
        ("ERPSUP001", "minor", both(party("Rapid Castings"), party("Bolt & Nut Co")), ("SUP001", "SUP002")),
        ("ERPPUR001", "minor", both(purchase("rapid"), purchase("bolt")), ()),
        ("ERPINS001", "minor", (inspection("failed_bare"),), ()),
        ("CUS001", "minor", both(complaint("overdue"), complaint("late")), ("ERPCMP001",)),
    }
    assert erp_findings(report) == expected
    assert report["warnings"] == []
    assert report["sources"] == [
        {
            "connector": "tryton",
            "location": tryton_server.server,
            "items": report["sources"][0]["items"],
            "repository_path": None,
            "quality_manual": None,
        }
    ]


def test_findings_cite_the_erp_record(tryton_server: TrytonServer, report: dict[str, Any]) -> None:
    finding = next(f for f in report["findings"] if f["rule_id"] == "ERPINS001")
    (ref,) = finding["evidence"]
    inspection_id, number = tryton_server.seeded.inspections["failed_bare"]
    assert ref["locator"] == f"{tryton_server.server} quality.inspection/{inspection_id}"
    assert ref["label"] == number
    assert re.fullmatch(r"[0-9a-f]{64}", ref["sha256"])
    assert finding["statement"].startswith("ISO 9001 8.7.2 expects that")
    assert "lacks a disposition written on a quality alert or note" in finding["statement"]
    assert tryton_server.password not in json.dumps(report)
    for finding in report["findings"]:
        for ref in finding["evidence"]:
            if ref["id"].startswith("tryton:"):
                assert ref["locator"].startswith(tryton_server.server + " ")
                assert "@" not in ref["locator"]


def test_clean_records_produce_no_findings(tryton_server: TrytonServer, report: dict[str, Any]) -> None:
    seeded = tryton_server.seeded
    clean = {
        item_id(tryton_server, "party.party", seeded.suppliers[name])
        for name in ("Northfield Metals", "Keystone Plastics", "Legacy Tools", "Quote Only Ltd")
    }
    clean |= {
        item_id(tryton_server, "purchase.purchase", seeded.purchases[role][0])
        for role in ("northfield_old", "northfield", "keystone", "legacy", "quote_only")
    }
    clean |= {item_id(tryton_server, "quality.inspection", record_id) for record_id, _ in seeded.evaluations.values()}
    clean |= {
        item_id(tryton_server, "quality.inspection", seeded.inspections[role][0])
        for role in ("passed", "failed_alert", "failed_note")
    }
    clean |= {
        item_id(tryton_server, "sale.complaint", seeded.complaints[role][0])
        for role in ("approved", "rejected", "cancelled", "open_recent")
    }
    cited = {e["id"] for f in report["findings"] for e in f["evidence"]}
    assert not clean & cited
    # and the clean records were read: they are evidence, just not deficient
    assert report["evidence_count"] >= len(clean)


def test_a_user_who_may_only_read_is_enough(
    tryton_server: TrytonServer, tmp_path: Path, report: dict[str, Any]
) -> None:
    config = write_config(tmp_path, tryton_server, user=READER[0])
    as_reader = json.loads(scan(config, READER[1], "--format", "json").stdout)
    assert as_reader == report


def test_scan_is_deterministic(tryton_server: TrytonServer, tmp_path: Path, report: dict[str, Any]) -> None:
    config = write_config(tmp_path, tryton_server)
    again = scan(config, tryton_server.password, "--format", "json")
    assert json.loads(again.stdout) == report


def _snapshot(server: TrytonServer) -> dict[str, list[Any]]:
    """Every business record's id and write date: a scan must change none of them."""
    proxy = xmlrpc.client.ServerProxy(server.rpc(), allow_none=True, use_builtin_types=True)
    answer: Any = proxy.common.db.login("admin", {"password": server.password})
    user_id, session = answer[0], answer[1]
    token = base64.b64encode(f"admin:{user_id}:{session}".encode()).decode()
    transport = xmlrpc.client.Transport(use_builtin_types=True, headers=[("Authorization", f"Session {token}")])
    authed = xmlrpc.client.ServerProxy(server.rpc(), allow_none=True, transport=transport)
    snapshot = {}
    for model in (
        "party.party",
        "party.category",
        "purchase.purchase",
        "quality.inspection",
        "quality.alert",
        "quality.control",
        "sale.complaint",
        "ir.note",
    ):
        method = getattr(authed, f"model.{model}.search_read")
        rows = method([], 0, None, [("id", "ASC")], ["write_date", "create_date"], {})
        snapshot[model] = [repr(sorted(row.items())) for row in rows]
    authed.common.db.logout()
    return snapshot


def test_scan_never_writes_to_the_erp(tryton_server: TrytonServer, tmp_path: Path) -> None:
    before = _snapshot(tryton_server)
    result = scan(write_config(tmp_path, tryton_server), tryton_server.password, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert _snapshot(tryton_server) == before


# --- a source that cannot be used is a clear error (exit 2), never a traceback ----------


def assert_clear_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    # Only notes (the configuration used) come before the error.
    said = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert said[0].startswith("error: tryton source"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_unreachable_server(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, url=f"http://127.0.0.1:{free_port()}/", timeout=5)
    assert_clear_error(scan(config, tryton_server.password), "cannot reach the server", "connection refused")


def test_wrong_password(tryton_server: TrytonServer, tmp_path: Path) -> None:
    # A user name of its own, so that Tryton's delay after failed logins never slows the admin down.
    config = write_config(tmp_path, tryton_server, user="auditor")
    result = scan(config, "not-the-password")
    assert_clear_error(result, "login refused", "user 'auditor'")
    assert "not-the-password" not in result.stderr


def test_password_variable_not_set(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server)
    assert_clear_error(scan(config, None), PASSWORD_ENV, "is not set")


def test_missing_module(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, database=tryton_server.small_database)
    assert_clear_error(
        scan(config, tryton_server.password),
        "modules purchase, quality, sale_complaint not activated",
        f"'{tryton_server.small_database}'",
    )


def test_missing_module_names_only_what_collect_needs(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, database=tryton_server.small_database, collect=["complaints"])
    assert_clear_error(scan(config, tryton_server.password), "module sale_complaint not activated")


def test_user_without_read_access(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, user="no-rights")
    assert_clear_error(
        scan(config, READER[1]),
        "user 'no-rights' may not do this (reading purchase.purchase)",
        "give the user a group with read access",
    )


def test_unknown_database(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, database="nosuchdb")
    assert_clear_error(scan(config, tryton_server.password), "database not found")


def test_bad_options(tryton_server: TrytonServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, tryton_server, pasword_env="X", url="ftp://host/")
    assert_clear_error(scan(config, tryton_server.password), "invalid options", "pasword_env", "url:")
