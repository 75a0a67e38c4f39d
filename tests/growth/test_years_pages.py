"""The growth record pages: the file for each viewer with the forms they may fill, the
sign-off button, the PDF's text, the school's list and its zip job, the old school's
read-only view after a transfer, and the page's queries."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from tests.core.test_jobs import run_worker
from tests.growth.conftest import YEAR, add_record
from yanxiu.core.models import Job
from yanxiu.growth.models import GrowthYear, YearReview
from yanxiu.growth.services.years import year_review_write, year_sign_off

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 10, 15)


def _url(person, year=YEAR, name="growth:file"):
    return reverse(name, args=[person.pk, year])


def _review(actor, person, role, comment, score=90, year=YEAR):
    return year_review_write(actor=actor, person=person, school_year=year, role=role, score=score, comment=comment)


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def member_year(growth):
    r = growth.roles
    member = r.member.person
    add_record(member, "public_lesson", DAY, title="县级公开课《荷塘月色》", level="county")
    add_record(member, "observation", DAY, title="听《赵州桥》")
    _review(r.member, member, "self", "自评：完成了全部任务。")
    _review(r.teacher, member, "peer", "同伴：课堂扎实。")
    _review(r.leader, member, "group", "组内：积极承担公开课。")
    return member


def test_the_school_admin_sees_everything_the_school_form_and_the_sign_off(client, growth, member_year):
    client.force_login(growth.roles.school_admin)
    page = client.get(_url(member_year)).content.decode()
    assert "县级公开课《荷塘月色》" in page and "同伴：课堂扎实。" in page and "张老师" in page
    assert 'name="school-score"' in page and 'name="self-score"' not in page
    assert reverse("growth:file_sign_off", args=[member_year.pk, YEAR]) in page
    back = reverse("growth:school_files") + f"?school={growth.school.pk}&amp;year={YEAR}"
    assert f'href="{back}">返回</a>' in page
    client.force_login(growth.roles.leader)
    assert ">返回</a>" not in client.get(_url(member_year)).content.decode()


def test_the_teacher_sees_their_file_without_peer_names_and_fills_only_the_self_part(client, growth, member_year):
    client.force_login(growth.roles.member)
    page = client.get(_url(member_year)).content.decode()
    assert "同伴：课堂扎实。" in page and "同伴（匿名）" in page and "张老师" not in page
    assert 'name="self-score"' in page and 'name="school-score"' not in page and 'name="group-score"' not in page
    assert "sign-off" not in page
    response = client.post(reverse("growth:file_review", args=[member_year.pk, YEAR, "school"]), {"school-score": 99, "school-comment": "x"})
    assert response.status_code == 403 and not YearReview.objects.filter(role="school").exists()


def test_another_teacher_never_opens_the_file_nor_its_pdf(client, growth, member_year):
    for user in (growth.roles.teacher, growth.roles.other_teacher, growth.roles.presenter):
        client.force_login(user)
        assert client.get(_url(member_year)).status_code == 404
        assert client.get(_url(member_year, name="growth:file_pdf")).status_code == 404


def test_the_group_leader_reads_the_group_parts_and_writes_the_group_review(client, growth, member_year):
    client.force_login(growth.roles.leader)
    page = client.get(_url(member_year)).content.decode()
    assert "组内：积极承担公开课。" in page and "同伴：课堂扎实。" in page
    assert "培训与学时" not in page and 'name="group-score"' in page
    response = client.post(reverse("growth:file_review", args=[member_year.pk, YEAR, "group"]),
                           {"group-score": 95, "group-comment": "修改后的组内评价"})
    assert response.status_code == 302 and YearReview.objects.get(role="group").comment == "修改后的组内评价"
    assert client.get(_url(growth.roles.teacher.person)).status_code == 404  # not in the leader's group


def test_a_bad_review_is_shown_on_the_form_with_its_field(client, growth, member_year):
    client.force_login(growth.roles.school_admin)
    url = reverse("growth:file_review", args=[member_year.pk, YEAR, "school"])
    response = client.post(url, {"school-score": 120, "school-comment": "  "})
    page = response.content.decode()
    assert response.status_code == 400 and "得分" in page and "评语" in page
    assert not YearReview.objects.filter(role="school").exists()
    assert client.get(reverse("growth:file_review", args=[member_year.pk, YEAR, "nobody"])).status_code == 404


def test_a_peer_reviews_colleagues_from_their_list(client, growth, member_year):
    client.force_login(growth.roles.teacher)
    peers = client.get(reverse("growth:peers", args=[YEAR])).content.decode()
    assert "组员" in peers and "已评 90 分" in peers and "李老师" not in peers  # another school's teacher
    url = reverse("growth:file_review", args=[member_year.pk, YEAR, "peer"])
    assert "同伴：课堂扎实。" in client.get(url).content.decode()  # their own review, to change
    response = client.post(url, {"peer-score": 80, "peer-comment": "同伴：修改后"})
    assert response.status_code == 302 and response["Location"] == reverse("growth:peers", args=[YEAR])
    assert YearReview.objects.get(role="peer").score == 80
    client.force_login(growth.roles.other_teacher)
    assert client.get(url).status_code == 404


def test_sign_off_from_the_page_locks_the_forms(client, growth, member_year):
    client.force_login(growth.roles.school_admin)
    sign = reverse("growth:file_sign_off", args=[member_year.pk, YEAR])
    client.post(sign, {"comment": "同意"})
    assert not GrowthYear.objects.get().locked  # no school review yet: refused with a message
    _review(growth.roles.school_admin, member_year, "school", "学校：表现优秀。")
    response = client.post(sign, {"comment": "同意"})
    assert response.status_code == 302 and GrowthYear.objects.get().locked
    page = client.get(_url(member_year)).content.decode()
    assert "已签署" in page and "school-score" not in page and sign not in page
    client.force_login(growth.roles.member)
    response = client.post(reverse("growth:file_review", args=[member_year.pk, YEAR, "self"]), {"self-score": 1, "self-comment": "改"})
    assert response.status_code == 400 and "已于" in response.content.decode()
    assert YearReview.objects.get(role="self").score == 90


def test_the_pdf_has_the_page_content_and_the_same_visibility(client, growth, member_year):
    _review(growth.roles.school_admin, member_year, "school", "学校：表现优秀。")
    client.force_login(growth.roles.school_admin)
    response = client.get(_url(member_year, name="growth:file_pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for expected in ("教师成长记录袋", "组员", "2025—2026", "县级公开课《荷塘月色》", "听《赵州桥》", "学校：表现优秀。", "张老师"):
        assert expected in text, expected
    client.force_login(growth.roles.member)
    own = _text(client.get(_url(member_year, name="growth:file_pdf")).content)
    assert "同伴：课堂扎实。" in own and "同伴（匿名）" in own and "张老师" not in own
    client.force_login(growth.roles.leader)
    leader = _text(client.get(_url(member_year, name="growth:file_pdf")).content)
    assert "组内：积极承担公开课。" in leader and "学校：表现优秀。" not in leader


def test_the_school_list_and_its_zip_job_with_one_pdf_per_teacher(client, growth, member_year, settings, tmp_path, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    from yanxiu.org.models import Employment

    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    r = growth.roles
    _review(r.school_admin, member_year, "school", "学校：表现优秀。")
    year_sign_off(actor=r.school_admin, person=member_year, school_year=YEAR)
    client.force_login(r.school_admin)
    page = client.get(reverse("growth:school_files") + f"?year={YEAR}").content.decode()
    assert "组员" in page and "张老师" in page and "李老师" not in page and "学年已签署 1 /" in page
    export = client.get(reverse("growth:school_files") + f"?year={YEAR}&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    partial = client.get(reverse("growth:school_files") + f"?year={YEAR}&q=组员", headers={"HX-Request": "true"}).content.decode()
    assert "组员" in partial and "张老师" not in partial and "<html" not in partial
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("growth:school_files_zip"), {"year": YEAR})
    job = Job.objects.get(owner=r.school_admin, kind="growth.files_zip")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    run_worker(monkeypatch)
    job.refresh_from_db()
    staff = Employment.objects.current().filter(school=growth.school).count()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (staff, staff), job.message
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("core:job_download", args=[job.pk])).streaming_content)))
    names = archive.namelist()
    assert len(names) == staff and all(n.endswith(".pdf") for n in names)
    member_pdf = next(n for n in names if "组员" in n)
    assert "县级公开课《荷塘月色》" in _text(archive.read(member_pdf))
    client.force_login(r.teacher)
    assert client.get(reverse("growth:school_files")).status_code == 403
    assert client.post(reverse("growth:school_files_zip"), {"year": YEAR}).status_code == 403
    client.force_login(r.other_admin)  # another school's admin naming this school gets their own
    other = client.get(reverse("growth:school_files") + f"?school={growth.school.pk}&year={YEAR}").content.decode()
    assert "李老师" in other and "组员" not in other


def test_the_old_school_reads_a_read_only_copy_after_a_transfer(client, growth, member_year, school_b):
    from yanxiu.org.services import teacher_transfer

    r = growth.roles
    _review(r.school_admin, member_year, "school", "原校：表现优秀。")
    year_sign_off(actor=r.school_admin, person=member_year, school_year=YEAR)
    teacher_transfer(actor=r.school_admin, employment=member_year.employments.get(), to_school=school_b,
                     date=dt.date(2026, 11, 1), reason="工作需要")
    add_record(member_year, "observation", dt.date(2026, 11, 10), title="在新校的听课")
    client.force_login(r.school_admin)
    page = client.get(_url(member_year)).content.decode()
    assert "只读" in page and "县级公开课《荷塘月色》" in page and "原校：表现优秀。" in page
    assert "-score" not in page and "sign-off" not in page
    later = client.get(_url(member_year, YEAR + 1)).content.decode()
    assert "在新校的听课" not in later and "年度评价" not in later
    response = client.post(reverse("growth:file_review", args=[member_year.pk, YEAR + 1, "school"]),
                           {"school-score": 80, "school-comment": "原校不能再评"})
    assert response.status_code == 403
    assert client.post(reverse("growth:file_sign_off", args=[member_year.pk, YEAR + 1])).status_code == 403
    client.force_login(r.other_admin)
    later = client.get(_url(member_year, YEAR + 1)).content.decode()
    assert "在新校的听课" in later and 'name="school-score"' in later
    assert "原校：表现优秀。" in client.get(_url(member_year)).content.decode()


def test_years_out_of_bounds_are_refused_and_the_selector_redirects(client, growth, member_year):
    client.force_login(growth.roles.member)
    assert client.get(_url(member_year, 1)).status_code == 400
    assert client.get(_url(member_year, 99999)).status_code == 400
    response = client.get(reverse("growth:file_year", args=[member_year.pk]) + f"?year={YEAR}")
    assert response.status_code == 302 and response["Location"] == _url(member_year)
    assert client.get(reverse("growth:file_year", args=[member_year.pk]) + "?year=abc").status_code == 400
    future = client.get(_url(member_year, YEAR + 3)).content.decode()  # a year not begun: nothing to fill
    assert "self-score" not in future
    response = client.get(reverse("growth:my_file"))
    assert response.status_code == 302 and f"/growth/file/{member_year.pk}/" in response["Location"]


def test_the_page_reads_as_many_queries_for_50_records_as_for_2(client, growth, people):
    r = growth.roles
    growth.adopt("001-1-backbone")
    client.force_login(r.school_admin)
    counts = []
    for n in (2, 50):
        person = people.teacher(growth.school, name=f"教师{n}条").person
        for i in range(n):
            add_record(person, ("observation", "reading_note", "public_lesson")[i % 3], DAY + dt.timedelta(days=i), title=f"记录{i}")
        _review(r.school_admin, person, "school", "学校评价")
        client.get(_url(person))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(person)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[1] <= 15, counts  # the session and the user included
