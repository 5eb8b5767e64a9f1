"""Built-in renderers, registered like any plugin's: one module per format under :mod:`qmscheck.renderers`."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.hookspecs import hookimpl
from qmscheck.renderers.base import Renderer
from qmscheck.renderers.html import HtmlRenderer
from qmscheck.renderers.json import JsonRenderer
from qmscheck.renderers.junit import JunitRenderer
from qmscheck.renderers.markdown import MarkdownRenderer
from qmscheck.renderers.sarif import SarifRenderer
from qmscheck.renderers.text import TextRenderer


@hookimpl
def qmscheck_register_renderers(register: Callable[[Renderer], None]) -> None:
    for renderer in (
        TextRenderer(),
        JsonRenderer(),
        SarifRenderer(),
        JunitRenderer(),
        MarkdownRenderer(),
        HtmlRenderer(),
    ):
        register(renderer)
