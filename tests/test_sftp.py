"""A real SSH server: OpenSSH's sshd on 127.0.0.1, scanned through sftp:// (fsspec + paramiko).

The server runs in the foreground (``sshd -D -e -f <own sshd_config>``) on a free port, with its own
configuration, host key, authorized_keys file and pid file in a temporary folder; it is stopped at the
end. The machine's /etc/ssh configuration is never read or changed, and no system-wide sshd is started.

Authentication is by key, for the user running the tests (root in CI): a key pair is generated into
the temporary folder, protected by a passphrase, and the scan's ``storage_options`` name it with
``key_filename``; ``password_env`` holds the passphrase (paramiko unlocks a key with the password), so
the secret stays out of qmscheck.toml as it would on a real server. Password logins would need a
password in the machine's /etc/shadow (or a user created for the tests), so the server allows keys
only (``AuthenticationMethods publickey``, no PAM). As root, sshd needs its privilege separation
directory /run/sshd, which the systemd unit normally creates; the test creates it (empty, 0755) when
it is missing. Not as root, sshd runs unprivileged and only that user can log in, which is this user.

The test skips (saying why) only where sshd or ssh-keygen is not installed or paramiko is missing;
``.ci/install-server.sh`` installs openssh-server in CI.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from qmscheck.testing import free_port
from remote_share import acme_config, assert_same_as_local, qmscheck_cli, served

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
USER = pwd.getpwuid(os.getuid()).pw_name
PASSPHRASE = "qms-Test-1234"
ENV = "QMS_SFTP_PASSWORD"


def binary(name: str) -> str | None:
    # sshd re-executes itself and insists on being started by its absolute path.
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    return os.path.abspath(found) if found else None


@dataclass
class Server:
    port: int
    share: Path
    key: Path  # authorized, protected by PASSPHRASE
    stranger_key: Path  # a valid key the server does not know, same passphrase
    log: Path
    known_hosts: Path  # the server's host key, as ssh-keyscan writes it
    process: subprocess.Popen[bytes]  # sshd, which starts a process per connection


def _keygen(keygen: str, path: Path, passphrase: str, comment: str) -> None:
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _config(base: Path, port: int, host_key: Path, authorized: Path) -> Path:
    conf = base / "sshd_config"
    conf.write_text(f"""# Test server for tests/test_sftp.py: nothing here comes from /etc/ssh.
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {base}/sshd.pid
AuthorizedKeysFile {authorized}
# The temporary folder lies under the world-writable /tmp, which StrictModes would refuse.
StrictModes no
AllowUsers {USER}
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel VERBOSE
""")
    return conf


@pytest.fixture(scope="module")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with sshd_serving(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@contextlib.contextmanager
def sshd_serving(base: Path) -> Iterator[Server]:
    """sshd serving a copy of acme's share from ``base`` (skips where it cannot run)."""
    sshd = binary("sshd")
    if sshd is None:
        pytest.skip("sshd is not installed (apt-get install openssh-server; CI runs .ci/install-server.sh)")
    keygen = binary("ssh-keygen")
    if keygen is None:
        pytest.skip("ssh-keygen is not installed (apt-get install openssh-client)")
    pytest.importorskip("paramiko", reason="paramiko is not installed (pip install 'qmscheck[sftp]')")
    if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    share = base / "share"
    shutil.copytree(ACME / "share", share)
    _keygen(keygen, base / "host_ed25519", "", "qmscheck test host")
    _keygen(keygen, base / "client_ed25519", PASSPHRASE, "qmscheck test reader")
    _keygen(keygen, base / "stranger_ed25519", PASSPHRASE, "qmscheck test stranger")
    authorized = base / "authorized_keys"
    shutil.copyfile(base / "client_ed25519.pub", authorized)
    authorized.chmod(0o600)
    port = free_port()
    known_hosts = base / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {(base / 'host_ed25519.pub').read_text()}")
    conf = _config(base, port, base / "host_ed25519", authorized)
    checked = subprocess.run([sshd, "-t", "-f", str(conf)], capture_output=True, text=True, timeout=60, check=False)
    if checked.returncode != 0:
        pytest.fail(f"sshd rejects the test configuration: {checked.stderr.strip() or checked.stdout.strip()}")
    log_path = base / "sshd.out"
    with served("sshd", [sshd, "-D", "-e", "-f", str(conf)], port, log_path, pytest.fail) as process:
        try:
            yield Server(
                port, share, base / "client_ed25519", base / "stranger_ed25519", log_path, known_hosts, process
            )
        finally:
            _drop_connections()


def _drop_connections() -> None:
    """fsspec keeps one filesystem (an open SSH connection) per set of options; close them with the server."""
    try:
        from qmscheck.collecting.connectors.sftp import CheckedSFTPFileSystem
    except ImportError:
        return
    for fs in list(CheckedSFTPFileSystem._cache.values()):
        with contextlib.suppress(Exception):
            fs.client.close()
    CheckedSFTPFileSystem.clear_instance_cache()


def url(server: Server) -> str:
    return f"sftp://127.0.0.1:{server.port}{server.share}"


def sftp_config(
    tmp_path: Path, server: Server, key: Path | None = None, host_keys: str | None = None, extra: str = ""
) -> Path:
    """acme's config reading the served share; the server's host key is trusted through a
    known_hosts file (``host_keys`` another source option instead, "" none)."""
    trust = f'known_hosts = "{server.known_hosts}"' if host_keys is None else host_keys
    return acme_config(
        tmp_path,
        f'path = "{url(server)}"\npassword_env = "{ENV}"\n{trust}\n{extra}\n'
        f'storage_options = {{ username = "{USER}", key_filename = "{key or server.key}", '
        "look_for_keys = false, allow_agent = false, timeout = 20 }",
    )


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every path below the folder (and the folder) with its type, size and modification time."""
    return {
        str(path.relative_to(folder)): (path.lstat().st_mode, path.lstat().st_size, path.lstat().st_mtime_ns)
        for path in [folder, *folder.rglob("*")]
    }


def test_scan_through_sftp_equals_the_local_scan(
    sftp_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(sftp_server.share)
    monkeypatch.setenv(ENV, PASSPHRASE)
    config_path = sftp_config(tmp_path, sftp_server)
    assert_same_as_local(config_path, url(sftp_server), tmp_path / "index.sqlite", sftp_server.log.read_text())
    # Read-only: nothing was written, changed or removed in the served folder.
    assert snapshot(sftp_server.share) == before


@pytest.mark.parametrize(
    ("case", "passphrase", "expected"),
    [
        ("wrong passphrase", "wrong", r"cannot connect: the server refused the login"),
        ("key the server does not accept", PASSPHRASE, r"cannot connect: the server refused the login"),
        ("password variable not set", None, ENV),
    ],
)
def test_wrong_credentials_are_clear_errors(
    sftp_server: Server, tmp_path: Path, case: str, passphrase: str | None, expected: str
) -> None:
    key = sftp_server.stranger_key if case.startswith("key") else sftp_server.key
    config_path = sftp_config(tmp_path, sftp_server, key)
    env = {name: value for name, value in os.environ.items() if name != ENV}
    if passphrase is not None:
        env[ENV] = passphrase
    before = snapshot(sftp_server.share)
    result = qmscheck_cli("scan", str(config_path), "--no-index", "--quiet", env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: "), result.stderr
    assert re.search(expected, result.stderr), result.stderr
    if passphrase is not None:
        assert url(sftp_server) in result.stderr  # which source failed, without any secret
    assert PASSPHRASE not in result.stderr
    assert snapshot(sftp_server.share) == before


def test_host_key_not_in_known_hosts_is_refused_before_logging_in(sftp_server: Server, tmp_path: Path) -> None:
    """An unknown host and a host whose key changed are refused with a message saying what to do,
    and the server never sees a login attempt."""
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    other = tmp_path / "other_known_hosts"
    keygen = binary("ssh-keygen")
    assert keygen is not None
    _keygen(keygen, tmp_path / "impostor", "", "impostor")
    other.write_text(f"[127.0.0.1]:{sftp_server.port} {(tmp_path / 'impostor.pub').read_text()}")
    env = {**os.environ, ENV: PASSPHRASE}
    for known_hosts, expected in (
        (
            empty,
            rf"the host key of \[127\.0\.0\.1\]:{sftp_server.port} \(ssh-ed25519 SHA256:\S+\) is in no "
            rf"known_hosts file .*ssh-keyscan -p {sftp_server.port} 127\.0\.0\.1 >> ~/\.ssh/known_hosts",
        ),
        (other, r"the host key of \S+ \(ssh-ed25519 SHA256:\S+\) is not the one known_hosts holds for it .*impostor"),
    ):
        logins = sftp_server.log.read_text().count("Accepted publickey")
        case = tmp_path / f"with-{known_hosts.name}"
        case.mkdir()
        config_path = sftp_config(case, sftp_server, host_keys=f'known_hosts = "{known_hosts}"')
        result = qmscheck_cli("scan", str(config_path), "--no-index", "--quiet", env=env)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert re.search(rf"{re.escape(url(sftp_server))}: refused to connect: {expected}", result.stderr), (
            result.stderr
        )
        assert sftp_server.log.read_text().count("Accepted publickey") == logins


def test_skipping_the_host_key_check_is_explicit(sftp_server: Server, tmp_path: Path) -> None:
    """With no known_hosts entry, ``insecure_skip_host_key_check = true`` connects (a test server)."""
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    config_path = sftp_config(
        tmp_path, sftp_server, host_keys=f'known_hosts = "{empty}"', extra="insecure_skip_host_key_check = true"
    )
    result = qmscheck_cli("scan", str(config_path), "--no-index", "--quiet", env={**os.environ, ENV: PASSPHRASE})
    assert result.returncode in (0, 1), (result.stdout, result.stderr)
    assert "refused to connect" not in result.stderr
