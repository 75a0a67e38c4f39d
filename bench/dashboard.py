"""The bureau dashboard of a province, against compliance alone, and the county register export.

Builds a throwaway PostgreSQL database in SQL with generate_series (300,000
teachers in 6,000 schools, 10 schools a 片区, 6,000,000 ledger entries over
three school years, a quarter of them from sessions, 10 held sessions a school
with enrolments and attendance, a quota past its deadline for one school in
fifty), then, on 2 March of the school year (mid-year: the at-risk projection
runs):

- times, best of three, ``yanxiu.reports.dashboards.bureau_dashboard`` for every
  school of the province, and ``credits.compliance.compliance_rows`` alone for
  the same teachers; prints their ratio (target <= 1.5) and the dashboard's
  queries counted with CaptureQueriesContext (target <= 20);
- writes the register of 300,000 ledger rows of one school year with
  ``yanxiu.reports.registers.write_entries_xlsx`` in a subprocess and reports
  its peak resident memory (VmHWM; target <= 200 MB).

Usage::

    python bench/dashboard.py [--teachers 300000] [--entries 6000000] [--keep]

Needs a local PostgreSQL (YANXIU_BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

parser = argparse.ArgumentParser()
parser.add_argument("--teachers", type=int, default=300_000)
parser.add_argument("--entries", type=int, default=6_000_000)
parser.add_argument("--export-rows", type=int, default=300_000)
parser.add_argument("--keep", action="store_true", help="keep the database (reuse it on the next run)")
parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
args = parser.parse_args()

PG = os.environ.get("YANXIU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "yanxiu_bench_dashboard"
os.environ["YANXIU_DATABASE_URL"] = f"{PG}/{DB_NAME}"
os.environ["DJANGO_SETTINGS_MODULE"] = "yanxiu.settings.test"

import psycopg  # noqa: E402

YEAR = 2025
SCHOOL_SIZE = 50
COUNTY_SIZE = 2_100
CLUSTER_SIZE = 10  # schools a 片区
SESSIONS_PER_SCHOOL = 10
NOW = "2026-03-02T10:00:00+08:00"


def admin_exec(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def existing_size() -> tuple[int, int] | None:
    try:
        with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
            teachers = conn.execute("SELECT count(*) FROM org_person").fetchone()[0]
            entries = conn.execute("SELECT count(*) FROM credits_creditentry").fetchone()[0]
            return teachers, entries
    except Exception:
        return None


def build() -> None:
    from django.core.management import call_command
    from django.db import connection

    admin_exec(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin_exec(f"CREATE DATABASE {DB_NAME}")
    call_command("migrate", verbosity=0)
    n, m = args.teachers, args.entries
    schools = (n + SCHOOL_SIZE - 1) // SCHOOL_SIZE
    schools_per_county = max(1, COUNTY_SIZE // SCHOOL_SIZE)
    counties = (schools + schools_per_county - 1) // schools_per_county
    sessions = schools * SESSIONS_PER_SCHOOL
    steps = [
        "INSERT INTO org_region (code, name, level, parent_id) VALUES ('430000', '湖南省', 'province', NULL), ('430100', '长沙市', 'city', NULL)",
        "UPDATE org_region SET parent_id = (SELECT id FROM org_region WHERE code = '430000') WHERE code = '430100'",
        f"""INSERT INTO org_region (code, name, level, parent_id)
            SELECT 'C' || lpad(g::text, 6, '0'), '区县' || g, 'county', (SELECT id FROM org_region WHERE code = '430100')
            FROM generate_series(1, {counties}) g""",
        f"""INSERT INTO org_school (code, name, county_id, stage, address, is_active)
            SELECT lpad(g::text, 10, '0'), '学校' || g,
                   (SELECT id FROM org_region WHERE code = 'C' || lpad((((g - 1) / {schools_per_county}) + 1)::text, 6, '0')),
                   'primary', '', true
            FROM generate_series(1, {schools}) g""",
        f"""INSERT INTO org_cluster (county_id, name, base_school_id)
            SELECT s.county_id, '片区' || ((s.code::int - 1) / {CLUSTER_SIZE} + 1), NULL
            FROM org_school s WHERE (s.code::int - 1) % {CLUSTER_SIZE} = 0""",
        f"""UPDATE org_school s SET cluster_id = c.id FROM org_cluster c
            WHERE c.name = '片区' || ((s.code::int - 1) / {CLUSTER_SIZE} + 1)""",
        f"""INSERT INTO org_person (name, gender, birth_date, id_number, phone)
            SELECT '教师' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1970-01-01' + (g % 9000),
                   '43' || lpad(g::text, 16, '0'), ''
            FROM generate_series(1, {n}) g""",
        f"""INSERT INTO org_employment (person_id, school_id, start_date, end_date, end_reason, stage, subject, position, title,
                                        education, employment_type, teaching_since, tier)
            SELECT p.id, s.id, DATE '2015-09-01', NULL, '', 'primary', '语文', 'teacher', 'none', 'bachelor', 'established', DATE '2010-09-01', ''
            FROM org_person p JOIN org_school s ON s.code = lpad((((p.id - (SELECT min(id) FROM org_person)) / {SCHOOL_SIZE}) + 1)::text, 10, '0')""",
        # One school project a school, ten sessions a project: held in the autumn term, one in April still to come.
        f"""INSERT INTO training_project (owner_school_id, region_id, plan_id, title, level, kind, category_id, school_year, status,
                                          requires_approval, reviewer_id, submitted_at, reviewed_at, created_by_id, created_at, description, review_comment)
            SELECT s.id, s.county_id, NULL, '校本研修', 'school', 'school_based', NULL, '2025-2026', 'approved', false, NULL, NULL, NULL,
                   NULL, now(), '', ''
            FROM org_school s""",
        f"""INSERT INTO training_session (project_id, title, starts_at, ends_at, place, presenter_id, presenter_name, presenter_account_id,
                                          theme, lead_speaker_id, group_id, hours, status, signin_requires_signout, late_tolerance_minutes,
                                          early_leave_tolerance_minutes, invite_scope, series, published_at, ics_sequence, created_by_id,
                                          created_at, updated_at, content, requirements)
            SELECT p.id, '活动' || k,
                   CASE WHEN k = {SESSIONS_PER_SCHOOL} THEN TIMESTAMPTZ '2026-04-10 07:00+00' ELSE TIMESTAMPTZ '2025-09-15 07:00+00' + (k * 7) * INTERVAL '1 day' END,
                   CASE WHEN k = {SESSIONS_PER_SCHOOL} THEN TIMESTAMPTZ '2026-04-10 09:00+00' ELSE TIMESTAMPTZ '2025-09-15 09:00+00' + (k * 7) * INTERVAL '1 day' END,
                   '会议室', NULL, '', NULL, '', NULL, NULL, 2, 'published', false, 10, 10, 'whole_school', '', now(), 0, NULL, now(), now(), '', ''
            FROM training_project p CROSS JOIN generate_series(1, {SESSIONS_PER_SCHOOL}) k""",
        # Every teacher enrolled in one held session of their school (a tenth also in the one to come), most of them present.
        f"""INSERT INTO training_enrollment (session_id, person_id, school_id, source, status, created_at, withdrawn_at)
            SELECT s.id, e.person_id, e.school_id, 'invited', 'enrolled', now(), NULL
            FROM org_employment e JOIN training_project p ON p.owner_school_id = e.school_id
            JOIN training_session s ON s.project_id = p.id
            WHERE s.title = '活动' || (1 + e.person_id % 3) OR (e.person_id % 10 = 0 AND s.title = '活动{SESSIONS_PER_SCHOOL}')""",
        """INSERT INTO attendance_attendance (session_id, person_id, status, signed_in_at, signed_out_at, is_late, left_early, signin_method,
                                              signout_method, signin_device, signin_ip, signout_device, signout_ip, device_flagged,
                                              signin_agent, address_flagged, manual_reason, marked_by_id, created_at, updated_at)
            SELECT en.session_id, en.person_id, 'present', s.starts_at, NULL, false, false, 'qr', '', '', NULL, '', NULL, false, '', false,
                   '', NULL, now(), now()
            FROM training_enrollment en JOIN training_session s ON s.id = en.session_id
            WHERE s.ends_at < TIMESTAMPTZ '2026-03-01' AND en.person_id % 7 <> 0""",
        # The credit of the first sessions is registered, the others are late.
        """INSERT INTO core_auditevent (actor_id, action, target_type, target_id, detail, created_at, school_id, county_id)
            SELECT NULL, 'credit.session', 'training.session', s.id::text, '{}'::jsonb, now(), NULL, NULL
            FROM training_session s WHERE s.title IN ('活动1', '活动2')""",
        f"""INSERT INTO training_project (owner_school_id, region_id, plan_id, title, level, kind, category_id, school_year, status,
                                          requires_approval, reviewer_id, submitted_at, reviewed_at, created_by_id, created_at, description, review_comment)
            SELECT NULL, r.id, NULL, '县级骨干教师培训', 'county', 'centralised', NULL, '2025-2026', 'approved', false, NULL, NULL, NULL, NULL,
                   now(), '', '' FROM org_region r WHERE r.level = 'county'""",
        """INSERT INTO training_quota (project_id, session_id, school_id, places, deadline, submitted_at, submitted_by_id, created_at)
            SELECT p.id, NULL, s.id, 2, TIMESTAMPTZ '2026-02-01 00:00+00', NULL, NULL, now()
            FROM org_school s JOIN training_project p ON p.region_id = s.county_id AND p.owner_school_id IS NULL
            WHERE s.code::int % 50 = 0""",
        f"""INSERT INTO credits_creditentry (seq, person_id, school_id, school_year, kind, category, title, hours, credits, long_cycle,
                                            source_type, source_id, source_key, evidence, evidence_file, reason, created_at, payload, prev_hash, hash, mac)
            SELECT g, e.person_id, e.school_id, {YEAR} - (g % 3),
                   (ARRAY['school_based','school_based','centralised','online'])[1 + (g % 4)], '', '培训' || (g % 97),
                   (1 + (g % 13))::numeric, (1 + (g % 13))::numeric, (g % 997 = 0),
                   CASE WHEN g % 4 = 1 THEN 'session' WHEN g % 4 = 2 THEN 'import' ELSE 'activity' END,
                   CASE WHEN g % 4 = 1 THEN ((SELECT min(id) FROM training_session) + (g % {sessions}))::text ELSE '' END, '',
                   CASE WHEN g % 4 = 2 THEN '{{"level": "provincial"}}'::jsonb ELSE '{{}}'::jsonb END,
                   '', '', now(), '{{}}', lpad(to_hex(g - 1), 64, '0'), lpad(to_hex(g), 64, '0'), ''
            FROM generate_series(1, {m}) g
            JOIN org_employment e ON e.person_id = (SELECT min(id) FROM org_person) + (((g / 3)::bigint * 7919) % {n})::int""",
        "ANALYZE",
    ]
    with connection.cursor() as cursor:
        # Bulk load without the ledger's secondary indexes, then rebuild them.
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'credits_creditentry' AND indexname NOT LIKE '%%pkey'")
        index_defs = cursor.fetchall()
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'credits_creditentry'::regclass AND contype = 'u'")
        unique_constraints = [r[0] for r in cursor.fetchall()]
        for name in unique_constraints:
            cursor.execute(f'ALTER TABLE credits_creditentry DROP CONSTRAINT "{name}"')
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'credits_creditentry' AND indexname NOT LIKE '%%pkey'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        steps.insert(-1, "SET maintenance_work_mem = '512MB'")
        steps[-1:-1] = [definition for _name, definition in index_defs]
        for sql in steps:
            t = time.perf_counter()
            cursor.execute(sql)
            words = sql.split()
            print(f"  {words[0]} {words[2] if len(words) > 2 else ''}: {time.perf_counter() - t:.1f}s", flush=True)
    from yanxiu.accounts.models import User
    from yanxiu.org.models import Region
    from yanxiu.policy.models import Policy
    from yanxiu.policy.services import policy_adopt_preset

    root = User.objects.create_superuser("bench", password=None)
    policy_adopt_preset(actor=root, preset=Policy.objects.get(region__isnull=True, preset_key="000"),
                        region=Region.objects.get(code="430000"), valid_from_year=2020)


def best_of(fn, runs=3):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def export_child() -> None:
    """In a process of its own: the register of ``--export-rows`` ledger rows written to an xlsx; prints its peak RSS."""
    import django

    django.setup()
    from yanxiu.credits.models import CreditEntry
    from yanxiu.reports.registers import write_entries_xlsx

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    start = rss_mb()
    entries = CreditEntry.objects.filter(school_year=YEAR, seq__lte=args.export_rows * 3).order_by("seq")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "register.xlsx")
        t = time.perf_counter()
        rows = write_entries_xlsx(path, entries)
        seconds = time.perf_counter() - t
        size = os.path.getsize(path)
    # VmHWM: this process's own peak (ru_maxrss would also count the parent's, kept across fork and exec).
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "bytes": size, "start_mb": start, "peak_mb": peak}))


def main() -> None:
    import django

    size = existing_size()
    if not (args.keep and size == (args.teachers, args.entries)):
        print(f"building {args.teachers} teachers / {args.entries} entries in {DB_NAME} …", flush=True)
        django.setup()
        t = time.perf_counter()
        build()
        print(f"built in {time.perf_counter() - t:.0f}s", flush=True)
    else:
        django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils.dateparse import parse_datetime

    from yanxiu.accounts.models import User
    from yanxiu.credits.compliance import compliance_rows
    from yanxiu.org.models import Employment, School
    from yanxiu.org.scopes import scope_of
    from yanxiu.reports.dashboards import bureau_dashboard

    now = parse_datetime(NOW)
    user = User.objects.get(username="bench")
    scope_of(user)
    schools = School.objects.all()

    def compliance_alone():
        return compliance_rows(Employment.objects.filter(school__in=schools.values("pk")), YEAR, now=now)

    def dashboard():
        return bureau_dashboard(schools, YEAR, user=user, now=now)

    compliance_alone()  # warm the cache for both
    with CaptureQueriesContext(connection) as ctx:
        dash = dashboard()
    queries = len(ctx.captured_queries)
    t_compliance, rows = best_of(compliance_alone)
    t_dashboard, dash = best_of(dashboard)
    ratio = t_dashboard / t_compliance
    total = dash.total
    print(f"schools={len(dash.lines)} clusters={len(dash.groups)} teachers={total.teachers} compliance rows={len(rows)}")
    print(f"rate={total.rate} counts={total.counts} at_risk={len(dash.at_risk)} hours={total.hours} person_times={total.person_times} "
          f"absences={total.absences} leave={total.leave} late schools={len(dash.late)}")
    print(f"compliance_rows: {t_compliance * 1000:.0f} ms; bureau_dashboard: {t_dashboard * 1000:.0f} ms; ratio {ratio:.2f}; queries {queries}")

    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--export-child", "--export-rows", str(args.export_rows)],
                         capture_output=True, text=True, check=False, env=os.environ.copy())
    if out.returncode != 0:
        print(out.stderr[-3000:])
        raise SystemExit("the register export failed")
    export = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"register export: {export['rows']} rows, {export['bytes'] / 2**20:.1f} MB file, {export['seconds']:.1f}s, "
          f"RSS {export['start_mb']:.0f} MB after setup, peak {export['peak_mb']:.0f} MB")
    if not args.keep:
        connection.close()
        admin_exec(f"DROP DATABASE IF EXISTS {DB_NAME}")
    peak = export["peak_mb"]
    ok = ratio <= 1.5 and queries <= 20 and peak <= 200 and export["rows"] == args.export_rows
    print(f"RESULT dashboard ratio={ratio:.2f} target=1.5 queries={queries} target_queries=20 export_peak_mb={peak:.0f} target_mb=200 "
          f"pass={'true' if ok else 'false'}")


if __name__ == "__main__":
    if args.export_child:
        export_child()
    else:
        main()
