#!/usr/bin/env bash
# Run Yanxiu on the embedded SQLite database with the demo county loaded.
set -euo pipefail
source "$(dirname "$0")/_setup.sh"
export YANXIU_ALLOWED_HOSTS="${YANXIU_ALLOWED_HOSTS:-127.0.0.1,localhost}"
BIND="${YANXIU_BIND:-127.0.0.1:8000}"
.venv/bin/yanxiu migrate --noinput -v0
.venv/bin/yanxiu collectstatic --noinput -v0
.venv/bin/yanxiu seed_demo
# Background jobs (django-tasks database backend) run beside the web server.
.venv/bin/yanxiu db_worker >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "==> 研修已启动：http://$BIND/  (Ctrl-C 停止)"
.venv/bin/gunicorn yanxiu.wsgi -c python:yanxiu.gunicorn_conf --bind "$BIND" \
  --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(M)sms'
