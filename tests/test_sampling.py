"""``qmscheck sample``: the attribute-sampling arithmetic against exact hypergeometric sums, draws
that depend on the seed and the items alone, and worksheets that are byte-identical when drawn again."""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from qmscheck.auditing import sampling
from qmscheck.auditing.sampling import (
    Weight,
    allocate,
    detection_probability,
    deviations_at,
    draw,
    population,
    risk_weights,
    sample_size,
    upper_deviations,
)
from qmscheck.auditing.worksheets import VERIFIED, to_bytes
from qmscheck.checking.packs import base_pack, use_pack_words
from qmscheck.cli import _Group, main
from qmscheck.cli_audit.sample import sample_command
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.errors import ConfigError
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.groups import items_of
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import selected_packs
from qmscheck.testing import check_items, item

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
AS_OF = date(2026, 3, 31)
CLI = _Group(name="qmscheck", commands=[sample_command])


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(CLI, ["sample", *(str(arg) for arg in args)])


def at_most(population: int, deviations: int, size: int, k: int) -> Fraction:
    """P(X <= k), X hypergeometric: the exact sum, written out independently of the module."""
    total = sum(
        math.comb(deviations, i) * math.comb(population - deviations, size - i) for i in range(0, min(k, size) + 1)
    )
    return Fraction(total, math.comb(population, size))


percentages = st.integers(min_value=1, max_value=99).map(lambda p: Fraction(p, 100))


# --- the arithmetic ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    population=st.integers(min_value=1, max_value=3000),
    confidence=percentages,
    tolerable=st.integers(min_value=1, max_value=40).map(lambda p: Fraction(p, 100)),
    expected=st.integers(min_value=0, max_value=3),
)
def test_the_size_is_the_smallest_that_meets_the_confidence(
    population: int, confidence: Fraction, tolerable: Fraction, expected: int
) -> None:
    deviations = math.ceil(tolerable * population)
    assume(deviations > expected)
    sizing = sample_size(confidence, tolerable, expected, population)
    assert sizing.deviations == deviations
    assert at_most(population, deviations, sizing.size, expected) <= 1 - confidence
    assert sizing.risk == at_most(population, deviations, sizing.size, expected)
    if sizing.size > 1:
        assert at_most(population, deviations, sizing.size - 1, expected) > 1 - confidence


@settings(max_examples=100, deadline=None)
@given(
    confidence=percentages,
    tolerable=st.integers(min_value=1, max_value=40).map(lambda p: Fraction(p, 100)),
    expected=st.integers(min_value=0, max_value=3),
)
def test_an_unknown_population_is_sized_by_the_binomial(
    confidence: Fraction, tolerable: Fraction, expected: int
) -> None:
    def binomial(n: int) -> Fraction:
        return sum(
            (math.comb(n, i) * tolerable**i * (1 - tolerable) ** (n - i) for i in range(min(expected, n) + 1)),
            Fraction(0),
        )

    size = sample_size(confidence, tolerable, expected).size
    assert binomial(size) <= 1 - confidence
    assert size == 1 or binomial(size - 1) > 1 - confidence


@settings(max_examples=200, deadline=None)
@given(data=st.data(), population=st.integers(min_value=1, max_value=2000), rate=percentages)
def test_the_detection_probability_is_one_minus_the_chance_of_a_clean_sample(
    data: st.DataObject, population: int, rate: Fraction
) -> None:
    size = data.draw(st.integers(min_value=1, max_value=population))
    deviations = deviations_at(rate, population)
    expected = 1 - Fraction(math.comb(population - deviations, size), math.comb(population, size))
    assert detection_probability(population, size, rate) == expected


@settings(max_examples=100, deadline=None)
@given(data=st.data(), population=st.integers(min_value=2, max_value=1500), confidence=percentages)
def test_the_upper_bound_is_the_fewest_deviations_a_clean_sample_rules_out(
    data: st.DataObject, population: int, confidence: Fraction
) -> None:
    size = data.draw(st.integers(min_value=1, max_value=population))
    bound = upper_deviations(population, size, confidence)
    if bound is None:
        assert at_most(population, population, size, 0) > 1 - confidence
    else:
        assert at_most(population, bound, size, 0) <= 1 - confidence
        assert bound == 1 or at_most(population, bound - 1, size, 0) > 1 - confidence


def test_known_figures() -> None:
    # 95% confidence that the rate is below 5%, no deviation expected: 59 in a large population.
    assert sample_size(Fraction(95, 100), Fraction(5, 100)).size == 59
    assert sample_size(Fraction(95, 100), Fraction(5, 100), 0, 100_000).size == 59
    # A finite population needs fewer: 55 of 400 (20 deviating at 5%).
    assert sample_size(Fraction(95, 100), Fraction(5, 100), 0, 400).size == 55
    # 20 of 400 catch a 10% rate (40 deviating) with 88%.
    caught = detection_probability(400, 20, Fraction(1, 10))
    assert caught == 1 - Fraction(math.comb(360, 20), math.comb(400, 20))
    assert round(caught * 100) == 88
    assert "with 88.4% probability" in sampling.detect_statement(400, 20, Fraction(1, 10))


@pytest.mark.parametrize(
    ("value", "expected"), [("0.95", Fraction(19, 20)), ("95%", Fraction(19, 20)), (0.05, Fraction(1, 20))]
)
def test_rates_are_read_exactly(value: str | float, expected: Fraction) -> None:
    assert sampling.rate(value, "confidence") == expected


@pytest.mark.parametrize("value", ["0", "1", "1.95", "-0.1", "ninety"])
def test_a_rate_outside_zero_and_one_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="confidence"):
        sampling.rate(value, "confidence")


def test_expected_deviations_that_reach_the_tolerable_count_are_refused() -> None:
    with pytest.raises(ConfigError, match="no sample can show"):
        sample_size(Fraction(95, 100), Fraction(5, 100), 1, 20)  # 5% of 20 is 1 item


# --- allocation and draws ---------------------------------------------------------------------


@given(
    strata=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=50), max_size=8),
    data=st.data(),
)
def test_stratified_allocation_sums_to_the_size_and_covers_every_stratum(
    strata: dict[str, int], data: st.DataObject
) -> None:
    non_empty = [name for name, count in strata.items() if count]
    assume(non_empty)
    size = data.draw(st.integers(min_value=len(non_empty), max_value=sum(strata.values())))
    allocation = allocate(strata, size)
    assert sum(allocation.values()) == size
    assert sorted(allocation) == sorted(non_empty)
    assert all(1 <= allocation[name] <= strata[name] for name in non_empty)


def test_allocation_is_proportional_beyond_one_each() -> None:
    # One each, then 6 shared by what is left (9, 19, 0): 6*9/28 = 1.93, 6*19/28 = 4.07 -> 2 and 4.
    assert allocate({"a": 10, "b": 20, "c": 1}, 9) == {"a": 3, "b": 5, "c": 1}
    # Equal remainders: the stratum that sorts first gets the extra item.
    assert allocate({"y": 3, "x": 3}, 3) == {"x": 2, "y": 1}
    with pytest.raises(ConfigError, match="at least one item from each of the 3 strata"):
        allocate({"a": 5, "b": 5, "c": 5}, 2)


def records(count: int) -> list[EvidenceItem]:
    return [
        item(
            "calibration_record",
            f"Log.xlsx [Cal] row {row}",
            instrument_id=f"I-{row}",
            site="North" if row % 3 else "South",
        )
        for row in range(2, count + 2)
    ]


def test_a_draw_depends_on_the_seed_and_the_ids_not_on_the_order_of_the_items() -> None:
    items = records(40)
    shuffled = list(items)
    random.Random(1).shuffle(shuffled)

    def ids(chosen: list[EvidenceItem], seed: str) -> list[str]:
        return [pick.item.id for pick in draw(population(chosen, "calibration_record"), 8, seed, as_of=AS_OF).picks]

    assert ids(items, "42") == ids(shuffled, "42")
    assert ids(items, "42") != ids(items, "43")
    # The first rows of a larger sample are the smaller sample.
    assert ids(items, "42")[:5] == [
        pick.item.id for pick in draw(population(items, "calibration_record"), 5, "42", as_of=AS_OF).picks
    ]


def test_a_stratified_draw_takes_the_allocated_count_from_each_stratum() -> None:
    chosen = population(records(30), "calibration_record")
    sample = draw(chosen, 6, "7", method="stratified", by=["site"], as_of=AS_OF)
    drawn = Counter(pick.stratum for pick in sample.picks)
    assert drawn == {"North": 4, "South": 2}  # 20 and 10 items
    assert [(s.name, s.population, s.drawn) for s in sample.strata] == [("North", 20, 4), ("South", 10, 2)]


def test_equal_weights_draw_the_simple_random_sample() -> None:
    chosen = population(records(25), "calibration_record")
    plain = draw(chosen, 5, "s", as_of=AS_OF)
    weights = {item.id: Weight(1, ()) for item in chosen.items}
    weighted = draw(chosen, 5, "s", method="risk", weights=weights, as_of=AS_OF, near_days=30)
    assert [p.item.id for p in weighted.picks] == [p.item.id for p in plain.picks]


def test_risk_weighted_draws_prefer_the_items_findings_cite() -> None:
    # 60 instruments, 6 of them overdue: the calibration rule cites those, which weighs them 6 to 1.
    overdue = {5, 15, 25, 35, 45, 55}
    items = [
        item(
            "calibration_record",
            f"Cal.xlsx [Instruments] row {row}",
            instrument_id=f"CAL-{row:03d}",
            completed=date(2025, 6, 1),
            due=date(2026, 1, 15) if row in overdue else date(2026, 12, 1),
            certificate=f"CERT-{row}",
        )
        for row in range(60)
    ]
    report = check_items([base_pack()], items, as_of=AS_OF)
    chosen = population(items, "calibration_record")
    weights = risk_weights(chosen.items, report, AS_OF, 30)
    cited = {f"test:Cal.xlsx [Instruments] row {row}" for row in overdue}
    assert {item_id for item_id, weight in weights.items() if weight.value > 1} == cited
    assert all(weights[item_id].value == 6 for item_id in cited)
    assert any("cited by finding CAL001" in reason for reason in weights[min(cited)].reasons)
    assert any("days overdue" in reason for reason in weights[min(cited)].reasons)
    seen: Counter[bool] = Counter()
    for seed in range(200):
        sample = draw(chosen, 6, str(seed), method="risk", weights=weights, as_of=AS_OF, near_days=30)
        seen.update(pick.item.id in cited for pick in sample.picks)
    # At random, a tenth of the sample would be cited items (120 of 1200); weighted 6 to 1, about 40%.
    assert seen[True] > 3 * 120


def test_a_sample_larger_than_its_population_is_refused() -> None:
    with pytest.raises(ConfigError, match="cannot be drawn from 4 items"):
        draw(population(records(4), "calibration_record"), 5, "1", as_of=AS_OF)


def test_an_unknown_type_names_the_closest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'calibration_record'"):
        population(records(3), "calibraton_record")


# --- on the acme fixture ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def acme() -> list[EvidenceItem]:
    plugins = load_plugins()
    config = load_config(ACME)
    use_pack_words(selected_packs(plugins, config.scan.packs), plugins.accepted_vocabularies)
    return items_of(collect(config, plugins, CollectOptions()).groups)


def test_the_draw_on_acme_is_pinned(acme: list[EvidenceItem]) -> None:
    """The keys are sha256 of documented text: the same sample on any machine and Python version."""
    chosen = population(acme, "calibration_record")
    sample = draw(chosen, 4, "42", as_of=AS_OF)
    assert [pick.label for pick in sample.picks] == ["CAL-004", "CAL-008", "CAL-006", "CAL-001"]
    for pick in sample.picks:
        text = f"qmscheck-sample-1\0{sample.seed}\0{pick.item.id}\0{0}"
        assert pick.key == int(hashlib.sha256(text.encode()).hexdigest(), 16)
    lines = "".join(f"{i.id}\t{i.sha256}\n" for i in sorted(chosen.items, key=lambda i: i.id))
    assert chosen.digest == hashlib.sha256(lines.encode()).hexdigest()


def test_acme_worksheets_are_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    args = ("--type", "training_record", "--by", "month", "--size", "13", "--no-index", "-q")
    first = run(ACME, *args, "--seed", "42", "--output-dir", tmp_path / "a")
    again = run(ACME, *args, "--seed", "42", "--output-dir", tmp_path / "b")
    other = run(ACME, *args, "--seed", "43", "--output-dir", tmp_path / "c")
    assert first.exit_code == again.exit_code == other.exit_code == 0, first.stderr
    names = sorted(path.name for path in (tmp_path / "a").iterdir())
    assert [Path(name).suffix for name in names] == [".csv", ".json", ".xlsx"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    picked = [entry["id"] for entry in json.loads(next((tmp_path / "a").glob("*.json")).read_text())["items"]]
    picked_other = [entry["id"] for entry in json.loads(next((tmp_path / "c").glob("*.json")).read_text())["items"]]
    assert picked != picked_other
    assert "13 of 14 items of training_record, drawn stratified by month" in first.stdout


def test_the_json_worksheet_lets_anyone_redraw_the_sample(acme: list[EvidenceItem]) -> None:
    chosen = population(acme, "training_record")
    sample = draw(chosen, 5, "audit-2026", as_of=AS_OF)
    data = json.loads(to_bytes(sample, "json"))
    assert data["population"] == {
        "type": "training_record",
        "filters": {},
        "size": 14,
        "digest": chosen.digest,
        "digest_of": data["population"]["digest_of"],
    }
    assert data["method"]["seed"] == "audit-2026" and data["method"]["name"] == "random"
    keys = sorted(
        (int(hashlib.sha256(f"qmscheck-sample-1\0audit-2026\0{i.id}\0{0}".encode()).hexdigest(), 16), i.id)
        for i in chosen.items
    )
    assert [entry["id"] for entry in data["items"]] == [item_id for _, item_id in keys[:5]]
    assert all(entry["verified"] is None and entry["sha256"] for entry in data["items"])


def test_the_xlsx_worksheet_has_the_header_block_and_empty_verification_columns(
    acme: list[EvidenceItem], tmp_path: Path
) -> None:
    chosen = population(acme, "calibration_record", {"site": "Springfield"}, load_config(ACME).organisation)
    sample = draw(chosen, 3, "9", as_of=AS_OF)
    path = tmp_path / "s.xlsx"
    path.write_bytes(to_bytes(sample, "xlsx"))
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    block = {row[0]: row[1] for row in rows if row[0]}
    assert block["Population"] == "8 items of calibration_record (site Springfield)"
    assert block["Seed"] == "9" and block["Population digest"] == f"sha256 {chosen.digest}"
    header = next(row for row in rows if row[0] == "#")
    table = rows[rows.index(header) + 1 :]
    assert header[-2:] == [VERIFIED, "Notes"] and "sha256" in header
    assert len(table) == 3 and all(row[-2] is None and row[-1] is None for row in table)
    assert [row[header.index("sha256")] for row in table] == [pick.item.sha256 for pick in sample.picks]


# --- the command ------------------------------------------------------------------------------


def test_list_shows_each_population_with_its_counts() -> None:
    result = run(ACME, "--list", "--no-index", "-q")
    assert result.exit_code == 0, result.stderr
    assert "calibration_record (record): 8 items\n  site: Springfield 8\n" in result.stdout
    assert "  process: Inspection 1, Maintenance 1, Production 1, Purchasing 1, Sales 1\n" in result.stdout
    listed = json.loads(run(ACME, "--list", "--format", "json", "--no-index", "-q").stdout)
    complaints = next(row for row in listed if row["type"] == "complaint")
    assert (complaints["kind"], complaints["count"], complaints["by"]["site"]) == ("record", 5, {"Springfield": 5})


def test_a_sized_draw_states_its_confidence() -> None:
    result = run(
        ACME, "--type", "training_record", "--confidence", "0.9", "--tolerable", "0.2", "--seed", "1", "--no-index"
    )
    assert result.exit_code == 0, result.stderr
    # 20% of 14 items is 3 (rounded up); a clean sample of 7 is at most 10% likely were 3 deviating, of 6 not.
    assert at_most(14, 3, 7, 0) <= Fraction(1, 10) < at_most(14, 3, 6, 0)
    assert "Sample size:       7\n" in result.stdout
    assert "supports, with 90% confidence, that the deviation rate is below 20% (3 items)" in result.stdout


def test_a_risk_weighted_draw_reads_the_saved_report(tmp_path: Path) -> None:
    report = tmp_path / "scan.json"
    scan = CliRunner().invoke(
        main,
        ["scan", str(ACME), "--format", "json", "--output", str(report), "--no-index", "-q", "--jobs", "1"],
    )
    assert report.exists(), scan.stderr
    result = run(
        ACME,
        "--type",
        "calibration_record",
        "--method",
        "risk",
        "--report",
        report,
        "--size",
        "3",
        "--seed",
        "42",
        "--no-index",
    )
    assert result.exit_code == 0, result.stderr
    # CAL-006 is retired: its long-passed due date adds no weight.
    assert "Weights:           weight 1: 6 items; weight 6: 2 items" in result.stdout
    assert "(weight 6: cited by finding CAL001 (minor); due 2026-01-15, 75 days overdue)" in result.stdout


def test_size_only_and_detect_print_the_statement() -> None:
    sized = run("--size-only", "--population", "400", "--confidence", "0.95", "--tolerable", "0.05")
    assert sized.exit_code == 0 and sized.stdout.startswith("sample size: 55\n")
    assert run("--size-only", "--confidence", "95%", "--tolerable", "5%").stdout.startswith("sample size: 59\n")
    detect = run("--detect", "--population", "400", "--size", "20", "--rate", "0.10")
    assert detect.exit_code == 0
    assert detect.stdout == (
        "With 20 of 400 items, a deviation rate of 10% (40 items deviating) is caught "
        "(at least one deviation in the sample) with 88.4% probability.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "calibraton_record", "--size", "3", "--seed", "1"), "did you mean 'calibration_record'"),
        (("--type", "calibration_record", "--size", "30", "--seed", "1"), "cannot be drawn from 8 items"),
        (("--type", "calibration_record", "--confidence", "1.5", "--seed", "1"), "confidence 1.5 must be between 0"),
        (("--type", "calibration_record", "--size", "3"), "give --seed"),
        (("--type", "calibration_record", "--month", "2026-13", "--size", "1", "--seed", "1"), "is not a month"),
        (("--type", "calibration_record", "--site", "Springfeld", "--size", "1", "--seed", "1"), "did you mean"),
        (("--type", "calibration_record", "--size", "3", "--seed", "1", "--format", "xlsx"), "xlsx needs --output-dir"),
        (("--type", "training_record", "--by", "suplier", "--size", "3", "--seed", "1"), "has a suplier; they can be"),
    ],
)
def test_bad_input_is_a_clear_error(args: tuple[str, ...], message: str) -> None:
    result = run(ACME, *args, "--no-index", "-q")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr and "Traceback" not in result.stderr


def test_a_report_that_is_not_a_scan_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "scan.json"
    bad.write_text("{}")
    result = run(
        ACME,
        "--type",
        "calibration_record",
        "--method",
        "risk",
        "--report",
        bad,
        "--size",
        "2",
        "--seed",
        "1",
        "--no-index",
        "-q",
    )
    assert result.exit_code == 2 and "not a qmscheck report" in result.stderr


def test_population_digests_differ_between_populations(acme: list[EvidenceItem]) -> None:
    assert population(acme, "training_record").digest != population(acme, "calibration_record").digest
