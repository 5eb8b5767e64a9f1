#!/usr/bin/env bash
# Installs a Debian server package for a test that starts its own server on 127.0.0.1 with its own
# configuration in a temporary folder (smbd for tests/test_smb.py, sshd for tests/test_sftp.py).
#   usage: install-server.sh LABEL BINARY TEST PACKAGE...
# Idempotent and bounded in time; never fails CI by itself: without the server the test skips and says why.
# A Debian package would start its system service on its usual port: while it installs, policy-rc.d
# forbids that (exit 101), so nothing listens system-wide; the tests start their own server as the
# test user, on 127.0.0.1 and a free port.
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
policy=/usr/sbin/policy-rc.d
created=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created=1
fi
timeout 600 apt-get update -qq || echo "$label: apt-get update failed"
if timeout 900 apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
  echo "$label: installed $* (its system service not started)"
else
  echo "$label: install failed; $test will skip"
fi
[ -n "$created" ] && rm -f "$policy"
exit 0
