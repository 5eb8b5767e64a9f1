"""sftp:// with the server's host key checked before any credential is sent.

fsspec's SFTP filesystem accepts whatever host key a server presents (paramiko's AutoAddPolicy):
anyone who can answer for the host name receives the password, and serves the scan whatever
"evidence" they like. Here the key must be one the user already
trusts, found in known_hosts files (OpenSSH's format, hashed names included); an unknown host is an
error that says how to add its key, a different key is an error that says the server may be an
impostor. Only a source that says ``insecure_skip_host_key_check = true`` accepts any key.

Imported only for an sftp:// source: paramiko is an optional dependency.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped, unused-ignore]
from fsspec.implementations.sftp import SFTPFileSystem  # type: ignore[import-untyped, unused-ignore]
from paramiko.sftp import CMD_CLOSE, CMD_HANDLE, CMD_NAME, CMD_OPENDIR, CMD_READDIR, SFTPError  # type: ignore[import-untyped, unused-ignore]

#: Where OpenSSH looks when the user names no file: the user's own, then the machine's.
DEFAULT_KNOWN_HOSTS = ("~/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts")


class UnknownHostKeyError(paramiko.SSHException):  # type: ignore[misc, unused-ignore]
    """The server's host is in none of the known_hosts files."""


def _port_and_host(hostname: str) -> tuple[str, str]:
    """paramiko names a host on another port than 22 '[host]:port', as known_hosts does."""
    if hostname.startswith("[") and "]:" in hostname:
        host, _, port = hostname[1:].partition("]:")
        return host, port
    return hostname, "22"


class _RefuseUnknownHost(paramiko.MissingHostKeyPolicy):  # type: ignore[misc, unused-ignore]
    def __init__(self, files: tuple[str, ...]) -> None:
        self.files = files

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        host, port = _port_and_host(hostname)
        scan = f"ssh-keyscan{'' if port == '22' else f' -p {port}'} {host}"
        raise UnknownHostKeyError(
            f"the host key of {hostname} ({key.get_name()} {key.fingerprint}) is in no known_hosts file "
            f"({', '.join(self.files)}): check that fingerprint with the server's administrator, then add the "
            f"key (`{scan} >> ~/.ssh/known_hosts`, or a file the source names with known_hosts)"
        )


class CheckedSFTPFileSystem(SFTPFileSystem):  # type: ignore[misc, unused-ignore]
    """fsspec's SFTP filesystem, connecting only to a server whose host key is known.

    ``known_hosts``: the files to trust (None: :data:`DEFAULT_KNOWN_HOSTS`); ``check_host_key``
    False accepts any key (``insecure_skip_host_key_check``)."""

    def __init__(
        self, host: str, known_hosts: tuple[str, ...] | None = None, check_host_key: bool = True, **ssh_kwargs: Any
    ) -> None:
        # Set before fsspec connects, in its __init__; a cached instance has the same values.
        self.known_hosts = tuple(str(Path(p).expanduser()) for p in (known_hosts or DEFAULT_KNOWN_HOSTS))
        self.check_host_key = check_host_key
        super().__init__(host, **ssh_kwargs)

    def _connect(self) -> None:
        client = paramiko.SSHClient()
        if self.check_host_key:
            for path in self.known_hosts:
                if Path(path).is_file():
                    client.load_system_host_keys(path)  # read only: paramiko never writes these back
            client.set_missing_host_key_policy(_RefuseUnknownHost(self.known_hosts))
        else:
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # in memory only
        client.connect(self.host, **self.ssh_kwargs)
        self.client = client
        self.ftp = _AnyNames.from_transport(client.get_transport())

    def reconnect(self) -> None:
        """A new SSH connection (and login) in place of one that dropped."""
        with contextlib.suppress(Exception):  # a dead connection may fail to close; it is dropped either way
            self.client.close()
        self._connect()


class _AnyNames(paramiko.SFTPClient):  # type: ignore[misc, unused-ignore]
    """paramiko's SFTP client, carrying any name the server's filesystem allows. paramiko decodes each
    listed name as strict UTF-8 (one name that is not fails the whole folder) and encodes each path it
    sends the same way; here both use ``surrogateescape``, as Python does for local names, so a name
    that is not UTF-8 is listed (the tree escapes it) and reached again by its real bytes."""

    def _adjust_cwd(self, path: str | bytes) -> bytes:
        if isinstance(path, str):
            path = path.encode("utf-8", "surrogateescape")
        return super()._adjust_cwd(path)  # type: ignore[no-any-return]

    def listdir_iter(self, path: str = ".", read_aheads: int = 50) -> Iterator[paramiko.SFTPAttributes]:
        return iter(self.listdir_attr(path))

    def listdir_attr(self, path: str = ".") -> list[paramiko.SFTPAttributes]:
        """paramiko's own, but for the names' decoding."""
        t, msg = self._request(CMD_OPENDIR, self._adjust_cwd(path))
        if t != CMD_HANDLE:
            raise SFTPError("Expected handle")
        handle = msg.get_binary()
        listed = []
        while True:
            try:
                t, msg = self._request(CMD_READDIR, handle)
            except EOFError:
                break
            if t != CMD_NAME:
                raise SFTPError("Expected name response")
            for _ in range(msg.get_int()):
                name = msg.get_string().decode("utf-8", "surrogateescape")
                long_name = msg.get_string().decode("utf-8", "surrogateescape")
                attributes = paramiko.SFTPAttributes._from_msg(msg, name, long_name)
                if name not in (".", ".."):
                    listed.append(attributes)
        self._request(CMD_CLOSE, handle)
        return listed


def host_key_problem(exc: BaseException) -> str | None:
    """What is wrong with the server's host key, or None for any other error."""
    if isinstance(exc, UnknownHostKeyError):
        return str(exc)
    if isinstance(exc, paramiko.BadHostKeyException):
        return (
            f"the host key of {exc.hostname} ({exc.key.get_name()} {exc.key.fingerprint}) is not the one "
            f"known_hosts holds for it ({exc.expected_key.fingerprint}): the server may be an impostor, or its "
            "key was replaced; do not connect until its administrator confirms the new key"
        )
    return None
