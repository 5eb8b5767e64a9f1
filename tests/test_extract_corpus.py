"""A real, public markdown QMS (GSTT CSC QMS template), read in place if present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from qmscheck.collecting.readers import read_document

CORPUS = Path("/work/shared/corpora/gstt-csc-qms-template")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="GSTT CSC QMS corpus not available")


def test_every_markdown_file_reads() -> None:
    files = sorted(CORPUS.rglob("*.md"))
    assert files
    for path in files:
        meta = read_document(path)  # any exception fails the test
        assert meta.text or path.stat().st_size < 200, path.name


def test_procedures_have_revision_and_number() -> None:
    procedures = sorted(CORPUS.glob("CSC-PR-*.md"))
    assert procedures
    results = {path.name: read_document(path) for path in procedures}
    with_revision = [name for name, meta in results.items() if meta.fields.get("revision")]
    assert len(with_revision) > len(procedures) / 2, sorted(set(results) - set(with_revision))
    for name in with_revision:
        assert re.fullmatch(r"\d+(\.\d+)*", str(results[name].fields["revision"])), name
    numbered = [
        name
        for name, meta in results.items()
        if re.fullmatch(r"CSC PR\.\d{3}", str(meta.fields.get("document_number", "")))
    ]
    assert len(numbered) > len(procedures) / 2
    assert all(meta.title for meta in results.values())
