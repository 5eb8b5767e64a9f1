"""Read-only views of a folder tree: a local folder (os.scandir, fast) or any fsspec URL (smb://, sftp://, s3://).

A tree lists files as :class:`Entry` (relative posix path, size, mtime) and everything it
passes over as :class:`Skipped` with the reason, and hands out a local path to read
(remote files are copied to a private temporary folder, never written back).
Symlinks are followed only while they stay inside the root; loops are detected. A name that is
not valid UTF-8 is listed escaped (:func:`~qmscheck.support.safe_text.escape_name`) and opened by
its real name.
"""

from __future__ import annotations

import contextlib
import errno
import operator
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, TypeVar

from qmscheck.errors import ConnectorError
from qmscheck.support.safe_text import credentials_problem, escape_name, redact, secrets_of, unescape_name
from qmscheck.support.safe_text import public_location as public_location  # the connectors name it from here
from qmscheck.support.written import is_written_report, recorded

_T = TypeVar("_T")
# Office lock files, hidden files, and qmscheck's own (hidden_reason tells which).
HIDDEN_PREFIXES = ("~$", ".~lock", ".", "qmscheck")
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
    #: A folder that could not be listed: what it holds, and how much, is unknown.
    folder: bool = False


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
        self._real = os.path.realpath(root)
        self.url = escape_name(str(root.resolve()))

    def __repr__(self) -> str:
        return f"LocalTree({self.url})"

    def walk(self) -> Iterator[Entry | Skipped]:
        root_real = os.path.realpath(self.root)
        inside = root_real + os.sep
        visited = {root_real}
        # The reports qmscheck wrote into this folder (-o): passed over while they hold what was written.
        reports = {path: digest for path, digest in recorded().items() if path.startswith(inside)}
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
                yield Skipped(prefix.rstrip("/") or ".", f"cannot list folder: {_os_reason(exc)}", folder=True)
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
                        real_file = target
                    else:
                        if entry.is_dir(follow_symlinks=False):
                            real = os.path.join(folder_real, entry.name)
                            visited.add(real)
                            subfolders.append((entry.path, real, relative + "/"))
                            continue
                        info = entry.stat(follow_symlinks=False)
                        real_file = os.path.join(folder_real, entry.name)
                except FileNotFoundError:
                    yield Skipped(relative, "vanished during the scan (or a broken symlink)")
                    continue
                except OSError as exc:
                    yield Skipped(relative, f"cannot read: {_os_reason(exc)}")
                    continue
                if not s_isreg(info.st_mode):
                    yield Skipped(relative, "not a regular file", warn=False)
                    continue
                if reports and is_written_report(real_file, reports):
                    yield Skipped(relative, "a report qmscheck wrote here, not evidence", warn=False)
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

    def open_listed(self, relative: str) -> BinaryIO:
        """The listed file, opened for reading only if it is still what the walk would list: a
        regular file reached through no link that leaves the root. Raises :class:`Refused` for a
        file or folder swapped for such a link after the listing, and for a FIFO, device or socket
        however it appears (opened without blocking, then judged by ``fstat`` on the handle).

        The path is resolved first (a link inside the root is followed, as by the walk), then each
        folder of the resolved path is opened from the one above without following links: a link
        swapped in meanwhile fails to open rather than being followed."""
        with self.local_path(relative) as path:
            real = os.path.realpath(path)
        if not real.startswith(self._real + os.sep):
            raise Refused("it is a link out of the scanned folder (changed since it was listed); not followed")
        *folders, name = os.path.relpath(real, self._real).split(os.sep)
        no_link = os.O_RDONLY | os.O_NOFOLLOW
        folder = os.open(self._real, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in folders:
                inner = os.open(part, no_link | os.O_DIRECTORY, dir_fd=folder)
                os.close(folder)
                folder = inner
            handle = os.open(name, no_link | os.O_NONBLOCK, dir_fd=folder)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise Refused("a link was swapped in after it was listed; not followed") from None
            if exc.errno == errno.ENXIO:  # a socket
                raise Refused("not a regular file (changed since it was listed)") from None
            raise
        finally:
            os.close(folder)
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            raise Refused("not a regular file (changed since it was listed)")
        return os.fdopen(handle, "rb")


class Refused(Exception):
    """A file that is no longer what was listed: the message says why it was not read."""


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


def _host_key_problem(exc: BaseException) -> str | None:
    if not any(cls.__module__.startswith("paramiko") for cls in type(exc).__mro__):
        return None  # paramiko (and the sftp module) is imported only for an sftp source
    from qmscheck.collecting.connectors.sftp import host_key_problem

    return host_key_problem(exc)


#: Errors that say the file or folder itself is missing or refused: the same answer on every try.
_LASTING_ERRNOS = frozenset({errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR})
#: The SMB answers (NTSTATUS) that say the session, not the file, is gone: a new one is worth a try.
#: Any other answer is the server's word on the file (access denied, sharing violation, ...).
_SMB_SESSION_GONE = frozenset({0xC000035C, 0xC0000203, 0xC00000C9, 0xC000020C, 0xC0000128})
_SMB_ACCESS_DENIED = 0xC0000022


def _lasting(exc: BaseException, *, logging_in: bool = False) -> bool:
    """True for an answer the server would give again (no such file, access denied, a refused host
    key, a login refused ``logging_in``, a name or reply that cannot be decoded); False for a
    failure of the connection (closed, reset, timed out), worth a new one. Outside a login, an
    authentication error is a session the connection lost: smbprotocol then tries to open a new
    one without the password."""
    if isinstance(exc, FileNotFoundError | PermissionError | NotADirectoryError | IsADirectoryError):
        return True
    if isinstance(exc, UnicodeError):  # what the server sent cannot be decoded: it would send it again
        return True
    if isinstance(exc, OSError) and exc.errno in _LASTING_ERRNOS:
        return True
    status = getattr(exc, "ntstatus", None)  # smbprotocol's SMBOSError: the server answered
    if isinstance(status, int):
        return status not in _SMB_SESSION_GONE
    return (logging_in and _is_authentication_error(exc)) or _host_key_problem(exc) is not None


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, _GaveUp):
        return str(exc)
    if getattr(exc, "ntstatus", None) == _SMB_ACCESS_DENIED:
        return "permission denied"
    return _os_reason(exc) if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Retry:
    """How often a remote operation whose connection failed is tried again, over a new connection:
    ``attempts`` tries in all, the first wait ``wait`` seconds, each next one twice as long (at most
    :data:`MAX_WAIT`), and no try started ``deadline`` seconds after the first."""

    attempts: int = 6
    wait: float = 1.0
    deadline: float = 120.0

    #: The longest single wait: a server being restarted is back within it.
    MAX_WAIT = 16.0

    @classmethod
    def of(cls, value: object) -> Retry:
        """The source's ``retry`` table (``{ attempts = 6, wait = 1, deadline = 120 }``), checked."""
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ConnectorError("filesystem source: retry must be a table such as { attempts = 6, wait = 1 }")
        unknown = sorted(set(value) - {"attempts", "wait", "deadline"})
        if unknown:
            raise ConnectorError(
                f"filesystem source: retry has no option {', '.join(unknown)} (it takes attempts, wait, deadline)"
            )
        retry = cls()
        for name, low, high in (("attempts", 1, 100), ("wait", 0, 600), ("deadline", 0, 86_400)):
            number = value.get(name, getattr(retry, name))
            if isinstance(number, bool) or not isinstance(number, int | float) or not low <= number <= high:
                raise ConnectorError(f"filesystem source: retry.{name} must be a number from {low} to {high}")
            if name == "attempts" and not isinstance(number, int):
                raise ConnectorError("filesystem source: retry.attempts must be a whole number")
        return cls(
            int(value.get("attempts", retry.attempts)),
            float(value.get("wait", retry.wait)),
            float(value.get("deadline", retry.deadline)),
        )

    def waits(self) -> Iterator[float]:
        """The waits before the second, third, ... try."""
        wait = self.wait
        for _ in range(self.attempts - 1):
            yield wait
            wait = min(wait * 2, self.MAX_WAIT)


@dataclass(frozen=True)
class Remote:
    """A remote source's connection options beside fsspec's own (``storage_options``): how to
    bridge a dropped connection, and which sftp host keys to trust."""

    retry: Retry = field(default_factory=Retry)
    #: known_hosts files for sftp (empty: OpenSSH's defaults, ~/.ssh/known_hosts and the machine's).
    known_hosts: tuple[str, ...] = ()
    #: False only with ``insecure_skip_host_key_check = true``: any sftp host key is accepted.
    check_host_key: bool = True

    @classmethod
    def of(cls, options: dict[str, Any], base_dir: Path) -> Remote:
        """From a ``[[sources]]`` table's ``retry``, ``known_hosts`` (a file or a list of files,
        relative to the config's folder) and ``insecure_skip_host_key_check``."""
        known = options.get("known_hosts") or []
        if isinstance(known, str):
            known = [known]
        if not isinstance(known, list) or not all(isinstance(p, str) and p for p in known):
            raise ConnectorError("filesystem source: known_hosts must be a file name or a list of file names")
        skip = options.get("insecure_skip_host_key_check", False)
        if not isinstance(skip, bool):
            raise ConnectorError("filesystem source: insecure_skip_host_key_check must be true or false")
        return cls(
            Retry.of(options.get("retry")),
            tuple(str(base_dir / Path(p).expanduser()) for p in known),
            not skip,
        )


class FsspecTree:
    """Any fsspec filesystem, opened read-only from a URL such as ``smb://host/share/folder``.

    A connection that fails while the share is listed or read is made again (logging in again) and
    the operation tried again, as :class:`Retry` says; what still fails is a warning for that folder
    or file. Once an operation has used up its tries, the next ones are tried once each (over a new
    connection) until one succeeds: a server gone for good costs one round of waits, not one per file.
    """

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None, remote: Remote | None = None) -> None:
        try:
            import fsspec  # type: ignore[import-untyped, unused-ignore]
        except ImportError:  # pragma: no cover - fsspec is a dependency
            raise ConnectorError(f"{url}: reading URLs needs the 'fsspec' package") from None
        public = public_location(url)
        problem = credentials_problem(url)
        if problem is not None:
            raise ConnectorError(f"{public}: {problem}")
        self.remote = remote or Remote()
        #: Every message this tree gives is cleared of them: a server may echo a login in its errors.
        self.secrets = secrets_of(url, storage_options)
        try:
            self.fs, path = self._connect(fsspec, url, dict(storage_options or {}))
        except ImportError as exc:
            raise ConnectorError(f"{public}: this protocol needs an extra package ({exc})") from None
        except Exception as exc:  # each protocol has its own errors (logon failure, unknown host, ...)
            host_key = _host_key_problem(exc)
            if host_key is not None:
                raise ConnectorError(f"{public}: refused to connect: {host_key}") from None
            detail = redact(str(exc).replace(url, public), self.secrets)
            problem = "cannot connect"
            if _is_authentication_error(exc):
                problem += ": the server refused the login (check the user name and the password or key)"
            raise ConnectorError(f"{public}: {problem} ({type(exc).__name__}: {detail})") from None
        self.root = path.rstrip("/") or "/"
        self.url = public.rstrip("/")

    def _connect(self, fsspec: Any, url: str, options: dict[str, Any]) -> tuple[Any, str]:
        protocol = url.partition("://")[0].lower()
        if protocol in ("sftp", "ssh"):
            from qmscheck.collecting.connectors.sftp import CheckedSFTPFileSystem

            kwargs = {**CheckedSFTPFileSystem._get_kwargs_from_urls(url), **options}
            fs = CheckedSFTPFileSystem(
                known_hosts=self.remote.known_hosts or None, check_host_key=self.remote.check_host_key, **kwargs
            )
            return fs, CheckedSFTPFileSystem._strip_protocol(url)
        if protocol == "smb":
            # fsspec would try to log in again and again itself, with waits of its own: the tries are
            # counted and waited for here, alike for every protocol.
            options.setdefault("register_session_retries", 0)
        fs, path = fsspec.core.url_to_fs(url, **options)
        return fs, str(path)

    def __repr__(self) -> str:
        return f"FsspecTree({self.url})"

    def _path(self, relative: str) -> str:
        """The server's path of what the walk listed as ``relative``: its escaped names unescaped (a
        name that stands as it is wins, as in :meth:`LocalTree._real_path`; only a name holding a
        backslash costs a look-up)."""
        if not relative:
            return self.root
        if "\\" not in relative:
            return f"{self.root}/{relative}"
        path = self.root
        for part in relative.split("/"):
            real = unescape_name(part)
            literal = f"{path}/{part}"
            path = literal if real is None or self.fs.exists(literal) else f"{path}/{real}"
        return path

    def _error_text(self, exc: BaseException) -> str:
        return redact(_error_text(exc), self.secrets)

    def _reconnect(self) -> None:
        """A new connection and login in place of one that failed (s3 and the like open connections
        per request, and need none)."""
        fs = self.fs
        reconnect = getattr(fs, "reconnect", None)  # sftp
        if reconnect is not None:
            reconnect()
        elif "smb" in fs.protocol:
            import smbclient  # type: ignore[import-untyped, unused-ignore]

            # smbprotocol keeps the dead connection, and would open a session there without the password.
            with contextlib.suppress(Exception):
                smbclient.delete_session(fs.host, port=fs._port, timeout=1)
            fs._connect()
        fs.invalidate_cache()

    def _tried(self, operation: Callable[[], _T]) -> _T:
        """``operation``, tried again over a new connection while the connection fails. The last
        error is raised, its message saying how often and for how long it was tried."""
        retry = self.remote.retry
        failing = self.url in _FAILING
        waits = iter(()) if failing else retry.waits()
        start = time.monotonic()
        tries = 0
        while True:
            tries += 1
            try:
                result = operation()
            except Exception as exc:
                if _lasting(exc):
                    raise
                wait = next(waits, None)
                if failing and tries == 1:
                    wait = 0.0  # one new connection, once the server seemed gone
                if wait is None or time.monotonic() - start + wait > retry.deadline:
                    _FAILING.add(self.url)
                    elapsed = time.monotonic() - start
                    raise _GaveUp(
                        f"{self._error_text(exc)} (the connection failed {tries} times in {elapsed:.0f} s)"
                    ) from exc
                time.sleep(wait)
                try:
                    self._reconnect()
                except Exception as again:
                    if _lasting(again, logging_in=True):  # a login refused on reconnecting stays refused
                        raise
                continue
            _FAILING.discard(self.url)
            return result

    def check(self) -> None:
        try:
            # fsspec hands out one filesystem per set of options: its connection may be one an earlier
            # scan in this process left behind, dropped since.
            is_dir = self._tried(lambda: self.fs.isdir(self.root))
        except Exception as exc:  # network errors come in many types
            problem = "cannot reach the folder"
            # Object stores check credentials on the first request, not on connecting (s3: a bad secret).
            if isinstance(exc, PermissionError) or _is_authentication_error(exc):
                problem += ": the server refused access (check the user name and the password or key)"
            raise ConnectorError(f"{self.url}: {problem} ({self._error_text(exc)})") from None
        if not is_dir:
            raise ConnectorError(f"{self.url}: folder does not exist")

    def walk(self) -> Iterator[Entry | Skipped]:
        stack = [""]
        while stack:
            prefix = stack.pop()
            folder = self._path(prefix.rstrip("/"))
            try:
                listing = self._tried(lambda folder=folder: self.fs.ls(folder, detail=True))  # type: ignore[misc]
            except Exception as exc:
                yield Skipped(prefix.rstrip("/") or ".", f"cannot list folder: {self._error_text(exc)}", folder=True)
                continue
            subfolders = []
            raw_names = [_listed_name(info["name"]) for info in listing]
            names: set[str] | None = None
            for raw, info in sorted(zip(raw_names, listing, strict=True), key=operator.itemgetter(0)):
                name = escape_name(raw)
                relative = prefix + name
                if name is not raw:
                    names = names if names is not None else set(raw_names)
                    if name in names:
                        yield Skipped(relative, "its name is not UTF-8 and, escaped, is another file's name; not read")
                        continue
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
            info = self._tried(lambda: self.fs.info(self._path(relative)))
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
                self._tried(lambda: self.fs.get_file(self._path(relative), str(local)))
            except OSError:
                raise
            except Exception as exc:
                raise OSError(f"cannot fetch: {self._error_text(exc)}") from None
            yield local
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _listed_name(path: str | bytes) -> str:
    """The last name of a path fsspec listed, as Python holds a local name: bytes that are not UTF-8
    as lone surrogates (``surrogateescape``), for :func:`escape_name`."""
    if isinstance(path, bytes):
        path = path.decode("utf-8", "surrogateescape")
    return PurePosixPath(path.rstrip("/")).name


#: The sources whose connection failed after every try, in this process: a worker process reads file
#: after file of a source, each through its own copy of the tree, and should not wait for each.
_FAILING: set[str] = set()


class _GaveUp(Exception):
    """An operation whose connection kept failing, after every try: the message says how it failed."""


Tree = LocalTree | FsspecTree


def open_tree(
    location: str, base_dir: Path, storage_options: dict[str, Any] | None = None, remote: Remote | None = None
) -> Tree:
    """A URL with a protocol other than file:// goes through fsspec; anything else is a local folder."""
    if "://" in location and not location.startswith("file://"):
        tree = FsspecTree(location, storage_options, remote)
        tree.check()
        return tree
    path = Path(location.removeprefix("file://")).expanduser()
    root = path if path.is_absolute() else base_dir / path
    if not root.is_dir():
        raise ConnectorError(f"filesystem source: folder {root} does not exist")
    return LocalTree(root)
