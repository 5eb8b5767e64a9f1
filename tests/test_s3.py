"""An S3-compatible server: moto's, as its own process on 127.0.0.1, scanned through s3:// (fsspec + s3fs).

There is no AWS account in CI, so the server is the one s3fs's own tests run against: ``moto_server``
(``pip install 'moto[server]'``), speaking the S3 REST protocol over HTTP. It is started in the
foreground on a free port and stopped at the end; nothing outside the test's temporary folder changes.

Authentication is enforced: the server lets the first requests through unsigned
(``INITIAL_NO_AUTH_ACTION_COUNT``), which create a reader with its own access key and a policy
allowing it S3. Every later request must be signed with a key the server knows, so a wrong secret is
refused as it would be by AWS. The scan names the key with ``storage_options.username`` (s3fs's name
for the access key id) and takes the secret from the variable ``password_env`` names, so it stays out
of qmscheck.toml.

The test skips (saying why) only where s3fs or moto's server is not installed; the test extras
install both.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from qmscheck.testing import free_port
from remote_share import ACME, acme_config, assert_same_as_local, qmscheck_cli, served

BUCKET = "qms"
PREFIX = "acme"
ENV = "QMS_S3_SECRET"
REGION = "eu-central-1"
URL = f"s3://{BUCKET}/{PREFIX}"
# The unsigned requests the server allows before it checks signatures: create user, policy, key.
SETUP_REQUESTS = 3


@dataclass
class Server:
    endpoint: str
    key_id: str
    secret: str
    log: Path


def _client(service: str, endpoint: str, **credentials: str) -> Any:
    import boto3  # type: ignore[import-untyped, unused-ignore]

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=credentials.get("key", "setup"),
        aws_secret_access_key=credentials.get("secret", "setup"),
    )


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pytest.importorskip("s3fs", reason="s3fs is not installed (pip install s3fs)")
    pytest.importorskip("moto.server", reason="moto's S3 server is not installed (pip install 'moto[server]')")
    base = tmp_path_factory.mktemp("s3")
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_REQUESTS)}
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    log_path = base / "moto.out"
    with served("moto_server", command, port, log_path, pytest.fail, env):
        endpoint = f"http://127.0.0.1:{port}"
        iam = _client("iam", endpoint)
        iam.create_user(UserName="qms-reader")
        iam.put_user_policy(
            UserName="qms-reader",
            PolicyName="s3",
            PolicyDocument=(
                '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
            ),
        )
        created = iam.create_access_key(UserName="qms-reader")["AccessKey"]
        server = Server(endpoint, created["AccessKeyId"], created["SecretAccessKey"], log_path)
        s3 = _client("s3", endpoint, key=server.key_id, secret=server.secret)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        share = ACME / "share"
        for path in sorted(p for p in share.rglob("*") if p.is_file()):
            s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{path.relative_to(share).as_posix()}", Body=path.read_bytes())
        try:
            yield server
        finally:
            _forget_connections()


def _forget_connections() -> None:
    """fsspec keeps one S3FileSystem (and its listings) per set of options; drop them with the server.
    (Called once the fixture has found s3fs.)"""
    import s3fs  # type: ignore[import-untyped, unused-ignore]

    s3fs.S3FileSystem.clear_instance_cache()


def s3_config(tmp_path: Path, server: Server, location: str | None = None) -> Path:
    return acme_config(
        tmp_path,
        f'path = "{location or URL}"\npassword_env = "{ENV}"\n'
        f'storage_options = {{ username = "{server.key_id}", endpoint_url = "{server.endpoint}", '
        f'client_kwargs = {{ region_name = "{REGION}" }} }}',
    )


def snapshot(server: Server) -> dict[str, tuple[str, int, str]]:
    """Every object of the bucket with its ETag, size and modification time."""
    s3 = _client("s3", server.endpoint, key=server.key_id, secret=server.secret)
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    return {entry["Key"]: (entry["ETag"], entry["Size"], entry["LastModified"].isoformat()) for entry in listed}


def test_scan_through_s3_equals_the_local_scan(
    s3_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(s3_server)
    assert len(before) == sum(1 for p in (ACME / "share").rglob("*") if p.is_file())
    monkeypatch.setenv(ENV, s3_server.secret)
    _forget_connections()
    config_path = s3_config(tmp_path, s3_server)
    assert_same_as_local(config_path, URL, tmp_path / "index.sqlite", s3_server.log.read_text())
    # Read-only: nothing was written, changed or removed in the bucket.
    assert snapshot(s3_server) == before


@pytest.mark.parametrize(
    ("case", "secret", "location", "expected"),
    [
        ("wrong secret", "not-the-secret", None, r"s3://qms/acme: cannot reach the folder: the server refused access"),
        ("secret variable not set", None, None, ENV),
        ("no such folder", "right", f"s3://{BUCKET}/elsewhere", r"s3://qms/elsewhere: folder does not exist"),
    ],
)
def test_s3_problems_are_clear_errors(
    s3_server: Server, tmp_path: Path, case: str, secret: str | None, location: str | None, expected: str
) -> None:
    config_path = s3_config(tmp_path, s3_server, location)
    env = {name: value for name, value in os.environ.items() if name != ENV}
    if secret is not None:
        env[ENV] = s3_server.secret if secret == "right" else secret
    before = snapshot(s3_server)
    result = qmscheck_cli("scan", str(config_path), "--no-index", "--quiet", env=env)
    assert result.returncode == 2, (case, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert re.search(expected, result.stderr), result.stderr
    assert snapshot(s3_server) == before
