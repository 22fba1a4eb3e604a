#!/usr/bin/env bash
# Sets up runform in ./.venv with the pinned dependency set (constraints.txt).
#   bash scripts/setup.sh          runform itself
#   bash scripts/setup.sh --test   plus the test tools, Debian's chromium for the browser tests and a
#                                  running PostgreSQL with the test database (scripts/test_postgres.sh)
#   bash scripts/setup.sh --fast   plus pytest alone, for the fast tier (tests/fast)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "runform needs Python 3.11 (mediapipe 0.10.21 has wheels for it); found $("$PY" --version)." >&2; exit 1; }
extra=""
if [ "${1:-}" = "--fast" ]; then
  extra="[fast]"
elif [ "${1:-}" = "--test" ]; then
  extra="[test]"
  # the browser tests need Debian's chromium; the store's PostgreSQL test a running server
  need=""
  [ -x /usr/bin/chromium ] || need="$need chromium"
  command -v pg_ctlcluster >/dev/null 2>&1 || need="$need postgresql"
  if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need
    else
      echo "The tests need Debian's$need: run 'sudo apt-get install$need' first." >&2; exit 1
    fi
  fi
  bash scripts/test_postgres.sh
fi
[ -d .venv ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".${extra}"
echo "runform is set up in .venv ($(.venv/bin/runform --version))"
