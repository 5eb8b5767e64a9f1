"""What the scan understood of the sources, and absences it cannot stand behind.

"Not found among what I understood" is not "absent". A rule that finds no quality policy
among the files it recognised has established an absence only if nothing else could be the
policy: no file was left unread (corrupt, encrypted, skipped for its size) and none was read
without being recognised as some kind of QMS evidence (a Spanish manual, a file named
``doc-17.md``). Otherwise the honest outcome is an *evidence request*: the statement says what
was searched and what was not understood, cites the files that may hold the evidence, and asks
for it to be shown. It is not a nonconformity, so it never makes an organisation "not ready".

An absence is established, and keeps its grade, when every file was read and recognised.
When nothing at all was recognised, every absence is a request: the scan has learnt nothing
about the organisation's QMS, and says so (:attr:`Understanding.recognised` is 0).
"""

from __future__ import annotations

from qmscheck.model.collection import Collection
from qmscheck.model.grades import Grade
from qmscheck.model.groups import PART_MARK
from qmscheck.model.report import NOT_RECOGNISED, EvidenceRef, Finding, NotUnderstood, Understanding

#: The evidence type of an item read from a file that matched no kind of evidence.
UNCLASSIFIED = "unclassified"
#: A request's statement names this many of the files that may hold the evidence; it cites all.
NAMED_FILES = 5


def understanding_of(collection: Collection) -> Understanding | None:
    """Files recognised, and every file read but not recognised or not read at all. None for a
    collection that no connector collected (evidence given directly, as in a rule's test cases):
    what it holds is all there is, so its absences are established."""
    if not collection.sources:
        return None
    recognised: set[str] = set()
    unrecognised: dict[str, str] = {}
    for group in collection.groups:
        file_key = group.key.partition(PART_MARK)[0]
        if group.types and group.types != {UNCLASSIFIED}:
            recognised.add(file_key)
        elif file_key not in unrecognised:
            first = group.item(0) if group.count else None
            if first is None and group.count:
                first = group.decoded()[0]
            unrecognised[file_key] = first.locator if first is not None else file_key
    not_understood = [
        NotUnderstood(locator=locator, reason=NOT_RECOGNISED)
        for key, locator in sorted(unrecognised.items())
        if key not in recognised
    ]
    unread = {warning.locator: (warning.message, warning.unlisted) for warning in collection.warnings if warning.unread}
    not_understood += [
        NotUnderstood(locator=locator, reason=reason, folder=folder)
        for locator, (reason, folder) in sorted(unread.items())
    ]
    return Understanding(
        files=len(recognised) + sum(not entry.folder for entry in not_understood),
        recognised=len(recognised),
        not_understood=not_understood,
    )


def _established(understanding: Understanding) -> bool:
    return understanding.recognised > 0 and not understanding.not_understood


def _request(finding: Finding, understanding: Understanding | None) -> Finding:
    if understanding is None:
        searched = f"Nothing of the kind was found in the evidence given ({finding.absence})"
    elif understanding.recognised == 0:
        searched = f"No file of the sources was recognised as quality-system evidence ({finding.absence})"
    else:
        searched = (
            f"Nothing of the kind was found among the {understanding.recognised} recognised "
            f"file{'s' if understanding.recognised != 1 else ''} ({finding.absence})"
        )
    entries = understanding.not_understood if understanding is not None else []
    named = ", ".join(f"{entry.locator} ({entry.reason})" for entry in entries[:NAMED_FILES])
    if len(entries) > NAMED_FILES:
        named += f" and {len(entries) - NAMED_FILES} more (every one is cited)"
    pending = (
        f"; {understanding.line().split('; ', 1)[-1]}, and the evidence may be among them: {named}"
        if entries and understanding is not None
        else ""
    )
    why = (
        "The absence is not established"
        if entries or understanding is None or understanding.recognised == 0
        else "Whether such evidence is needed, and in what form, depends on the organisation's processes, and it is "
        "often kept outside the files scanned (in an ERP, on the shop floor), so its absence here is not established"
    )
    statement = (
        f"{finding.statement.split(' Not met: ', 1)[0]} {searched}{pending}. {why}, "
        f"so this is not a nonconformity yet: show the auditor this evidence, or say where it is kept. "
        f"If it does not exist, this is a {finding.grade.label.lower()}."
    )
    refs = [EvidenceRef(id=f"file:{entry.locator}", locator=entry.locator, label=entry.reason) for entry in entries]
    return finding.model_copy(
        update={
            "id": f"{finding.id}-request",
            "grade": Grade.REQUEST,
            "statement": statement,
            "evidence": [*finding.evidence, *refs],
        }
    )


def request_unestablished_absences(
    findings: list[Finding], understanding: Understanding | None, asked: frozenset[str] = frozenset()
) -> list[Finding]:
    """Findings of absence become evidence requests unless the absence is established; the rest
    stand as they are. Only nonconformities change: an observation or OFI asks for nothing. The
    absences of the ``asked`` rules (``when_absent = "request"``) are never established by a scan."""
    established = understanding is None or _established(understanding)
    return [
        _request(finding, understanding)
        if finding.absence is not None
        and finding.grade in (Grade.MAJOR, Grade.MINOR)
        and (not established or finding.rule_id in asked)
        else finding
        for finding in findings
    ]
