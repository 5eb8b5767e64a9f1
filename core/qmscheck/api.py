"""The one import path for plugin authors: everything a connector, a check primitive, a
classifier, a renderer or a rule pack needs, and nothing else.

Write ``from qmscheck.api import hookimpl, Connector, EvidenceItem`` rather than importing
from the stage packages: those are qmscheck's own rooms and may be rearranged between
releases, while the names here change only with :data:`API_VERSION` (a plugin or pack
declares the API versions it supports). The hooks themselves are documented in
:mod:`qmscheck.hookspecs`; helpers for testing a pack are in :mod:`qmscheck.testing`.

A minimal plugin: a rule pack described by its manifest (``docs/vendor-guide.md``)::

    from qmscheck.api import RulePack, hookimpl

    @hookimpl
    def qmscheck_register_rule_packs(register):
        register(RulePack.from_manifest(Path(__file__).parent / "pack.toml"))
"""

from __future__ import annotations

from qmscheck import API_VERSION, __version__
from qmscheck.checking.manifest import PackManifest, Standard
from qmscheck.checking.packs import RulePack
from qmscheck.checking.primitives.base import CheckContext, CheckPrimitive, Groupwise, RuleContext
from qmscheck.checking.rule_model import CheckParams, Rule
from qmscheck.checking.vocabulary_check import EvidenceTypeName, FieldName
from qmscheck.collecting.classification import Candidate, Classification
from qmscheck.collecting.connectors.base import CollectContext, Collected, Connector
from qmscheck.collecting.connectors.mapping import split_fields
from qmscheck.errors import ConnectorError, QmscheckError
from qmscheck.hookspecs import hookimpl
from qmscheck.model.digest import canonical_json, values_sha256
from qmscheck.model.evidence import (
    AttributeValue,
    CollectionWarning,
    Dates,
    EvidenceItem,
    Kind,
    Locator,
    Provenance,
)
from qmscheck.model.evidence_types import kind_of
from qmscheck.model.grades import Grade
from qmscheck.model.periods import PERIOD_PATTERN, Period
from qmscheck.model.report import EvidenceRef, Finding, Report
from qmscheck.model.verdicts import Cited, Failure, GroupSummary, Place
from qmscheck.rendering.base import Renderer

__all__ = [
    "API_VERSION",
    "PERIOD_PATTERN",
    "AttributeValue",
    "Candidate",
    "CheckContext",
    "CheckParams",
    "CheckPrimitive",
    "Cited",
    "Classification",
    "CollectContext",
    "Collected",
    "CollectionWarning",
    "Connector",
    "ConnectorError",
    "Dates",
    "EvidenceItem",
    "EvidenceRef",
    "EvidenceTypeName",
    "Failure",
    "FieldName",
    "Finding",
    "Grade",
    "GroupSummary",
    "Groupwise",
    "Kind",
    "Locator",
    "PackManifest",
    "Period",
    "Place",
    "Provenance",
    "QmscheckError",
    "Renderer",
    "Report",
    "Rule",
    "RuleContext",
    "RulePack",
    "Standard",
    "__version__",
    "canonical_json",
    "hookimpl",
    "kind_of",
    "split_fields",
    "values_sha256",
]
