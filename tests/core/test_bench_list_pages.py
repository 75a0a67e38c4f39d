"""bench/list_pages.py at a tiny size: its data, its users and its measures still work on the current code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "list_pages.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_list_pages", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_list_pages", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_list_pages_bench_builds_a_small_province_and_measures_its_three_requests(bench, settings):
    from yanxiu.credits.models import CreditEntry
    from yanxiu.org.models import Employment, School

    bench.build_data(teachers=300, counties=2, entries=2)
    assert Employment.objects.current().count() == 300
    assert School.objects.count() == 6
    assert CreditEntry.objects.filter(school_year=bench.YEAR).count() == 600
    bureau = bench.create_users()
    settings.YANXIU_EXPORT_INLINE_ROWS = 100  # so that 300 rows go to a job, as 300,000 do

    results = bench.measure(bureau, runs=1, warmup=False)

    staff, compliance, export = results["staff_list"], results["county_compliance"], results["staff_export"]
    assert staff.status == 200 and compliance.status == 200
    # Each baseline fetched the page's own first rows: every teacher (staff) or school (compliance) of it is on the page.
    assert staff.baseline_rows == staff.expected == staff.rows_found == bench.PAGE_ROWS
    assert staff.baseline_total == 300  # what the pager says
    assert staff.one_school_seconds > 0
    assert compliance.baseline_rows == 150  # the first county's three schools of 50
    assert compliance.expected == compliance.rows_found == 3
    assert compliance.summary_seconds > 0 and 0 <= compliance.summary_met <= 150
    for m in (staff, compliance):
        assert m.bytes > 0 and m.seconds > 0 and m.queries > 0
    assert staff.baseline_seconds > 0 and compliance.baseline_seconds > 0
    assert export.status == 302 and export.location.startswith("/jobs/")
    assert not export.failures


def test_the_bench_reports_a_missed_target_as_a_failure(bench, capsys):
    met = bench.Measure("staff_list", status=200, bytes=1000, seconds=0.01, queries=5, baseline_seconds=0.005, baseline_rows=50)
    missed = bench.Measure("staff_export", status=200, bytes=10**6, seconds=3.0, queries=5, failures=["export request 3.0 s >= 2"])

    assert bench.report({"staff_list": met}) is True
    assert bench.report({"staff_list": met, "staff_export": missed}) is False
    out = capsys.readouterr().out
    assert "RESULT staff_list status=200 bytes=1000 ms=10 queries=5 baseline_ms=5.0 ratio=2.0" in out
    assert "RESULT list_pages pass=false" in out
