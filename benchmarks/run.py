"""Measure qmscheck against the read floor on a synthetic organisation (see benchmarks/README.md).

    python benchmarks/run.py --files 5000 --rows 100000 [--defect-rate 0.02] [--jobs N] [--keep DIR]
    python benchmarks/run.py --executor dask [--jobs N] [--keep DIR] ...

In one run: generates the organisation (or reuses --keep DIR) with --defect-rate of its documents
and register rows defective (default 0.02; 1 makes every one defective), then measures, each phase in
its own process so peak memory is per phase:
  floor   walk + stat + sha256 of every byte (os.scandir; hashing in --jobs processes),
          plus raw row decoding of every register (python-calamine for workbooks, csv for csv);
  parse   the floor's hashing plus every file parsed into items by qmscheck's readers (no
          classifying, index or rules), in --jobs processes: reading with parsing;
  full    a full scan (collect with --full into a fresh index, then check);
  rescan  the same scan after changing 1% of the files (index reused);
and prints the times, the ratios (full / floor, rescan / full) and peak RSS, and checks that
no evidence item is lost (items = documents + register rows).

With --executor dask it measures the full scan twice instead, in --jobs local processes and on a
local Dask cluster of --jobs workers (qmscheck[dask]), and prints the ratio, the tasks the cluster
ran and whether the two reports are identical. It neither changes the files nor writes beside
them (the indexes go to a folder of its own), so it may run on a kept organisation others use.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


def _hash(path: str) -> int:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return len(digest.digest())


def _walk(root: str) -> list[str]:
    found: list[str] = []
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    entry.stat(follow_symlinks=False)
                    found.append(entry.path)
    return found


def _decode_rows(path: str) -> int:
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.reader(handle))
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    return sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)


def phase_floor(org: Path, jobs: int) -> dict[str, float]:
    start = time.perf_counter()
    files = _walk(str(org / "share"))
    walked = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_hash, files, chunksize=64))
    hashed = time.perf_counter()
    registers = [f for f in files if f.endswith((".xlsx", ".csv"))]
    with ProcessPoolExecutor(jobs) as pool:
        rows = sum(pool.map(_decode_rows, registers))
    decoded = time.perf_counter()
    return {
        "walk_stat": walked - start,
        "sha256": hashed - walked,
        "rows_decode": decoded - hashed,
        "seconds": decoded - start,
        "files": len(files),
        "rows": rows,
    }


def _parse_files(relatives: list[str], root: str) -> int:
    """Hash and parse files as a scan's workers do (qmscheck's readers): the items they give."""
    from qmscheck.collecting.connectors.filesystem import _suffix  # the suffix a scan dispatches on, as it works it out
    from qmscheck.collecting.connectors.tree import open_tree
    from qmscheck.collecting.connectors.worker import Task, process

    tree = open_tree(root, Path(root))
    provenance = (("connector", "filesystem"), ("connector_version", "bench"), ("source", "share"))
    items = 0
    for relative in relatives:
        outcome = process(Task(tree, relative, _suffix(relative), None, provenance))
        items += sum(len(unit.items) for unit in outcome.units)
    return items


def phase_parse(org: Path, jobs: int) -> dict[str, float]:
    """The floor's hashing plus every file parsed into items by qmscheck's readers, in ``jobs``
    processes, largest files first: what reading the evidence costs before qmscheck classifies,
    indexes or checks anything."""
    start = time.perf_counter()
    root = str(org / "share")
    files = sorted(_walk(root), key=lambda path: -os.path.getsize(path))
    relatives = [os.path.relpath(path, root) for path in files]
    with ProcessPoolExecutor(jobs) as pool:
        chunks = [relatives[:8]] + [relatives[i : i + 64] for i in range(8, len(relatives), 64)]
        items = sum(pool.map(_parse_files, chunks, [root] * len(chunks)))
    return {"seconds": time.perf_counter() - start, "files": len(files), "items": items}


def phase_bytes(org: Path, every: int) -> dict[str, float]:
    """What parsing tasks carry, pickled as Dask sends them, over every ``every``-th file: out, the
    batches of tasks (a file's location, no bytes); back, the outcomes (items, or a large file's
    items written and compressed by the worker, as a scan has it)."""
    import pickle

    from qmscheck.collecting.connectors.filesystem import _suffix
    from qmscheck.collecting.connectors.tree import open_tree
    from qmscheck.collecting.connectors.unit_classes import Ahead
    from qmscheck.collecting.connectors.worker import Task, _batches, _process_batch
    from qmscheck.support.tuning import Tuning

    tuning = Tuning()
    root = str(org / "share")
    tree = open_tree(root, Path(root))
    provenance = (("connector", "filesystem"), ("connector_version", "bench"), ("source", "share"))
    ahead = Ahead((), "bench", tuning.part_items)
    files = sorted(_walk(root))[::every]
    tasks = []
    for path in files:
        size = os.path.getsize(path)
        relative = os.path.relpath(path, root)
        large = ahead if size >= tuning.ahead_bytes else None
        tasks.append(Task(tree, relative, _suffix(relative), None, provenance, size, large))
    out = back = count = 0
    for batch in _batches(tasks):
        out += len(pickle.dumps(batch))
        back += len(pickle.dumps(_process_batch(batch)))
        count += 1
    return {"files": len(files), "batches": count, "out": out, "back": back, "seconds": 0}


def phase_scan(org: Path, index: Path, jobs: int, full: bool, executor: str = "local") -> dict[str, float]:
    if executor == "dask":
        from distributed import get_task_stream
        from qmscheck.support.executors import dask_cluster

        start = time.perf_counter()
        with dask_cluster(None, jobs) as cluster, get_task_stream(client=cluster.client) as stream:
            started = time.perf_counter() - start
            data = _scan(org, index, jobs, full, cluster)
        tasks: dict[str, float] = {}
        for event in stream.data:
            kind = str(event["key"]).rpartition("-")[0]
            tasks[f"tasks_{kind}"] = tasks.get(f"tasks_{kind}", 0) + 1
            computed = sum(s["stop"] - s["start"] for s in event["startstops"] if s["action"] == "compute")
            tasks[f"compute_{kind}"] = tasks.get(f"compute_{kind}", 0) + computed
        return {**data, **tasks, "cluster_start": started, "seconds": data["seconds"] + started}
    return _scan(org, index, jobs, full, None)


def _scan(org: Path, index: Path, jobs: int, full: bool, executor: Any) -> dict[str, float]:
    from datetime import date

    from qmscheck.checking.packs import load_packs
    from qmscheck.checking.run import CheckOptions, run_check
    from qmscheck.collecting.run import CollectOptions, collect
    from qmscheck.config.scan_config import load_config
    from qmscheck.plugins.manager import load_plugins
    from qmscheck.rendering.json import JsonRenderer
    from qmscheck.support.workers import start_fork_server

    start = time.perf_counter()
    if jobs > 1 and executor is None:
        start_fork_server()  # as qmscheck.scan.scan does
    plugins = load_plugins()
    config = load_config(org)
    packs = load_packs(list(plugins.rule_packs))
    loaded = time.perf_counter()
    options = CollectOptions(index=index, full=full, jobs=jobs, executor=executor)
    collection = collect(config, plugins, options)
    collected = time.perf_counter()
    check_options = CheckOptions(
        as_of=date(2026, 3, 31),
        results=index,
        full=full,
        stats=collection.stats,
        jobs=jobs,
        tuning=options.tuning,
        executor=options.executor,
    )
    report = run_check(collection, packs, plugins, config.organisation, check_options)
    checked = time.perf_counter()
    rendered = JsonRenderer().render(report).encode()
    return {
        "setup": loaded - start,
        "collect": collected - loaded,
        "check": checked - collected,
        "seconds": checked - start,
        # This process's own CPU: with Dask, the driver's (and the local cluster's scheduler's).
        "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        "items": collection.evidence_count,
        "warnings": len(collection.warnings),
        "findings": len(report.findings),
        # Compared between executors: the same report, byte for byte (12 hex digits of its digest: a float holds them).
        "report_digest": int(hashlib.sha256(rendered).hexdigest()[:12], 16),
        **{f"stat_{k}": v for k, v in collection.stats.items()},
    }


def change_one_percent(org: Path) -> int:
    """Append a line to every 100th document (and rewrite one register): 1% of the files."""
    files = sorted(p for p in (org / "share").rglob("*") if p.is_file())
    changed = 0
    for path in files[::100]:
        if path.suffix in (".md", ".txt", ".csv"):
            with path.open("a") as handle:
                handle.write("\n" if path.suffix == ".csv" else "\nRevised.\n")
        else:
            os.utime(path)  # binary formats: touched, same bytes (hashed, not parsed)
        changed += 1
    return changed


def defect_rate(text: str) -> float:
    """argparse type for --defect-rate: a number from 0 to 1."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def run_phase(args: list[str]) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"phase {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder and keep it.")
    parser.add_argument(
        "--defect-rate",
        type=defect_rate,
        default=0.02,
        help="Share (0 .. 1) of generated documents and register rows that are defective; "
        "1 makes every one defective. Default: %(default)s.",
    )
    parser.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="dask: compare a full scan in --jobs local processes with one on a local Dask cluster of --jobs workers.",
    )
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, org, jobs = args.phase[0], Path(args.phase[1]), int(args.phase[2])
        if name == "floor":
            data = phase_floor(org, jobs)
        elif name == "parse":
            data = phase_parse(org, jobs)
        elif name == "bytes":
            data = phase_bytes(org, jobs)
        else:
            executor = args.phase[4] if len(args.phase) > 4 else "local"
            data = phase_scan(org, Path(args.phase[3]), jobs, full=name == "full", executor=executor)
        data["peak_rss_mib"] = _peak_rss_mib()
        print(json.dumps(data))
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="qmscheck-bench-"))
    org = work / "org"
    if not (org / "qmscheck.toml").is_file():
        sys.path.insert(0, str(HERE))
        from generate import generate

        started = time.perf_counter()
        counts = generate(org, args.files, args.rows, defect_rate=args.defect_rate)
        (work / "expected.json").write_text(json.dumps({**counts, "defect_rate": args.defect_rate}))
        print(
            f"generated {args.files} files, {args.rows} rows (defect rate {args.defect_rate:g}) "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    expected = json.loads((work / "expected.json").read_text())
    # Organisations generated before --defect-rate existed had every row defective.
    rate = expected.get("defect_rate", 1.0)
    if rate != args.defect_rate:
        print(f"note: reusing {org}, generated with defect rate {rate:g} (not {args.defect_rate:g})", flush=True)
    jobs_arg = str(args.jobs)
    if args.executor == "dask":
        compare_executors(org, expected, jobs_arg)
        return
    index = work / "index.sqlite"
    index.unlink(missing_ok=True)
    run_phase(["floor", str(org), jobs_arg])  # warm the page cache: every phase then reads warm
    floor = run_phase(["floor", str(org), jobs_arg])
    parse = run_phase(["parse", str(org), jobs_arg])
    full = run_phase(["full", str(org), jobs_arg, str(index)])
    changed = change_one_percent(org)
    rescan = run_phase(["rescan", str(org), jobs_arg, str(index)])

    def row(name: str, data: dict[str, float], detail: str) -> None:
        print(f"{name:<8} {data['seconds']:8.2f} s  peak RSS {data['peak_rss_mib']:7.0f} MiB  {detail}")

    print(
        f"\n{expected['documents']} documents, {expected['rows']} register rows, defect rate {rate:g}, "
        f"--jobs {args.jobs}, {changed} files changed for the rescan"
    )
    row(
        "floor",
        floor,
        f"walk+stat {floor['walk_stat']:.2f} s, sha256 {floor['sha256']:.2f} s, "
        f"calamine/csv rows {floor['rows_decode']:.2f} s",
    )
    row(
        "parse",
        parse,
        f"the floor's hashing, and each file parsed into {parse['items']:.0f} items by "
        "qmscheck's readers (no classifying, index or rules)",
    )
    for name, data in (("full", full), ("rescan", rescan)):
        row(
            name,
            data,
            f"collect {data['collect']:.2f} s, check {data['check']:.2f} s, setup {data['setup']:.2f} s; "
            f"{data['items']:.0f} items; extracted {data.get('stat_extracted', 0):.0f}, "
            f"reused {data.get('stat_reused', 0):.0f}, rehashed {data.get('stat_rehashed', 0):.0f}; "
            f"rules evaluated {data.get('stat_rules_evaluated', 0):.0f}, "
            f"reused {data.get('stat_rules_reused', 0):.0f}",
        )
    print(f"\nfull / floor           {full['seconds'] / floor['seconds']:6.2f}   (target <= 2)")
    print(f"full collect / floor   {full['collect'] / floor['seconds']:6.2f}")
    print(f"parse / floor          {parse['seconds'] / floor['seconds']:6.2f}   (reading alone, with parsing)")
    print(
        f"full / parse           {full['seconds'] / parse['seconds']:6.2f}   (what classifying, indexing and "
        "checking add)"
    )
    print(f"rescan / full          {rescan['seconds'] / full['seconds']:6.2%}  (target <= 5%)")
    print(f"rescan collect / full  {rescan['collect'] / full['seconds']:6.2%}")
    print(f"peak RSS               {max(full['peak_rss_mib'], rescan['peak_rss_mib']):6.0f} MiB (target < 1024)")
    lost = expected["expected_items"] - full["items"]
    print(
        f"items                  {full['items']:.0f} of {expected['expected_items']} expected "
        f"({'none lost' if lost == 0 else f'{lost} LOST'}); rescan {rescan['items']:.0f}"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def compare_executors(org: Path, expected: dict[str, int], jobs: str) -> None:
    """A full scan in local processes and on a local Dask cluster, each into a fresh index of its own."""
    indexes = Path(tempfile.mkdtemp(prefix="qmscheck-bench-index-"))
    try:
        run_phase(["floor", str(org), jobs])  # warm the page cache
        local = run_phase(["full", str(org), jobs, str(indexes / "local.sqlite"), "local"])
        dask = run_phase(["full", str(org), jobs, str(indexes / "dask.sqlite"), "dask"])
    finally:
        shutil.rmtree(indexes, ignore_errors=True)
    print(f"\n{expected['documents']} documents, {expected['rows']} register rows, --jobs {jobs}")
    for name, data in (("local", local), ("dask", dask)):
        print(
            f"{name:<6} {data['seconds']:8.2f} s  peak RSS {data['peak_rss_mib']:6.0f} MiB  "
            f"collect {data['collect']:.2f} s, check {data['check']:.2f} s, setup {data['setup']:.2f} s"
            + (f", cluster start {data['cluster_start']:.2f} s" if "cluster_start" in data else "")
            + f"; {data['items']:.0f} items, {data['findings']:.0f} findings"
        )
    for kind in ("_process_batch", "_summarise_task"):
        count = dask.get(f"tasks_{kind}", 0)
        compute = dask.get(f"compute_{kind}", 0)
        print(f"dask tasks {kind:<16} {count:6.0f}, {compute:8.2f} s computing on the workers")
    print(f"driver CPU             local {local['cpu']:.1f} s, dask {dask['cpu']:.1f} s (with the scheduler)")
    sample = run_phase(["bytes", str(org), "20"])  # every 20th file
    print(
        f"dask task bytes        out {sample['out'] / sample['files']:.0f} B/file, "
        f"back {sample['back'] / sample['files']:.0f} B/file (pickled, every 20th file: {sample['files']:.0f})"
    )
    ratio = dask["seconds"] / local["seconds"]
    started = (dask["seconds"] - dask["cluster_start"]) / local["seconds"]
    print(f"\ndask / local           {ratio:6.2f}   (target <= 1.2; {started:.2f} without starting the cluster)")
    same = dask["report_digest"] == local["report_digest"]
    print(f"reports                {'identical' if same else 'DIFFERENT'} (JSON, byte for byte)")


if __name__ == "__main__":
    main()
