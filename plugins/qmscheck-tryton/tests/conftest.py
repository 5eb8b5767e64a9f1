"""A real Tryton 8.2 server for the session: built once, seeded through proteus, stopped at the end.

Nothing is installed here (``plugins/ci-setup.sh`` does that). The fixture creates two
SQLite databases in a temporary folder with ``trytond-admin`` - ``qms`` with party,
purchase, quality and sale_complaint, and ``partyonly`` with party alone (for the
missing-module error) - in parallel, starts ``trytond`` on 127.0.0.1 on a free port,
waits for the RPC endpoint (bounded), and seeds ``qms`` over XML-RPC with known defects
and clean records. Every wait has a timeout.

Dates are seeded relative to the session's ``as_of`` (today): Tryton stamps the moment a
complaint changes state with the server clock, so the scan must be judged as of today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qmscheck.testing import free_port, stop_process
from tryton_support import TrytonServer, seed

ADMIN_TIMEOUT = 600  # seconds per database build; ~70 s on the 2-core CI machine
START_TIMEOUT = 60  # seconds for the RPC endpoint to answer
FULL_MODULES = ("party", "purchase", "quality", "sale_complaint")


def tryton_command(name: str) -> str:
    """``trytond`` / ``trytond-admin`` next to this interpreter (a venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"trytond is importable but the {name} command is not found")
    return found


DATABASES = {"qms": FULL_MODULES, "partyonly": ("party",)}


def _template_cache() -> Path | None:
    """``QMSCHECK_TRYTON_TEMPLATE_CACHE``: a folder keeping the freshly built (unseeded) databases,
    keyed by the installed Tryton versions, so that local reruns skip the build. Off in CI."""
    root = os.environ.get("QMSCHECK_TRYTON_TEMPLATE_CACHE")
    if not root:
        return None
    from importlib import metadata

    versions = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in metadata.distributions()
        if str(dist.metadata["Name"] or "").lower().startswith(("trytond", "proteus"))
    )
    key = hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]
    return Path(root) / key


def _prepare_databases(config: Path, folder: Path, password_file: Path) -> float:
    """Build the databases, or copy them from the template cache when one is set and filled."""
    started = time.monotonic()
    cache = _template_cache()
    files = [f"{database}.sqlite" for database in DATABASES]
    if cache is not None and (cache / "complete").exists():
        for name in files:
            shutil.copyfile(cache / name, folder / name)
        password_file.write_text((cache / "admin-password").read_text())
        return time.monotonic() - started
    _build_databases(config, folder, password_file)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(folder / name, cache / name)
        shutil.copyfile(password_file, cache / "admin-password")
        (cache / "complete").touch()
    return time.monotonic() - started


def _build_databases(config: Path, folder: Path, password_file: Path) -> None:
    """Both databases at once (two cores); each build is bounded by ADMIN_TIMEOUT."""
    env = {**os.environ, "TRYTONPASSFILE": str(password_file)}
    admin = tryton_command("trytond-admin")
    started = time.monotonic()
    running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for database, modules in DATABASES.items():
        (folder / f"{database}.sqlite").touch()
        log = folder / f"admin-{database}.log"
        with log.open("wb") as out:
            command = [
                admin,
                "-c",
                str(config),
                "-d",
                database,
                "--all",
                "-u",
                *modules,
                "--activate-dependencies",
                "--email",
                "admin@example.com",
            ]
            running[database] = (subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env), log)
    for database, (process, log) in running.items():
        try:
            code = process.wait(timeout=max(1.0, ADMIN_TIMEOUT - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            for other, _ in running.values():
                other.kill()
            pytest.fail(f"trytond-admin for {database} did not finish within {ADMIN_TIMEOUT} s; see {log}")
        if code != 0:
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"trytond-admin for {database} failed with exit code {code}:\n{tail}")


def _wait_for_rpc(process: subprocess.Popen[bytes], rpc_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"trytond exited with code {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            xmlrpc.client.ServerProxy(rpc_url).common.server.version()
            return
        except xmlrpc.client.ProtocolError as exc:
            if exc.errcode == 401:  # the database's endpoint answers and wants a login: the server is up
                return
            last = exc
            time.sleep(0.2)
        except (OSError, xmlrpc.client.Error) as exc:
            last = exc
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"trytond did not answer on {rpc_url} within {START_TIMEOUT} s (last error: {last})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    stop_process(process)


def pytest_configure(config: pytest.Config) -> None:
    # Importing trytond's test tools (to seed) trips a deprecation inside trytond itself.
    config.addinivalue_line("filterwarnings", "ignore:trytond.config.config is deprecated:DeprecationWarning")


TIMINGS = pytest.StashKey[dict[str, float]]()


@pytest.fixture(scope="session")
def tryton_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[TrytonServer]:
    if importlib.util.find_spec("trytond") is None:
        pytest.skip("trytond is not installed (run plugins/ci-setup.sh, or pip install trytond==8.2.* and modules)")
    if importlib.util.find_spec("proteus") is None:
        pytest.skip("proteus is not installed (pip install proteus==8.2.*)")
    folder = tmp_path_factory.mktemp("tryton")
    password_file = folder / "admin-password"
    password_file.write_text(secrets.token_urlsafe(16))
    port = free_port()
    config = folder / "trytond.conf"
    config.write_text(f"[database]\nuri = sqlite://\npath = {folder}\n\n[web]\nlisten = 127.0.0.1:{port}\n")
    timings = {"databases": _prepare_databases(config, folder, password_file)}
    password = password_file.read_text()
    request.config.stash[TIMINGS] = timings
    log = folder / "trytond.log"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [tryton_command("trytond"), "-c", str(config), "-d", "qms", "partyonly"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_rpc(process, f"{url}qms/rpc/", log)
        timings["server_start"] = time.monotonic() - started
        as_of = dt.date.today()
        started = time.monotonic()
        seeded = seed(f"{url}qms/rpc/", "admin", password, as_of)
        timings["seed"] = time.monotonic() - started
        yield TrytonServer(url, port, "qms", "partyonly", password, folder, log, as_of, seeded, timings)
    finally:
        _stop(process)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Show how long the Tryton server took to build, start and seed (when it ran)."""
    timings = config.stash.get(TIMINGS, None)
    if timings:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        terminalreporter.write_line(f"tryton server: {parts}")
