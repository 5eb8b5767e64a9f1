"""qmscheck-iso13485: the ISO 13485:2016 rule pack (medical devices), built on the ISO 9001 base pack.

The pack is data beside this file: ``pack.toml`` (the standard, its clause tree, what it lets an
organisation exclude, the evidence types it adds and its overlays on base rules), ``rules/`` (one
file per clause), ``cases/`` (a passing and a failing case for every rule), ``vocabulary/``
(English and German words for its evidence types and fields) and ``crosswalk.toml`` (its clauses
against ISO 9001:2015). An organisation selects it with ``[scan] packs = ["iso9001", "iso13485"]``.
"""

from __future__ import annotations

__version__ = "0.1.0"
