#!/usr/bin/env bash
# Installs a Debian server package for a test that starts its own server on 127.0.0.1 with its own
# configuration in a temporary folder (smbd for tests/test_smb.py, sshd for tests/test_sftp.py).
#   usage: install-server.sh LABEL BINARY TEST PACKAGE...
# Idempotent and bounded in time; never fails CI by itself: without the server the test skips and says why.
# A package may start a system service on its usual port; the tests use their own server on a free port.
set -uo pipefail
label=$1 binary=$2 test=$3
shift 3

if command -v "$binary" >/dev/null 2>&1 || [ -x "/usr/sbin/$binary" ]; then
  echo "$label: $binary already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$label: not installed (needs root and apt-get); $test will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq || echo "$label: apt-get update failed"
if timeout 900 apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
  echo "$label: installed $*"
else
  echo "$label: install failed; $test will skip"
fi
exit 0
