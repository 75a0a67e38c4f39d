"""Mid-year compliance is a standing, not a verdict: 进行中 / 有未达标风险 until the
school year is over; absences count once the session's credit is registered."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.org.models import Employment
from yanxiu.credits.compliance import Status, compliance_rows

MID_YEAR = timezone.make_aware(dt.datetime(YEAR, 12, 1, 9, 0))  # 1 December of the 2025-2026 school year


def row_for(person, *, now=MID_YEAR, **kwargs):
    rows = compliance_rows(Employment.objects.filter(person=person), YEAR, now=now, **kwargs)
    assert len(rows) == 1
    return rows[0]


def make_session(school, *, start, hours=2, title="集体备课"):
    from yanxiu.training.models import Project, Session

    project = Project.objects.create(owner_school=school, region=school.county, title="语文组教研", school_year=f"{YEAR}-{YEAR + 1}",
                                     status="approved")
    return Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2), hours=hours,
                                  status="published")


def enrol(session, person, school):
    from yanxiu.training.models import Enrollment

    return Enrollment.objects.create(session=session, person=person, school=school)


@pytest.fixture
def teacher(people, school):
    adopt("000", school.county)
    person = people.teacher(school, name="王老师").person
    credit(person, 26)
    credit(person, 14, kind="centralised", title="县级培训")
    return person


def test_mid_year_short_of_the_minimum_without_enough_scheduled_is_at_risk_not_a_verdict(teacher):
    row = row_for(teacher)
    assert row.in_progress
    assert row.status == Status.AT_RISK
    assert row.status_label == "有未达标风险（还差 8 学时）"
    assert "不能评为优秀" not in row.reason and "不能评优秀" not in row.status_label and "未达到要求" not in row.reason
    assert "学年进行中" in row.reason and "有未达标风险" in row.reason
    assert row.shortfall == {"total": 8}


def test_mid_year_with_enough_scheduled_sessions_is_in_progress(teacher, school):
    later = make_session(school, start=timezone.make_aware(dt.datetime(YEAR + 1, 3, 10, 15, 0)), hours=8)
    enrol(later, teacher, school)
    row = row_for(teacher)
    assert row.status == Status.IN_PROGRESS
    assert row.status_label == "进行中（还差 8 学时）"
    assert row.scheduled == 8 and row.projected == 48
    assert "还差 8 学时" in row.reason and "不能评为优秀" not in row.reason


def test_a_session_after_the_year_end_does_not_count_towards_the_projection(teacher, school):
    next_year = make_session(school, start=timezone.make_aware(dt.datetime(YEAR + 1, 9, 10, 15, 0)), hours=8)
    enrol(next_year, teacher, school)
    assert row_for(teacher).status == Status.AT_RISK


def test_the_verdict_appears_once_the_year_is_closed(teacher):
    after = timezone.make_aware(dt.datetime(YEAR + 1, 9, 1, 9, 0))
    row = row_for(teacher, now=after)
    assert not row.in_progress
    assert row.status == Status.BELOW and row.status_label == "未达标（不能评优秀）"
    assert "不能评为优秀" in row.reason
    assert row_for(teacher, final=True).status == Status.BELOW


def test_an_absence_is_pending_until_the_session_credit_is_registered(teacher, school, roles):
    from yanxiu.credits.services import credit_school_session

    credit(teacher, 20, title="其他培训")  # 60: over the minimum
    session = make_session(school, start=timezone.make_aware(dt.datetime(YEAR, 10, 14, 15, 30)))
    enrol(session, teacher, school)
    row = row_for(teacher)
    assert row.status == Status.MET and row.pending == 1
    assert "不合格" not in row.reason and "1 次已结束的培训学时待登记" in row.reason

    credit_school_session(actor=roles.school_admin, session=session)
    row = row_for(teacher)
    assert row.status == Status.AT_RISK and row.pending == 0
    assert "缺席培训 1 次" in row.reason and "年度考核为不合格" not in row.reason

    closed = row_for(teacher, now=timezone.make_aware(dt.datetime(YEAR + 1, 9, 1, 9, 0)))
    assert closed.status == Status.FAIL and "年度考核为不合格" in closed.reason


def test_the_json_keeps_its_keys_and_adds_the_projection(teacher, school):
    out = io.StringIO()
    call_command("compliance", "--year", str(YEAR), "--school", school.code, "--json", stdout=out)
    line = json.loads(out.getvalue().splitlines()[0])
    for key in ("id_number", "name", "school", "school_name", "school_year", "unit", "total", "by_kind", "by_category",
                "shortfall", "status", "status_code", "reason"):
        assert key in line
    # The 2025-2026 year is over on the machine's clock (tests run after it): a verdict.
    assert line["in_progress"] is False and line["status_code"] == "below"
    assert line["projected"] == 40 and line["pending"] == 0
    assert compliance_rows(Employment.objects.filter(person=teacher), YEAR, now=MID_YEAR)[0].as_json()["status_code"] == "at_risk"


def test_the_school_and_county_lists_of_a_running_year_show_standings_not_verdicts(client, roles, school):
    from django.urls import reverse

    from yanxiu.credits.selectors import current_school_year

    adopt("000", school.county)
    year = current_school_year(school.county)
    credit(roles.teacher.person, 10, year=year)
    client.force_login(roles.school_admin)
    text = client.get(reverse("credits:school", args=[school.pk]), {"year": year}).content.decode()
    assert "status=in_progress" in text and "status=at_risk" in text and "status=fail" not in text
    assert "有未达标风险（还差 38 学时）" in text and "不能评优秀" not in text
    client.force_login(roles.bureau)
    text = client.get(reverse("credits:county", args=[school.county_id]), {"year": year}).content.decode()
    assert "学年进行中" in text and "有未达标风险" in text and "不合格" not in text


def test_the_api_carries_the_standing_of_a_running_year(client, roles, school):
    from yanxiu.credits.selectors import current_school_year

    adopt("000", school.county)
    year = current_school_year(school.county)
    credit(roles.teacher.person, 10, year=year)
    client.force_login(roles.teacher)
    data = client.get("/api/credits/me", {"year": year}).json()
    assert data["in_progress"] is True and data["status_code"] == "at_risk" and data["projected"] == 10 and data["pending"] == 0
    assert data["status"] == "有未达标风险（还差 38 学时）"
