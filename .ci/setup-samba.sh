#!/usr/bin/env bash
# Installs Debian's Samba server for tests/test_smb.py (which starts its own smbd on 127.0.0.1).
# Idempotent and bounded in time; never fails CI by itself: without smbd the SMB test skips and says why.
set -uo pipefail

if command -v smbd >/dev/null 2>&1 || [ -x /usr/sbin/smbd ]; then
  echo "samba: $(/usr/sbin/smbd --version 2>/dev/null || smbd --version) already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "samba: not installed (needs root and apt-get); tests/test_smb.py will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq || echo "samba: apt-get update failed"
if timeout 900 apt-get install -y -qq --no-install-recommends samba >/dev/null; then
  echo "samba: installed $(/usr/sbin/smbd --version)"
else
  echo "samba: install failed; tests/test_smb.py will skip"
fi
# The package may start a system smbd on port 445; the tests use their own server on a free port.
exit 0
