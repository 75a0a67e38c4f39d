"""返校"三个一": upper-level training is listed with the first session the teacher presented at school afterwards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.credits.factories import adopt
from yanxiu.credits.ledger import credit_record
from yanxiu.credits.models import SourceType
from yanxiu.credits.services import claim_submit, claim_verify
from yanxiu.reports.followup import followups
from yanxiu.training.models import Project, Session

pytestmark = pytest.mark.django_db
YEAR = 2025


def imported(person, school, *, level, title, end):
    return credit_record(
        actor=None, person=person, school=school, school_year=YEAR, kind="centralised", title=title, hours=Decimal("24"),
        source_type=SourceType.IMPORT, source_key=f"import:{title}:{person.pk}",
        evidence={"batch_id": 1, "row": 2, "result": "合格", "level": level, "start": "2025-10-08", "end": end},
    )


def presented(school, presenter, title, day: dt.date, status="published"):
    project = Project.objects.create(owner_school=school, region=school.county, title="二级培训", school_year="2025-2026",
                                     status="approved", kind="cascade")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))
    return Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                  presenter=presenter, place="会议室", status=status)


@pytest.fixture
def register(roles, school, school_b):
    adopt("000", school.county)
    teacher, member = roles.teacher.person, roles.member.person
    imported(teacher, school, level="provincial", title="省级骨干教师培训", end="2025-10-12")
    imported(member, school, level="county", title="县级通识培训", end="2025-10-12")  # county level: not listed
    imported(roles.other_teacher.person, school_b, level="national", title="国培计划示范班", end="2025-11-02")
    claim = claim_submit(actor=roles.member, title="市级班主任培训", organiser="长沙市教育局", level="city", kind="centralised",
                         hours=Decimal("12"), start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 2),
                         file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 x"))
    claim_verify(actor=roles.school_admin, claim=claim)
    presented(school, teacher, "旧的汇报", dt.date(2025, 10, 1))  # before the training: does not count
    shared = presented(school, teacher, "省培返校汇报：大单元教学", dt.date(2025, 10, 20))
    presented(school_b, roles.other_teacher.person, "国培汇报（草稿）", dt.date(2025, 11, 10), status="draft")
    return shared


def test_each_upper_level_training_is_paired_with_the_first_sharing_after_it(register, roles, school, school_b):
    rows = followups([school, school_b], YEAR)
    by_training = {r.training: r for r in rows}
    assert set(by_training) == {"省级骨干教师培训", "市级班主任培训", "国培计划示范班"}
    assert by_training["省级骨干教师培训"].shared_in == register and by_training["省级骨干教师培训"].level_label == "省培"
    assert by_training["市级班主任培训"].shared_in is None and by_training["市级班主任培训"].ended == dt.date(2025, 11, 2)
    assert by_training["国培计划示范班"].shared_in is None  # a draft session is not a sharing
    assert followups([school], YEAR + 1) == []


def test_the_register_page_is_scoped_to_the_schools_a_user_oversees(client, register, roles, school):
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:followups") + f"?year={YEAR}").content.decode()
    assert "省培返校汇报：大单元教学" in page and "市级班主任培训" in page and "国培计划示范班" not in page
    assert "其中 1 人次尚未返校分享" in page
    client.force_login(roles.bureau)
    page = client.get(reverse("reports:followups") + f"?year={YEAR}").content.decode()
    assert "国培计划示范班" in page and "其中 2 人次尚未返校分享" in page
    client.force_login(roles.teacher)
    assert client.get(reverse("reports:followups")).status_code == 403


def test_the_register_exports_the_same_rows_as_the_page(client, register, roles):
    import io

    from openpyxl import load_workbook

    client.force_login(roles.bureau)
    response = client.get(reverse("reports:followups"), {"year": YEAR, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("教师", "学校", "培训", "结束日期", "返校分享")
    assert sorted(r[2].split(" ", 1)[1].split("（")[0] for r in rows[1:]) == sorted(["省级骨干教师培训", "市级班主任培训", "国培计划示范班"])
    shared = {r[2].split(" ", 1)[1].split("（")[0]: r[4] for r in rows[1:]}
    assert shared["省级骨干教师培训"].startswith("省培返校汇报：大单元教学") and shared["市级班主任培训"] == "未安排"
    client.force_login(roles.school_admin)
    mine = list(load_workbook(io.BytesIO(client.get(reverse("reports:followups"), {"year": YEAR, "export": "xlsx"}).content)).active.iter_rows(values_only=True))
    assert len(mine) == 3 and not any("国培计划示范班" in r[2] for r in mine[1:])
