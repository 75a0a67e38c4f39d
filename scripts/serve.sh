#!/usr/bin/env bash
# Run Yanxiu on the embedded SQLite database with the demo county loaded.
# YANXIU_BIND=0.0.0.0:8000 serves the school network; the address phones use
# (allowed host, CSRF origin, QR codes) is YANXIU_PUBLIC_URL, detected here
# from the machine's network address when not set.
set -euo pipefail
source "$(dirname "$0")/_setup.sh"
export YANXIU_ALLOWED_HOSTS="${YANXIU_ALLOWED_HOSTS:-127.0.0.1,localhost}"
BIND="${YANXIU_BIND:-127.0.0.1:8000}"
HOST="${BIND%:*}"
PORT="${BIND##*:}"
[ "$PORT" = "$BIND" ] && PORT=8000

lan_address() {
  # The address of the interface that carries the default route; connecting a
  # UDP socket sends no packet. Falls back to the first address of `hostname -I`.
  .venv/bin/python - <<'PY' 2>/dev/null || hostname -I 2>/dev/null | awk '{print $1}'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.255.255.255", 1))
address = s.getsockname()[0]
if address.startswith("127."):
    raise SystemExit(1)
print(address)
PY
}

if [ -z "${YANXIU_PUBLIC_URL:-}" ]; then
  case "$HOST" in
    0.0.0.0|"*"|"::"|"[::]")
      LAN="$(lan_address || true)"
      if [ -n "$LAN" ]; then
        export YANXIU_PUBLIC_URL="http://$LAN:$PORT"
      else
        echo "==> 未能检测到本机的局域网地址：请设置 YANXIU_PUBLIC_URL=http://<本机地址>:$PORT 后重新启动。" >&2
      fi
      ;;
    127.*|localhost|"[::1]") ;;
    *) export YANXIU_PUBLIC_URL="http://$HOST:$PORT" ;;
  esac
fi

echo "==> 更新数据库结构"
.venv/bin/yanxiu migrate --noinput -v0
echo "==> 整理静态文件"
.venv/bin/yanxiu collectstatic --noinput -v0
echo "==> 演示数据"
.venv/bin/yanxiu seed_demo
# Background jobs (django-tasks database backend) run beside the web server: large
# exports and imports, zips and PDF batches started from the pages (a progress bar,
# then a download link), the daily jobs and the reminder pass. The worker stops with the server.
# schedule_daily queues each of settings.DAILY_TASKS unless one is waiting (the message delivery and the
# reminder pass among them: each queues its own next run every few minutes).
.venv/bin/yanxiu schedule_daily -v0
.venv/bin/yanxiu db_worker --no-reload >>var/worker.log 2>&1 &
WORKER=$!
stop_worker() {
  kill "$WORKER" 2>/dev/null || true
  wait "$WORKER" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT TERM
echo "==> 后台任务进程已启动（日志：var/worker.log）"
echo "==> 研修已启动：http://$BIND/  (Ctrl-C 停止)"
if [ -n "${YANXIU_PUBLIC_URL:-}" ]; then
  echo "==> 手机请访问 $YANXIU_PUBLIC_URL （签到二维码和证书二维码都指向这个地址）"
else
  echo "==> 只有本机能访问；要让手机访问，请用 YANXIU_BIND=0.0.0.0:$PORT ./scripts/serve.sh"
fi
.venv/bin/gunicorn yanxiu.wsgi -c python:yanxiu.gunicorn_conf --bind "$BIND" \
  --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(M)sms'
