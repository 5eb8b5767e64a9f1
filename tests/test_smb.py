"""A real network share: Samba's smbd on 127.0.0.1, scanned through smb:// (fsspec + smbprotocol).

The server runs in the foreground with its own configuration, state and password database in a
temporary folder, on a free port; it is stopped at the end. The test skips (saying why) only
where smbd cannot be started; `.ci/install-server.sh` installs it in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from qmscheck.collecting.run import collect
from qmscheck.config.scan_config import load_config
from qmscheck.plugins.manager import load_plugins
from qmscheck.testing import free_port
from remote_share import acme_config, assert_same_as_local, served

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
USER = "root" if os.geteuid() == 0 else os.environ.get("USER", "")
PASSWORD = "qms-Test-1234"


def smbd_binary() -> str | None:
    return shutil.which("smbd") or next((p for p in ("/usr/sbin/smbd",) if os.access(p, os.X_OK)), None)


@dataclass
class Server:
    port: int
    share: Path


def _config(base: Path, port: int, share: Path) -> Path:
    for name in ("run", "lock", "state", "cache", "private", "ncalrpc", "log"):
        (base / name).mkdir(parents=True, exist_ok=True)
    conf = base / "smb.conf"
    conf.write_text(f"""[global]
    workgroup = WORKGROUP
    server role = standalone server
    smb ports = {port}
    interfaces = 127.0.0.1
    bind interfaces only = yes
    pid directory = {base}/run
    lock directory = {base}/lock
    state directory = {base}/state
    cache directory = {base}/cache
    private dir = {base}/private
    ncalrpc dir = {base}/ncalrpc
    passdb backend = tdbsam:{base}/private/passdb.tdb
    log file = {base}/log/smbd.log
    log level = 1
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    server min protocol = SMB2_02
    map to guest = Never

[qms]
    path = {share}
    read only = yes
    browseable = yes
    valid users = {USER}
""")
    return conf


def require_smbd() -> str:
    """smbd's path, or the test skipped saying what is missing."""
    binary = smbd_binary()
    if binary is None:
        pytest.skip("smbd is not installed (apt-get install samba; CI runs .ci/install-server.sh)")
    if os.geteuid() != 0:
        pytest.skip("smbd needs root to switch to the share user here (tests run as a normal user)")
    pytest.importorskip("smbprotocol", reason="smbprotocol is not installed (pip install smbprotocol)")
    return binary


def add_samba_user(conf: Path) -> None:
    """The test user in the Samba password database of ``conf``, or the test skipped saying why not."""
    added = subprocess.run(
        [shutil.which("pdbedit") or "/usr/bin/pdbedit", "-s", str(conf), "-a", "-t", "-u", USER],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if added.returncode != 0:
        pytest.skip(f"cannot add the Samba test user: {added.stderr.strip() or added.stdout.strip()}")


@pytest.fixture(scope="module")
def smb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = require_smbd()
    base = tmp_path_factory.mktemp("samba")
    share = base / "share"
    shutil.copytree(ACME / "share", share)
    port = free_port()
    conf = _config(base, port, share)
    add_samba_user(conf)
    command = [binary, "--foreground", "--no-process-group", "--debug-stdout", "-s", str(conf)]
    with served("smbd cannot be started here", command, port, base / "smbd.out", pytest.skip):
        try:
            yield Server(port, share)
        finally:
            try:  # smbprotocol caches connections per server; drop them with the server
                import smbclient  # type: ignore[import-untyped, unused-ignore]

                smbclient.reset_connection_cache()
            except Exception:
                pass


def smb_config(tmp_path: Path, server: Server) -> Path:
    return acme_config(
        tmp_path,
        f'path = "smb://127.0.0.1:{server.port}/qms"\npassword_env = "QMS_SMB_PASSWORD"\n'
        f'storage_options = {{ username = "{USER}" }}',
    )


def test_scan_through_smb_equals_the_local_scan(
    smb_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMS_SMB_PASSWORD", PASSWORD)
    config_path = smb_config(tmp_path, smb_server)
    assert_same_as_local(config_path, f"smb://127.0.0.1:{smb_server.port}/qms", tmp_path / "index.sqlite")
    # Read-only: nothing was written into the share.
    assert sorted(p.name for p in smb_server.share.rglob("*")) == sorted(p.name for p in (ACME / "share").rglob("*"))


def test_wrong_password_and_missing_share_are_clear_errors(
    smb_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smbclient  # type: ignore[import-untyped, unused-ignore]
    from qmscheck.errors import QmscheckError

    smbclient.reset_connection_cache()  # an authenticated session from another test must not be reused
    config_path = smb_config(tmp_path, smb_server)
    plugins = load_plugins(entry_points=False)
    monkeypatch.setenv("QMS_SMB_PASSWORD", "wrong")
    with pytest.raises(QmscheckError, match=r"smb://127\.0\.0\.1:\d+/qms"):
        collect(load_config(config_path), plugins)
    monkeypatch.delenv("QMS_SMB_PASSWORD")
    with pytest.raises(QmscheckError, match="QMS_SMB_PASSWORD"):
        collect(load_config(config_path), plugins)
