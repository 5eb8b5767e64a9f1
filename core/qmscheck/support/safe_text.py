"""Names and secrets made safe to show: file names that are not valid UTF-8, text that would drive
a terminal, and URLs and options that carry a password.

A scanned share is untrusted, and so is every name and string read from it. Three defences, each
defined once here and used by every output:

- **Names that are not UTF-8.** POSIX allows any bytes but ``/`` and NUL in a file name; Python
  hands the bytes that are not UTF-8 over as lone surrogates (``surrogateescape``), which no UTF-8
  output, JSON document or SQLite text can hold. :func:`escape_name` writes such a name as valid
  text: each undecodable byte as ``\\xHH`` (two lowercase hex digits) and each backslash as ``\\\\``;
  a name that is valid UTF-8 is left exactly as it is. The escaped name is what evidence, the
  index and every report carry, and the escape is reversible (:func:`unescape_name`), so the file
  is opened by its real name and a rescan finds it under the same key.
- **Control characters.** Text from evidence (file and sheet names, titles, warnings) may hold
  ESC and OSC sequences, carriage returns, newlines or bidirectional overrides (trojan source).
  :func:`one_line` makes it one inert line for the text, Markdown and terminal reports, the
  inventory, and messages on stderr: line breaks and tabs become spaces, other C0 and C1
  controls and DEL ``\\xHH``, the bidi embeddings, overrides and isolates ``\\uHHHH``. HTML, JSON,
  SARIF and JUnit escape them in their own syntax.
- **Secrets in locations.** A source's URL may hold a user name and password, and a password may
  hold any character, ``#``, ``/``, ``?``, ``@`` and ``:`` among them, which a URL parser takes for
  the end of the password. :func:`public_location` drops everything between ``://`` and the last
  ``@`` that may end a password; :func:`redact` removes the password and every secret option's
  value from a message that may quote them (a library's error).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote, unquote

#: What escape_name rewrites in a name that is not valid UTF-8: a backslash, or a lone surrogate.
_TO_ESCAPE: Final = re.compile(r"[\\\ud800-\udfff]")
#: The escapes escape_name writes (and a backslash that starts none of them).
_ESCAPED: Final = re.compile(r"\\(?:(\\)|x([89a-f][0-9a-f])|u(d[89a-f][0-9a-f]{2}))|\\")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    # surrogateescape gives byte 0xHH as U+DC80..U+DCFF; other lone surrogates come from UTF-16 names.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_name(name: str) -> str:
    """``name`` as valid Unicode text (see the module's docstring); unchanged when it is already."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return _TO_ESCAPE.sub(_escape, name)
    return name


def unescape_name(text: str) -> str | None:
    """The name :func:`escape_name` wrote as ``text``; None when ``text`` is no such escape (it is
    then a name as it stands)."""
    if "\\" not in text:
        return None
    invalid = False

    def back(match: re.Match[str]) -> str:
        nonlocal invalid
        backslash, byte, surrogate = match.groups()
        if backslash:
            return "\\"
        if byte:
            return chr(0xDC00 + int(byte, 16))
        if surrogate:
            return chr(int(surrogate, 16))
        invalid = True
        return ""

    name = _ESCAPED.sub(back, text)
    return None if invalid or escape_name(name) != text else name


def url_path(path: str) -> str:
    """``path`` percent-encoded as a URL's path (every character but ``/`` and the unreserved ones),
    a name :func:`escape_name` wrote by its real bytes: ``bad\\xff.md`` gives ``bad%FF.md``, the
    file on disk, not a name with a backslash in it."""
    name = unescape_name(path)
    if name is None:
        return quote(path, safe="/")
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate of a UTF-16 name (\\udXXX), not a byte
        raw = name.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")


#: Line and paragraph breaks, tabs and the other characters str.splitlines() breaks a line at.
_BREAKS: Final = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
#: What one_line rewrites: breaks, C0 and C1 controls, DEL, bidi embeddings, overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069), and lone surrogates.
_UNSAFE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _neutral(match: re.Match[str]) -> str:
    char = match.group()
    if char in _BREAKS:
        return " "
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` as one line that cannot move the cursor, restyle or retitle a terminal, or reorder
    what is shown around it (see the module's docstring)."""
    return text if text.isprintable() else _UNSAFE.sub(_neutral, text)


def safe_lines(text: str) -> str:
    """:func:`one_line` for each line of a message that has several lines of its own."""
    return "\n".join(one_line(line) for line in text.split("\n"))


def _credentials_end(rest: str) -> int:
    """Where the user name and password end in ``rest`` (a URL after ``://``): at the ``@`` before
    the host, or -1. A password may hold any character, so after a ``:`` the last ``@`` ends it; a
    user name alone ends before the first ``/``, ``?`` or ``#``."""
    at = rest.rfind("@")
    if at < 0:
        return -1
    if ":" in rest[:at]:
        return at
    end = min((index for index in map(rest.find, "/?#") if index >= 0), default=len(rest))
    return rest.rfind("@", 0, end)


def public_location(location: str) -> str:
    """``location`` without the user name and password a URL may carry, for reports, messages and
    index keys; anything else unchanged. Where a path holds an ``@`` after a ``:`` it may be cut
    short: hiding too much is the safe side."""
    scheme, sep, rest = location.partition("://")
    if not sep:
        return location
    end = _credentials_end(rest)
    return location if end < 0 else f"{scheme}://{rest[end + 1 :]}"


#: Characters a URL's user name and password cannot hold as they are (RFC 3986 userinfo).
_NOT_IN_USERINFO: Final = re.compile(r"[/?#@\[\]\s]")


def credentials_problem(location: str) -> str | None:
    """Why the user name and password in ``location`` cannot be read as written, or None: a
    character such as ``#`` or ``/`` ends them early for every URL parser, so the login would fail
    with a piece of the password in the error."""
    _, sep, rest = location.partition("://")
    end = _credentials_end(rest) if sep else -1
    if end < 0 or not _NOT_IN_USERINFO.search(rest[:end]):
        return None
    return (
        "the password (or user name) in the URL holds a character a URL cannot carry as it is "
        "(# / ? @ [ ] or a space); percent-encode it (# as %23, / as %2F, ? as %3F, @ as %40), "
        "or better, leave it out of the URL and name the variable that holds it with password_env"
    )


#: Option names whose values are secrets (storage_options passed to fsspec, and the password
#: that password_env supplies).
SECRET_OPTION: Final = re.compile(r"pass|secret|token|key|credential|auth", re.IGNORECASE)
#: Values shorter than this are not searched for in messages: they would blank out ordinary words.
_SHORTEST_SECRET: Final = 4


def secrets_of(location: str, options: Mapping[str, Any] | None = None) -> list[str]:
    """The secrets a source is opened with: the password in its URL (as written and decoded) and
    the values of its secret options, longest first."""
    found: set[str] = set()
    _, sep, rest = location.partition("://")
    end = _credentials_end(rest) if sep else -1
    if end >= 0:
        _, colon, password = rest[:end].partition(":")
        if colon:
            found.update({password, unquote(password)})
    for name, value in (options or {}).items():
        if SECRET_OPTION.search(str(name)) and isinstance(value, str | bytes):
            found.add(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
    return sorted((secret for secret in found if len(secret) >= _SHORTEST_SECRET), key=lambda s: (-len(s), s))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` (:func:`secrets_of`) replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
