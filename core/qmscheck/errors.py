"""The exit codes of every ``qmscheck`` command and the errors that end a command with a message, never a traceback."""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar

__all__ = [
    "ConfigError",
    "ConnectorError",
    "ExitCode",
    "PluginError",
    "PluginFailure",
    "QmscheckError",
    "RulePackError",
]


class ExitCode(IntEnum):
    """What a script or CI gate can rely on: findings (1) are never confused with a broken run (2, 3)."""

    #: Nothing at or above the ``--fail-on`` grade.
    OK = 0
    #: Findings at or above the ``--fail-on`` grade.
    FINDINGS = 1
    #: A usage, configuration, rule-pack or source error: the user can fix it from the message.
    USAGE_ERROR = 2
    #: A bug in qmscheck, or a plugin that failed to load or register: the results cannot be trusted.
    INTERNAL_ERROR = 3
    #: Interrupted (Ctrl-C), as shells report a process ended by SIGINT.
    INTERRUPTED = 130


class QmscheckError(Exception):
    """A usage, configuration, plugin or rule-pack error; the message is shown as is."""

    exit_code: ClassVar[ExitCode] = ExitCode.USAGE_ERROR


class ConfigError(QmscheckError):
    """A value of ``qmscheck.toml`` or of a command-line option that qmscheck cannot use."""


class RulePackError(QmscheckError):
    pass


class PluginError(QmscheckError):
    """A plugin asked for something that is not there (an unknown connector, check or format)."""


class PluginFailure(QmscheckError):
    """A plugin failed to load or to register: what it provides is missing, so no result is trustworthy."""

    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL_ERROR


class ConnectorError(QmscheckError):
    """A whole source is unusable (server unreachable, bad credentials, missing module)."""
