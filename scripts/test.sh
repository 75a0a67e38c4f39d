#!/usr/bin/env bash
# Run the whole test suite on SQLite and then on PostgreSQL, browser tests included.
set -euo pipefail
source "$(dirname "$0")/_setup.sh" test

# Debian's chromium for the browser tests (Playwright drives it; no browser download),
# Poppler and MuPDF, which the PDF tests read the certificates and transcripts with, and LibreOffice,
# which opens the exported xlsx and docx as another program would.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftotext ] || [ ! -x /usr/bin/mutool ] || [ ! -x /usr/bin/soffice ]; then
  echo "==> 安装 chromium、poppler-utils、mupdf-tools、LibreOffice"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils mupdf-tools \
    libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null
fi

# PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres).
PG_HOST="${YANXIU_TEST_PG_HOST:-127.0.0.1}"
if ! pg_isready -q -h "$PG_HOST" -p 5432 2>/dev/null; then
  echo "==> 启动 PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p 5432 && break; sleep 1; done
fi

# pytest reads yanxiu.settings.test (pyproject.toml); YANXIU_DATABASE_URL picks the database.
unset YANXIU_DATABASE_URL DJANGO_SETTINGS_MODULE
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
status=0

RUN_DB="yanxiu_ci_$$_$RANDOM"
sqlite_pass() {
  YANXIU_TEST_SQLITE_NAME="$TMP/test.sqlite3" YANXIU_VAR_DIR="$TMP/var-sqlite" \
    .venv/bin/python -m pytest --durations=15 "$@"
}
postgres_pass() {
  YANXIU_DATABASE_URL="postgres://postgres@$PG_HOST:5432/$RUN_DB" YANXIU_VAR_DIR="$TMP/var-pg" \
    .venv/bin/python -m pytest --durations=15 "$@"
}

# The two passes share nothing (own database, own files), so by default they run
# side by side: the PostgreSQL pass writes to a log that is printed when it ends.
# YANXIU_TEST_SERIAL=1 runs them one after the other, both printed as they go.
if [ "${YANXIU_TEST_SERIAL:-0}" = "1" ]; then
  echo "==> 测试：SQLite"
  sqlite_pass "$@" || status=1
  echo "==> 测试：PostgreSQL"
  postgres_pass "$@" || status=1
else
  echo "==> 测试：SQLite 与 PostgreSQL 同时进行（PostgreSQL 的输出在其结束后显示）"
  postgres_pass "$@" >"$TMP/postgres.log" 2>&1 &
  pg_pid=$!
  echo "==> 测试：SQLite"
  sqlite_pass "$@" || status=1
  pg_status=0
  wait "$pg_pid" || pg_status=1
  echo "==> 测试：PostgreSQL"
  cat "$TMP/postgres.log"
  [ $pg_status -eq 0 ] || status=1
fi
psql -q -h "$PG_HOST" -U postgres -c "DROP DATABASE IF EXISTS test_$RUN_DB" postgres >/dev/null 2>&1 || true

if [ $status -eq 0 ]; then echo "==> 全部通过（SQLite 与 PostgreSQL）"; else echo "==> 有测试失败"; fi
exit $status
