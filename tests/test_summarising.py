"""Summarising evidence groups in worker processes gives what summarising them in one process gives."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from qmscheck.checking import summarising
from qmscheck.checking.packs import load_packs
from qmscheck.checking.primitives.base import Groupwise
from qmscheck.checking.summarising import Batch, Reader, Summariser
from qmscheck.collecting.connectors import filesystem
from qmscheck.collecting.run import CollectOptions
from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import EvidenceItem, Organisation
from qmscheck.model.groups import EvidenceGroup, part_key
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.tuning import Tuning
from test_large_register import write_share

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "acme"


@pytest.fixture
def organisation(tmp_path: Path) -> Path:
    """The sample organisation with a calibration log of 2,500 rows: three parts of 1,000."""
    root = tmp_path / "org"
    shutil.copytree(FIXTURE, root)
    large = tmp_path / "large"
    write_share(large, 2_500)
    shutil.copy(
        large / "share" / "Records" / "Calibration Log.csv", root / "share" / "04 Records" / "Calibration Log 2.csv"
    )
    return root


def test_worker_processes_give_the_report_one_process_gives(
    organisation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = scan(ScanRequest(target=organisation, collect=CollectOptions(jobs=1, tuning=Tuning(part_items=1_000))))
    tasks: list[list[Batch]] = []
    real_tasks = summarising._tasks

    def recorded(batches: Any) -> Iterator[list[Batch]]:
        for task in real_tasks(batches):
            tasks.append(task)
            yield task

    # Observed, not changed: which process summarised a group shows nowhere in the report (that is
    # the point), so only the tasks sent to the workers tell that they did the work.
    monkeypatch.setattr(summarising, "_tasks", recorded)
    options = CollectOptions(jobs=2, tuning=Tuning(part_items=1_000, parallel_items=0))
    two = scan(ScanRequest(target=organisation, collect=options))
    assert two.model_dump_json() == one.model_dump_json()
    # It did run in workers: every group went in a task, the log's three parts in one of them.
    keys = [group.key for task in tasks for batch in task for group, _ in batch]
    assert len(keys) == options.stats["groups_summarised"] > 3
    log = [task for task in tasks if any("Calibration Log 2.csv" in group.key for batch in task for group, _ in batch)]
    assert len(log) == 1
    assert [group.key for batch in log[0] for group, _ in batch] == [
        part_key("filesystem:04 Records/Calibration Log 2.csv", part) for part in range(3)
    ]
    assert one.findings and any(
        "Calibration Log 2.csv" in ref.locator for finding in one.findings for ref in finding.evidence
    )


def _group(key: str, count: int = 1) -> EvidenceGroup:
    return EvidenceGroup.encoded(key, key, ["document"], count, list)


def test_a_large_registers_parts_are_batched_apart_and_sent_together() -> None:
    work = [
        (_group("a"), [0]),
        (_group(part_key("log", 0), 6), [0]),
        (_group(part_key("log", 1), 6), [0]),
        (_group("b"), [0]),
        (_group("c"), [0]),
    ]
    batches = list(summarising._batches(work, batch_items=5))
    assert [[group.key for group, _ in batch] for batch in batches] == [
        ["a"],
        [part_key("log", 0)],
        [part_key("log", 1)],
        ["b", "c"],
    ]
    assert [len(task) for task in summarising._tasks(batches)] == [1, 2, 1]


def test_a_batch_holds_about_batch_items() -> None:
    work = [(_group(f"g{n}", 2), [0]) for n in range(5)]
    assert [len(batch) for batch in summarising._batches(work, batch_items=3)] == [2, 2, 1]


def test_a_damaged_group_in_a_worker_is_a_clear_error() -> None:
    plugins = load_plugins()
    loaded = next(
        rule
        for rule in load_packs(list(plugins.rule_packs)).rules
        if isinstance(plugins.checks.get(rule.rule.check.kind), Groupwise)
    )
    primitive = plugins.checks.get(loaded.rule.check.kind)
    assert isinstance(primitive, Groupwise)
    as_of = date(2026, 3, 31)
    reader = Reader(loaded.rule, primitive, tuple(primitive.probes(loaded.rule, as_of)))
    summariser = Summariser((reader,), as_of, Organisation(name="Acme"))
    damaged = functools.partial(filesystem._load_items, "Records/log.csv", b"not zlib")
    work = [(EvidenceGroup.encoded(f"f{n}", "d", ["document"], 1, damaged), [0]) for n in range(2)]
    in_workers = Tuning(parallel_items=0, batch_items=1)
    with pytest.raises(QmscheckError, match=r"Records/log\.csv is damaged.*scan again with --full"):
        list(summarising.summarised(summariser, work, jobs=2, tuning=in_workers))


def test_citations_keep_few_decoded_items() -> None:
    from qmscheck.checking.groupwise import Citations
    from qmscheck.model.verdicts import Place
    from qmscheck.testing import item

    decoded: list[str] = []

    def group(key: str, count: int) -> EvidenceGroup:
        items = [item("calibration_record", f"{key}-{n}") for n in range(count)]

        def load() -> list[EvidenceItem]:
            decoded.append(key)
            return list(items)

        return EvidenceGroup.encoded(key, key, ["calibration_record"], count, load)

    citations = Citations([group("small", 2), group("other", 3), group("part", 10)], keep_items=10)
    for key in ("small", "other", "small"):
        citations.cited(Place(key, 1))
    assert decoded == ["small", "other"]  # both kept: 5 items
    citations.cited(Place("part", 9))  # 15 items: the oldest go, the part stays
    citations.cited(Place("part", 0))
    citations.cited(Place("small", 0))
    assert decoded == ["small", "other", "part", "small"]


def test_a_primitive_that_cannot_be_sent_to_workers_is_summarised_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    plugins = load_plugins()
    loaded = next(
        rule
        for rule in load_packs(list(plugins.rule_packs)).rules
        if isinstance(plugins.checks.get(rule.rule.check.kind), Groupwise)
    )
    primitive = plugins.checks.get(loaded.rule.check.kind)
    assert isinstance(primitive, Groupwise)
    monkeypatch.setattr(primitive, "helper", lambda: None, raising=False)  # a lambda does not pickle
    as_of = date(2026, 3, 31)
    summariser = Summariser(
        (Reader(loaded.rule, primitive, tuple(primitive.probes(loaded.rule, as_of))),), as_of, Organisation(name="Acme")
    )
    work = [(EvidenceGroup.of_items(f"f{n}", []), [0]) for n in range(3)]
    in_workers = Tuning(parallel_items=0, batch_items=0)
    assert list(summarising.summarised(summariser, work, jobs=2, tuning=in_workers)) == [[0], [0], [0]]
    assert "summarising in one process: a rule's check primitive cannot be sent to worker processes" in caplog.text


def test_a_citation_of_one_row_of_a_part_decodes_that_row_alone() -> None:
    from qmscheck.checking.groupwise import Citations
    from qmscheck.model.verdicts import Place
    from qmscheck.testing import item

    rows = [item("calibration_record", f"row {n}") for n in range(5)]
    ranges: list[tuple[int, int]] = []

    def load_range(start: int, stop: int) -> list[EvidenceItem]:
        ranges.append((start, stop))
        return rows[start:stop]

    part = EvidenceGroup.encoded(
        part_key("log", 1),
        "d",
        ["calibration_record"],
        5,
        lambda: pytest.fail("the whole part was decoded"),
        load_range=load_range,
    )
    cited = Citations([part], keep_items=10).cited(Place(part.key, 3))
    assert ranges == [(3, 4)] and cited[1] == 3 and "row 3" in str(cited)
    with pytest.raises(IndexError):
        part.item(5)


def test_a_large_registers_cited_rows_are_what_decoding_the_part_gives(tmp_path: Path) -> None:
    from qmscheck.collecting.run import collect
    from qmscheck.config.scan_config import load_config

    write_share(tmp_path / "org", 2_500)
    options = CollectOptions(jobs=1, tuning=Tuning(part_items=1_000))
    collection = collect(load_config(tmp_path / "org"), load_plugins(), options)
    parts = [group for group in collection.groups if "\x1f" in group.key]
    assert len(parts) == 3
    for group in parts:
        whole = group.decoded()
        for position in (0, 7, group.count - 1):
            assert group.item(position) == whole[position]
