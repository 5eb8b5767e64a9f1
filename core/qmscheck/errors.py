"""Errors that end a scan with exit code 2 and a message for the user, never a traceback."""

from __future__ import annotations


class QmscheckError(Exception):
    """A usage, configuration, plugin or rule-pack error; the message is shown as is."""


class ConfigError(QmscheckError):
    pass


class RulePackError(QmscheckError):
    pass


class PluginError(QmscheckError):
    pass


class ConnectorError(QmscheckError):
    """A whole source is unusable (server unreachable, bad credentials, missing module)."""
