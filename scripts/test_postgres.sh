#!/usr/bin/env bash
# Starts Debian's PostgreSQL (if it is not running) and makes the test database the store's
# tests use: postgresql://runform:runform@127.0.0.1:5432/runform_test (RUNFORM_TEST_POSTGRES
# overrides the URL in the tests). Needs root, or a running server with that role and database.
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "PostgreSQL is not running on 127.0.0.1:5432; start it (sudo pg_ctlcluster <version> main start)." >&2; exit 1; }
  read -r ver name _ < <(pg_lsclusters -h | head -1) || true
  if [ -z "${ver:-}" ]; then
    ver=$(ls /usr/lib/postgresql | sort -n | tail -1); name=main
    pg_createcluster "$ver" "$name" >/dev/null
  fi
  pg_ctlcluster "$ver" "$name" start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
if [ "$(id -u)" = 0 ]; then
  su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_roles WHERE rolname='runform'\"" | grep -q 1 \
    || su postgres -c "psql -q -c \"CREATE ROLE runform LOGIN PASSWORD 'runform'\""
  su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_database WHERE datname='runform_test'\"" | grep -q 1 \
    || su postgres -c "psql -q -c \"CREATE DATABASE runform_test OWNER runform\""
fi
echo "PostgreSQL test database ready: postgresql://runform:runform@127.0.0.1:5432/runform_test"
