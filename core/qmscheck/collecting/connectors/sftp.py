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
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped, unused-ignore]
from fsspec.implementations.sftp import SFTPFileSystem  # type: ignore[import-untyped, unused-ignore]

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
        self.ftp = client.open_sftp()

    def reconnect(self) -> None:
        """A new SSH connection (and login) in place of one that dropped."""
        with contextlib.suppress(Exception):  # a dead connection may fail to close; it is dropped either way
            self.client.close()
        self._connect()


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
