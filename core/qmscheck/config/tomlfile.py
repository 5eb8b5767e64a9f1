"""Reading the TOML files users and pack authors write, with errors that name the file and the key path."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmscheck.errors import QmscheckError

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

__all__ = ["MAX_TOML_BYTES", "did_you_mean", "json_path", "key_path", "read_toml", "shown", "validation_problems"]


def json_path(location: Sequence[Any]) -> str:
    """``$.rules[0].grade``: where a value is, as JSON Schema tools and rule-pack errors say it."""
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def key_path(location: Sequence[Any]) -> str:
    """``sources[1].max_file_size``: where a value is, as it is written in a TOML file."""
    return json_path(location).removeprefix("$").removeprefix(".")


def shown(value: object) -> str:
    """``value`` as an error quotes it, cut short: a value of 400 digits is named, not repeated."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    """``; did you mean '2015'?`` when one of ``choices`` is close to ``value``, else an empty string."""
    by_text = {str(choice): choice for choice in choices}
    close = difflib.get_close_matches(str(value), list(by_text), n=1)
    return f"; did you mean {by_text[close[0]]!r}?" if close else ""


#: The largest settings file read: a config, decisions file or rule file is a few kilobytes, and a
#: file planted in a share must not make qmscheck read gigabytes before it says no.
MAX_TOML_BYTES = 10 * 1024 * 1024


def read_toml(source: Path, error: type[QmscheckError]) -> dict[str, Any]:
    """The parsed file, or ``error`` with a message naming the file and what is wrong with it.

    A byte order mark is allowed (editors on Windows write one); nesting too deep for the parser is
    an error about the file, not a crash."""
    try:
        with source.open("rb") as handle:
            raw = handle.read(MAX_TOML_BYTES + 1)
        if len(raw) > MAX_TOML_BYTES:
            raise error(f"{source}: larger than {MAX_TOML_BYTES // 1024 // 1024} MiB, too large for a settings file")
        return tomllib.loads(raw.decode("utf-8-sig"))
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{source}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise error(f"{source}: arrays or tables nested too deeply to read") from None


def validation_problems(
    exc: ValidationError, model: type[BaseModel], prefix: Sequence[Any] = ()
) -> list[tuple[str, str]]:
    """(key path, message) for each error of validating ``model``, in the file's own terms.

    A value outside a fixed set names the set and the closest member; an unknown key names the
    closest key the table allows. The schema of ``model`` says which values and keys those are.
    """
    schema = model.model_json_schema()
    problems = []
    for error in exc.errors():
        location = error["loc"]
        given = error.get("input")
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            known = sorted({key for part in _schemas_at(schema, location[:-1]) for key in part.get("properties", {})})
            message = f"unknown key (known: {', '.join(known)}){did_you_mean(location[-1], known)}"
        elif error["type"] in ("literal_error", "enum"):
            allowed = [value for part in _schemas_at(schema, location) for value in _allowed(part)]
            message = f"{message}, not {shown(given)}{did_you_mean(given, allowed)}"
        elif isinstance(given, str | int | float) and not isinstance(given, bool) and error["type"] != "missing":
            message = f"{message}, not {shown(given)}"
        problems.append((key_path([*prefix, *location]), message))
    return problems


def _allowed(schema: dict[str, Any]) -> list[Any]:
    return list(schema["enum"]) if "enum" in schema else [schema["const"]] if "const" in schema else []


def _schemas_at(root: dict[str, Any], location: Sequence[Any]) -> list[dict[str, Any]]:
    """The subschemas (one per alternative of a union) that validate the value at ``location``."""
    current = _alternatives(root, [root])
    for part in location:
        inner: list[dict[str, Any]] = []
        for schema in current:
            if isinstance(part, int) and "items" in schema:
                inner.append(schema["items"])
            elif isinstance(part, str) and part in schema.get("properties", {}):
                inner.append(schema["properties"][part])
        current = _alternatives(root, inner)
    return current


def _alternatives(root: dict[str, Any], schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``schemas`` with references followed and unions (``X | None``, ``anyOf``) spread out."""
    found: list[dict[str, Any]] = []
    for schema in schemas:
        if "$ref" in schema:
            found += _alternatives(root, [root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]])
        elif "anyOf" in schema or "oneOf" in schema:
            found += _alternatives(root, schema.get("anyOf", []) + schema.get("oneOf", []))
        else:
            found.append(schema)
    return found
