"""The progress page (who is behind, by group), its export, and the home page's progress."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import YEAR

pytestmark = pytest.mark.django_db

URL = reverse("growth:progress")
PAST_TERM = {"year": YEAR, "term": 1}  # ended: done < target is behind


def _year_items_done(growth, person):
    from yanxiu.growth.models import TermGoal

    for kind in ("public_lesson", "case", "reading_note", "article", "test_paper"):
        growth.record(person, kind, dt.date(YEAR, 11, 2))
    TermGoal.objects.create(person=person, school=growth.school, school_year=YEAR, term=1, goal="站稳讲台", status="accepted")


@pytest.fixture
def staffed(growth, school_b):
    """The young tier's 六个一 (17 observations a term) for everybody; the teacher done, the member behind,
    and a second group with a teacher of its own who is behind."""
    from yanxiu.org.models import Employment, Group

    growth.adopt("001-1-young")
    Employment.objects.filter(school=growth.school).update(tier="young")
    maths = Group.objects.create(school=growth.school, name="数学组", kind="research", subject="数学")
    maths_teacher = growth.people.teacher(growth.school, name="数学老师", groups=[maths], tier="young")
    growth.roles.teacher.person.employments.get().groups.add(growth.group)
    for day in range(17):
        growth.record(growth.roles.teacher.person, "observation", dt.date(YEAR, 9, 2) + dt.timedelta(days=day))
    _year_items_done(growth, growth.roles.teacher.person)
    growth.record(growth.roles.member.person, "observation", dt.date(YEAR, 9, 3))
    return growth, maths, maths_teacher


def _rows(response):
    return {row.name: row for row, _cells in response.context["rows"]}


def test_the_admin_sees_every_group_with_the_behind_in_red(client, staffed):
    growth, maths, maths_teacher = staffed
    client.force_login(growth.roles.school_admin)
    response = client.get(URL, PAST_TERM)
    assert response.status_code == 200
    rows = _rows(response)
    assert {"张老师", "组员", "数学老师"} <= set(rows)
    observation = {i.kind: i for i in rows["组员"].progress.items}["observation"]
    assert (observation.done, observation.target, observation.behind) == (1, 17, True)
    assert not {i.kind: i for i in rows["张老师"].progress.items}["observation"].behind
    html = response.content.decode()
    assert "text-danger fw-bold" in html and "2025—2026 学年第一学期" in html and "本学期已结束" in html
    summary = {g["group"]: g for g in response.context["summary"]}
    assert summary["语文组"]["teachers"] == 3 and summary["语文组"]["behind"] == 2  # the leader has no records either
    assert summary["数学组"] == {"group": "数学组", "teachers": 1, "behind": 1}
    assert "未分组" in summary  # the admin and others outside any group
    _links_open(client, response)


def test_filters_behind_group_and_name(client, staffed):
    growth, maths, _maths_teacher = staffed
    client.force_login(growth.roles.school_admin)
    behind = _rows(client.get(URL, {**PAST_TERM, "behind": "on"}))
    assert "组员" in behind and "张老师" not in behind
    only_maths = _rows(client.get(URL, {**PAST_TERM, "group": maths.pk}))
    assert set(only_maths) == {"数学老师"}
    assert set(_rows(client.get(URL, {**PAST_TERM, "q": "组员"}))) == {"组员"}
    # An htmx request gets the table with the term and the counts.
    partial = client.get(URL, PAST_TERM, headers={"HX-Request": "true"}).content.decode()
    assert partial.strip().startswith('<div id="progress-table">') and "<html" not in partial and "progress-summary" in partial


def test_the_leader_sees_only_their_group(client, staffed):
    growth, maths, _maths_teacher = staffed
    client.force_login(growth.roles.leader)
    response = client.get(URL, PAST_TERM)
    assert response.status_code == 200
    rows = _rows(response)
    assert "数学老师" not in rows and {"张老师", "组员"} <= set(rows)
    assert [g["group"] for g in response.context["summary"]] == ["语文组"]
    # Asking for the other group shows the error and still none of its teachers.
    response = client.get(URL, {**PAST_TERM, "group": maths.pk})
    assert "数学老师" not in _rows(response) and "教研组" in response.content.decode()
    assert "数学老师" not in client.get(URL, {**PAST_TERM, "q": "数学"}).content.decode()
    export = load_workbook(io.BytesIO(client.get(URL, {**PAST_TERM, "export": "xlsx"}).content)).active
    assert "数学老师" not in [r[1] for r in export.iter_rows(values_only=True)]
    _links_open(client, client.get(URL, PAST_TERM))


def _links_open(client, response):
    """Every growth record a row links to opens for the reader."""
    import re

    links = set(re.findall(r'href="(/growth/file/[^"]+)"', response.content.decode()))
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_teachers_and_other_schools_are_refused(client, staffed, school_b):
    growth, _maths, _teacher = staffed
    client.force_login(growth.roles.teacher)
    assert client.get(URL).status_code == 403
    client.force_login(growth.roles.other_admin)
    assert client.get(URL, {"school": growth.school.pk}).status_code == 404
    client.force_login(growth.roles.far_bureau)
    assert client.get(URL, {"school": growth.school.pk}).status_code == 404
    client.force_login(growth.roles.bureau)
    response = client.get(URL, {**PAST_TERM, "school": growth.school.pk})
    assert response.status_code == 200 and "数学老师" in _rows(response)
    html = response.content.decode()
    assert 'id="school-picker"' in html and school_b.name in html  # region staff pick a school of their county
    assert client.get(URL, {"school": "x"}).status_code == 400


def test_a_bad_year_or_term_is_named_and_the_current_term_shown(client, staffed):
    growth, _maths, _teacher = staffed
    client.force_login(growth.roles.school_admin)
    response = client.get(URL, {"year": "1900", "term": "3"})
    html = response.content.decode()
    assert response.status_code == 200 and "学年：" in html and "学期：" in html
    from django.utils import timezone

    from yanxiu.growth import calendar

    assert response.context["term_span"] == calendar.term_of(growth.school, timezone.localdate())


def test_the_export_has_the_filtered_rows_and_one_column_per_item(client, staffed):
    growth, _maths, _teacher = staffed
    client.force_login(growth.roles.school_admin)
    response = client.get(URL, {**PAST_TERM, "behind": "on", "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:5] == ("教研组", "教师", "梯队", "任务清单", "进度")
    assert "听课（完成/目标）" in header
    by_name = {r[1]: dict(zip(header, r)) for r in body}
    assert "张老师" not in by_name
    assert by_name["组员"]["听课（完成/目标）"] == "1/17" and by_name["组员"]["进度"] == "落后"
    assert by_name["数学老师"]["教研组"] == "数学组"


def test_a_large_export_runs_as_a_job_with_the_same_rows(client, staffed, settings, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    from yanxiu.core.models import Job

    growth, _maths, _teacher = staffed
    client.force_login(growth.roles.leader)
    query = {**PAST_TERM, "behind": "on", "export": "xlsx"}
    inline = list(load_workbook(io.BytesIO(client.get(URL, query).content)).active.iter_rows(values_only=True))
    settings.YANXIU_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, query)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                     max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    download = b"".join(client.get(reverse("core:job_download", args=[job.pk])).streaming_content)
    assert list(load_workbook(io.BytesIO(download)).active.iter_rows(values_only=True)) == inline
    assert "数学老师" not in str(inline)


def test_the_page_does_not_grow_with_the_staff(client, staffed):
    growth, maths, _teacher = staffed
    client.force_login(growth.roles.school_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, PAST_TERM)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["rows"])

    client.get(URL, PAST_TERM)
    small, rows_before = count()
    for n in range(10):
        user = growth.people.teacher(growth.school, groups=[maths], tier="young")
        growth.record(user.person, "observation", dt.date(YEAR, 10, 1 + n))
    large, rows_after = count()
    assert rows_after == rows_before + 10
    assert large == small <= 15


def test_the_teachers_home_shows_their_progress(client, growth):
    from django.utils import timezone

    from yanxiu.growth import calendar

    growth.adopt("001-1-young")
    growth.roles.teacher.person.employments.update(tier="young")
    span = calendar.term_of(growth.school, timezone.localdate())
    growth.record(growth.roles.teacher.person, "observation", span.start)
    client.force_login(growth.roles.teacher)
    html = client.get(reverse("reports:home")).content.decode()
    assert 'id="home-growth"' in html and "听课" in html and "1/17" in html
    assert "六个一" in html


def test_the_admins_home_counts_who_is_behind(client, staffed):
    growth, _maths, _teacher = staffed
    client.force_login(growth.roles.school_admin)
    response = client.get(reverse("reports:home"))
    html = response.content.decode()
    assert "成长任务进度落后" in html and reverse("growth:progress") in html
    client.force_login(growth.roles.member)
    assert reverse("growth:progress") not in client.get(reverse("reports:home")).content.decode()


@pytest.mark.parametrize("value", ["-1", "9" * 30, "２０２５", "\x00"])
def test_hostile_parameters_never_fail_the_page(client, growth, value):
    client.force_login(growth.roles.school_admin)
    for name in ("year", "term", "group", "behind", "q", "page", "sort"):
        assert client.get(URL, {name: value}).status_code == 200, name
    assert client.get(URL, {"school": value}).status_code in (400, 404)


def test_the_bench_builds_a_small_school_and_measures_both_pages(settings, db):
    """bench/growth.py at a tiny size: its data and measures still work on the current code."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "growth.py"
    spec = importlib.util.spec_from_file_location("bench_growth", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_growth", bench)
    spec.loader.exec_module(bench)
    from yanxiu.growth.models import GrowthRecord

    school, people, admin = bench.build_school(teachers=4, first_year=YEAR - 1)
    assert bench.add_years(school, people, range(YEAR - 1, YEAR + 1), per_year=6, seed=1) == 48
    assert GrowthRecord.objects.filter(school=school).count() == 48
    results = bench.measure(school, people, admin, year=YEAR, years=2, repeat=1)
    progress = results[0]
    assert progress.name == "progress" and progress.status == 200 and progress.queries <= bench.TARGET_QUERIES
    assert progress.baseline > 0 and progress.agree and results[1].status == 200
