"""The evidence bundle: what a scan saw, packaged so that anyone can check it later without qmscheck.

A bundle is a folder (or a zip of the same files) holding the report as JSON and HTML, the
configuration, ``manifest.json`` — every file of the scanned share with its size, mtime and
sha256, every evidence item with its locator and its file's sha256, the packs, qmscheck's
version, the as-of date and where the share was (path, git commit) — and ``SHA256SUMS`` over
every other file, in the format ``sha256sum -c`` reads. docs/evidence-bundle.md describes it.

The manifest is built from the share as it is when bundling: the evidence is collected through
the evidence index (a file whose size and mtime are unchanged keeps the sha256 the index holds;
one that changed is hashed again), and each sha256 a finding cites is compared with the file's
sha256 now. A file that differs is listed under ``citations.changed_since_scan``, so a bundle never
passes off a later state of the share as the one the report judged.

Deterministic: the same report and the same share give byte-identical files, and a zip with
fixed timestamps, permissions and order.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final

from qmscheck import __version__
from qmscheck.auditing.decisions import DECISIONS_NAME
from qmscheck.checking.packs import use_pack_words
from qmscheck.collecting.connectors.filesystem import FilesystemConnector, storage_options
from qmscheck.collecting.connectors.tree import Entry, LocalTree, Refused, Remote, Skipped, Tree, open_tree
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, load_config
from qmscheck.errors import QmscheckError
from qmscheck.model.groups import items_of
from qmscheck.model.report import Report
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.scan import plugin_failures_named, selected_packs
from qmscheck.support.atomic import write_atomically

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "Bundle",
    "BundleCheck",
    "FileChange",
    "ShareChanges",
    "build_bundle",
    "check_bundle",
    "compare_with_share",
    "read_bundle",
    "sha256sums",
    "write_bundle",
]

BUNDLE_FORMAT: Final = "qmscheck-evidence-bundle"
BUNDLE_FORMAT_VERSION: Final = "1.0"
MANIFEST: Final = "manifest.json"
REPORT_JSON: Final = "report.json"
REPORT_HTML: Final = "report.html"
CONFIGURATION: Final = "qmscheck.toml"
SUMS: Final = "SHA256SUMS"
#: Every zip entry gets this time (the earliest a zip can hold): a bundle's bytes depend on its content alone.
ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
_FILESYSTEM = FilesystemConnector.name
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Bundle:
    """The files of a bundle by name (SHA256SUMS among them), and what bundling noticed."""

    files: dict[str, bytes]
    manifest: dict[str, Any]
    #: From the evidence index, hashed again (size or mtime changed), read: how the sha256s were had.
    stats: Counter[str] = field(default_factory=Counter)

    @property
    def changed_since_scan(self) -> list[dict[str, Any]]:
        changed: list[dict[str, Any]] = self.manifest["citations"]["changed_since_scan"]
        return changed


@dataclass(frozen=True)
class _LiveFile:
    source: str
    path: str
    size: int
    mtime_ns: int


def build_bundle(
    report_bytes: bytes,
    report: Report,
    target: Path,
    *,
    index: Path | None,
    plugins: Plugins | None = None,
) -> Bundle:
    """The bundle of ``report`` (``report_bytes``, the saved JSON as given) and the share at ``target``
    (a folder or a qmscheck.toml), its evidence collected through the index at ``index`` (None: none)."""
    plugins = plugins or load_plugins()
    config = load_config(target)
    with plugin_failures_named(plugins):
        config.check_connectors(plugins.connectors.names())
    # The scan's packs add words and evidence types: without them the files classify otherwise, and
    # the index, whose entries were made with them, would not be used.
    use_pack_words(selected_packs(plugins, [pack.name for pack in report.packs]), plugins.accepted_vocabularies)
    options = CollectOptions(index=index, jobs=1)
    collection = collect(config, plugins, options)
    items = items_of(collection.groups)

    trees = _filesystem_trees(config)
    files: dict[tuple[str, str], dict[str, Any]] = {}
    skipped: list[dict[str, str]] = []
    for label, tree in trees:
        for found in tree.walk():
            if isinstance(found, Skipped):
                if found.warn:
                    skipped.append({"source": label, "path": found.relative, "reason": found.reason})
                continue
            files[(label, found.relative)] = _file_entry(label, found)

    item_rows: list[dict[str, Any]] = []
    item_files: dict[str, tuple[str, str]] = {}
    tables: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in items:
        provenance = item.provenance
        path = provenance.locator.path
        key = (provenance.source, path) if path is not None else None
        entry = files.get(key) if provenance.connector == _FILESYSTEM and key is not None else None
        if entry is not None and key is not None:
            entry["items"] += 1
            if item.sha256 and entry["sha256"] is None:
                entry["sha256"] = item.sha256  # from the index, or hashed again if the file changed
            item_files[item.id] = key
        elif path is None:
            table = provenance.locator.model or str(provenance.locator)
            row = tables.setdefault(
                (provenance.connector, provenance.source, table),
                {"connector": provenance.connector, "source": provenance.source, "table": table, "items": 0},
            )
            row["items"] += 1
        item_rows.append(
            {
                "id": item.id,
                "type": item.type,
                "connector": provenance.connector,
                "source": provenance.source,
                "path": path,
                "locator": str(provenance.locator),
                "sha256": item.sha256,
            }
        )
    tree_of = dict(trees)
    for (label, relative), entry in files.items():
        if entry["sha256"] is None:  # no evidence in it: not in the index's items, so hashed here
            entry["sha256"] = _hash_file(tree_of[label], relative)

    citations = _citations(report, files, item_files)
    config_bytes = config.file.read_bytes() if config.file is not None else None
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "qmscheck_version": __version__,
        "report": {
            "json": REPORT_JSON,
            "html": REPORT_HTML,
            "schema_version": report.schema_version,
            "tool_version": report.tool_version,
            "organisation": report.organisation.name,
            "as_of": report.as_of.isoformat(),
            "stage": report.stage,
            "edition": report.edition,
            "findings": len(report.findings),
            "summary": report.summary.model_dump(),
        },
        "packs": [
            {"name": pack.name, "version": pack.version, "standard": pack.standard, "rules": pack.rules}
            for pack in report.packs
        ],
        "configuration": CONFIGURATION if config_bytes is not None else None,
        "location": {
            "target": str(target.resolve()),
            "configuration": str(config.file.resolve()) if config.file is not None else None,
            "sources": _sources(config, trees, files, collection.sources),
        },
        "files": [files[key] for key in sorted(files)],
        "skipped": sorted(skipped, key=lambda row: (row["source"], row["path"])),
        "tables": [tables[key] for key in sorted(tables)],
        "items": sorted(item_rows, key=lambda row: (row["connector"], row["source"], row["id"])),
        "citations": citations,
    }
    bundled = {
        MANIFEST: _json_bytes(manifest),
        REPORT_JSON: report_bytes,
        REPORT_HTML: _html(report, plugins),
    }
    if config_bytes is not None:
        bundled[CONFIGURATION] = config_bytes
    # The decisions kept beside the configuration: what the auditor decided is part of the record.
    decisions = config.file.parent / DECISIONS_NAME if config.file is not None else None
    if decisions is not None and decisions.is_file():
        bundled[DECISIONS_NAME] = decisions.read_bytes()
    bundled[SUMS] = sha256sums(bundled)
    stats = Counter(
        {
            "from index": collection.stats["reused"],
            "hashed again": collection.stats["rehashed"],
            "read": collection.stats["extracted"],
        }
    )
    return Bundle(files=bundled, manifest=manifest, stats=stats)


def _filesystem_trees(config: ScanConfig) -> list[tuple[str, Tree]]:
    """Each file-share source as the scan names it (its provenance ``source``) and its tree."""
    connector = FilesystemConnector()
    trees: list[tuple[str, Tree]] = []
    for source in config.sources:
        if source.connector != _FILESYSTEM:
            continue
        options = source.options()
        path, base = str(options.get("path", ".")), config.base_dir
        tree = open_tree(path, base, storage_options(options), Remote.of(options, base))
        trees.append((connector.describe(options), tree))
    return trees


def _file_entry(label: str, entry: Entry) -> dict[str, Any]:
    return {
        "source": label,
        "path": entry.relative,
        "size": entry.size,
        "mtime": _iso(entry.mtime_ns),
        "mtime_ns": entry.mtime_ns,
        "sha256": None,
        "items": 0,
        "cited_by": [],
    }


def _iso(mtime_ns: int) -> str:
    moment = datetime.fromtimestamp(mtime_ns // 1_000_000_000, UTC).replace(microsecond=mtime_ns // 1000 % 1_000_000)
    return moment.isoformat().replace("+00:00", "Z")


def _hash_file(tree: Tree, relative: str) -> str | None:
    """The file's sha256, None if it can no longer be read (vanished, permission denied) or is no
    longer what was listed: a local file is opened as the scan's workers open it, so a link or a
    FIFO swapped in is refused rather than followed (or waited on)."""
    hasher = hashlib.sha256()
    try:
        with contextlib.ExitStack() as stack:
            if isinstance(tree, LocalTree):
                handle = stack.enter_context(tree.open_listed(relative))
            else:
                handle = stack.enter_context(stack.enter_context(tree.local_path(relative)).open("rb"))
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
    except (OSError, Refused):
        return None
    return hasher.hexdigest()


def _sources(
    config: ScanConfig,
    trees: list[tuple[str, Tree]],
    files: dict[tuple[str, str], dict[str, Any]],
    collected: list[Any],
) -> list[dict[str, Any]]:
    """Where each source is: the path (or URL), and for a local folder in a git work tree, the commit."""
    tree_of = dict(trees)
    rows: list[dict[str, Any]] = []
    for source, info in zip(config.sources, collected, strict=True):
        row: dict[str, Any] = {"connector": source.connector, "location": info.location, "items": info.items}
        tree = tree_of.get(info.location) if source.connector == _FILESYSTEM else None
        if tree is not None:
            row["path"] = tree.url
            row["files"] = sum(1 for label, _ in files if label == info.location)
            local = Path(tree.url)
            row["git"] = _git(local) if local.is_dir() else None
        rows.append(row)
    return rows


def _git(folder: Path) -> dict[str, Any] | None:
    """The commit checked out and whether the folder's files differ from it; None outside a git
    work tree, before a first commit, or without git. The evidence index (.qmscheck) is not the
    share's content and is left out."""
    commit = _run_git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    status = _run_git(folder, "status", "--porcelain", "--untracked-files=all", "--", ".")
    if status is None:
        return None
    changes = sorted(
        line for line in status.splitlines() if line and ".qmscheck" not in PurePosixPath(line[3:].strip('"')).parts
    )
    return {"commit": commit.strip(), "clean": not changes, "changes": changes}


def _run_git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _citations(
    report: Report, files: dict[tuple[str, str], dict[str, Any]], item_files: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """Each file a finding cites, with the findings citing it; those whose sha256 now differs from
    the one cited (or that are gone) are the share's changes since the scan."""
    by_length = sorted(files, key=lambda key: (-len(key[1]), key))
    cited: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    cited_sha: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in report.findings:
        who = (finding.fingerprint or finding.id, finding.rule_id)
        for ref in finding.evidence:
            key = item_files.get(ref.id) or _file_of(ref.locator, by_length)
            if key is None:
                key = ("", ref.locator)  # a file no longer there (or evidence that is no file)
            cited[key].add(who)
            if ref.sha256:
                cited_sha[key].add(ref.sha256)
    changed: list[dict[str, Any]] = []
    for key in sorted(cited):
        who_rows = [{"fingerprint": fp, "rule_id": rule} for fp, rule in sorted(cited[key])]
        entry = files.get(key)
        if entry is not None:
            entry["cited_by"] = who_rows
        current = entry["sha256"] if entry is not None else None
        for sha in sorted(cited_sha[key]):
            if sha != current:
                changed.append(
                    {
                        "source": key[0],
                        "path": key[1],
                        "cited_sha256": sha,
                        "sha256": current,
                        "findings": who_rows,
                    }
                )
    return {"files": len(cited), "agree": not changed, "changed_since_scan": changed}


def _file_of(locator: str, by_length: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The file a locator names ('path [sheet] row 5'): the longest file path it begins with."""
    for key in by_length:
        path = key[1]
        if locator == path or locator.startswith(path + " "):
            return key
    return None


def _html(report: Report, plugins: Plugins) -> bytes:
    with plugin_failures_named(plugins):
        renderer = plugins.renderers.get("html")
    return renderer.render(report).encode("utf-8")


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def sha256sums(files: dict[str, bytes]) -> bytes:
    """``sha256sum`` output for every file but SHA256SUMS itself, by name: ``sha256sum -c`` checks it."""
    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()) if name != SUMS]
    return "".join(lines).encode("utf-8")


def write_bundle(bundle: Bundle, output: Path) -> None:
    """A zip when ``output`` ends in .zip, else a folder (new, or empty)."""
    try:
        if output.suffix.lower() == ".zip":
            _write_zip(bundle.files, output)
            return
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise QmscheckError(f"{output} exists and is not an empty folder; give a new folder or a .zip file")
        output.mkdir(parents=True, exist_ok=True)
        for name in sorted(bundle.files):
            (output / name).write_bytes(bundle.files[name])
    except OSError as exc:
        raise QmscheckError(f"cannot write the bundle to {output}: {exc.strerror or exc}") from None


def _write_zip(files: dict[str, bytes], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above read the same everywhere
            archive.writestr(info, files[name], compresslevel=9)
    write_atomically(output, buffer.getvalue())  # a failure leaves an earlier bundle of that name whole


# Checking a bundle.


@dataclass
class BundleCheck:
    """What differs between a bundle's files and its SHA256SUMS (all empty: intact)."""

    files: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.missing or self.changed or self.extra or self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "files": self.files,
            "missing": self.missing,
            "changed": self.changed,
            "extra": self.extra,
            "problems": self.problems,
        }


def read_bundle(path: Path) -> dict[str, bytes]:
    """A bundle's files by name, from its folder or zip."""
    if path.is_dir():
        try:
            return {child.name: child.read_bytes() for child in sorted(path.iterdir()) if child.is_file()}
        except OSError as exc:
            raise QmscheckError(f"cannot read the bundle {path}: {exc.strerror or exc}") from None
    if not path.exists():
        raise QmscheckError(f"{path}: no such bundle (a folder or a .zip written by `qmscheck bundle`)")
    try:
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise QmscheckError(f"{path} is not a bundle folder or zip: {exc}") from None


def check_bundle(files: dict[str, bytes], where: Path) -> tuple[BundleCheck, dict[str, Any]]:
    """Each file against SHA256SUMS, and the manifest. A folder or zip with neither SHA256SUMS nor a
    manifest is no bundle: a usage error, not a broken bundle."""
    if SUMS not in files and MANIFEST not in files:
        raise QmscheckError(f"{where} is not an evidence bundle: it has neither {SUMS} nor {MANIFEST}")
    check = BundleCheck()
    listed: dict[str, str] = {}
    if SUMS not in files:
        check.missing.append(SUMS)
    else:
        for number, line in enumerate(files[SUMS].decode("utf-8", "replace").splitlines(), 1):
            digest, _, name = line.partition(" ")
            name = name[1:] if name[:1] in (" ", "*") else name
            if len(digest) != 64 or not name or any(c not in "0123456789abcdef" for c in digest.lower()):
                check.problems.append(f"{SUMS} line {number} is not '<sha256>  <file name>': {line!r}")
                continue
            listed[name] = digest.lower()
    check.files = len(listed)
    for name, digest in sorted(listed.items()):
        data = files.get(name)
        if data is None:
            check.missing.append(name)
        elif hashlib.sha256(data).hexdigest() != digest:
            check.changed.append(name)
    if SUMS in files:
        check.extra = sorted(name for name in files if name not in listed and name != SUMS)
    manifest: dict[str, Any] = {}
    if MANIFEST in files:
        try:
            loaded = json.loads(files[MANIFEST])
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            check.problems.append(f"{MANIFEST} is not JSON: {exc}")
        else:
            if isinstance(loaded, dict) and loaded.get("format") == BUNDLE_FORMAT:
                manifest = loaded
            else:
                check.problems.append(f"{MANIFEST} is not a {BUNDLE_FORMAT} manifest")
    elif MANIFEST not in check.missing:
        check.missing.append(MANIFEST)
    check.missing.sort()
    return check, manifest


@dataclass(frozen=True)
class FileChange:
    """A file of the manifest whose bytes differ now (``sha256`` None: removed), with the findings citing it."""

    source: str
    path: str
    bundled_sha256: str | None
    sha256: str | None
    findings: tuple[tuple[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "bundled_sha256": self.bundled_sha256,
            "sha256": self.sha256,
            "findings": [{"fingerprint": fp, "rule_id": rule} for fp, rule in self.findings],
        }


@dataclass
class ShareChanges:
    """The live share against a bundle's manifest."""

    location: str
    files: int = 0
    changed: list[FileChange] = field(default_factory=list)
    removed: list[FileChange] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    #: Sources the manifest lists that are no file share (ERP tables): not hashed again here.
    not_checked: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.changed or self.removed or self.added)

    @property
    def cited(self) -> list[FileChange]:
        return [change for change in (*self.changed, *self.removed) if change.findings]

    def as_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "files": self.files,
            "unchanged": self.unchanged,
            "changed": [change.as_json() for change in self.changed],
            "removed": [change.as_json() for change in self.removed],
            "added": [{"source": source, "path": path} for source, path in self.added],
            "not_checked": self.not_checked,
        }


def compare_with_share(manifest: dict[str, Any], target: Path) -> ShareChanges:
    """Every file of the share at ``target`` hashed again and compared with the manifest's."""
    if not manifest:
        raise QmscheckError("the bundle has no readable manifest to compare the share with")
    config = load_config(target)
    changes = ShareChanges(location=str(target.resolve()))
    bundled: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        for row in manifest.get("files", []):
            bundled[(str(row["source"]), str(row["path"]))] = row
    except (TypeError, KeyError) as exc:
        raise QmscheckError(f"the bundle's {MANIFEST} lists a file without {exc}") from None
    live: dict[tuple[str, str], _LiveFile] = {}
    trees = _filesystem_trees(config)
    tree_of = dict(trees)
    for label, tree in trees:
        for found in tree.walk():
            if isinstance(found, Entry):
                live[(label, found.relative)] = _LiveFile(label, found.relative, found.size, found.mtime_ns)
    changes.files = len(live)
    for key in sorted(bundled.keys() | live.keys()):
        row = bundled.get(key)
        if row is None:
            changes.added.append(key)
            continue
        findings = tuple((str(who["fingerprint"]), str(who["rule_id"])) for who in row.get("cited_by", []))
        if key not in live:
            changes.removed.append(FileChange(key[0], key[1], row.get("sha256"), None, findings))
            continue
        sha256 = _hash_file(tree_of[key[0]], key[1])
        if sha256 != row.get("sha256"):
            changes.changed.append(FileChange(key[0], key[1], row.get("sha256"), sha256, findings))
    location = manifest.get("location")
    sources = location.get("sources") if isinstance(location, dict) else None
    changes.not_checked = sorted(
        {
            f"{row.get('connector')}: {row.get('location')}"
            for row in (sources if isinstance(sources, list) else [])
            if isinstance(row, dict) and row.get("connector") != _FILESYSTEM
        }
    )
    return changes
