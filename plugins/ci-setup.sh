#!/usr/bin/env bash
# Installs what the in-tree plugins and their tests need, then the plugins themselves.
#
# Called by .ci/run with the project's venv active (python -m pip is the venv's pip), as root,
# with CI=true; safe to run again and again (each step is skipped or a no-op when done).
#   - Debian's PostgreSQL server (for the qmscheck-sql tests), without creating or starting
#     the system cluster: the tests run their own server in a temporary folder;
#   - Tryton 8.2 and the modules the qmscheck-tryton tests activate (pip does not pull a
#     module's module dependencies, so all are named), proteus, SQLAlchemy and psycopg;
#   - ./plugins/qmscheck-tryton and ./plugins/qmscheck-sql, non-editable, so the tests see
#     exactly what a wheel ships (rule files included).
# Every network step has a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python}
say() { printf -- '-- %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------
have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null; }
if have_postgres; then
  say "PostgreSQL server binaries present"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  say "installing PostgreSQL (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  # Do not create (and so do not start) the system's main cluster: the tests start their own.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  timeout 300 apt-get update -qq
  timeout 600 apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  have_postgres || { echo "PostgreSQL installed but initdb not found" >&2; exit 1; }
else
  say "PostgreSQL not installed and not root: the PostgreSQL tests will skip"
fi

# --- Python packages -------------------------------------------------------------------
if ! "$PYTHON" -c "import qmscheck" 2>/dev/null; then
  # The plugins depend on qmscheck; install it from this checkout, never from a registry.
  say "installing qmscheck from this checkout"
  timeout 600 "$PYTHON" -m pip install --quiet .
fi

say "installing Tryton 8.2, its modules, proteus, SQLAlchemy, psycopg"
timeout 600 "$PYTHON" -m pip install --quiet \
  'trytond==8.2.*' \
  'trytond-party==8.2.*' 'trytond-purchase==8.2.*' 'trytond-quality==8.2.*' 'trytond-sale-complaint==8.2.*' \
  'trytond-country==8.2.*' 'trytond-company==8.2.*' 'trytond-currency==8.2.*' 'trytond-product==8.2.*' \
  'trytond-stock==8.2.*' 'trytond-account==8.2.*' 'trytond-account-product==8.2.*' \
  'trytond-account-invoice==8.2.*' 'trytond-account-invoice-stock==8.2.*' 'trytond-sale==8.2.*' \
  'proteus==8.2.*' 'SQLAlchemy>=2,<3' 'psycopg[binary]>=3.1'

say "installing the plugins (non-editable)"
# Dependencies are all in place above; --force-reinstall makes a rerun pick up changed sources.
timeout 600 "$PYTHON" -m pip install --quiet --no-deps --force-reinstall ./plugins/qmscheck-tryton ./plugins/qmscheck-sql
timeout 600 "$PYTHON" -m pip install --quiet --no-deps --force-reinstall ./plugins/qmscheck-iso13485

# --- check -----------------------------------------------------------------------------
"$PYTHON" - <<'EOF'
from qmscheck.plugins.manager import load_plugins

plugins = load_plugins()
failed = [f"{info.name}: {info.error}" for info in plugins.failed]
assert not failed, f"plugins failed to load: {failed}"
for connector in ("tryton", "sql"):
    assert connector in plugins.connectors, f"connector {connector} not registered"
assert "tryton-erp" in plugins.rule_packs.names(), "rule pack tryton-erp not registered"
print("-- plugins registered: connectors tryton, sql; rule pack tryton-erp")
EOF
