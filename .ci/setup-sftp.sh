#!/usr/bin/env bash
# Installs Debian's OpenSSH server for tests/test_sftp.py (which starts its own sshd on 127.0.0.1,
# with its own configuration, host key and authorized key in a temporary folder).
# Idempotent and bounded in time; never fails CI by itself: without sshd the sftp test skips and says why.
set -uo pipefail

if command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; then
  echo "sftp: $(/usr/sbin/sshd -V 2>&1 | head -n 1) already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sftp: openssh-server not installed (needs root and apt-get); tests/test_sftp.py will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq || echo "sftp: apt-get update failed"
# openssh-client (ssh-keygen, for the test's keys) comes with openssh-server.
if timeout 900 apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null; then
  echo "sftp: installed $(/usr/sbin/sshd -V 2>&1 | head -n 1)"
else
  echo "sftp: install failed; tests/test_sftp.py will skip"
fi
# Nothing is started here: the package may start a system sshd on port 22; the tests use their own on a free port.
exit 0
