import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.credits.models import Objection
from yanxiu.credits.services import certificate_issue, posting_create


@pytest.fixture
def setup(roles, school):
    adopt("000", school.county)
    teacher = roles.teacher.person
    credit(teacher, 26, title="校本研修：同课异构")
    credit(teacher, 14, kind="centralised", title="县级新课标培训")
    return teacher


def client_for(client, user):
    client.force_login(user)
    return client


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_teacher_sees_their_own_standing_and_not_others(client, setup, roles, school):
    c = client_for(client, roles.teacher)
    page = c.get(reverse("credits:mine") + f"?year={YEAR}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "未达标（不能评优秀）" in text and "同课异构" in text
    assert c.get(reverse("credits:school", args=[school.pk])).status_code == 403  # their school: seen, not its credits
    assert c.get(reverse("credits:person", args=[roles.member.person.pk])).status_code == 404  # a colleague: not found


def test_the_school_and_county_lists_are_scoped(client, setup, roles, school, far_school):
    c = client_for(client, roles.school_admin)
    page = c.get(reverse("credits:school", args=[school.pk]) + f"?year={YEAR}")
    assert page.status_code == 200 and "张老师" in page.content.decode()
    assert c.get(reverse("credits:school", args=[far_school.pk])).status_code == 404  # a school they may not see
    assert c.get(reverse("credits:county", args=[school.county_id])).status_code == 403
    b = client_for(client, roles.bureau)
    county = b.get(reverse("credits:county", args=[school.county_id]) + f"?year={YEAR}")
    assert county.status_code == 200 and school.name in county.content.decode()
    assert b.get(reverse("credits:county", args=[far_school.county_id])).status_code == 404


def test_the_transcript_pdf_carries_the_chinese_name_and_hours(client, setup, roles):
    c = client_for(client, roles.teacher)
    response = c.get(reverse("credits:transcript_pdf", args=[setup.pk]) + f"?year={YEAR}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "张老师" in text and "学时证明" in text and "40" in text and "同课异构" in text
    xlsx = c.get(reverse("credits:transcript_xlsx", args=[setup.pk]) + f"?year={YEAR}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_certificate_has_a_public_verification_page_and_a_pdf_with_a_qr(client, setup, roles, school):
    cert = certificate_issue(actor=None, person=setup, title="省级骨干教师培训", organiser="湖南省教育厅", hours=24, school_year=YEAR,
                             source_key="import:x", school=school, issued_on=dt.date(2025, 10, 12))
    public = client.get(reverse("credits:verify", args=[cert.code]))
    text = public.content.decode()
    assert public.status_code == 200 and "省级骨干教师培训" in text and "证书有效" in text and setup.id_number not in text
    assert client.get(reverse("credits:verify", args=["nope"])).status_code == 404
    c = client_for(client, roles.teacher)
    pdf = c.get(reverse("credits:certificate_pdf", args=[cert.code]))
    content = pdf_text(pdf.content)
    assert "张老师" in content and "24" in content and cert.code in content
    assert b"<svg" not in pdf.content  # the QR is drawn into the PDF, not left as markup
    admin = client_for(client, roles.school_admin)
    archive = admin.get(reverse("credits:school_certificates", args=[school.pk]) + f"?year={YEAR}")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len(names) == 1 and names[0].endswith(".pdf")


def test_import_page_reports_row_errors(client, setup, roles):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(client, roles.bureau)
    csv = "身份证号,姓名,培训名称,级别,类别,内容类别,学时,开始日期,结束日期,结果\n" + f"{setup.id_number},别人,培训,省培,集中培训,,8,2025-10-01,2025-10-01,合格\n"
    page = c.post(reverse("credits:import"), {"school_year": YEAR, "dry_run": "on", "file": SimpleUploadedFile("r.csv", csv.encode("gbk"))})
    text = page.content.decode()
    assert "不一致" in text and "未登记任何记录" in text
    assert client_for(client, roles.school_admin).get(reverse("credits:import")).status_code == 403


def test_posting_pages_objection_and_resolution(client, setup, roles, school):
    today = timezone.localdate()
    posting = posting_create(actor=roles.school_admin, school=school, title="十月公示", period_start=today - dt.timedelta(days=3), period_end=today)
    entry = posting.entries.filter(person=setup).first()
    t = client_for(client, roles.teacher)
    assert "十月公示" in t.get(reverse("credits:postings")).content.decode()
    t.post(reverse("credits:objection_create", args=[posting.pk]), {"entry": entry.pk, "reason": "学时登记有误"})
    objection = Objection.objects.get()
    a = client_for(client, roles.school_admin)
    a.post(reverse("credits:objection_resolve", args=[objection.pk]), {"decision": "reverse", "resolution": "核实属实，冲正"})
    objection.refresh_from_db()
    assert objection.status == "reversed"
    b = client_for(client, roles.bureau)
    assert "核实属实" in b.get(reverse("credits:posting_detail", args=[posting.pk])).content.decode()


def test_the_api_gives_a_teacher_their_standing_with_a_masked_id(client, setup, roles, school):
    client.force_login(roles.teacher)
    data = client.get(f"/api/credits/me?year={YEAR}").json()
    assert data["total"] == 40 and data["status_code"] == "below" and "*" in data["id_number"]
    assert client.get(f"/api/credits/schools/{school.pk}/compliance?year={YEAR}").status_code == 404
    client.force_login(roles.school_admin)
    rows = client.get(f"/api/credits/schools/{school.pk}/compliance?year={YEAR}").json()
    assert any(r["name"] == "张老师" and r["total"] == 40 for r in rows)


def test_the_county_page_charts_each_schools_statuses(client, roles, school):
    import json
    import re

    adopt("000", school.county)
    credit(roles.teacher.person, 50)
    client.force_login(roles.bureau)
    html = client.get(f"/credits/county/{school.county.pk}/?year={YEAR}").content.decode()
    data = json.loads(re.search(r'<script id="county-chart" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert school.name in data["categories"]
    met = data["series"][0]
    assert met["name"] == "达标" and met["data"][data["categories"].index(school.name)] == 1
    assert "vendor/echarts/echarts.min.js" in html


# --- Return addresses (next=) -----------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
def test_reversing_an_entry_never_sends_the_user_to_another_site(client, roles, school, target):
    from .factories import credit

    adopt("000", school.county)
    entry = credit(roles.teacher.person, 2)
    client.force_login(roles.school_admin)
    r = client.post(f"/credits/entries/{entry.pk}/reverse/", {"reason": "录入错误", "next": target})
    assert r.status_code == 302
    assert r.url == f"/credits/person/{roles.teacher.person.pk}/"


def test_issuing_project_certificates_never_sends_the_user_to_another_site(client, roles, school):
    from yanxiu.training.models import Project

    project = Project.objects.create(title="校本课程", owner_school=school, region=school.county, school_year="2025-2026")
    client.force_login(roles.school_admin)
    r = client.post(f"/credits/projects/{project.pk}/certificates/", {"next": "https://evil.example/"})
    assert r.status_code == 302
    assert r.url == "/credits/"
    r = client.post(f"/credits/projects/{project.pk}/certificates/", {"next": f"/credits/school/{school.pk}/"})
    assert r.url == f"/credits/school/{school.pk}/"
