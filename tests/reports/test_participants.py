"""The upper-level participant list: each row checked, refused while one is wrong, exported with the access logged."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.reports.office import xlsx_rows
from yanxiu.core.models import AuditEvent
from yanxiu.org.models import Employment, PersonalDataAccess, Person
from yanxiu.reports import participants
from yanxiu.reports.services.exports import participants_export
from yanxiu.training.models import Nomination, Project, Quota

pytestmark = pytest.mark.django_db


def project(county, *, level="national", title="国培计划（2025）乡村教师示范班"):
    return Project.objects.create(owner_school=None, region=county, title=title, level=level, kind="centralised",
                                  school_year="2025-2026", status="approved", requires_approval=False)


def quota(project, school, *, places, submitted=True, people=()):
    q = Quota.objects.create(project=project, school=school, places=places,
                             deadline=timezone.make_aware(dt.datetime(2025, 10, 1, 18, 0)),
                             submitted_at=timezone.now() if submitted else None)
    for person in people:
        Nomination.objects.create(quota=q, person=person)
    return q


@pytest.fixture
def bad_people(people, school, school_b):
    """Four teachers of ``school`` whose data the province would send back (seed 003 §二.1)."""
    wrong_id = people.teacher(school, name="王错号").person
    Person.objects.filter(pk=wrong_id.pk).update(id_number=wrong_id.id_number[:17] + ("0" if wrong_id.id_number[17] != "0" else "1"))
    blanks = people.teacher(school, name="赵空白", subject="", education="").person
    Employment.objects.filter(person=blanks).update(title="")
    Person.objects.filter(pk=blanks.pk).update(phone="")
    short_phone = people.teacher(school, name="钱短号").person
    Person.objects.filter(pk=short_phone.pk).update(phone="1380013")
    moved = people.teacher(school_b, name="孙调离").person  # named by school, but now employed at school_b
    return {p.name: Person.objects.get(pk=p.pk) for p in (wrong_id, blanks, short_phone, moved)}


@pytest.fixture
def national(county, school, school_b, roles, bad_people):
    p = project(county)
    good = quota(p, school, places=6, people=[roles.teacher.person, *bad_people.values()])
    other = quota(p, school_b, places=2, people=[roles.other_teacher.person])
    return p, good, other


def problems_of(rows):
    return {r.person.name: {(pr.field, pr.message) for pr in r.problems} for r in rows}


def test_each_row_is_checked_and_the_reason_given_per_field(national, roles):
    _p, q, _other = national
    found = problems_of(participants.participant_rows([q]))
    assert found["张老师"] == set()
    assert found["王错号"] == {("id_number", "身份证号校验位不正确。")}
    assert found["赵空白"] == {("phone", "缺少手机号。"), ("subject", "缺少任教学科。"), ("education", "缺少最高学历。"),
                              ("title", "缺少职称（未评定的请选“未评”）。")}
    assert found["钱短号"] == {("phone", "手机号应为 1 开头的 11 位数字。")}
    assert found["孙调离"] == {("school", "已不在本校任职（已调离），请换人。")}


def test_a_birth_date_or_gender_that_contradicts_the_id_number_is_refused(national, roles):
    _p, q, _other = national
    person = roles.teacher.person
    Person.objects.filter(pk=person.pk).update(gender="F", birth_date=dt.date(1990, 1, 1))
    found = problems_of(participants.participant_rows([q]))["张老师"]
    assert {field for field, _m in found} == {"gender", "id_number"}
    assert any("出生日期与身份证号不符" in m for _f, m in found)


def test_a_refused_id_number_is_never_quoted_on_the_page(client, national, roles):
    """The reasons name the kind of error only: neither the number nor its birth digits reach the page."""
    from stdnum.cn import ric

    _p, q, _other = national
    bad_birth = "43012119851332123"  # 13th month, valid check digit: parse quotes "19851332"
    bad_birth += ric.calc_check_digit(bad_birth + "0")
    wrong_id = Person.objects.get(name="王错号")
    Person.objects.filter(pk=wrong_id.pk).update(id_number=bad_birth)
    teacher = roles.teacher.person
    Person.objects.filter(pk=teacher.pk).update(birth_date=dt.date(1990, 1, 1))  # contradicts the ID's birth date
    found = problems_of(participants.participant_rows([q]))
    assert found["王错号"] == {("id_number", "身份证号中的出生日期不正确。")}
    assert found["张老师"] == {("id_number", "登记的出生日期与身份证号不符。")}
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:quota_participants", args=[q.pk])).content.decode()
    assert "身份证号中的出生日期不正确" in page and "登记的出生日期与身份证号不符" in page
    for number in (bad_birth, teacher.id_number):
        birth = number[6:14]
        assert number not in page and birth not in page
        assert f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" not in page


def test_a_person_no_longer_employed_anywhere_is_refused(national, roles):
    _p, q, _other = national
    Employment.objects.filter(person=roles.teacher.person).update(end_date=dt.date(2025, 9, 30))
    assert problems_of(participants.participant_rows([q]))["张老师"] == {("school", "已不在任何学校任职，不能上报。")}


def test_the_export_is_refused_while_any_row_is_wrong(national, roles):
    _p, q, _other = national
    plist = participants.quota_list(q)
    assert len(plist.rows_to_fix) == 4 and not plist.exportable
    with pytest.raises(ValidationError) as exc:
        participants_export(actor=roles.school_admin, participant_list=plist, target=q, full=True)
    assert "有 4 行信息不完整或有误" in exc.value.messages[0]
    assert not AuditEvent.objects.filter(action="report.participants_export").exists()
    assert not PersonalDataAccess.objects.exists()


def _fix(bad_people, school):
    for name in ("王错号", "赵空白", "钱短号", "孙调离"):
        Nomination.objects.filter(person=bad_people[name]).update(is_active=False, ended_at=timezone.now())


def test_a_valid_list_exports_full_numbers_logged_and_opens_in_libreoffice(national, roles, bad_people, school, tmp_path):
    _p, q, _other = national
    _fix(bad_people, school)
    teacher = roles.teacher.person
    employment = Employment.objects.get(person=teacher)
    plist = participants.quota_list(q)
    assert plist.exportable and plist.warnings == ["长沙县星沙第一小学：名额 6 个，只报了 1 人；可以导出，空余名额不会上报。"]
    result = participants_export(actor=roles.school_admin, participant_list=plist, target=q, full=True, ip="10.0.0.8")
    path = tmp_path / "list.xlsx"
    path.write_bytes(result.content)
    rows = xlsx_rows(path)
    assert rows[0] == ["序号", "姓名", "性别", "身份证号", "学段", "学科", "学历", "职称", "学校", "手机", "岗位"]
    assert rows[1] == ["1", "张老师", "男", teacher.id_number, "小学", employment.subject, "本科", "未评", "长沙县星沙第一小学",
                       teacher.phone, "专任教师"]
    assert len(rows) == 2
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.action, log.school, log.record_count, log.ip_address) == (roles.school_admin, "export", school, 1, "10.0.0.8")
    audit = AuditEvent.objects.get(action="report.participants_export")
    assert audit.school_id == school.pk and audit.county_id == school.county_id and audit.detail["full"] is True
    assert teacher.id_number not in str(audit.detail) and result.name.startswith("参训名单-")


def test_the_masked_export_is_not_logged_as_personal_data(national, roles, bad_people, school):
    _p, q, _other = national
    _fix(bad_people, school)
    teacher = roles.teacher.person
    result = participants_export(actor=roles.bureau, participant_list=participants.quota_list(q), target=q, full=False)
    ws = load_workbook(io.BytesIO(result.content)).active
    row = [c.value for c in ws[2]]
    assert row[3] == teacher.masked_id_number and row[9] == teacher.masked_phone
    assert not PersonalDataAccess.objects.exists()
    assert AuditEvent.objects.get(action="report.participants_export").detail["full"] is False


def test_an_unsubmitted_list_is_not_exported(county, school, roles):
    q = quota(project(county), school, places=1, submitted=False, people=[roles.teacher.person])
    plist = participants.quota_list(q)
    assert plist.blockers == ["学校尚未提交名单，提交后才能导出。"]
    assert participants.quota_states([q])[0].label == "未提交"


def test_full_numbers_only_for_a_role_allowed_them(national, roles, bad_people, school):
    _p, q, _other = national
    _fix(bad_people, school)
    # The other school's admin does not even see the quota.
    with pytest.raises(PermissionDenied):
        participants_export(actor=roles.other_admin, participant_list=participants.quota_list(q), target=q, full=False)
    with pytest.raises(PermissionDenied):
        participants_export(actor=roles.far_bureau, participant_list=participants.quota_list(q), target=q, full=True)
    assert participants.may_export_full(roles.centre, participants.quota_list(q))


def test_the_project_list_holds_submitted_quotas_and_warns_about_the_rest(county, school, school_b, roles):
    p = project(county, level="provincial", title="省级骨干教师研修")
    quota(p, school, places=1, people=[roles.teacher.person])
    quota(p, school_b, places=1, submitted=False, people=[roles.other_teacher.person])
    quotas = list(participants.quotas_visible_to(roles.centre).filter(project=p))
    plist = participants.project_list(p, quotas)
    assert [r.person.name for r in plist.rows] == ["张老师"] and plist.exportable
    assert plist.warnings == ["以下学校尚未提交名单，未列入：长沙县榔梨中学。"]
    result = participants_export(actor=roles.centre, participant_list=plist, target=p, full=True)
    assert PersonalDataAccess.objects.get().school == school
    audit = AuditEvent.objects.get(action="report.participants_export")
    assert audit.target_type == "training.project" and audit.county_id == county.pk
    assert result.rows == 1


def test_a_person_named_twice_in_one_project_is_a_row_to_fix(county, school, roles):
    p = project(county)
    quota(p, school, places=1, people=[roles.teacher.person])
    from yanxiu.training.models import Session

    start = timezone.make_aware(dt.datetime(2025, 11, 3, 9, 0))
    session = Session.objects.create(project=p, title="第二阶段", starts_at=start, ends_at=start + dt.timedelta(hours=3))
    q2 = Quota.objects.create(project=p, session=session, school=school, places=1, deadline=start, submitted_at=timezone.now())
    Nomination.objects.create(quota=q2, person=roles.teacher.person)
    plist = participants.project_list(p, participants.quotas_visible_to(roles.bureau).filter(project=p).order_by("pk"))
    assert [pr.message for pr in plist.rows[1].problems] == ["与第 1 行是同一人，同一项目只能上报一次。"]


# --- Pages ------------------------------------------------------------------------------------


def test_the_upper_lists_page_shows_each_quotas_state(client, national, roles, county):
    _p, q, other = national
    quota(project(county, level="county", title="县级通识培训"), roles.school_admin.person.employments.get().school,
          places=1, people=[roles.teacher.person])  # county level: not an upper-level list
    client.force_login(roles.bureau)
    page = client.get(reverse("reports:upper_lists") + "?year=2025").content.decode()
    assert "国培计划（2025）乡村教师示范班" in page and "县级通识培训" not in page
    assert "4 行待修正" in page and "可导出" in page
    assert reverse("reports:quota_participants", args=[q.pk]) in page
    assert reverse("reports:project_participants", args=[q.project_id]) in page
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:upper_lists") + "?year=2025").content.decode()
    assert "长沙县星沙第一小学" in page and "长沙县榔梨中学" not in page
    assert reverse("reports:project_participants", args=[q.project_id]) not in page  # region staff only
    xlsx = client.get(reverse("reports:upper_lists") + "?year=2025&export=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[2]][-1] == "4 行待修正"


def test_the_quota_page_lists_the_rows_to_fix_and_refuses_the_export(client, national, roles):
    _p, q, _other = national
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:quota_participants", args=[q.pk])).content.decode()
    assert "第 2 行 王错号（长沙县星沙第一小学）" in page and "身份证号校验位不正确" in page
    assert "导出上报名单" not in page
    assert roles.teacher.person.id_number not in page and roles.teacher.person.masked_id_number in page
    response = client.post(reverse("reports:quota_participants_export", args=[q.pk]), {"full": "1"})
    assert response.status_code == 302
    assert "有 4 行信息不完整或有误" in client.get(response.url).content.decode()


def test_the_quota_page_exports_a_valid_list(client, national, roles, bad_people, school):
    _p, q, _other = national
    _fix(bad_people, school)
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:quota_participants", args=[q.pk])).content.decode()
    assert "导出上报名单（完整号码）" in page and "名额 6 个，只报了 1 人" in page
    assert client.get(reverse("reports:quota_participants_export", args=[q.pk])).status_code == 405
    response = client.post(reverse("reports:quota_participants_export", args=[q.pk]), {"full": "1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["D2"].value == roles.teacher.person.id_number
    assert PersonalDataAccess.objects.count() == 1


def test_who_may_open_the_lists(client, national, roles):
    _p, q, other = national
    quota_url, project_url = reverse("reports:quota_participants", args=[q.pk]), reverse("reports:project_participants", args=[q.project_id])
    expected = [
        (roles.bureau, 200, 200), (roles.centre, 200, 200), (roles.school_admin, 200, 403),
        (roles.other_admin, 404, 403), (roles.far_bureau, 404, 404), (roles.teacher, 403, 403), (roles.leader, 403, 403),
    ]
    for user, quota_status, project_status in expected:
        client.force_login(user)
        assert client.get(quota_url).status_code == quota_status, user
        assert client.get(project_url).status_code == project_status, user
    client.force_login(roles.teacher)
    assert client.get(reverse("reports:upper_lists")).status_code == 403


def test_hostile_parameters_never_500(client, national, roles):
    client.force_login(roles.bureau)
    for query in (f"year={10**30}", "year=abc", "level=xyz", "page=99999999", "q=%00", "sort=-zzz"):
        assert client.get(reverse("reports:upper_lists") + "?" + query).status_code == 200, query
    assert client.get(f"/reports/upper/quotas/{2**63 - 1}/").status_code == 404
    assert client.get("/reports/upper/projects/999999/").status_code == 404


def test_the_links_training_pages_may_show(national, county, school, roles):
    _p, q, _other = national
    assert participants.list_links(roles.school_admin, q) == {"quota": reverse("reports:quota_participants", args=[q.pk]), "project": ""}
    assert participants.list_links(roles.centre, q)["project"] == reverse("reports:project_participants", args=[q.project_id])
    assert participants.list_links(roles.other_admin, q) == {"quota": "", "project": ""}
    county_quota = quota(project(county, level="county", title="县级通识培训"), school, places=1)
    assert participants.list_links(roles.bureau, county_quota) == {"quota": "", "project": ""}
