#!/usr/bin/env bash
# Creates .venv and installs the project into it; reinstalls only when pyproject.toml changes.
# Usage: scripts/bootstrap.sh [extras]   (e.g. "test")
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is needed (found $("$python_bin" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-base}"
if [ ! -f "$stamp" ]; then
  echo "Installing Python dependencies into .venv …"
  .venv/bin/python -m pip install -q --upgrade pip
  # setuptools announces every editable install with a multi-line "Editable installation." notice
  # (information only, pypa/packaging-problems#558) that reads like an error: not shown.
  PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
    .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The tests' OpenID Connect provider (tests/fixtures/oidc: node's oidc-provider), installed from its lock
# file; again only when the lock file changes.
if [[ ",$extras," == *",test,"* ]]; then
  oidc_dir=tests/fixtures/oidc
  if ! command -v npm >/dev/null 2>&1; then
    echo "node (>= 20) and npm are needed for the single sign-on tests (apt-get install nodejs npm)." >&2
    exit 1
  fi
  oidc_stamp="$oidc_dir/node_modules/.installed-$(sha256sum "$oidc_dir/package-lock.json" | cut -c1-16)"
  if [ ! -f "$oidc_stamp" ]; then
    echo "Installing the test OpenID Connect provider (npm ci) …"
    (cd "$oidc_dir" && npm ci --no-audit --no-fund --silent)
    touch "$oidc_stamp"
  fi
fi
if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform (>= 1.6) is not on PATH; install it (https://developer.hashicorp.com/terraform/install)." >&2
  exit 1
fi
