"""`qmscheck init`: a commented qmscheck.toml drafted from the evidence, and the JSON Schema of qmscheck.toml."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from qmscheck.cli import main
from qmscheck.cli_init import init_command
from qmscheck.collecting.inventory import NOT_RECOGNISED, RECOGNISED, inventory
from qmscheck.config.scan_config import CONFIG_NAME, load_config
from qmscheck.config.schema import SCHEMA_NAME, config_schema
from qmscheck.errors import QmscheckError
from qmscheck.initialise import draft_config, initialise
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.storage.index import INDEX_DIR

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
ORGS = ROOT / "fixtures" / "orgs"
SCHEMA_FILE = ROOT / "docs" / "qmscheck.schema.json"
#: Every qmscheck.toml the repository ships as a sample.
SAMPLE_CONFIGS = sorted([ACME / CONFIG_NAME, *ORGS.glob(f"*/{CONFIG_NAME}")])


@pytest.fixture(scope="module")
def plugins() -> Plugins:
    return load_plugins()


def validator() -> Draft202012Validator:
    return Draft202012Validator(
        json.loads(SCHEMA_FILE.read_text(encoding="utf-8")), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def as_json(value: Any) -> Any:
    """A parsed TOML document as editors hand it to a JSON Schema validator: dates as ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def schema_errors(path: Path) -> list[str]:
    document = as_json(tomllib.loads(path.read_text(encoding="utf-8")))
    return [f"{error.json_path}: {error.message}" for error in validator().iter_errors(document)]


def init(*args: str | Path) -> Any:
    return CliRunner().invoke(init_command, [str(arg) for arg in args], catch_exceptions=False)


def findings(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {finding["fingerprint"]: (finding["rule_id"], finding["grade"]) for finding in report["findings"]}


def scan_json(target: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["scan", str(target), "--format", "json", "--no-index", "-q", "-j1", *args])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# The JSON Schema --------------------------------------------------------------------------------


def test_published_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(config_schema())), (
        "regenerate: python -m qmscheck.config.schema > docs/qmscheck.schema.json"
    )


@pytest.mark.parametrize("config", SAMPLE_CONFIGS, ids=[path.parent.name for path in SAMPLE_CONFIGS])
def test_every_sample_configuration_validates_against_the_schema(config: Path) -> None:
    assert schema_errors(config) == []


def test_the_schema_rejects_what_the_reader_rejects(tmp_path: Path) -> None:
    """The schema is the reader's: a misspelt key, an unknown edition and a bad date fail both."""
    config = tmp_path / CONFIG_NAME
    config.write_text(
        '[organisation]\nnmae = "Acme"\nedition = "2051"\n[scan]\nas_of = "31/03/2026"\n'
        '[[sources]]\nconnector = "filesystem"\n',
        encoding="utf-8",
    )
    errors = schema_errors(config)
    assert any("nmae" in error for error in errors)
    assert any("2051" in error for error in errors)
    assert any("31/03/2026" in error for error in errors)
    with pytest.raises(QmscheckError, match="nmae"):
        load_config(config)


# qmscheck init on the sample ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acme_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``qmscheck init`` on a copy of the sample's share (the fixture itself is never written into)."""
    share = tmp_path_factory.mktemp("acme") / "share"
    shutil.copytree(ACME / "share", share)
    result = init(share, "-j1")
    assert result.exit_code == 0, result.output
    assert "qmscheck.toml written: organisation 'Acme Precision Parts Ltd'" in result.stderr
    return share


def test_the_draft_states_what_the_evidence_says(acme_draft: Path) -> None:
    text = (acme_draft / CONFIG_NAME).read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"#:schema ./{INDEX_DIR}/{SCHEMA_NAME}"
    assert json.loads((acme_draft / INDEX_DIR / SCHEMA_NAME).read_text(encoding="utf-8")) == json.loads(
        json.dumps(config_schema())
    )
    assert schema_errors(acme_draft / CONFIG_NAME) == []
    config = load_config(acme_draft)
    expected = tomllib.loads((ACME / CONFIG_NAME).read_text(encoding="utf-8"))["organisation"]
    organisation = config.organisation
    assert organisation.name == expected["name"]
    assert organisation.sites == expected["sites"] == ["Springfield"]
    assert organisation.processes == expected["processes"]
    assert [exclusion.clause for exclusion in organisation.exclusions] == ["8.3"]
    assert "carries out no product design" in organisation.exclusions[0].justification
    assert config.parameters.kpi_report_frequency == "P1M"
    # The manual states the complaint deadline: a scan reads it there, so the draft only shows it.
    assert config.parameters.complaint_closure_time is None
    assert '# complaint_closure_time = "P30D"' in text
    assert "closed within 30 days of receipt" in text
    assert config.scan.as_of is None  # left commented, explained
    assert '# as_of = "' in text
    # Each value says where it was found.
    assert "# The organisation as reports name it. Found in: quality manual 01 Policies and Manual/Quality" in text
    assert "the process table of 01 Policies and Manual/Quality Manual.docx" in text
    assert "# Declared in 01 Policies and Manual/Quality Manual.docx [Scope]." in text
    assert "the name of the register 04 Records/Monthly KPI Reports.xlsx" in text


def test_the_draft_reproduces_the_sample_findings(acme_draft: Path) -> None:
    """Issue 21's done-when: a scan with the draft makes the sample's findings, with the same
    grades, the complaint deadline (CUS001) included: the quality manual states it."""
    sample = findings(scan_json(ACME))
    drafted = findings(scan_json(acme_draft, "--as-of", "2026-03-31"))
    assert drafted == sample
    assert any(rule == "CUS001" for rule, _ in drafted.values())


def test_init_never_replaces_a_configuration(acme_draft: Path, plugins: Plugins, tmp_path: Path) -> None:
    before = (acme_draft / CONFIG_NAME).read_bytes()
    with pytest.raises(
        QmscheckError, match=r"qmscheck.toml exists: init never replaces a configuration; give --output"
    ):
        initialise(acme_draft, plugins)
    assert (acme_draft / CONFIG_NAME).read_bytes() == before
    elsewhere = tmp_path / "mine.toml"
    elsewhere.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(QmscheckError, match=r"mine\.toml exists"):
        initialise(tmp_path, plugins, output=elsewhere)
    assert elsewhere.read_text(encoding="utf-8") == "# mine\n"
    # Nor drafts, elsewhere, the settings of a folder that has its own.
    with pytest.raises(QmscheckError, match="is configured already"):
        initialise(acme_draft, plugins, output=tmp_path / "other.toml")
    assert not (tmp_path / "other.toml").exists()


def test_output_elsewhere_points_its_source_at_the_folder(tmp_path: Path) -> None:
    share = tmp_path / "evidence" / "share"
    shutil.copytree(ACME / "share" / "01 Policies and Manual", share / "01 Policies and Manual")
    output = tmp_path / "config" / CONFIG_NAME
    result = init(share, "--output", output, "-j1", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert not (share / CONFIG_NAME).exists()
    config = load_config(output)
    assert config.sources[0].options()["path"] == "../evidence/share"
    assert config.resolve(config.sources[0].options()["path"]).resolve() == share.resolve()
    assert (output.parent / INDEX_DIR / SCHEMA_NAME).is_file()


# Folders with nothing recognised, and files nothing recognised ---------------------------------------


def test_an_empty_folder_gets_a_minimal_valid_configuration(tmp_path: Path) -> None:
    folder = tmp_path / "Northwind QMS"
    folder.mkdir()
    result = init(folder, "-j1")
    assert result.exit_code == 0, result.output
    text = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    assert "# No quality-system evidence was recognised in this folder" in text
    assert schema_errors(folder / CONFIG_NAME) == []
    config = load_config(folder)
    assert config.organisation.name == "Northwind QMS"  # the folder's name, said so
    assert "the folder's name" in text
    assert config.organisation.sites == config.organisation.processes == []
    assert config.organisation.exclusions == []
    assert [(source.connector, source.options()) for source in config.sources] == [("filesystem", {"path": "."})]


def test_classify_suggestions_recognise_the_files_once_uncommented(tmp_path: Path, plugins: Plugins) -> None:
    """One suggestion per folder and file type; a lone file is named by itself, glob characters and all."""
    folder = tmp_path / "share"
    shutil.copytree(ACME / "share" / "02 Procedures", folder / "02 Procedures")
    for name in ("a", "b", "c"):
        (folder / "Misc" / f"note {name}.md").parent.mkdir(exist_ok=True)
        (folder / "Misc" / f"note {name}.md").write_text(f"# Canteen menu {name}\n\nSoup.\n", encoding="utf-8")
    (folder / "Old [v2]").mkdir()
    (folder / "Old [v2]" / "lunch?.md").write_text("# Lunch\n\nBread.\n", encoding="utf-8")
    draft = draft_config(folder, plugins)
    assert draft.suggestions == [("Misc/*.md", None, 3), ("Old [[]v2[]]/lunch[?].md", None, 1)]
    initialise(folder, plugins)
    text = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    assert '# pattern = "Misc/*.md"' in text
    assert '# pattern = "Old [[]v2[]]/lunch[?].md"' in text
    # Uncommented with a type, the tables make the files recognised.
    text = text.replace("# [[classify]]\n# pattern", "[[classify]]\npattern").replace(
        '# type = "TYPE"', 'type = "procedure"'
    )
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    listing = inventory(load_config(folder), plugins)
    statuses = {entry.path: entry.status for entry in listing.entries if entry.path != CONFIG_NAME}
    assert statuses["Misc/note a.md"] == statuses["Old [v2]/lunch?.md"] == RECOGNISED
    assert NOT_RECOGNISED not in statuses.values()


@pytest.mark.parametrize("org", ["lokalis-traduction", "officina-rossi"])
def test_the_sample_organisations_are_named_and_their_processes_listed(org: str, plugins: Plugins) -> None:
    """Drafted from the French and Italian samples' evidence alone, as their own qmscheck.toml states them."""
    config = load_config(ORGS / org)
    folder = config.resolve(config.sources[0].options()["path"])
    draft = draft_config(folder, plugins)
    assert draft.name.value == config.organisation.name
    assert draft.processes == config.organisation.processes
    assert [declared.exclusion.clause for declared in draft.exclusions] == ["8.3"]  # each manual declares it


def test_a_configuration_above_the_folder_is_not_drafted_from(tmp_path: Path, plugins: Plugins) -> None:
    """The draft is of the folder's own evidence: a qmscheck.toml higher up, which a scan of the folder
    would use, neither reclassifies its files nor names its organisation."""
    (tmp_path / CONFIG_NAME).write_text(
        '[organisation]\nname = "Parent Ltd"\n[[sources]]\nconnector = "filesystem"\n'
        '[[classify]]\npattern = "*Quality Manual*"\ntype = "procedure"\n',
        encoding="utf-8",
    )
    folder = tmp_path / "share"
    shutil.copytree(ACME / "share" / "01 Policies and Manual", folder)
    draft = draft_config(folder, plugins)
    assert draft.name.value == "Acme Precision Parts Ltd"
    assert draft.processes[:2] == ["Sales", "Purchasing"]


def test_an_exclusion_the_standard_does_not_allow_is_drafted_as_a_comment(tmp_path: Path) -> None:
    """A manual declaring 7.1.5 not applicable: a configuration listing it would be refused by the
    scan, so the draft shows it commented, saying why, and the scan of the draft runs."""
    folder = tmp_path / "Northwind"
    folder.mkdir()
    (folder / "Quality Manual.md").write_text(
        "# Quality Manual\n\nDocument No: QM-01\nRevision: B\nStatus: Approved\n\n## Scope\n"
        "The quality management system covers the assembly of control cabinets.\n\n"
        "ISO 9001:2015 clause 8.3 is not applicable. Northwind builds only to designs its customers supply.\n\n"
        "ISO 9001:2015 clause 7.1.5 is not applicable. Northwind uses no measuring equipment at all.\n",
        encoding="utf-8",
    )
    result = init(folder, "-j1")
    assert result.exit_code == 0, result.output
    text = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    assert [exclusion.clause for exclusion in load_config(folder).organisation.exclusions] == ["8.3"]
    assert "but ISO 9001 lets only 8.3, 8.5.2, 8.5.3, 8.5.5 be declared" in text
    assert '# clause = "7.1.5"' in text
    scanned = CliRunner().invoke(main, ["scan", str(folder), "-j", "1", "-q", "--fail-on", "never"])
    assert scanned.exit_code == 0, scanned.output
