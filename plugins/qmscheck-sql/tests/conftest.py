"""Fixtures: a seeded SQLite file, and a real PostgreSQL server started for the session.

PostgreSQL comes from Debian's packages (``plugins/ci-setup.sh`` installs them); the
fixture runs ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` as the user
``nobody`` when the tests run as root (PostgreSQL refuses to run as root), in a fresh
folder under the system temporary directory, on 127.0.0.1 and a free port, with password
authentication over TCP. Every wait has a timeout; the server is stopped at the end.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from qmscheck.testing import free_port
from sql_support import Postgres, seed

PG_TIMEOUT = 120  # seconds for initdb, for the server to accept connections, and to stop


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "records" / "qms.db"
    path.parent.mkdir()
    seed(f"sqlite:///{path}")
    return path


def pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as an unprivileged user")
    return [runuser, "-u", "nobody", "--", *command]


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} did not finish within {PG_TIMEOUT} s")
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


PG_TIMINGS = pytest.StashKey[dict[str, float]]()


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[Postgres]:
    binaries = pg_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql, or run plugins/ci-setup.sh)")
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    folder = Path(tempfile.mkdtemp(prefix="qmscheck-pg-"))
    data, log, password = folder / "data", folder / "server.log", secrets.token_urlsafe(12)
    (folder / "pw").write_text(password)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for path in (folder, folder / "pw"):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    timings: dict[str, float] = {}
    request.config.stash[PG_TIMINGS] = timings
    port = free_port()
    started = time.monotonic()
    _run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "qms_admin",
                "--pwfile",
                str(folder / "pw"),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        "initdb",
    )
    timings["initdb"] = time.monotonic() - started
    started = time.monotonic()
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                str(PG_TIMEOUT),
                "start",
            ]
        ),
        "pg_ctl start",
    )
    timings["server_start"] = time.monotonic() - started
    try:
        server = Postgres("127.0.0.1", port, "qms_admin", password, "qms", timings)
        import psycopg

        with psycopg.connect(
            host=server.host,
            port=port,
            user=server.user,
            password=password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            connection.execute("CREATE DATABASE qms")
        seed(server.url())
        yield server
    finally:
        stop = subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]),
            capture_output=True,
            timeout=PG_TIMEOUT,
            check=False,
        )
        if stop.returncode == 0:
            shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    timings = config.stash.get(PG_TIMINGS, None)
    if timings:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        terminalreporter.write_line(f"postgresql server: {parts}")
