"""Built-in connectors, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.collecting.connectors.base import Connector
from qmscheck.collecting.connectors.filesystem import FilesystemConnector
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_register_connectors(register: Callable[[Connector], None]) -> None:
    register(FilesystemConnector())
