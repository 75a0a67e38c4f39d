"""The bureau's evaluation sheet of schools (评估细则): each item on constructed data, ranking, review, pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.credits.factories import adopt, credit
from yanxiu.attendance.models import Attendance, Reflection
from yanxiu.core.models import AuditEvent
from yanxiu.credits.models import Posting
from yanxiu.credits.selectors import current_school_year
from yanxiu.org.models import Cluster, School
from yanxiu.reports import evaluation
from yanxiu.reports.models import EvaluationWeights, SchoolScore, YearSummary
from yanxiu.reports.services.evaluation import score_review, weights_set
from yanxiu.training.models import Enrollment, LeaveRequest, Project, SchoolPlan, Session

pytestmark = pytest.mark.django_db
YEAR = 2025  # 2025-2026: over by the time the tests run (the clock is later)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def session(school, day: dt.date, *, published_days_before: float = 3, title="校本研修", project=None):
    project = project or Project.objects.create(owner_school=school, region=school.county, title="校本研修",
                                                school_year=f"{YEAR}-{YEAR + 1}", status="approved")
    start = at(day)
    return Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                  place="会议室", status="published", hours=Decimal("2"),
                                  published_at=start - dt.timedelta(days=published_days_before))


@pytest.fixture
def data(roles, school, school_b):
    """School A with a plan, a filed summary, three held sessions, attendance, reflections, one posting;
    school B with nothing."""
    adopt("000", school.county)
    teacher, member = roles.teacher.person, roles.member.person
    SchoolPlan.objects.create(school=school, school_year=f"{YEAR}-{YEAR + 1}", title="年度研修计划")
    YearSummary.objects.create(school=school, school_year=YEAR, status=YearSummary.Status.FILED)
    YearSummary.objects.create(school=school_b, school_year=YEAR, status=YearSummary.Status.DRAFT)  # a draft: no points
    s1 = session(school, dt.date(2025, 9, 16))
    s2 = session(school, dt.date(2025, 10, 14), project=s1.project)
    s3 = session(school, dt.date(2025, 11, 11), published_days_before=0.1, project=s1.project)  # not ahead of time
    draft = session(school, dt.date(2025, 12, 9), project=s1.project)
    Session.objects.filter(pk=draft.pk).update(status="draft")  # a draft is neither scheduled nor held
    for s in (s1, s2):
        Enrollment.objects.create(session=s, person=teacher, school=school)
        Enrollment.objects.create(session=s, person=member, school=school)
        Attendance.objects.create(session=s, person=teacher, status=Attendance.Status.PRESENT, signed_in_at=s.starts_at)
    # s1: the member is absent without leave; s2: the member is on approved leave.
    LeaveRequest.objects.create(session=s2, person=member, school=school, leave_type="sick", reason="发烧",
                                status="approved", school_decision="approved")
    Reflection.objects.create(session=s1, person=teacher, body="反思" * 120, status=Reflection.Status.ACCEPTED,
                              submitted_at=s1.ends_at)
    Reflection.objects.create(session=s2, person=teacher, body="反思" * 120, status=Reflection.Status.SUBMITTED,
                              submitted_at=s2.ends_at)
    credit(teacher, 48, year=YEAR, school=school)  # 1 of school A's 4 teachers meets the year's 48 hours
    Posting.objects.create(school=school, title="第一学期学时公示", period_start=dt.date(2025, 9, 1),
                           period_end=dt.date(2026, 1, 31), starts_at=at(dt.date(2026, 2, 1)),
                           ends_at=at(dt.date(2026, 2, 6)))
    Posting.objects.create(school=school, title="上学年公示", period_start=dt.date(2025, 3, 1),
                           period_end=dt.date(2025, 7, 31), starts_at=at(dt.date(2025, 8, 1)),
                           ends_at=at(dt.date(2025, 8, 6)))  # the year before: not counted
    return {"sessions": (s1, s2, s3)}


def _items(line) -> dict:
    return {i.key: i for i in line.items}


def test_each_item_is_measured_on_constructed_data(data, school, school_b):
    lines = {line.school.pk: line for line in evaluation.county_sheet(school.county, YEAR)}
    a, b = _items(lines[school.pk]), _items(lines[school_b.pk])
    # A plan and a filed summary score all their points; none (or a draft summary) scores none.
    assert (a["plan"].points, a["plan"].max_points, b["plan"].points) == (Decimal("10.00"), 10, Decimal("0.00"))
    assert (a["summary"].points, b["summary"].points) == (Decimal("10.00"), Decimal("0.00"))
    # Term months: 11 by the default terms; September and October have a session published ahead of time.
    assert a["schedule"].value == "2 / 11 个月" and a["schedule"].points == Decimal("2.73")  # 15 × 2/11
    # Held: the three published sessions (the draft is not held), against the target of 12.
    assert a["sessions"].value.startswith("3 次") and a["sessions"].points == Decimal("3.75")
    # Attendance: present 2 ÷ (present 2 + absent 1 + leave 1).
    assert a["attendance"].value == "50.0%（出席 2，缺训 1，请假 1）" and a["attendance"].points == Decimal("7.50")
    # Reflections: accepted 1 ÷ submitted 2.
    assert a["reflections"].value == "50.0%（通过 1 / 提交 2）" and a["reflections"].points == Decimal("5.00")
    # Compliance: 1 of the 4 teachers at A is 达标.
    assert a["compliance"].value == "25.0%（4 名教师）" and a["compliance"].points == Decimal("5.00")
    # Postings whose period starts in the year: 1 of the target 2.
    assert a["postings"].value.startswith("1 次") and a["postings"].points == Decimal("2.50")
    assert lines[school.pk].measured_now == Decimal("46.48")
    assert b["attendance"].value.startswith("—") and lines[school_b.pk].measured_now == Decimal("0.00")
    assert [line.rank for line in evaluation.county_sheet(school.county, YEAR)] == [1, 2]


def test_the_items_follow_the_counties_own_weights(data, roles, school):
    weights_set(actor=roles.bureau, county=school.county,
                points={"plan": 30, "schedule": 0, "sessions": 10, "attendance": 10, "reflections": 10, "compliance": 10,
                        "postings": 10, "summary": 20}, sessions_target=3, postings_target=1)
    items = _items(evaluation.school_line(school, YEAR))
    assert items["plan"].points == Decimal("30.00") and items["schedule"].points == Decimal("0.00")
    assert items["sessions"].points == Decimal("10.00")  # 3 held of the target 3
    assert items["postings"].points == Decimal("10.00")
    assert AuditEvent.objects.filter(action="report.evaluation_weights", county_id=school.county_id).count() == 1


def test_weights_must_add_up_to_100_and_are_set_by_the_bureau(roles, school):
    points = {key: 10 for key in evaluation.ITEM_KEYS}
    with pytest.raises(ValidationError, match="100"):
        weights_set(actor=roles.bureau, county=school.county, points=points, sessions_target=12, postings_target=2)
    with pytest.raises(PermissionDenied):
        weights_set(actor=roles.centre, county=school.county, points=points, sessions_target=12, postings_target=2)
    with pytest.raises(ValidationError):
        weights_set(actor=roles.bureau, county=school.county, points={**points, "plan": -1}, sessions_target=12,
                    postings_target=2)
    assert not EvaluationWeights.objects.exists()


def test_the_defaults_add_up_to_100_and_match_the_model():
    assert sum(i.default_points for i in evaluation.ITEMS) == 100
    row = EvaluationWeights()
    assert {key: getattr(row, key) for key in evaluation.ITEM_KEYS} == evaluation.Weights.default().points


def test_a_schools_own_terms_decide_its_term_months(school):
    from yanxiu.growth.models import SchoolTerm

    SchoolTerm.objects.create(school=school, school_year=YEAR, number=1, start=dt.date(2025, 9, 1), end=dt.date(2026, 1, 10))
    SchoolTerm.objects.create(school=school, school_year=YEAR, number=2, start=dt.date(2026, 2, 24), end=dt.date(2026, 7, 5))
    session(school, dt.date(2026, 3, 10))
    session(school, dt.date(2026, 7, 2))  # July holds 5 term days: not a term month
    item = _items(evaluation.school_line(school, YEAR))["schedule"]
    assert item.value == "1 / 8 个月"  # Sep–Dec and Mar–Jun


def test_ties_share_a_rank(roles, county, school, school_b):
    c = School.objects.create(code="4301210003", name="长沙县第三小学", county=county, stage="primary")
    for s in (school, school_b):
        SchoolPlan.objects.create(school=s, school_year=f"{YEAR}-{YEAR + 1}")
    lines = evaluation.county_sheet(county, YEAR)
    assert [(line.school.pk, line.rank) for line in lines] == [(school.pk, 1), (school_b.pk, 1), (c.pk, 3)]
    score_review(actor=roles.bureau, school=c, year=YEAR, adjustment=Decimal("10.5"), comment="特色突出")
    lines = evaluation.county_sheet(county, YEAR)
    assert [(line.school.pk, line.rank, line.final) for line in lines] == [
        (c.pk, 1, Decimal("10.50")), (school.pk, 2, Decimal("10.00")), (school_b.pk, 2, Decimal("10.00"))]


def test_the_review_keeps_the_snapshot_writes_the_audit_row_and_is_bounded(data, roles, school, far_school):
    score = score_review(actor=roles.centre, school=school, year=YEAR, adjustment="-2.5", comment=" 计划详实 ")
    assert score.measured_score == Decimal("46.48") and score.final_score == Decimal("43.98")
    assert score.comment == "计划详实" and score.reviewed_by == roles.centre
    assert {i["key"]: i["points"] for i in score.items}["attendance"] == "7.50"
    row = AuditEvent.objects.get(action="report.score_review")
    assert (row.school_id, row.county_id, row.detail["final"]) == (school.pk, school.county_id, "43.98")
    # A later change of the data does not change the reviewed line until it is reviewed again.
    SchoolPlan.objects.filter(school=school).delete()
    line = evaluation.school_line(school, YEAR)
    assert line.measured == Decimal("46.48") and line.measured_now == Decimal("36.48") and line.changed_since_review
    score_review(actor=roles.bureau, school=school, year=YEAR, adjustment=20, comment="")
    assert SchoolScore.objects.get().final_score == Decimal("56.48")
    for bad in ("20.01", "-21", "abc", "NaN", "Infinity", "1.005", 10**30):
        with pytest.raises(ValidationError):
            score_review(actor=roles.bureau, school=school, year=YEAR, adjustment=bad, comment="")
    with pytest.raises(ValidationError):
        score_review(actor=roles.bureau, school=school, year=YEAR, adjustment=0, comment="长" * 301)
    with pytest.raises(ValidationError):
        score_review(actor=roles.bureau, school=school, year=current_school_year(school.county) + 1, adjustment=0,
                     comment="")  # not started yet
    for user in (roles.school_admin, roles.far_bureau, roles.teacher):
        with pytest.raises(PermissionDenied):
            score_review(actor=user, school=school, year=YEAR, adjustment=0, comment="")
    with pytest.raises(PermissionDenied):
        score_review(actor=roles.bureau, school=far_school, year=YEAR, adjustment=0, comment="")
    assert AuditEvent.objects.filter(action="report.score_review").count() == 2


def _county_of(n: int, county, *, first: int = 0):
    """n schools, each with a plan, a held session with attendance and a reflection, a posting, a teacher."""
    from tests.conftest import People

    people = People()
    people.serial = 100 + first
    for k in range(first, first + n):
        s = School.objects.create(code=f"4301219{k:03d}", name=f"测试学校{k}", county=county, stage="primary")
        SchoolPlan.objects.create(school=s, school_year=f"{YEAR}-{YEAR + 1}")
        person = people.teacher(s, username=f"q{k}").person
        sess = session(s, dt.date(2025, 10, 1 + k % 28))
        Enrollment.objects.create(session=sess, person=person, school=s)
        Attendance.objects.create(session=sess, person=person, status=Attendance.Status.PRESENT)
        Reflection.objects.create(session=sess, person=person, body="反思" * 120, submitted_at=sess.ends_at)
        Posting.objects.create(school=s, title="公示", period_start=dt.date(2025, 9, 1), period_end=dt.date(2026, 1, 31),
                               starts_at=at(dt.date(2026, 2, 1)), ends_at=at(dt.date(2026, 2, 6)))


def _queries(county) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as ctx:
        lines = evaluation.county_sheet(county, YEAR)
    return len(ctx.captured_queries), lines


def test_a_countys_sheet_takes_the_same_number_of_queries_for_2_and_40_schools(county, other_county):
    adopt("000", county)
    adopt("000", other_county)
    _county_of(2, other_county)
    few, small = _queries(other_county)
    School.objects.filter(county=other_county).update(county=county)  # the two move away; build 40 fresh ones
    _county_of(40, other_county, first=2)
    many, lines = _queries(other_county)
    assert len(small) == 2 and len(lines) == 40
    assert many == few, (few, many)
    assert many <= 35  # 31 when written: 13 of them are compliance_rows, 5 the policy behind year_span
    print(f"RESULT evaluation_sheet_queries schools=40 queries={many}")
    assert all(_items(line)["plan"].points == Decimal("10.00") for line in lines)
    assert all(_items(line)["attendance"].value.startswith("100.0%") for line in lines)


# --- Pages --------------------------------------------------------------------------------


def test_region_staff_see_their_countys_sheet_ranked(client, data, roles, school, school_b, far_school):
    client.force_login(roles.bureau)
    response = client.get(reverse("reports:evaluation_sheet") + f"?year={YEAR}")
    page = response.content.decode()
    assert response.status_code == 200
    assert school.name in page and school_b.name in page and far_school.name not in page
    assert "46.48" in page and "年度研修计划（10 分）" in page
    assert page.index(school.name) < page.index(school_b.name)
    assert reverse("reports:evaluation_review", args=[school.pk]) in page
    assert reverse("reports:evaluation_weights", args=[school.county_id]) in page  # the bureau sets the points
    client.force_login(roles.centre)
    page = client.get(reverse("reports:evaluation_sheet") + f"?year={YEAR}").content.decode()
    assert "46.48" in page and reverse("reports:evaluation_weights", args=[school.county_id]) not in page
    client.force_login(roles.far_bureau)
    page = client.get(reverse("reports:evaluation_sheet") + f"?year={YEAR}").content.decode()
    assert far_school.name in page and school.name not in page


def test_the_cluster_filter_and_the_export_of_exactly_the_rows_shown(client, data, roles, school, school_b, tmp_path):
    from tests.reports.office import xlsx_rows

    cluster = Cluster.objects.create(county=school.county, name="星沙片区", base_school=school)
    School.objects.filter(pk=school_b.pk).update(cluster=cluster)
    score_review(actor=roles.bureau, school=school_b, year=YEAR, adjustment=3, comment="=HYPERLINK(\"x\")")
    client.force_login(roles.bureau)
    url = reverse("reports:evaluation_sheet") + f"?year={YEAR}&cluster={cluster.pk}"
    page = client.get(url).content.decode()
    assert school_b.name in page and school.name not in page
    response = client.get(url + "&export=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(response.content)
    rows = xlsx_rows(path)
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["学校"] == school_b.name and row["片区"] == "星沙片区" and row["全县排名"] == "2"  # ranked in the county
    assert row["计算得分"] == "0" and row["调整分"] == "3" and row["最终得分"] == "3"
    assert row["评估"] == "已评估" and row["评估意见"] == '=HYPERLINK("x")'  # text, not a formula
    assert row["年度研修计划：测量值"] == "未制定" and row["年度研修计划：得分"] == "0"
    # The whole county, ranked.
    response = client.get(reverse("reports:evaluation_sheet") + f"?year={YEAR}&export=xlsx")
    path.write_bytes(response.content)
    body = xlsx_rows(path)[1:]
    assert [r[header.index("学校")] for r in body] == [school.name, school_b.name]
    assert body[0][header.index("最终得分")] == "46.48"


def test_a_school_admin_sees_only_their_schools_line(client, data, roles, school, school_b):
    client.force_login(roles.school_admin)
    response = client.get(reverse("reports:evaluation_sheet") + f"?year={YEAR}")
    page = response.content.decode()
    assert response.status_code == 200
    assert school.name in page and school_b.name not in page
    assert "出勤率 = 出席人次" in page and "50.0%（出席 2，缺训 1，请假 1）" in page and "46.48" in page
    assert reverse("reports:evaluation_review", args=[school.pk]) not in page  # read-only
    response = client.get(reverse("reports:evaluation_school", args=[school.pk]) + f"?year={YEAR}")
    assert response.status_code == 200 and "46.48" in response.content.decode()
    assert client.get(reverse("reports:evaluation_school", args=[school_b.pk])).status_code == 404
    assert client.get(reverse("reports:evaluation_review", args=[school.pk])).status_code == 403
    assert client.post(reverse("reports:evaluation_review", args=[school.pk]), {"adjustment": "5"}).status_code == 403
    assert not SchoolScore.objects.exists()


def test_nobody_else_sees_the_sheet(client, roles, school, far_school):
    for user in (roles.teacher, roles.leader, roles.member, roles.presenter):
        client.force_login(user)
        assert client.get(reverse("reports:evaluation_sheet")).status_code == 403
        assert client.get(reverse("reports:evaluation_school", args=[school.pk])).status_code == 403
    client.force_login(roles.far_bureau)
    assert client.get(reverse("reports:evaluation_school", args=[school.pk])).status_code == 404
    assert client.get(reverse("reports:evaluation_review", args=[school.pk])).status_code == 404
    assert client.get(reverse("reports:evaluation_weights", args=[school.county_id])).status_code == 404
    client.force_login(roles.centre)
    assert client.get(reverse("reports:evaluation_weights", args=[school.county_id])).status_code == 403
    client.logout()
    assert client.get(reverse("reports:evaluation_sheet")).status_code == 302


def test_the_review_form_saves_the_review(client, data, roles, school):
    client.force_login(roles.bureau)
    url = reverse("reports:evaluation_review", args=[school.pk]) + f"?year={YEAR}"
    page = client.get(url).content.decode()
    assert "46.48" in page and "50.0%（出席 2，缺训 1，请假 1）" in page
    response = client.post(url, {"adjustment": "25", "comment": ""})
    assert response.status_code == 400 and not SchoolScore.objects.exists()
    response = client.post(url, {"adjustment": "1.5", "comment": "资料齐全"})
    assert response.status_code == 302 and response.url == reverse("reports:evaluation_school", args=[school.pk]) + f"?year={YEAR}"
    score = SchoolScore.objects.get()
    assert (score.school_year, score.final_score, score.comment) == (YEAR, Decimal("47.98"), "资料齐全")
    page = client.get(response.url).content.decode()
    assert "47.98" in page and "资料齐全" in page


def test_the_weights_form(client, roles, school):
    client.force_login(roles.bureau)
    url = reverse("reports:evaluation_weights", args=[school.county_id])
    assert client.get(url).status_code == 200
    data = {key: 10 for key in evaluation.ITEM_KEYS} | {"sessions_target": 12, "postings_target": 2}
    response = client.post(url, data)
    assert response.status_code == 400 and "各项分值之和须为 100 分（现为 80 分）" in response.content.decode()
    data |= {"plan": 20, "summary": 20}
    response = client.post(url, data)
    assert response.status_code == 302 and EvaluationWeights.objects.get(region=school.county).plan == 20


@pytest.mark.parametrize("query", ["year=abc", "year=1000000000000000000000000000000", "year=-1", "cluster=x",
                                   "cluster=99999999999999999999999", "county=-5", "county=abc", "page=99999999",
                                   "sort=-final", "year=2025&cluster=0&export=xlsx", "school=abc"])
def test_junk_parameters_never_fail(client, roles, school, query):
    for user in (roles.bureau, roles.school_admin):
        client.force_login(user)
        assert client.get(reverse("reports:evaluation_sheet") + "?" + query).status_code in (200, 400)
        assert client.get(reverse("reports:evaluation_school", args=[school.pk]) + "?" + query).status_code in (200, 400)
    client.force_login(roles.bureau)
    assert client.get(reverse("reports:evaluation_review", args=[school.pk]) + "?" + query).status_code in (200, 400)
    not_started = current_school_year(school.county) + 1
    assert client.get(reverse("reports:evaluation_review", args=[school.pk]) + f"?year={not_started}").status_code == 400
