"""``qmscheck pack check PATH``: everything wrong with a pack folder, before anyone installs it.

Each problem is one line naming the file, the rule id where there is one, and the key path: the
manifest, every rule file (each on its own, so that one bad file does not hide the next), the rules
together with the installed packs they depend on (overlays, duplicate ids, evidence types and
fields), vocabulary files, the crosswalk, the case files and a passing and a failing case for every
rule, and each rule's documentation page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from qmscheck.checking.manifest import load_crosswalk
from qmscheck.checking.packs import LoadedPacks, LoadedRule, RulePack, check_kinds, load_rule_file
from qmscheck.checking.ruledocs import rule_page
from qmscheck.errors import QmscheckError, RulePackError
from qmscheck.packtools.under_test import PackUnderTest, manifest_path, open_pack
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.testing import RuleCase, load_case_file, missing_cases
from qmscheck.vocabulary import VocabularyError, VocabularyFile

__all__ = ["check_pack", "problem_lines"]


def problem_lines(exc: Exception) -> list[str]:
    """An error's problems, one a line, without the heading a multi-line error starts with."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        lines = lines[1:]
    return lines


def _rule_files(pack: RulePack, plugins: Plugins) -> list[str]:
    if not pack.path.is_dir():
        return [f"{pack.path}: the pack's rules folder (pack.rules) does not exist"]
    sources = sorted(pack.path.glob("*.toml"), key=lambda path: path.name)
    if not sources:
        return [f"{pack.path}: no rule file (*.toml) in the pack's rules folder"]
    kinds = check_kinds(plugins.checks)
    problems: list[str] = []
    for source in sources:
        try:
            load_rule_file(source, kinds)
        except RulePackError as exc:
            problems += problem_lines(exc)
    return problems


def _vocabulary(under: PackUnderTest) -> list[str]:
    problems = []
    assert under.pack.manifest is not None
    for name in under.pack.manifest.pack.vocabulary:
        try:
            VocabularyFile.from_path(under.manifest.parent / name, name)
        except VocabularyError as exc:
            problems.append(f"{under.manifest.parent / name}: {exc}")
    return problems


def _crosswalk(under: PackUnderTest) -> list[str]:
    manifest = under.pack.manifest
    assert manifest is not None
    if not manifest.pack.crosswalk:
        return []
    source = under.manifest.parent / manifest.pack.crosswalk
    try:
        crosswalk = load_crosswalk(source)
    except RulePackError as exc:
        return problem_lines(exc)
    problems = []
    standard = manifest.standard
    if crosswalk.standard != standard.id:
        problems.append(f"{source}: standard: {crosswalk.standard!r} is not the pack's standard {standard.id!r}")
    others = {pack.standard.id: pack for pack in under.selected if pack.name != under.pack.name}
    target = others.get(crosswalk.to)
    if target is None:
        problems.append(
            f"{source}: to: {crosswalk.to!r} is the standard of no pack this one depends on "
            f"({', '.join(sorted(others)) or 'none'})"
        )
    for number, entry in enumerate(crosswalk.clauses):
        if manifest.clauses and entry.clause not in manifest.clauses:
            problems.append(f"{source}: clauses[{number}].clause: {entry.clause} is not in the pack's [clauses]")
        for clause in entry.to:
            if target is not None and target.clauses and clause not in target.clauses:
                problems.append(f"{source}: clauses[{number}].to: {clause} is not a clause of {target.standard.name}")
    return problems


def _cases(under: PackUnderTest, loaded: LoadedPacks) -> list[str]:
    folder = under.pack.cases
    if folder is None or not folder.is_dir():
        return [f"{under.manifest}: pack.cases: folder {folder} does not exist (each rule needs its cases)"]
    cases: list[RuleCase] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml"), key=lambda p: p.name):
        try:
            cases += load_case_file(path)
        except RulePackError as exc:
            problems += problem_lines(exc)
    own = under.own(loaded)
    by_id: dict[str, LoadedRule] = {item.rule.id: item for item in [*loaded.rules, *loaded.skipped]}
    skipped = {item.rule.id for item in loaded.skipped}
    for case in cases:
        at = f"{folder / case.source}: case {case.rule} {case.name!r}"
        target = by_id.get(case.rule)
        if target is None:
            problems.append(f"{at}: rule {case.rule} is a rule of no pack loaded with this one")
        elif case.rule in skipped:
            problems.append(f"{at}: rule {case.rule} is skipped by an overlay; it never runs")
        elif target.pack.name == under.pack.name and target.file.name != case.source:
            problems.append(
                f"{at}: rule {case.rule} is in {target.file.name}; its cases go into {folder / target.file.name} "
                "(where `rules explain` and the docs look for them)"
            )
    counts = Counter((case.source, case.rule, case.name) for case in cases)
    problems += [
        f"{folder / source}: case {rule} {name!r}: the name is used {count} times"
        for (source, rule, name), count in sorted(counts.items())
        if count > 1
    ]
    if not problems:
        for missing in missing_cases(cases, LoadedPacks(packs=loaded.packs, rules=own)):
            rule_id, _, what = missing.partition(": ")
            rule_file = by_id[rule_id].file
            problems.append(f"{rule_file}: rule {rule_id}: {what} in {folder / rule_file.name} (expect = [] passes)")
    return problems


def _docs(under: PackUnderTest, loaded: LoadedPacks) -> list[str]:
    problems = []
    for item in under.own(loaded):
        try:
            rule_page(item)
        except Exception as exc:  # a page that cannot be written is the rule's problem, reported as such
            problems.append(f"{item.file}: rule {item.rule.id}: docs: {type(exc).__name__}: {exc}")
    return problems


def check_pack(path: Path, plugins: Plugins | None = None) -> list[str]:
    """Every problem of the pack at ``path`` (a folder with a ``pack.toml``, or that file), one a
    line naming file, rule id and key path; empty when the pack is ready to publish. Raises
    :class:`~qmscheck.errors.RulePackError` when there is no ``pack.toml`` at ``path``."""
    manifest = manifest_path(path)  # no pack at all: the caller's mistake, raised
    try:
        pack = RulePack.from_manifest(manifest)
    except RulePackError as exc:
        return problem_lines(exc)
    problems: list[str] = []
    incompatible = pack.incompatibility()
    if incompatible:
        problems.append(f"{manifest}: pack.api: {incompatible}")
    plugins = plugins or load_plugins()
    problems += _rule_files(pack, plugins)
    try:
        under = open_pack(manifest, plugins)
    except QmscheckError as exc:
        return problems + [f"{manifest}: depends: {line}" for line in problem_lines(exc)]
    problems += _vocabulary(under)
    loaded: LoadedPacks | None = None
    if not problems:
        try:
            loaded = under.load()
        except RulePackError as exc:
            problems += problem_lines(exc)
    problems += _crosswalk(under)
    if loaded is not None:
        under.use_words()
        problems += _cases(under, loaded)
        problems += _docs(under, loaded)
    return problems
