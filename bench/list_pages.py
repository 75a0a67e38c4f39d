"""The bureau's list pages at province size, against hand-written SQL for the same first page.

Builds a throwaway PostgreSQL database (``--teachers`` current teachers, 300,000
by default, 50 to a school with one group each, every school in ``--counties``
counties under one province, and ``--entries`` ledger entries per teacher in
one school year, all generated in SQL with generate_series), signs in as a
bureau admin of the province (Django test client, ``force_login``) and times,
best of three after one warm-up request, with bytes and query counts:

- the staff list (``org:staff_list``), against one hand-written query giving
  its first page (50 rows with its columns: name, school, gender, ID number,
  phone, stage, subject, title, tier, groups, in its order) and the total its
  pager shows ("共 N 条"), fetched;
- the compliance page of the first county (``credits:county``; its rows are
  schools), against one hand-written query of the per-teacher sums (total,
  centralised, online, school-based hours, long-cycle entries) of the teachers
  of its first 50 schools, fetched, plus the query its summary needs
  ("达标 N · 未达标 N …"): the same sums for every teacher of the county,
  counted by status in the database (the preset policy's rule written out);
- the staff export request (``org:staff_export``), which must answer at once
  with a redirect (to a background job, or a refusal asking for a filter)
  rather than write 300,000 rows inside the request.

Targets (a missed one exits with status 1):

- a page body under 100 KB: a page shows 50 rows, never the whole region;
- the page shows the baseline's first rows (its teachers' or schools' names);
- a page's time at most 5 times its baseline (ratio = page / baseline), at
  the default size. A page that does only what its baseline does (count,
  fetch one page, and for the compliance page sum the county) costs that plus
  a part that does not grow with the region (session, scope, layout, filter
  form, 50 rows of cells), printed as ``one_school_ms``: the same staff list
  for one school. At 300,000 teachers on 2 cores shared with other work
  (load 9-12) that part was 0.3-0.5 s and the staff baseline 0.2-0.3 s, so
  such a page has a ratio of about 2-3, while a staff list that counts and
  sorts every employment with ``SELECT DISTINCT`` took 3.9-5.6 s (ratio 17-23);
  the compliance page, whose summary needs the county's ledger summed (4.7 s
  for the baseline there), took 15 s (ratio 3.2). At smaller sizes the fixed
  part alone can exceed 5 times the baseline: the ratio target is meant for
  province size;
- the export request answered in under 2 s, with a redirect.

Usage::

    python bench/list_pages.py [--teachers 300000] [--entries 4] [--counties 1] [--keep]

Needs a local PostgreSQL (YANXIU_BENCH_PG, default postgres://postgres@127.0.0.1:5432).
The functions :func:`build_data`, :func:`create_users` and :func:`measure` work on
whatever database Django is connected to (tests/core/test_bench_list_pages.py runs
them on the test database at a tiny size).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB_NAME = "yanxiu_bench_lists"
YEAR = 2025
SCHOOL_SIZE = 50
PAGE_ROWS = 50
TARGET_BYTES = 100_000
TARGET_RATIO = 5.0
TARGET_EXPORT_SECONDS = 2.0
BUREAU_USERNAME = "bench-bureau"


# --- Building ------------------------------------------------------------------------


def _data_steps(*, teachers: int, counties: int, entries: int, year: int) -> list[str]:
    from yanxiu.credits.models import CreditEntry
    from yanxiu.org.models import Employment, Group, Person, Region, School

    n = teachers
    schools = (n + SCHOOL_SIZE - 1) // SCHOOL_SIZE
    per_county = (schools + counties - 1) // counties
    region, school, person = Region._meta.db_table, School._meta.db_table, Person._meta.db_table
    employment, group = Employment._meta.db_table, Group._meta.db_table
    members = Employment.groups.through._meta.db_table
    ledger = CreditEntry._meta.db_table
    return [
        f"""INSERT INTO {region} (code, name, level, parent_id) VALUES ('430000', '湖南省', 'province', NULL)""",
        f"""INSERT INTO {region} (code, name, level, parent_id)
            SELECT '430100', '长沙市', 'city', id FROM {region} WHERE code = '430000'""",
        f"""INSERT INTO {region} (code, name, level, parent_id)
            SELECT 'C' || lpad(g::text, 5, '0'), '区县' || g, 'county', (SELECT id FROM {region} WHERE code = '430100')
            FROM generate_series(1, {counties}) g""",
        f"""INSERT INTO {school} (code, name, county_id, stage, address, is_active)
            SELECT lpad(g::text, 10, '0'), '学校' || g,
                   (SELECT id FROM {region} WHERE code = 'C' || lpad((((g - 1) / {per_county}) + 1)::text, 5, '0')),
                   'primary', '', true
            FROM generate_series(1, {schools}) g""",
        f"""INSERT INTO {person} (name, gender, birth_date, id_number, phone)
            SELECT '教师' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1970-01-01' + (g % 9000),
                   '43' || lpad(g::text, 16, '0'), '138' || lpad(g::text, 8, '0')
            FROM generate_series(1, {n}) g""",
        f"""INSERT INTO {employment} (person_id, school_id, start_date, end_date, end_reason, stage, subject, position, title,
                                       education, employment_type, teaching_since, tier)
            SELECT p.id, s.id, DATE '2015-09-01', NULL, '', 'primary', '语文', 'teacher', 'none', 'bachelor', 'established',
                   DATE '2010-09-01', ''
            FROM {person} p
            JOIN {school} s ON s.code = lpad((((p.id - (SELECT min(id) FROM {person})) / {SCHOOL_SIZE}) + 1)::text, 10, '0')""",
        # One teaching-research group per school with every teacher in it: the list shows "所在组".
        f"""INSERT INTO {group} (school_id, name, kind, subject, parent_id, leader_id)
            SELECT id, '语文组', 'research', '语文', NULL, NULL FROM {school}""",
        f"""INSERT INTO {members} (employment_id, group_id)
            SELECT e.id, g.id FROM {employment} e JOIN {group} g ON g.school_id = e.school_id""",
        # ``entries`` entries per teacher in the one school year; totals vary so that statuses vary.
        f"""INSERT INTO {ledger} (seq, person_id, school_id, school_year, kind, category, title, hours, credits, long_cycle,
                                 source_type, source_id, source_key, evidence, evidence_file, reason, created_at, payload,
                                 prev_hash, hash, mac)
            SELECT g, e.person_id, e.school_id, {year},
                   (ARRAY['school_based','school_based','centralised','online'])[1 + (g % 4)], '', '培训' || (g % 97),
                   (1 + (g % 29))::numeric, (1 + (g % 29))::numeric, (g % 997 = 0), 'activity', '', '', '{{}}'::jsonb, '', '',
                   now(), '{{}}', lpad(to_hex(g - 1), 64, '0'), lpad(to_hex(g), 64, '0'), ''
            FROM generate_series(1, {n * entries}) g
            JOIN {employment} e ON e.person_id = (SELECT min(id) FROM {person}) + ((g - 1) % {n})""",
    ]


def build_data(*, teachers: int, counties: int = 1, entries: int = 4, year: int = YEAR, bulk: bool = False,
               verbose: bool = False) -> None:
    """Insert the province into the connected database (migrated, without regions or people yet).

    ``bulk`` drops the ledger's secondary indexes and unique constraints before
    loading and rebuilds them after (a fresh bench database only).
    """
    from django.db import connection

    from yanxiu.credits.models import CreditEntry

    ledger = CreditEntry._meta.db_table
    steps = _data_steps(teachers=teachers, counties=counties, entries=entries, year=year)
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        if bulk:
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
                           [ledger])
            for name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {ledger} DROP CONSTRAINT "{name}"')
                rebuild.append(f'ALTER TABLE {ledger} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%pkey'", [ledger])
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
                rebuild.append(definition)
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in [*steps, *rebuild, "ANALYZE"]:
            t = time.perf_counter()
            cursor.execute(sql)
            if verbose:
                words = sql.split()
                print(f"  {' '.join(words[:3])}: {time.perf_counter() - t:.1f}s", flush=True)


def create_users(*, year: int = YEAR):
    """A superuser who adopts the preset policy for the province, and the province's bureau admin (returned)."""
    from yanxiu.accounts.models import RoleAssignment, User
    from yanxiu.org.models import Region
    from yanxiu.policy.models import Policy
    from yanxiu.policy.services import policy_adopt_preset

    province = Region.objects.get(code="430000")
    root = User.objects.create_superuser("bench-root", password=None)
    preset = Policy.objects.filter(region__isnull=True, preset_key="000").order_by("-version").first()
    policy_adopt_preset(actor=root, preset=preset, region=province, valid_from_year=year - 5)
    bureau = User.objects.create_user(BUREAU_USERNAME, password=None, display_name="教育局管理员")
    RoleAssignment.objects.create(user=bureau, role="bureau_admin", region=province)
    return bureau


# --- Measuring -----------------------------------------------------------------------


@dataclass
class Measure:
    name: str
    status: int = 0
    bytes: int = 0
    seconds: float = 0.0
    queries: int = 0
    location: str = ""
    baseline_seconds: float | None = None
    baseline_rows: int = 0
    baseline_total: int | None = None  # the row count the baseline gives for the pager
    #: The same page for one school's 50 teachers: its part that does not grow with the region (for information).
    one_school_seconds: float | None = None
    #: The county-wide query behind a summary the page shows (part of the baseline the ratio divides by).
    summary_seconds: float | None = None
    summary_met: int | None = None  # teachers the summary baseline counts as met (for information)
    expected: int = 0  # names the baseline's rows show (teachers or schools)
    rows_found: int = 0  # ... of which the page shows
    failures: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline_seconds is None:
            return None
        return self.seconds / max(self.baseline_seconds + (self.summary_seconds or 0), 1e-6)


def _best_of(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def _request(client, url: str, runs: int, warmup: bool) -> tuple[float, object, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warmup:
        client.get(url)  # templates, the user's scope, the database's caches
    best, response, queries = None, None, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            response = client.get(url)
            content = response.content
            elapsed = time.perf_counter() - t
        if best is None or elapsed < best:
            best, queries = elapsed, len(captured.captured_queries)
        del content
    return best, response, queries


def _fetch(sql: str, params: list, runs: int, warmup: bool):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    if warmup:
        run()
    return _best_of(run, runs)


def staff_baseline_sql() -> str:
    """The staff list's first 50 rows, with the total its pager shows ("共 N 条"); parameters: the county ids twice."""
    from yanxiu.org.models import Employment, Group, Person, School

    members = Employment.groups.through._meta.db_table
    return f"""
        SELECT p.name, s.name, p.gender, p.id_number, p.phone, e.stage, e.subject, e.title, e.tier,
               (SELECT string_agg(g.name, '、' ORDER BY g.name) FROM {members} m JOIN {Group._meta.db_table} g ON g.id = m.group_id
                WHERE m.employment_id = e.id),
               (SELECT count(*) FROM {Employment._meta.db_table} e2 JOIN {School._meta.db_table} s2 ON s2.id = e2.school_id
                WHERE e2.end_date IS NULL AND s2.county_id = ANY(%s)) AS total
        FROM {Employment._meta.db_table} e
        JOIN {Person._meta.db_table} p ON p.id = e.person_id
        JOIN {School._meta.db_table} s ON s.id = e.school_id
        WHERE e.end_date IS NULL AND s.county_id = ANY(%s)
        ORDER BY s.code, p.name, e.id
        LIMIT {PAGE_ROWS}"""


def _county_teachers_sql(where: str) -> str:
    """Per-teacher sums (total, centralised, online, school-based hours, long-cycle entries) for one year."""
    from yanxiu.credits.models import CreditEntry
    from yanxiu.org.models import Employment, School

    return f"""
        SELECT s.name, e.person_id, COALESCE(SUM(c.hours), 0),
               SUM(c.hours) FILTER (WHERE c.kind = 'centralised'), SUM(c.hours) FILTER (WHERE c.kind = 'online'),
               SUM(c.hours) FILTER (WHERE c.kind = 'school_based'), COUNT(c.id) FILTER (WHERE c.long_cycle)
        FROM {Employment._meta.db_table} e
        JOIN {School._meta.db_table} s ON s.id = e.school_id
        LEFT JOIN {CreditEntry._meta.db_table} c ON c.person_id = e.person_id AND c.school_year = %s
        WHERE e.end_date IS NULL AND {where}
        GROUP BY s.code, s.name, e.id, e.person_id
        ORDER BY s.code, e.id"""


def compliance_page_baseline_sql() -> str:
    """The page's rows are schools: the per-teacher sums of the teachers of its first 50 schools."""
    from yanxiu.org.models import School

    return _county_teachers_sql(f"""s.id IN (SELECT id FROM {School._meta.db_table} WHERE county_id = %s
                                             ORDER BY code LIMIT {PAGE_ROWS})""")


def compliance_summary_baseline_sql() -> str:
    """The page's summary counts every teacher of the county by status: the ledger summed per teacher and
    counted in the database with the preset policy's rule (48 hours, 24 school-based unless on a long-cycle
    course) written out by hand. Parameters: year, county id. Returns one row: (teachers, met)."""
    from yanxiu.credits.models import CreditEntry
    from yanxiu.org.models import Employment, School

    return f"""
        SELECT count(*), count(*) FILTER (WHERE c.total >= 48 AND (COALESCE(c.school_based, 0) >= 24 OR c.long_cycle > 0))
        FROM {Employment._meta.db_table} e
        JOIN {School._meta.db_table} s ON s.id = e.school_id
        LEFT JOIN (SELECT person_id, SUM(hours) AS total, SUM(hours) FILTER (WHERE kind = 'school_based') AS school_based,
                          COUNT(*) FILTER (WHERE long_cycle) AS long_cycle
                   FROM {CreditEntry._meta.db_table} WHERE school_year = %s GROUP BY person_id) c ON c.person_id = e.person_id
        WHERE e.end_date IS NULL AND s.county_id = %s"""


def _names_found(body: str, names) -> int:
    return sum(1 for name in names if re.search(rf">\s*{re.escape(name)}\s*<", body))


def measure(bureau, *, year: int = YEAR, runs: int = 3, warmup: bool = True) -> dict[str, Measure]:
    """Time the three requests as ``bureau`` and their baselines (best of ``runs``, after one unmeasured
    run with ``warmup``); each Measure lists the targets it missed."""
    from django.test import Client
    from django.urls import reverse

    from yanxiu.org import scopes
    from yanxiu.org.models import Region, School

    county = Region.objects.filter(level="county").order_by("code").first()
    first_school = School.objects.filter(county=county).order_by("code").first()
    counties = sorted(scopes.scope_of(bureau).bureau_counties)
    client = Client()
    client.force_login(bureau)
    results: dict[str, Measure] = {}

    pages = [
        # (name, address, baseline SQL and parameters, summary SQL and parameters or None)
        ("staff_list", reverse("org:staff_list"), (staff_baseline_sql(), [counties, counties]), None),
        ("county_compliance", f"{reverse('credits:county', args=[county.pk])}?year={year}",
         (compliance_page_baseline_sql(), [year, county.pk]), (compliance_summary_baseline_sql(), [year, county.pk])),
    ]
    for name, url, (sql, params), summary in pages:
        m = Measure(name)
        m.seconds, response, m.queries = _request(client, url, runs, warmup)
        m.status, m.bytes = response.status_code, len(response.content)
        m.baseline_seconds, rows = _fetch(sql, params, runs, warmup)
        if summary is not None:
            m.summary_seconds, ((_teachers, m.summary_met),) = _fetch(*summary, runs, warmup)
        m.baseline_rows = len(rows)
        if name == "staff_list":
            m.baseline_total = rows[0][-1] if rows else 0
            m.one_school_seconds, _response, _queries = _request(client, f"{url}?school={first_school.pk}", runs, warmup)
        names = list(dict.fromkeys(r[0] for r in rows))
        m.expected, m.rows_found = len(names), _names_found(response.content.decode(), names)
        if m.status != 200:
            m.failures.append(f"status {m.status}")
        if m.rows_found < m.expected:
            m.failures.append(f"the page shows {m.rows_found} of the {m.expected} first rows of the baseline")
        if m.bytes >= TARGET_BYTES:
            m.failures.append(f"body {m.bytes} B >= {TARGET_BYTES}")
        if m.ratio > TARGET_RATIO:
            m.failures.append(f"ratio {m.ratio:.1f} > {TARGET_RATIO:g}")
        results[name] = m

    m = Measure("staff_export")
    m.seconds, response, m.queries = _request(client, reverse("org:staff_export"), runs, warmup)
    m.status, m.bytes = response.status_code, len(response.content)
    m.location = response.get("Location", "")
    if m.seconds >= TARGET_EXPORT_SECONDS:
        m.failures.append(f"export request {m.seconds:.1f} s >= {TARGET_EXPORT_SECONDS:g}")
    if m.status not in (301, 302, 303):
        m.failures.append(f"status {m.status}, not a redirect to a job (or a refusal)")
    results[m.name] = m
    return results


def report(results: dict[str, Measure]) -> bool:
    """Print one RESULT line per request and a last one for the whole bench; True when every target is met."""
    for m in results.values():
        parts = [f"RESULT {m.name}", f"status={m.status}", f"bytes={m.bytes}", f"ms={m.seconds * 1000:.0f}", f"queries={m.queries}"]
        if m.baseline_seconds is not None:
            parts.append(f"baseline_ms={m.baseline_seconds * 1000:.1f}")
            if m.summary_seconds is not None:
                parts += [f"summary_baseline_ms={m.summary_seconds * 1000:.1f}", f"summary_met={m.summary_met}"]
            if m.baseline_total is not None:
                parts.append(f"total={m.baseline_total}")
            if m.one_school_seconds is not None:
                parts.append(f"one_school_ms={m.one_school_seconds * 1000:.0f}")
            parts += [f"ratio={m.ratio:.1f}", f"rows_found={m.rows_found}/{m.expected}",
                      f"target_bytes={TARGET_BYTES}", f"target_ratio={TARGET_RATIO:g}"]
        else:
            parts += [f"location={m.location or '-'}", f"target_s={TARGET_EXPORT_SECONDS:g}"]
        parts.append(f"pass={'false' if m.failures else 'true'}")
        print(" ".join(parts))
        for failure in m.failures:
            print(f"  missed: {failure}")
    ok = not any(m.failures for m in results.values())
    print(f"RESULT list_pages pass={'true' if ok else 'false'}")
    return ok


# --- The script ------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=300_000)
    parser.add_argument("--entries", type=int, default=4, help="ledger entries per teacher in the school year")
    parser.add_argument("--counties", type=int, default=1, help="counties the schools are spread over (the first is measured)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database (reuse it on the next run)")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.path.join(ROOT, "src"))
    pg = os.environ.get("YANXIU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    os.environ["YANXIU_DATABASE_URL"] = f"{pg}/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yanxiu.settings.test"
    os.environ.setdefault("YANXIU_LOG_LEVEL", "WARNING")
    import django
    import psycopg

    def admin_exec(sql: str) -> None:
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def existing() -> tuple | None:
        try:
            with psycopg.connect(f"{pg}/{DB_NAME}") as conn:
                return (conn.execute("SELECT count(*) FROM org_employment WHERE end_date IS NULL").fetchone()[0],
                        conn.execute("SELECT count(*) FROM credits_creditentry").fetchone()[0],
                        conn.execute("SELECT count(*) FROM org_region WHERE level = 'county'").fetchone()[0])
        except Exception:
            return None

    wanted = (args.teachers, args.teachers * args.entries, args.counties)
    reuse = args.keep and existing() == wanted
    if not reuse:
        admin_exec(f"DROP DATABASE IF EXISTS {DB_NAME}")
        admin_exec(f"CREATE DATABASE {DB_NAME}")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if reuse:
        from yanxiu.accounts.models import User

        bureau = User.objects.get(username=BUREAU_USERNAME)
        print(f"reusing {DB_NAME}: {args.teachers} teachers, {args.teachers * args.entries} ledger entries", flush=True)
    else:
        print(f"building {args.teachers} teachers / {args.teachers * args.entries} ledger entries in {DB_NAME} …", flush=True)
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_data(teachers=args.teachers, counties=args.counties, entries=args.entries, bulk=True, verbose=True)
        bureau = create_users()
        print(f"built in {time.perf_counter() - t:.0f}s", flush=True)
    results = measure(bureau, runs=args.runs)
    ok = report(results)
    if not args.keep:
        connection.close()
        admin_exec(f"DROP DATABASE IF EXISTS {DB_NAME}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
