"""Built-in renderers, registered like any plugin's: one module per format under :mod:`qmscheck.rendering`."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.hookspecs import hookimpl
from qmscheck.rendering.base import Renderer
from qmscheck.rendering.html import HtmlRenderer
from qmscheck.rendering.json import JsonRenderer
from qmscheck.rendering.junit import JunitRenderer
from qmscheck.rendering.markdown import MarkdownRenderer
from qmscheck.rendering.sarif import SarifRenderer
from qmscheck.rendering.text import TextRenderer


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
