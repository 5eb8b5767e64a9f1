"""The vendor test kit: what ``qmscheck pack new``, ``pack check`` and ``pack test`` and the pytest
plugin do with a pack folder (a folder with a ``pack.toml``) that need not be installed.

A pack under test is loaded with the installed packs it depends on (the base pack among them), as a
scan that selects it would load it: dependencies, overlays and check kinds are the real ones.
"""

from __future__ import annotations

from qmscheck.packtools.check import check_pack
from qmscheck.packtools.scaffold import new_pack
from qmscheck.packtools.test import CaseResult, run_pack_cases
from qmscheck.packtools.under_test import MANIFEST, PackUnderTest, manifest_path, open_pack

__all__ = [
    "MANIFEST",
    "CaseResult",
    "PackUnderTest",
    "check_pack",
    "manifest_path",
    "new_pack",
    "open_pack",
    "run_pack_cases",
]
