"""qmscheck: find where a quality management system falls short of ISO 9001, with the evidence to prove it.

The flow is collect (connectors -> evidence) then check (rule packs -> findings) then
report (renderers). Every stage is extended through the hooks in :mod:`qmscheck.hookspecs`.
"""

__version__ = "0.1.0"

#: Version of the plugin API (hooks and the objects they exchange). A rule pack or plugin
#: declares the API versions it supports; a mismatch is refused at load with a clear error.
API_VERSION = 2
