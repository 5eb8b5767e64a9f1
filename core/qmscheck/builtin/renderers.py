"""Built-in renderers, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.hookspecs import hookimpl
from qmscheck.renderers.base import Renderer
from qmscheck.renderers.json import JsonRenderer
from qmscheck.renderers.text import TextRenderer


@hookimpl
def qmscheck_register_renderers(register: Callable[[Renderer], None]) -> None:
    register(TextRenderer())
    register(JsonRenderer())
