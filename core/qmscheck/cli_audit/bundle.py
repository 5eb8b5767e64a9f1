"""``qmscheck bundle`` and ``qmscheck verify``: package what a scan saw, and check it later.

- ``bundle SCAN.json --target PATH --output DIR|FILE.zip`` writes the evidence bundle of a saved
  scan of PATH (docs/evidence-bundle.md). Exit 0; 1 when a file a finding cites differs from the
  sha256 the report cites (the share changed since the scan: the bundle is written and says so);
  2 on a usage error.
- ``verify BUNDLE [--against PATH]`` checks every file of the bundle against its SHA256SUMS and,
  with ``--against``, hashes the live share again and lists what changed since, naming the
  findings that cite a changed or removed file. Exit 0 intact and unchanged, 1 something
  differs, 2 on a usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qmscheck.cli_support import index_path, read_saved_report
from qmscheck.errors import ExitCode, QmscheckError

if TYPE_CHECKING:
    from qmscheck.auditing.bundle import BundleCheck, FileChange, ShareChanges

__all__ = ["bundle_command", "verify_command"]


@click.command("bundle")
@click.argument("scan_file", metavar="SCAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--target",
    required=True,
    type=click.Path(path_type=Path),
    help="What was scanned: the folder or its qmscheck.toml.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="A new (or empty) folder, or a FILE.zip.",
)
@click.option(
    "--index",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The scan's evidence index, whose sha256s are used for files unchanged since.  "
    "[default: .qmscheck/index.sqlite beside qmscheck.toml]",
)
@click.option("--no-index", is_flag=True, help="Hash every file of the share; neither use nor write an index.")
def bundle_command(scan_file: Path, target: Path, output: Path, index: Path | None, no_index: bool) -> None:
    """Package a saved scan with the manifest of every evidence file and item it saw, verifiable offline."""
    from qmscheck.auditing.bundle import build_bundle, write_bundle

    if index is not None and no_index:
        raise QmscheckError("give either --index or --no-index, not both")
    if not target.exists():
        raise QmscheckError(f"{target}: no such file or folder (--target is what was scanned)")
    report = read_saved_report(scan_file)
    report_bytes = scan_file.read_bytes()
    bundle = build_bundle(report_bytes, report, target, index=index_path(target, index, no_index))
    write_bundle(bundle, output)
    manifest = bundle.manifest
    stats = bundle.stats
    click.echo(
        f"bundle written to {output}: {len(manifest['files'])} files, {len(manifest['items'])} evidence items, "
        f"{len(bundle.files) - 1} bundle files in SHA256SUMS",
        err=True,
    )
    click.echo(
        f"sha256 of the evidence files: {stats['from index']} from the index, "
        f"{stats['hashed again']} hashed again (size or mtime changed), {stats['read']} read",
        err=True,
    )
    changed = bundle.changed_since_scan
    if not changed:
        click.echo(f"every cited file ({manifest['citations']['files']}) has the sha256 the report cites", err=True)
        return
    click.echo(
        f"the share changed since the scan: {len(changed)} cited file(s) differ from what the report cites "
        "(listed in the manifest under citations.changed_since_scan)",
        err=True,
    )
    for row in changed:
        now = "removed" if row["sha256"] is None else f"now {row['sha256'][:12]}"
        click.echo(
            f"  {row['path']}: cited {row['cited_sha256'][:12]}, {now}; {_findings(row['findings'])}",
            err=True,
        )
    sys.exit(ExitCode.FINDINGS)


@click.command("verify")
@click.argument("bundle", metavar="BUNDLE", type=click.Path(path_type=Path))
@click.option(
    "--against",
    type=click.Path(path_type=Path),
    default=None,
    help="The live share (folder or qmscheck.toml): hash it again and list what changed since the bundle.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def verify_command(bundle: Path, against: Path | None, format_name: str) -> None:
    """Check an evidence bundle against its SHA256SUMS and, with --against, the share against the bundle."""
    from qmscheck.auditing.bundle import check_bundle, compare_with_share, read_bundle

    if against is not None and not against.exists():
        raise QmscheckError(f"{against}: no such file or folder (--against is the share to compare)")
    check, manifest = check_bundle(read_bundle(bundle), bundle)
    changes = compare_with_share(manifest, against) if against is not None and manifest else None
    ok = check.intact and (changes is None or changes.unchanged)
    if format_name == "json":
        data: dict[str, Any] = {
            "bundle": str(bundle),
            "ok": ok,
            "intact": check.as_json(),
            "against": changes.as_json() if changes is not None else None,
        }
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(_text(bundle, check, changes, against is not None), nl=False)
    sys.exit(ExitCode.OK if ok else ExitCode.FINDINGS)


def _text(bundle: Path, check: BundleCheck, changes: ShareChanges | None, asked_against: bool) -> str:
    lines: list[str] = []
    if check.intact:
        lines.append(f"bundle {bundle}: intact, {check.files} files match SHA256SUMS")
    else:
        lines.append(f"bundle {bundle}: NOT intact")
        lines += [f"  missing   {name}" for name in check.missing]
        lines += [f"  changed   {name}" for name in check.changed]
        lines += [f"  extra     {name} (not in SHA256SUMS)" for name in check.extra]
        lines += [f"  problem   {problem}" for problem in check.problems]
    if changes is None:
        if asked_against:
            lines.append("the share was not compared: the bundle has no readable manifest")
        return "".join(f"{line}\n" for line in lines)
    summary = (
        f"{len(changes.changed)} changed, {len(changes.added)} added, {len(changes.removed)} removed "
        f"of {changes.files} files now"
    )
    if changes.unchanged:
        lines.append(f"share {changes.location}: unchanged since the bundle ({changes.files} files)")
    else:
        lines.append(f"share {changes.location}: {summary}")
    for change in changes.changed:
        lines.append(f"  changed   {change.path}{_cited(change)}")
    for _source, path in changes.added:
        lines.append(f"  added     {path}")
    for change in changes.removed:
        lines.append(f"  removed   {change.path}{_cited(change)}")
    if changes.cited:
        lines.append(f"{len(changes.cited)} changed or removed file(s) are cited by findings")
    lines += [f"not compared (no file share): {name}" for name in changes.not_checked]
    return "".join(f"{line}\n" for line in lines)


def _cited(change: FileChange) -> str:
    if not change.findings:
        return ""
    who = [{"fingerprint": fp, "rule_id": rule} for fp, rule in change.findings]
    return f"  <- CITED by {_findings(who)}"


def _findings(rows: list[dict[str, str]]) -> str:
    named = ", ".join(f"{row['fingerprint']} ({row['rule_id']})" for row in rows)
    return f"finding{'s' if len(rows) != 1 else ''} {named}"
