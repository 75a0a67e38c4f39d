"""The demo county's reports (yanxiu.demo.reports).

The whole-county check, :func:`check_reports_demo`, runs on the county that
``tests/demo/test_seed_demo.py::test_seed_demo_small_county`` builds (in both
database passes), so that no test builds a county of its own for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yanxiu.demo import reports as demo_reports


def test_last_month_crosses_the_year():
    assert demo_reports.last_month(dt.date(2026, 12, 1)) == (2026, 11)
    assert demo_reports.last_month(dt.date(2027, 1, 31)) == (2026, 12)
    assert demo_reports.last_month(dt.date(2026, 3, 31)) == (2026, 2)


def test_the_reviews_stay_inside_the_adjustment_bounds():
    from yanxiu.reports import evaluation

    assert len(demo_reports.REVIEWS) == demo_reports.REVIEWED_SCHOOLS
    for adjustment, comment in demo_reports.REVIEWS:
        assert evaluation.ADJUSTMENT_MIN <= Decimal(adjustment) <= evaluation.ADJUSTMENT_MAX
        assert 0 < len(comment) <= 300


def check_reports_demo(county=None) -> None:
    """The county's document settings and its two notices (1号 absence and leave of a past month, 2号 a
    commendation of the two schools with the best compliance rate and the first school's group, each with
    its reason); the ``school`` login's summaries (last year filed, this year a draft) and last year's of
    the next three schools; five schools' reviews of last year; and what the demo logins see of them."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from yanxiu.accounts.models import User
    from yanxiu.core.events import Event
    from yanxiu.core.models import AuditEvent
    from yanxiu.credits.selectors import current_school_year
    from yanxiu.org.models import Employment, Region, School
    from yanxiu.reports import evaluation, notices
    from yanxiu.reports.models import SUMMARY_SECTION_KEYS, DocumentSettings, OfficialNotice, SchoolScore, YearSummary

    region = county or Region.objects.get(code="430121")
    year = current_school_year(region)
    today = timezone.localdate()
    staffed = set(Employment.objects.current().filter(school__county=region).values_list("school_id", flat=True))
    schools = list(School.objects.filter(county=region, is_active=True, pk__in=staffed).order_by("code"))
    first = schools[0]
    assert first.name == "长沙县星沙第一小学"

    # Document settings and the notices.
    settings = DocumentSettings.objects.get(region=region)
    assert (settings.issuing_body, settings.number_prefix) == ("长沙县教育局", "长教通")
    issued = list(OfficialNotice.objects.filter(region=region).order_by("number_seq"))
    assert [(n.kind, n.number_seq) for n in issued] == [("absence", 1), ("commendation", 2)]
    absence, commendation = issued
    assert absence.number_year == commendation.number_year == today.year
    assert [n.doc_number for n in issued] == [f"长教通〔{today.year}〕1号", f"长教通〔{today.year}〕2号"]
    assert {n.issuing_body for n in issued} == {"长沙县教育局"} and all(n.date <= today for n in issued)
    assert AuditEvent.objects.filter(action=Event.REPORT_NOTICE_ISSUE.value).count() == 2
    assert AuditEvent.objects.filter(action=Event.REPORT_DOCUMENT_SETTINGS.value).count() == 1

    # 1号: a month of this school year up to last month (this month only when none has rows), frozen as built.
    month = absence.scope["month"]
    y, m = notices.parse_month(month)
    assert dt.date(y, m, 1) <= today.replace(day=1)
    assert f"{y}年{m}月培训" in absence.title
    assert absence.rows and absence.rows == notices.absence_rows(region, absence.scope)
    assert any(r["approved"] for r in absence.rows)
    assert {r["school_id"] for r in absence.rows} <= {s.pk for s in School.objects.filter(county=region)}
    ly, lm = demo_reports.last_month(today)
    if (y, m) != (ly, lm):  # last month had nothing to report
        assert not notices.absence_rows(region, {"month": f"{ly}-{lm:02d}"})
    assert f"经批准请假 {sum(r['approved'] for r in absence.rows)} 人次" in absence.body

    # 2号: two schools with the best rate so far, and a group of the first school; each with its reason.
    units = commendation.rows
    assert [r["unit_kind"] for r in units] == ["school", "school", "group"]
    assert all(r["reason"] for r in units)
    figures = {u.pk: u for u in notices.school_figures(region, year)[0] if u.teachers}
    picked = [figures[r["school_id"]] for r in units[:2]]
    best = max(Decimal(u.met) / u.teachers for u in figures.values())
    assert Decimal(picked[0].met) / picked[0].teachers == best
    rest = [Decimal(u.met) / u.teachers for pk, u in figures.items() if pk not in {p.pk for p in picked}]
    assert all(Decimal(p.met) / p.teachers >= max(rest) for p in picked)
    for row, u in zip(units, picked):
        assert f"开展校本研修活动 {u.sessions_held} 次" in row["reason"] and u.rate_text in row["reason"]
    assert units[2]["school_id"] == first.pk and commendation.scope["groups"] == [units[2]["group_id"]]

    # Summaries: the school login's last year filed (every section written) and this year a draft; last year
    # of the next three schools: two filed, one a draft; nobody else has started.
    filed = YearSummary.objects.get(school=first, school_year=year - 1)
    assert filed.is_filed and filed.filed_by.username == "school" and filed.figures
    assert all(filed.sections[key] for key in SUMMARY_SECTION_KEYS)
    draft = YearSummary.objects.get(school=first, school_year=year)
    assert draft.status == "draft" and draft.figures and all(draft.sections[key] for key in SUMMARY_SECTION_KEYS)
    last_year = dict(YearSummary.objects.filter(school_year=year - 1).values_list("school_id", "status"))
    assert last_year == {schools[0].pk: "filed", schools[1].pk: "filed", schools[2].pk: "filed", schools[3].pk: "draft"}
    assert dict(YearSummary.objects.filter(school_year=year).values_list("school_id", "status")) == {first.pk: "draft"}

    # Last year's evaluation of the first five schools: the review's adjustment and comment on the measured items.
    scores = list(SchoolScore.objects.filter(school_year=year - 1).select_related("school").order_by("school__code"))
    assert [s.school_id for s in scores] == [s.pk for s in schools[:5]]
    assert [s.adjustment for s in scores] == [Decimal(a) for a, _c in demo_reports.REVIEWS]
    assert [s.comment for s in scores] == [c for _a, c in demo_reports.REVIEWS]
    for score in scores:
        items = {i["key"]: Decimal(i["points"]) for i in score.items}
        assert score.measured_score == sum(items.values()) and score.final_score == score.measured_score + score.adjustment
        assert items["summary"] == (10 if last_year.get(score.school_id) == "filed" else 0)
        assert score.reviewed_by.username == "bureau"
    sheet = {line.school.pk: line for line in evaluation.county_sheet(region, year - 1)}
    assert sheet[first.pk].rank == 1 and sheet[first.pk].final == scores[0].final_score

    # What the demo logins see of it.
    def page(username: str, url: str) -> str:
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
        return response.content.decode()

    for username in ("bureau", "centre", "school"):
        listed = page(username, reverse("reports:notice_list"))
        assert absence.doc_number in listed and commendation.doc_number in listed, username
    assert "长教通" in page("school", reverse("reports:notice_detail", args=[absence.pk]))
    listing = page("bureau", reverse("reports:summary_list") + f"?year={year - 1}")
    assert "已报送" in listing and "草稿" in listing and "未开始" in listing
    assert "已报送" in page("school", reverse("reports:summary_school", args=[first.pk]) + f"?year={year - 1}")
    assert str(scores[0].final_score) in page("bureau", reverse("reports:evaluation_sheet") + f"?year={year - 1}")
    assert demo_reports.REVIEWS[0][1] in page("school", reverse("reports:evaluation_school", args=[first.pk]) + f"?year={year - 1}")
