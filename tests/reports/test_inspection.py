"""The annual inspection pack (年检材料): one zip per school and year, built by a job, every folder holding its part."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.core.test_jobs import run_worker
from tests.credits.factories import adopt, credit
from tests.reports.office import docx_text, xlsx_rows
from yanxiu.archive.models import Material
from yanxiu.attendance.models import Attendance
from yanxiu.core.models import AuditEvent, Job
from yanxiu.credits.models import Objection, Posting
from yanxiu.reports import inspection
from yanxiu.reports.models import OfficialNotice
from yanxiu.training.models import Enrollment, Project, SchoolPlan, Session

pytestmark = pytest.mark.django_db
YEAR = 2025
FOLDERS = ["01 计划与安排", "02 通报", "03 签到表", "04 学时台账", "05 公示", "06 资料目录", "07 成长档案", "08 工作总结"]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"


@pytest.fixture
def year_of_school(roles, school, school_b, county):
    """One of each thing the pack gathers, at ``school`` in school year 2025-2026."""
    adopt("000", county)
    teacher = roles.teacher.person
    plan = SchoolPlan.objects.create(school=school, school_year="2025-2026", title="星沙一小2025学年校本研修计划",
                                     summary="一、指导思想：以课堂为主阵地。\n二、目标：人人上好一节公开课。")
    project = Project.objects.create(owner_school=school, region=county, plan=plan, title="课堂教学专题", school_year="2025-2026",
                                     status="approved", kind="lecture", requires_approval=False)
    held = Session.objects.create(project=project, title="评课专题讲座", starts_at=at(dt.date(2025, 10, 15), 15),
                                  ends_at=at(dt.date(2025, 10, 15), 16, 30), place="阶梯教室", presenter=roles.member.person,
                                  hours=Decimal("2.0"), status="published")
    Session.objects.create(project=project, title="草稿活动", starts_at=at(dt.date(2025, 11, 1), 9),
                           ends_at=at(dt.date(2025, 11, 1), 10), status="draft")
    spring = Session.objects.create(project=project, title="春季读书分享", starts_at=at(dt.date(2026, 3, 10), 15),
                                    ends_at=at(dt.date(2026, 3, 10), 16), place="图书室", presenter_name="外校专家",
                                    hours=Decimal("1.5"), status="published")
    for session in (held, spring):
        Enrollment.objects.create(session=session, person=teacher, school=school)
        Attendance.objects.create(session=session, person=teacher, status="present", signed_in_at=session.starts_at)
    other = Project.objects.create(owner_school=school_b, region=county, title="别校项目", school_year="2025-2026",
                                   status="approved", kind="lecture", requires_approval=False)
    Session.objects.create(project=other, title="别校活动", starts_at=at(dt.date(2025, 10, 16), 15),
                           ends_at=at(dt.date(2025, 10, 16), 16), status="published")
    OfficialNotice.objects.create(
        region=county, kind="absence", issuing_body="长沙县教育局", number_year=2025, number_seq=3,
        doc_number="长教通〔2025〕3号", title="关于十月份培训缺训情况的通报", date=dt.date(2025, 11, 5),
        body="十月份全县培训活动缺训情况通报如下。",
        rows=[{"name": "张老师", "school": school.name, "school_id": school.pk, "session": "评课专题讲座", "date": "2025-10-15",
               "reason": "未签到", "approved": False}])
    OfficialNotice.objects.create(
        region=county, kind="absence", issuing_body="长沙县教育局", number_year=2025, number_seq=4,
        doc_number="长教通〔2025〕4号", title="只点名别校的通报", date=dt.date(2025, 11, 6),
        rows=[{"name": "李老师", "school": school_b.name, "school_id": school_b.pk}])
    entry = credit(teacher, 2, year=YEAR, school=school, title="评课专题讲座")
    posting = Posting.objects.create(school=school, title="2025年秋季学时公示", period_start=dt.date(2025, 9, 1),
                                     period_end=dt.date(2025, 12, 31), days=5, starts_at=at(dt.date(2026, 1, 4), 8),
                                     ends_at=at(dt.date(2026, 1, 9), 8), status="final")
    posting.entries.add(entry)
    Objection.objects.create(posting=posting, person=teacher, entry=entry, reason="学时应为 3 学时", status="rejected",
                             resolution="按签到记录核定为 2 学时", resolved_at=at(dt.date(2026, 1, 6), 10))
    Material.objects.create(session=held, title="评课讲稿", kind="slides", file=SimpleUploadedFile("讲稿.pdf", b"%PDF-1.4 slides"),
                            size=15, uploaded_by=roles.school_admin)
    Material.objects.create(session=held, title="活动录像", kind="video", file=SimpleUploadedFile("录像.mp4", b"\x00\x00video"),
                            size=inspection.MATERIAL_FILE_MAX + 1, uploaded_by=roles.school_admin)
    return held


def build(user, school, tmp_path):
    path = tmp_path / "pack.zip"
    with path.open("wb") as target:
        result = inspection.write_pack(target, user=user, school=school, year=YEAR)
    return zipfile.ZipFile(path), result


def test_every_folder_holds_its_part(year_of_school, roles, school, tmp_path):
    archive, result = build(roles.school_admin, school, tmp_path)
    names = archive.namelist()
    for folder in FOLDERS:
        assert any(n.startswith(folder + "/") for n in names), folder
    assert set(result.files) | {"目录.txt"} == set(names)
    expected = {
        "01 计划与安排/学校年度研修计划.docx", "01 计划与安排/学校年度研修计划.pdf",
        "01 计划与安排/培训活动安排表.docx", "01 计划与安排/培训活动安排表.pdf",
        "02 通报/长教通〔2025〕3号 关于十月份培训缺训情况的通报.pdf",
        "03 签到表/2025-10-15 评课专题讲座.xlsx", "03 签到表/2026-03-10 春季读书分享.xlsx",
        "04 学时台账/学时台账.xlsx", "05 公示/学时公示及异议处理.docx", "05 公示/学时公示及异议处理.pdf",
        "06 资料目录/资料目录.xlsx", "08 工作总结/校本培训工作总结.docx", "08 工作总结/校本培训工作总结.pdf",
    }
    assert expected <= set(names), sorted(set(expected) - set(names))
    assert not any("只点名别校" in n or "别校活动" in n for n in names)
    attached = [n for n in names if n.startswith("06 资料目录/资料/")]
    assert len(attached) == 1 and attached[0].endswith("评课讲稿.pdf") and archive.read(attached[0]) == b"%PDF-1.4 slides"
    growth = [n for n in names if n.startswith("07 成长档案/")]
    assert len(growth) == 4 and any("张老师" in n for n in growth)  # the school's four current teachers
    contents = archive.read("目录.txt").decode("utf-8")
    for name in result.files:
        assert name.split("/", 1)[1] in contents
    assert "资料共 2 份，附入 1 份，其余 1 份只列入目录。" in contents


def test_the_spreadsheets_and_documents_open_in_libreoffice(year_of_school, roles, school, tmp_path):
    archive, _result = build(roles.school_admin, school, tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    def extract(name: str, as_name: str):
        path = out / as_name
        path.write_bytes(archive.read(name))
        return path

    sheet = xlsx_rows(extract("03 签到表/2025-10-15 评课专题讲座.xlsx", "sheet.xlsx"))
    assert sheet[2][1] == "张老师" and sheet[2][6] == "正常"
    register = xlsx_rows(extract("04 学时台账/学时台账.xlsx", "register.xlsx"))
    assert len(register) == 2 and register[1][0] == "张老师" and "评课专题讲座" in register[1]
    index = xlsx_rows(extract("06 资料目录/资料目录.xlsx", "index.xlsx"))
    assert [r[1] for r in index[1:]] == ["评课讲稿", "活动录像"]
    assert index[1][8].startswith("资料/") and index[2][8].startswith("未附：超过 5 MB")
    schedule = docx_text(extract("01 计划与安排/培训活动安排表.docx", "schedule.docx"))
    assert "评课专题讲座" in schedule and "阶梯教室" in schedule and "外校专家" in schedule and "草稿活动" not in schedule
    assert "共 2 次活动，合计 3.5 学时。" in schedule
    assert "第一学期" in schedule and "第二学期" in schedule
    postings = docx_text(extract("05 公示/学时公示及异议处理.docx", "postings.docx"))
    assert "学时应为 3 学时" in postings and "按签到记录核定为 2 学时" in postings and "不予采纳" in postings
    plan = docx_text(extract("01 计划与安排/学校年度研修计划.docx", "plan.docx"))
    assert "人人上好一节公开课" in plan and "课堂教学专题" in plan


def test_a_year_without_a_plan_or_notices_says_so(roles, school, county, tmp_path):
    archive, result = build(roles.school_admin, school, tmp_path)
    names = archive.namelist()
    for folder in FOLDERS:
        assert any(n.startswith(folder + "/") for n in names), folder
    assert "2025-2026 学年没有学校年度研修计划。" in archive.read("01 计划与安排/说明.txt").decode()
    assert "本学年没有点名本校的通报。" in archive.read("目录.txt").decode()


def test_the_job_builds_the_pack_with_its_progress_and_the_download(client, year_of_school, roles, school, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:inspection") + f"?year={YEAR}").content.decode()
    assert "星沙一小2025学年校本研修计划" in page and "已开展活动 2 次" in page and "2 份资料" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:inspection_start"), {"school": school.pk, "year": YEAR})
    job = Job.objects.get(owner=roles.school_admin, kind="reports.inspection_pack")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    audit = AuditEvent.objects.get(action="report.inspection_pack")
    assert (audit.school_id, audit.county_id, audit.detail["school_year"]) == (school.pk, school.county_id, YEAR)
    run_worker(monkeypatch)
    job.refresh_from_db()
    steps = inspection.pack_steps(roles.school_admin, school, YEAR)
    assert job.status == Job.Status.DONE and (job.done, job.total) == (steps, steps), job.message
    assert job.result_name == "年检材料-长沙县星沙第一小学-2025-2026.zip"
    download = client.get(reverse("core:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "03 签到表/2025-10-15 评课专题讲座.xlsx" in archive.namelist()


def test_region_staff_build_it_for_a_school_of_their_county(client, year_of_school, roles, school, tmp_path):
    client.force_login(roles.bureau)
    page = client.get(reverse("reports:inspection") + f"?school={school.pk}&year={YEAR}").content.decode()
    assert "长沙县星沙第一小学" in page and "长沙县榔梨中学" in page  # the school picker
    archive, result = build(roles.centre, school, tmp_path)
    # The training centre may not export a school's sign-in sheets: left out, and the list says so.
    assert not any(n.startswith("03 签到表/") and n.endswith(".xlsx") for n in archive.namelist())
    assert "您的角色不能导出本校活动的签到表，2 份签到表未包含。" in archive.read("目录.txt").decode()


def test_who_may_build_a_pack(client, year_of_school, roles, school, school_b, far_school):
    url = reverse("reports:inspection")
    for user, status in ((roles.teacher, 403), (roles.leader, 403), (roles.presenter, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(reverse("reports:inspection_start"), {"school": school.pk, "year": YEAR}).status_code == status
    client.force_login(roles.other_admin)
    assert client.get(url + f"?school={school.pk}").status_code == 404
    assert client.post(reverse("reports:inspection_start"), {"school": school.pk, "year": YEAR}).status_code == 404
    client.force_login(roles.far_bureau)
    assert client.get(url + f"?school={school.pk}").status_code == 404
    assert client.get(url + f"?school={far_school.pk}").status_code == 200
    assert not Job.objects.exists() and not AuditEvent.objects.filter(action="report.inspection_pack").exists()


def test_a_job_started_by_someone_who_lost_the_school_fails_with_a_message(year_of_school, roles, school, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    from yanxiu.reports.services.exports import inspection_pack_start

    with django_capture_on_commit_callbacks(execute=True):
        job = inspection_pack_start(actor=roles.school_admin, school=school, year=YEAR)
    from yanxiu.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=roles.school_admin).delete()
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "您没有权限生成该校的年检材料。"


def test_hostile_parameters_never_500(client, roles, school):
    client.force_login(roles.bureau)
    url = reverse("reports:inspection")
    assert client.get(url + f"?year={10**30}").status_code == 400
    assert client.get(url + "?school=abc").status_code == 400
    assert client.get(url + f"?school={2**63 - 1}").status_code == 404
    assert client.get(url + "?school=-1").status_code == 400
    assert client.get(url + "?q=%00&year=2025").status_code == 200
    assert client.post(reverse("reports:inspection_start"), {"school": school.pk, "year": str(10**30)}).status_code == 400
    assert not Job.objects.exists()
