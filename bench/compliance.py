"""Compliance of every teacher of a province-sized ledger, against one hand-written GROUP BY.

Builds a throwaway PostgreSQL database (300,000 teachers, 6,000,000 ledger
entries over three school years, generated in SQL with generate_series),
then times, best of three:

- ours: ``yanxiu.credits.compliance.compliance_rows`` for every current teacher
  for one school year (database aggregates + the per-teacher status, shortfall
  and reason in Python);
- baseline: one hand-written ``SELECT person_id, SUM(...) FILTER (...) ...
  GROUP BY person_id`` over the same rows, fetched.

Prints the ratio (target <= 2) and the time for a demo-county-sized set
(2,100 teachers; target < 200 ms). Usage::

    python bench/compliance.py [--teachers 300000] [--entries 6000000] [--keep]

Needs a local PostgreSQL (YANXIU_BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

parser = argparse.ArgumentParser()
parser.add_argument("--teachers", type=int, default=300_000)
parser.add_argument("--entries", type=int, default=6_000_000)
parser.add_argument("--demo", type=int, default=2_100)
parser.add_argument("--keep", action="store_true", help="keep the database (reuse it on the next run)")
args = parser.parse_args()

PG = os.environ.get("YANXIU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "yanxiu_bench_compliance"
os.environ["YANXIU_DATABASE_URL"] = f"{PG}/{DB_NAME}"
os.environ["DJANGO_SETTINGS_MODULE"] = "yanxiu.settings.test"

import psycopg  # noqa: E402

YEAR = 2025
SCHOOL_SIZE = 50
COUNTY_SIZE = args.demo


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
        f"""INSERT INTO org_person (name, gender, birth_date, id_number, phone)
            SELECT '教师' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1970-01-01' + (g % 9000),
                   '43' || lpad(g::text, 16, '0'), ''
            FROM generate_series(1, {n}) g""",
        f"""INSERT INTO org_employment (person_id, school_id, start_date, end_date, end_reason, stage, subject, position, title,
                                        education, employment_type, teaching_since, tier)
            SELECT p.id, s.id, DATE '2015-09-01', NULL, '', 'primary', '语文', 'teacher', 'none', 'bachelor', 'established', DATE '2010-09-01', ''
            FROM org_person p JOIN org_school s ON s.code = lpad((((p.id - (SELECT min(id) FROM org_person)) / {SCHOOL_SIZE}) + 1)::text, 10, '0')""",
        f"""INSERT INTO credits_creditentry (seq, person_id, school_id, school_year, kind, category, title, hours, credits, long_cycle,
                                            source_type, source_id, source_key, evidence, evidence_file, reason, created_at, payload, prev_hash, hash, mac)
            SELECT g, e.person_id, e.school_id, {YEAR} - (g % 3),
                   (ARRAY['school_based','school_based','centralised','online'])[1 + (g % 4)], '', '培训' || (g % 97),
                   (1 + (g % 13))::numeric, (1 + (g % 13))::numeric, (g % 997 = 0), 'activity', '', '', '{{}}'::jsonb, '', '', now(), '{{}}',
                   lpad(to_hex(g - 1), 64, '0'), lpad(to_hex(g), 64, '0'), ''
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
            print(f"  {sql.split()[0]} {sql.split()[2] if len(sql.split()) > 2 else ''}: {time.perf_counter() - t:.1f}s", flush=True)
    from yanxiu.org.models import Region
    from yanxiu.policy.models import Policy
    from yanxiu.policy.services import policy_adopt_preset

    from yanxiu.accounts.models import User

    root = User.objects.create_superuser("bench", password=None)
    policy_adopt_preset(actor=root, preset=Policy.objects.get(region__isnull=True, preset_key="000"),
                        region=Region.objects.get(code="430000"), valid_from_year=2020)


def best_of(fn, runs=5):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


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

    from yanxiu.org.models import Employment, Region
    from yanxiu.credits.compliance import compliance_rows, status_counts

    baseline_sql = f"""
        SELECT person_id, SUM(hours),
               SUM(hours) FILTER (WHERE kind = 'centralised'), SUM(hours) FILTER (WHERE kind = 'online'),
               SUM(hours) FILTER (WHERE kind = 'school_based'), COUNT(*) FILTER (WHERE long_cycle)
        FROM credits_creditentry WHERE school_year = {YEAR} GROUP BY person_id"""

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql)
            return cursor.fetchall()

    def ours():
        return compliance_rows(Employment.objects.all(), YEAR)

    baseline()  # warm the cache for both
    t_base, base_rows = best_of(baseline)
    t_ours, rows = best_of(ours)
    sums = {r[0]: r[1] for r in base_rows}
    mismatched = sum(1 for r in rows if r.total != (sums.get(r.person_id) or 0))
    demo_county = Region.objects.filter(level="county").order_by("code").first()
    demo_qs = Employment.objects.filter(school__county=demo_county)
    t_demo, demo_rows = best_of(lambda: compliance_rows(demo_qs, YEAR), runs=5)
    print(f"teachers={len(rows)} baseline_groups={len(base_rows)} mismatched_totals={mismatched}")
    print(f"status counts: {status_counts(rows)}")
    print(f"baseline GROUP BY: {t_base * 1000:.0f} ms; compliance_rows: {t_ours * 1000:.0f} ms")
    print(f"demo county ({len(demo_rows)} teachers): {t_demo * 1000:.1f} ms (target < 200 ms) pass={'true' if t_demo < 0.2 else 'false'}")
    if not args.keep:
        connection.close()
        admin_exec(f"DROP DATABASE IF EXISTS {DB_NAME}")
    ratio = t_ours / t_base
    ok = ratio <= 2 and mismatched == 0 and t_demo < 0.2
    print(f"RESULT compliance ratio={ratio:.2f} target=2 pass={'true' if ok else 'false'}")


if __name__ == "__main__":
    main()
