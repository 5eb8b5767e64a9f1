"""Network shares that drop mid-scan: the scan reconnects, logs in again and reads everything.

Real servers on 127.0.0.1 (Samba's smbd, OpenSSH's sshd, moto's S3 server), each serving a copy of
acme's share. A connection is dropped for real while a scan runs: the server-side process serving it is
killed (smbd and sshd fork one per client), or, for S3 (one process serving every client, whose
buckets live in its memory), a relay between the scan and the server cuts every connection through
it. The drop is made from the scan's own progress callbacks, at a fixed point (as the share is
listed, or after so many files were read), so each run drops at the same place.

A drop the retries cannot bridge must not shrink the evidence silently: a folder that cannot be
listed is a warning, and the verdict's evidence-understood figure counts it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import test_sftp
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.model.report import Report
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.progress import NullProgress
from qmscheck.testing import free_port, stop_process
from remote_share import ACME, acme_config, served

#: The folder of acme's share that the share ``qmsnobody`` cannot list.
CLOSED = "04 Records"
#: Short waits between tries, so that a test bridging a drop does not wait as long as a scan would.
QUICK_RETRY = "retry = { attempts = 6, wait = 0.05, deadline = 20 }"


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (one per client connection for smbd and sshd)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status:
            found.append(int(entry))
    return sorted(found)


def kill_and_wait(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)


class DropAt(NullProgress):
    """Progress that drops the connections once: as the share is listed (``files`` None) or once
    ``files`` files were read. Called in the scan's own thread, so the drop happens at that point."""

    def __init__(self, drop: Callable[[], None], files: int | None = None) -> None:
        self.drop = drop
        self.files = files
        self.read = 0
        self.dropped = 0

    def _once(self) -> None:
        if not self.dropped:
            self.dropped = 1
            self.drop()

    def note(self, message: str) -> None:
        if self.files is None and message.startswith("listing "):
            self._once()

    def advance(self, count: int = 1) -> None:
        self.read += count
        if self.files is not None and self.read >= self.files:
            self._once()


def findings(report: Report) -> list[tuple[str, str, list[str]]]:
    return [(f.rule_id, f.grade.value, [e.locator for e in f.evidence]) for f in report.findings]


@pytest.fixture(scope="module")
def local_report() -> Report:
    return scan(ScanRequest(target=ACME), load_plugins(entry_points=False))


# --- SMB ---------------------------------------------------------------------------------------


@dataclass
class SmbServer:
    port: int
    share: Path
    process: subprocess.Popen[bytes]

    def drop(self) -> None:
        """Kill the smbd processes serving clients (smbd's own helpers, notifyd and cleanupd, stay)."""
        kill_and_wait(
            [
                pid
                for pid in children(self.process.pid)
                if not any(helper in Path(f"/proc/{pid}/cmdline").read_bytes() for helper in (b"notifyd", b"cleanupd"))
            ]
        )


@pytest.fixture(scope="module")
def smb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmbServer]:
    import test_smb

    binary = test_smb.require_smbd()
    base = tmp_path_factory.mktemp("samba-drops")
    share = base / "share"
    shutil.copytree(ACME / "share", share)
    port = free_port()
    conf = test_smb._config(base, port, share)
    # A second share whose files smbd opens as the user nobody (root opens every folder): one of its
    # folders is closed to nobody. It lies outside pytest's folders, which only root may enter.
    closed = Path(tempfile.mkdtemp(prefix="qmscheck-closed-"))
    shutil.copytree(ACME / "share", closed / "share")
    for path in [closed, *closed.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (closed / "share" / CLOSED).chmod(0)
    with conf.open("a") as text:
        text.write(f"""
[qmsnobody]
    path = {closed / "share"}
    read only = yes
    valid users = {test_smb.USER}
    force user = nobody
""")
    test_smb.add_samba_user(conf)
    command = [binary, "--foreground", "--no-process-group", "--debug-stdout", "-s", str(conf)]
    with served("smbd cannot be started here", command, port, base / "smbd.out", pytest.skip) as process:
        try:
            yield SmbServer(port, share, process)
        finally:
            import smbclient  # type: ignore[import-untyped, unused-ignore]

            smbclient.reset_connection_cache()
            shutil.rmtree(closed)


def smb_config(tmp_path: Path, server: SmbServer, retry: str = QUICK_RETRY) -> Path:
    import test_smb

    return acme_config(
        tmp_path,
        f'path = "smb://127.0.0.1:{server.port}/qms"\npassword_env = "QMS_SMB_PASSWORD"\n'
        f'storage_options = {{ username = "{test_smb.USER}" }}\n{retry}',
    )


@pytest.mark.parametrize("files", [None, 5], ids=["while listing", "after 5 files"])
def test_smb_drop_mid_scan_reconnects_and_reports_as_undisturbed(
    smb_server: SmbServer,
    local_report: Report,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: int | None,
) -> None:
    import test_smb

    monkeypatch.setenv("QMS_SMB_PASSWORD", test_smb.PASSWORD)
    config_path = smb_config(tmp_path, smb_server)
    drop = DropAt(smb_server.drop, files)
    report = scan(
        ScanRequest(target=config_path, collect=CollectOptions(progress=drop)),
        load_plugins(entry_points=False),
    )
    assert drop.dropped
    assert [w.message for w in report.warnings] == []
    assert report.understanding == local_report.understanding
    assert findings(report) == findings(local_report)
    assert report.summary == local_report.summary


def test_smb_folder_the_server_refuses_to_list_is_a_warning_and_lowers_the_evidence_understood(
    smb_server: SmbServer, local_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share ``qmsnobody`` serves its files as the user nobody, to whom one folder is closed."""
    import test_smb

    monkeypatch.setenv("QMS_SMB_PASSWORD", test_smb.PASSWORD)
    config_path = smb_config(tmp_path, smb_server).with_name("qmscheck.toml")
    text = config_path.read_text().replace("/qms", "/qmsnobody")
    config_path.write_text(text)
    report = scan(ScanRequest(target=config_path), load_plugins(entry_points=False))
    warnings = [(w.locator, w.unlisted) for w in report.warnings]
    assert warnings == [(CLOSED, True)], report.warnings
    assert "cannot list folder: permission denied" in report.warnings[0].message
    understanding = report.understanding
    assert understanding is not None and local_report.understanding is not None
    closed_files = sum(1 for p in (ACME / "share" / CLOSED).iterdir())
    assert understanding.unlisted == [CLOSED]
    assert understanding.files == local_report.understanding.files - closed_files  # what was listed
    assert understanding.line().endswith(f"; folder {CLOSED} could not be listed: the evidence in it is unknown")
    # The calibration log's major is in the closed folder: a share not seen whole gets no verdict but
    # "not ready", and here not that either.
    assert [v.status for v in local_report.verdicts] == ["conditional", "not-ready"]
    assert [v.status for v in report.verdicts] == ["unconfirmed", "unconfirmed"]
    for verdict in report.verdicts:
        assert verdict.headline.startswith(
            "Not established: 1 folder of the sources could not be listed, so the evidence in it is unknown; "
        )


# --- SFTP --------------------------------------------------------------------------------------


@pytest.fixture
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[test_sftp.Server]:
    """A server of its own for each test: one test stops it for good."""
    with test_sftp.sshd_serving(tmp_path_factory.mktemp("sshd-drops")) as server:
        yield server


def sshd_drop(server: test_sftp.Server) -> Callable[[], None]:
    """Kill the sshd processes serving connections (sshd itself goes on accepting new ones)."""
    return lambda: kill_and_wait(children(server.process.pid))


def sshd_stop(server: test_sftp.Server) -> Callable[[], None]:
    """Stop sshd for good, with the connections it serves."""

    def stop() -> None:
        pids = children(server.process.pid)
        stop_process(server.process)
        kill_and_wait(pids)

    return stop


@pytest.mark.parametrize("files", [None, 5], ids=["while listing", "after 5 files"])
def test_sftp_drop_mid_scan_reconnects_and_reports_as_undisturbed(
    sshd: test_sftp.Server, local_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int | None
) -> None:
    monkeypatch.setenv(test_sftp.ENV, test_sftp.PASSPHRASE)
    config_path = test_sftp.sftp_config(tmp_path, sshd, extra=QUICK_RETRY)
    drop = DropAt(sshd_drop(sshd), files)
    report = scan(
        ScanRequest(target=config_path, collect=CollectOptions(progress=drop)), load_plugins(entry_points=False)
    )
    assert drop.dropped
    assert [w.message for w in report.warnings] == []
    assert report.understanding == local_report.understanding
    assert findings(report) == findings(local_report)


def test_sftp_server_gone_for_good_leaves_warnings_after_one_round_of_tries(
    sshd: test_sftp.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped after 5 files: every later file is a warning, the tries spent once, not once per file."""
    monkeypatch.setenv(test_sftp.ENV, test_sftp.PASSPHRASE)
    config_path = test_sftp.sftp_config(tmp_path, sshd, extra="retry = { attempts = 4, wait = 0.2, deadline = 30 }")
    drop = DropAt(sshd_stop(sshd), 5)
    started = time.monotonic()
    collection = collect(load_config(config_path), load_plugins(entry_points=False), CollectOptions(progress=drop))
    elapsed = time.monotonic() - started
    files = sum(1 for p in (ACME / "share").rglob("*") if p.is_file())
    unread = [w for w in collection.warnings if w.unread]
    # The files after the fifth may have been read ahead before the server stopped.
    assert files // 2 <= len(unread) <= files - 5, [w.message for w in collection.warnings]
    assert all(w.message.startswith("cannot read file: cannot fetch: ") for w in unread)
    # The first file to fail is tried 4 times (0.2 + 0.4 + 0.8 s of waits); each later one twice, the
    # second time over a new connection, refused at once.
    counts = [re.search(r"\(the connection failed (\d+) times in \d+ s\)$", w.message) for w in unread]
    tries = sorted(found.group(1) for found in counts if found)
    assert len(tries) == len(unread)
    assert tries == ["2"] * (len(unread) - 1) + ["4"]
    assert elapsed < 15, elapsed
