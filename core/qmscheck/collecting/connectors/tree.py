"""Read-only views of a folder tree: a local folder (os.scandir, fast) or any fsspec URL (smb://, sftp://, s3://).

A tree lists files as :class:`Entry` (relative posix path, size, mtime) and everything it
passes over as :class:`Skipped` with the reason, and hands out a local path to read
(remote files are copied to a private temporary folder, never written back).
Symlinks are followed only while they stay inside the root; loops are detected. A name that is
not valid UTF-8 is listed escaped (:func:`~qmscheck.support.safe_text.escape_name`) and opened by
its real name.
"""

from __future__ import annotations

import operator
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from qmscheck.errors import ConnectorError
from qmscheck.support.safe_text import credentials_problem, escape_name, redact, secrets_of, unescape_name
from qmscheck.support.safe_text import public_location as public_location  # the connectors name it from here

HIDDEN_PREFIXES = ("~$", ".~lock", ".")  # office lock files and hidden files
_name = operator.attrgetter("name")


@dataclass(frozen=True)
class Entry:
    relative: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    """Something the walk passed over. ``warn`` items become CollectionWarnings in a scan;
    the others (hidden files, lock files) are listed only by ``qmscheck inventory``."""

    relative: str
    reason: str
    warn: bool = True


#: qmscheck's own files, kept beside the evidence they describe: settings and decisions, never evidence.
OWN_FILES = frozenset({"qmscheck.toml", "qmscheck.decisions.toml"})
#: The name ``--output-dir`` gives a report: a report saved in the share is not evidence of the share.
OWN_REPORT_PREFIX = "qmscheck-report."


def hidden_reason(name: str) -> str | None:
    if name.startswith(("~$", ".~lock")):
        return "office lock file"
    if name in OWN_FILES:
        return "qmscheck's own settings, not evidence"
    if name.startswith(OWN_REPORT_PREFIX):
        return "a qmscheck report, not evidence"
    if name.startswith("."):
        return "hidden file or folder"
    return None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    return exc.strerror or str(exc)


class LocalTree:
    """A folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = escape_name(str(root.resolve()))

    def __repr__(self) -> str:
        return f"LocalTree({self.url})"

    def walk(self) -> Iterator[Entry | Skipped]:
        root_real = os.path.realpath(self.root)
        inside = root_real + os.sep
        visited = {root_real}
        # (folder to list, its real path, its relative path + "/"). A real folder's subfolder that is
        # not a link has the real path real/name: realpath() is needed only for links.
        stack: list[tuple[str, str, str]] = [(str(self.root), root_real, "")]
        s_isreg = stat.S_ISREG
        while stack:
            folder, folder_real, prefix = stack.pop()
            try:
                with os.scandir(folder) as iterator:
                    entries = sorted(iterator, key=_name)
            except OSError as exc:
                yield Skipped(prefix.rstrip("/") or ".", f"cannot list folder: {_os_reason(exc)}")
                continue
            subfolders: list[tuple[str, str, str]] = []
            names: set[str] | None = None
            for entry in entries:
                name = escape_name(entry.name)
                relative = prefix + name
                if name is not entry.name:
                    names = names if names is not None else {other.name for other in entries}
                    if name in names:
                        yield Skipped(relative, "its name is not UTF-8 and, escaped, is another file's name; not read")
                        continue
                if name.startswith(HIDDEN_PREFIXES):  # one test for the many that are not
                    hidden = hidden_reason(name)
                    if hidden:
                        yield Skipped(relative, hidden, warn=False)
                        continue
                try:
                    if entry.is_symlink():
                        target = os.path.realpath(entry.path)
                        if target != root_real and not target.startswith(inside):
                            yield Skipped(relative, "symlink points outside the scanned folder; not followed")
                            continue
                        info = os.stat(entry.path)  # follows the link (inside the root)
                        if stat.S_ISDIR(info.st_mode):
                            if target in visited:
                                yield Skipped(relative, "symlink loop or repeated folder; not followed again")
                                continue
                            visited.add(target)
                            subfolders.append((entry.path, target, relative + "/"))
                            continue
                    else:
                        if entry.is_dir(follow_symlinks=False):
                            real = os.path.join(folder_real, name)
                            visited.add(real)
                            subfolders.append((entry.path, real, relative + "/"))
                            continue
                        info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    yield Skipped(relative, "vanished during the scan (or a broken symlink)")
                    continue
                except OSError as exc:
                    yield Skipped(relative, f"cannot read: {_os_reason(exc)}")
                    continue
                if not s_isreg(info.st_mode):
                    yield Skipped(relative, "not a regular file", warn=False)
                    continue
                yield Entry(relative, info.st_size, info.st_mtime_ns)
            stack.extend(reversed(subfolders))

    def _real_path(self, relative: str) -> str:
        """The path on disk of a file the walk listed as ``relative``: its escaped names unescaped
        (a name that stands as it is wins; the walk skips an escaped name that equals one)."""
        if "\\" not in relative:
            return os.path.join(self.root, relative)
        path = str(self.root)
        for part in relative.split("/"):
            literal = os.path.join(path, part)
            real = unescape_name(part)
            path = literal if real is None or os.path.lexists(literal) else os.path.join(path, real)
        return path

    def stat(self, relative: str) -> Entry | None:
        """The file as the walk would list it; None where the walk would not (gone, not a regular
        file, or reached through a link that leaves the root)."""
        path = self._real_path(relative)
        try:
            root_real = os.path.realpath(self.root)
            if not os.path.realpath(path).startswith(root_real + os.sep):
                return None
            info = os.stat(path)
        except OSError:
            return None
        return Entry(relative, info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None

    @contextmanager
    def local_path(self, relative: str) -> Iterator[Path]:
        yield Path(self._real_path(relative))


def _mtime_ns(info: dict[str, Any]) -> int:
    for key in ("mtime", "modified", "LastModified", "last_modified", "updated", "time"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, datetime):
            return int(value.timestamp() * 1_000_000_000)
        if isinstance(value, int | float):
            return int(value * 1_000_000_000)
        if isinstance(value, str):
            try:
                return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1_000_000_000)
            except ValueError:
                continue
    return 0


def _is_authentication_error(exc: BaseException) -> bool:
    """paramiko's AuthenticationException (and its BadAuthenticationType, which hides a refused key
    behind "allowed types: ['publickey']"), smbprotocol's SMBAuthenticationError and LogonFailure."""
    return any("Authentication" in cls.__name__ or cls.__name__ == "LogonFailure" for cls in type(exc).__mro__)


class FsspecTree:
    """Any fsspec filesystem, opened read-only from a URL such as ``smb://host/share/folder``."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        try:
            import fsspec  # type: ignore[import-untyped, unused-ignore]
        except ImportError:  # pragma: no cover - fsspec is a dependency
            raise ConnectorError(f"{url}: reading URLs needs the 'fsspec' package") from None
        public = public_location(url)
        problem = credentials_problem(url)
        if problem:
            raise ConnectorError(f"{public}: {problem}")
        self.secrets = secrets_of(url, storage_options)
        try:
            self.fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
        except ImportError as exc:
            raise ConnectorError(f"{public}: this protocol needs an extra package ({exc})") from None
        except Exception as exc:  # each protocol has its own errors (logon failure, unknown host, ...)
            detail = redact(str(exc).replace(url, public), self.secrets)
            problem = "cannot connect"
            if _is_authentication_error(exc):
                problem += ": the server refused the login (check the user name and the password or key)"
            raise ConnectorError(f"{public}: {problem} ({type(exc).__name__}: {detail})") from None
        self.root = path.rstrip("/") or "/"
        self.url = public.rstrip("/")

    def __repr__(self) -> str:
        return f"FsspecTree({self.url})"

    def _path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def check(self) -> None:
        try:
            is_dir = self.fs.isdir(self.root)
        except Exception as exc:  # network errors come in many types
            problem = "cannot reach the folder"
            # Object stores check credentials on the first request, not on connecting (s3: a bad secret).
            if isinstance(exc, PermissionError) or _is_authentication_error(exc):
                problem += ": the server refused access (check the user name and the password or key)"
            detail = redact(str(exc), self.secrets)
            raise ConnectorError(f"{self.url}: {problem} ({type(exc).__name__}: {detail})") from None
        if not is_dir:
            raise ConnectorError(f"{self.url}: folder does not exist")

    def walk(self) -> Iterator[Entry | Skipped]:
        stack = [""]
        while stack:
            prefix = stack.pop()
            try:
                listing = self.fs.ls(self._path(prefix.rstrip("/")), detail=True)
            except Exception as exc:
                reason = _os_reason(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
                reason = redact(reason, self.secrets)
                yield Skipped(prefix.rstrip("/") or ".", f"cannot list folder: {reason}")
                continue
            subfolders = []
            for info in sorted(listing, key=lambda i: str(i["name"])):
                name = PurePosixPath(str(info["name"]).rstrip("/")).name
                relative = prefix + name
                hidden = hidden_reason(name)
                if hidden:
                    yield Skipped(relative, hidden, warn=False)
                elif info.get("type") == "directory":
                    subfolders.append(relative + "/")
                elif info.get("type") == "file":
                    yield Entry(relative, int(info.get("size") or 0), _mtime_ns(info))
                else:
                    yield Skipped(relative, f"not a regular file ({info.get('type')})", warn=False)
            stack.extend(reversed(subfolders))

    def stat(self, relative: str) -> Entry | None:
        """The file as the walk would list it; None where the walk would not."""
        try:
            info = self.fs.info(self._path(relative))
        except Exception:  # network errors come in many types; the walk reports them
            return None
        if info.get("type") != "file":
            return None
        return Entry(relative, int(info.get("size") or 0), _mtime_ns(info))

    @contextmanager
    def local_path(self, relative: str) -> Iterator[Path]:
        folder = tempfile.mkdtemp(prefix="qmscheck-")
        try:
            local = Path(folder) / PurePosixPath(relative).name
            try:
                self.fs.get_file(self._path(relative), str(local))
            except FileNotFoundError:
                raise
            except OSError:
                raise
            except Exception as exc:
                raise OSError(f"cannot fetch: {type(exc).__name__}: {redact(str(exc), self.secrets)}") from None
            yield local
        finally:
            shutil.rmtree(folder, ignore_errors=True)


Tree = LocalTree | FsspecTree


def open_tree(location: str, base_dir: Path, storage_options: dict[str, Any] | None = None) -> Tree:
    """A URL with a protocol other than file:// goes through fsspec; anything else is a local folder."""
    if "://" in location and not location.startswith("file://"):
        tree = FsspecTree(location, storage_options)
        tree.check()
        return tree
    path = Path(location.removeprefix("file://")).expanduser()
    root = path if path.is_absolute() else base_dir / path
    if not root.is_dir():
        raise ConnectorError(f"filesystem source: folder {root} does not exist")
    return LocalTree(root)
