"""2,000 teachers sign in to one session at once, over HTTP, on PostgreSQL.

    python bench/signin_burst.py [--teachers 2000] [--clients 16] [--workers N] [--threads N]

Sets up its own PostgreSQL database (YANXIU_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/yanxiu_bench_signin; dropped and recreated),
starts gunicorn with the production settings (yanxiu.gunicorn_conf: two
gthread workers per core, two threads each, unless --workers/--threads say
otherwise) on loopback with YANXIU_BENCH_ENDPOINTS=1, and drives it with concurrent clients (threads, one keep-alive http.client
connection each). Teachers are logged in beforehand by writing their session
rows directly (SessionStore), so login is not timed; each has a device cookie
and a fresh scan pass, as a phone has after scanning the QR code.

Baseline, measured in the same run through the same server and database: a
minimal endpoint doing one INSERT per request. The sign-in is the real
confirm POST as the phone's htmx button sends it: session and user load, the
pass check, enrolment check, the attendance INSERT, the shared-device check,
the audit row and the rendered result fragment.

Prints throughput and p99 latency of both; the ratio is sign-in throughput
over baseline throughput (target >= 0.5), and all sign-ins must finish in
under 10 s.

For reference it also measures the floor (attendance/bench_views.py): the same
login, one hand-written SELECT and the two INSERTs in one transaction, nothing
else; the teachers sign in to a second session there. Its ratio is the most
any implementation of the sign-in with a database login and an audit row can
reach on the machine at hand.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("YANXIU_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yanxiu_bench_signin")
os.environ["YANXIU_DATABASE_URL"] = DB_URL
os.environ["YANXIU_BENCH_ENDPOINTS"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanxiu.settings.test")
sys.path.insert(0, str(ROOT / "src"))


def recreate_database() -> None:
    import psycopg

    parsed = urllib.parse.urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_data(teachers: int):
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone
    from stdnum.cn import ric

    from yanxiu.accounts.models import User
    from yanxiu.org.models import Person, Region, School
    from yanxiu.training.models import Enrollment, Project, Session

    call_command("migrate", verbosity=0)
    province = Region.objects.create(code="430000", name="湖南省", level="province")
    city = Region.objects.create(code="430100", name="长沙市", level="city", parent=province)
    county = Region.objects.create(code="430121", name="长沙县", level="county", parent=city)
    school = School.objects.create(code="4301210001", name="星沙第一小学", county=county, stage="primary")
    project = Project.objects.create(owner_school=school, region=county, title="全员培训", school_year="2026-2027", status="approved")
    now = timezone.now()
    sessions = [
        Session.objects.create(project=project, title=title, starts_at=now - dt.timedelta(minutes=2),
                               ends_at=now + dt.timedelta(hours=2), place="报告厅", status="published")
        for title in ("开学全员培训", "开学全员培训（对照）")
    ]
    users = User.objects.bulk_create([User(username=f"b{i:05d}", password="!", display_name=f"教师{i}") for i in range(teachers)])
    people = []
    for i, user in enumerate(users):
        body = f"430121{1970 + i // 365 % 30}{1 + i // 28 % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        people.append(Person(name=f"教师{i}", gender="M", birth_date=dt.date(1970 + i // 365 % 30, 1 + i // 28 % 12, 1 + i % 28),
                             id_number=body + ric.calc_check_digit(body + "0"), user=user))
    people = Person.objects.bulk_create(people)
    Enrollment.objects.bulk_create([Enrollment(session=s, person=p, school=school) for s in sessions for p in people])
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return sessions, cookies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int | None, threads: int | None) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "yanxiu.wsgi:application", "-c", "python:yanxiu.gunicorn_conf",
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    cmd += ["--workers", str(workers)] if workers else []
    cmd += ["--threads", str(threads)] if threads else []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "YANXIU_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def drive(port: int, requests: list[tuple[str, str, dict]], clients: int):
    """Send (path, body, headers) requests from ``clients`` threads; returns (seconds, latencies, statuses, bodies)."""
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    bodies: list[bytes] = [b""] * len(requests)
    barrier = threading.Barrier(clients + 1)

    def client(indexes):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        for i in indexes:
            path, body, headers = requests[i]
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            bodies[i] = response.read()
            latencies[i] = time.perf_counter() - t0
            statuses[i] = response.status
        conn.close()

    threads = [threading.Thread(target=client, args=(list(range(c, len(requests), clients)),)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, statuses, bodies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, help="default: yanxiu.gunicorn_conf")
    parser.add_argument("--threads", type=int, help="default: yanxiu.gunicorn_conf")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from yanxiu.attendance import views
    from yanxiu.attendance.models import Attendance

    print(f"setting up {args.teachers} teachers on {DB_URL.rsplit('/', 1)[-1]} …", flush=True)
    (session, floor_session), session_keys = setup_data(args.teachers)
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        form = "application/x-www-form-urlencoded"
        csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        # Warm up: every worker imports and connects before timing.
        warm = [("/attendance/bench/insert/", "", {"Content-Type": form})] * 100
        drive(port, warm, args.clients)

        baseline_reqs = [("/attendance/bench/insert/", "", {"Content-Type": form})] * args.teachers
        b_secs, b_lat, b_status, _ = drive(port, baseline_reqs, args.clients)

        def signins(path: str, pk: int):
            reqs = []
            for key in session_keys:
                device = secrets.token_urlsafe(18)
                body = urllib.parse.urlencode({"p": views.make_pass(pk, "in", device), "csrfmiddlewaretoken": csrf})
                cookie = f"sessionid={key}; csrftoken={csrf}; yx_device={device}"
                # The confirm button posts with htmx (HX-Request), as the phone's browser does.
                reqs.append((path, body, {"Content-Type": form, "Cookie": cookie, "HX-Request": "true"}))
            return reqs

        s_secs, s_lat, s_status, s_bodies = drive(port, signins(f"/attendance/s/{session.pk}/confirm/", session.pk), args.clients)
        f_secs, f_lat, f_status, f_bodies = drive(
            port, signins(f"/attendance/bench/floor/{floor_session.pk}/", floor_session.pk), args.clients
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from yanxiu import gunicorn_conf

    def line(label: str, secs: float, lat: list[float], extra: str) -> None:
        print(f"{label:<34}{args.teachers} in {secs:.2f} s, {args.teachers / secs:.0f} req/s, "
              f"p50 {statistics.median(lat) * 1000:.1f} ms, p99 {p99(lat) * 1000:.1f} ms, {extra}")

    ok = sum(1 for st, body in zip(s_status, s_bodies) if st == 200 and "签到成功".encode() in body)
    rows = Attendance.objects.filter(session=session).count()
    floor_rows = Attendance.objects.filter(session=floor_session).count()
    ratio, floor_ratio = b_secs / s_secs, b_secs / f_secs
    print(f"server: gunicorn gthread {args.workers or gunicorn_conf.workers} workers x {args.threads or gunicorn_conf.threads} "
          f"threads; {args.clients} clients on loopback; {os.cpu_count()} CPUs")
    line("baseline (1 INSERT/request):", b_secs, b_lat, f"non-200: {sum(1 for s in b_status if s != 200)}")
    line("sign-in:", s_secs, s_lat, f"signed in: {ok}, rows: {rows}, ratio {ratio:.2f}")
    line("floor (reference, not a sign-in):", f_secs, f_lat, f"rows: {floor_rows}, ratio {floor_ratio:.2f}")
    passed = ratio >= 0.5 and s_secs < 10 and ok == args.teachers and rows == args.teachers
    print(f"RESULT signin_burst ratio={ratio:.2f} target=0.5 pass={'true' if passed else 'false'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
