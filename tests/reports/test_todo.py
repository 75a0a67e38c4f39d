"""The home page's to-do list: what waits for each person, counted as the linked page lists it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.training.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(roles, school):
    from yanxiu.training import services

    project = services.project_create(actor=roles.school_admin, owner_school=school, title="校本研修", kind="lecture",
                                      school_year="2026-2027")
    services.project_submit(actor=roles.school_admin, project=project)
    project = services.project_approve(actor=roles.centre, project=project, comment="同意")
    session = services.session_create(actor=roles.school_admin, project=project, title="单元整体教学", starts_at=at(3),
                                      ends_at=at(3, 16, 40), place="会议室", presenter_name="王教授", content="大单元",
                                      requirements="带教材")
    session = services.session_publish(actor=roles.school_admin, session=session)
    services.session_invite(actor=roles.school_admin, session=session, scope="whole_school")
    return session


def texts(user):
    from yanxiu.org.scopes import scope_of
    from yanxiu.reports.todo import todo_for

    return [(t.text, t.url) for t in todo_for(user, scope_of(user))]


def test_a_leave_request_waits_for_the_school_admin_and_no_one_else(roles, session):
    from yanxiu.training import services

    services.leave_request_create(actor=roles.teacher, session=session, leave_type="official", reason="外出送教")
    services.leave_request_create(actor=roles.member, session=session, leave_type="personal", reason="家中有事")
    assert ("审批 2 条请假申请", reverse("training:leave_list")) in texts(roles.school_admin)
    assert not any("请假" in t for t, _u in texts(roles.other_admin))
    assert not any("请假" in t for t, _u in texts(roles.teacher))


def test_a_quota_to_fill_names_the_missing_places_and_the_deadline(roles, school):
    from yanxiu.training import services

    project = services.project_create(actor=roles.bureau, region=school.county, title="县级骨干教师培训", level="county",
                                      kind="centralised", school_year="2026-2027")
    deadline = timezone.now() + dt.timedelta(days=10)
    quota = services.quota_allocate(actor=roles.bureau, project=project, school=school, places=3, deadline=deadline)
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    items = texts(roles.school_admin)
    line = next(t for t, u in items if u == reverse("training:quota_detail", args=[quota.pk]))
    assert "报送 2 名参训人员：县级骨干教师培训" in line
    assert timezone.localtime(deadline).strftime("%Y-%m-%d") in line
    assert not any(u == reverse("training:quota_detail", args=[quota.pk]) for _t, u in texts(roles.other_admin))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.member.person, roles.leader.person])
    assert not any(u == reverse("training:quota_detail", args=[quota.pk]) for _t, u in texts(roles.school_admin))


def test_a_returned_reflection_waits_for_its_author(roles, session):
    from yanxiu.attendance.models import Reflection

    Reflection.objects.create(session=session, person=roles.teacher.person, body="反思" * 120, status=Reflection.Status.RETURNED,
                              submitted_at=timezone.now())
    assert ("修改 1 篇被退回的反思", reverse("attendance:reflection_submit", args=[session.pk])) in texts(roles.teacher)
    assert not any("反思" in t for t, _u in texts(roles.member))


def test_a_submitted_reflection_waits_for_the_admin_who_reviews_it(roles, session):
    from yanxiu.attendance.models import Reflection

    Reflection.objects.create(session=session, person=roles.teacher.person, body="反思" * 120, submitted_at=timezone.now())
    assert ("审阅 1 篇研修反思", reverse("attendance:sessions")) in texts(roles.school_admin)
    assert not any("审阅" in t for t, _u in texts(roles.other_admin))


def test_the_home_page_shows_the_list_with_its_links(client, roles, session):
    from yanxiu.training import services

    services.leave_request_create(actor=roles.teacher, session=session, leave_type="official", reason="外出送教")
    client.force_login(roles.school_admin)
    html = client.get(reverse("reports:home")).content.decode()
    assert "待办事项" in html and "审批 1 条请假申请" in html and reverse("training:leave_list") in html
    client.force_login(roles.member)
    assert "待办事项" not in client.get(reverse("reports:home")).content.decode()


# --- Each item: for the right person only, its count what the linked page lists, its link answers 200 -------


def item(user, start: str):
    """The (text, url) of ``user``'s to-do item starting with ``start``, or ``None``."""
    return next(((t, u) for t, u in texts(user) if t.startswith(start)), None)


def opens(client, user, url) -> bool:
    client.force_login(user)
    return client.get(url).status_code == 200


def test_a_swap_request_waits_for_the_bureau(client, roles, school):
    from yanxiu.training import services
    from yanxiu.training.models import SwapRequest

    project = services.project_create(actor=roles.bureau, region=school.county, title="县级骨干教师培训", level="county",
                                      kind="centralised", school_year="2026-2027")
    quota = services.quota_allocate(actor=roles.bureau, project=project, school=school, places=3,
                                    deadline=timezone.now() + dt.timedelta(days=10))
    for person in (roles.teacher.person, roles.member.person):
        SwapRequest.objects.create(quota=quota, kind="withdraw", out_person=person, reason="外出", requested_by=roles.school_admin)
    text, url = item(roles.bureau, "审批 ")
    assert text == "审批 2 条换人/退出申请" and url == reverse("training:swap_list") and opens(client, roles.bureau, url)
    for user in (roles.centre, roles.school_admin, roles.far_bureau, roles.teacher):
        assert not any("换人" in t for t, _u in texts(user))


def test_a_submitted_project_waits_for_the_centre(client, roles, school):
    from yanxiu.training import services

    project = services.project_create(actor=roles.school_admin, owner_school=school, title="校本研修", kind="lecture",
                                      school_year="2026-2027")
    services.project_submit(actor=roles.school_admin, project=project)
    text, url = item(roles.centre, "审核 1 个研修项目")
    assert url == reverse("training:review_list") and opens(client, roles.centre, url)
    for user in (roles.bureau, roles.school_admin, roles.far_bureau):
        assert not any("研修项目" in t for t, _u in texts(user))


def test_an_open_objection_waits_for_the_school_and_its_county(client, roles, school, school_b):
    from yanxiu.credits.models import Objection, Posting

    now, today = timezone.now(), timezone.localdate()
    posting = Posting.objects.create(school=school, title="九月学时公示", period_start=today - dt.timedelta(days=30),
                                     period_end=today, starts_at=now, ends_at=now + dt.timedelta(days=5))
    Objection.objects.create(posting=posting, person=roles.teacher.person, reason="漏登了一次活动")
    Objection.objects.create(posting=posting, person=roles.member.person, reason="学时有误", status="rejected")
    for user in (roles.school_admin, roles.bureau, roles.centre):
        text, url = item(user, "处理 ")
        assert text == "处理 1 条公示异议" and url == reverse("credits:postings") and opens(client, user, url)
    for user in (roles.other_admin, roles.far_bureau, roles.teacher):
        assert not any("异议" in t for t, _u in texts(user))


def _claim(person, school, title):
    from django.core.files.base import ContentFile

    from yanxiu.credits.models import CertificateClaim

    claim = CertificateClaim(person=person, school=school, title=title, organiser="省教育厅", level="provincial",
                             kind="centralised", hours=8, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 2))
    claim.file.save("cert.pdf", ContentFile(b"%PDF-1.4 claim"), save=True)
    return claim


def test_claims_are_all_counted_and_the_link_opens_the_first(client, roles, school, settings, tmp_path):
    from yanxiu.credits.models import CertificateClaim

    settings.MEDIA_ROOT = tmp_path
    first = _claim(roles.teacher.person, school, "省级培训一")
    _claim(roles.member.person, school, "省级培训二")
    _claim(roles.other_teacher.person, roles.other_teacher.person.current_employment.school, "外校培训")
    # More than the hundred the item used to stop at.
    CertificateClaim.objects.bulk_create([
        CertificateClaim(person=roles.leader.person, school=school, title=f"培训{n}", organiser="市教育局", level="city",
                         kind="centralised", hours=2, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 1),
                         file=first.file.name)
        for n in range(101)
    ])
    text, url = item(roles.school_admin, "审核 ")
    assert text == "审核 103 份证书认定申请" and url == reverse("credits:claim_review", args=[first.pk])
    assert opens(client, roles.school_admin, url)
    assert item(roles.other_admin, "审核 ")[0] == "审核 1 份证书认定申请"
    assert item(roles.bureau, "审核 ")[0] == "审核 104 份证书认定申请"
    assert not any("证书" in t for t, _u in texts(roles.teacher))


def _ended_session(actor, school, title, *, days_ago=2):
    from yanxiu.training import services
    from yanxiu.training.models import Session

    project = services.project_create(actor=actor, owner_school=school, title=title, kind="lecture", school_year="2026-2027")
    now = timezone.now()
    return Session.objects.create(project=project, title=title, starts_at=now - dt.timedelta(days=days_ago, hours=2),
                                  ends_at=now - dt.timedelta(days=days_ago), status="published", hours=2, place="会议室")


def test_sessions_to_credit_are_counted_per_school_and_link_to_that_schools_page(client, roles, school, school_b):
    from yanxiu.accounts.models import Role, RoleAssignment
    from yanxiu.training.models import Session

    first = _ended_session(roles.school_admin, school, "单元整体教学")
    Session.objects.bulk_create([
        Session(project=first.project, title=f"第 {n} 次", starts_at=first.starts_at, ends_at=first.ends_at,
                status="published", hours=2, place="会议室")
        for n in range(55)
    ])
    _ended_session(roles.other_admin, school_b, "榔梨校本研修")
    text, url = item(roles.school_admin, "为 ")
    assert text == "为 56 次已结束的活动登记学时" and url == reverse("credits:school", args=[school.pk])
    assert opens(client, roles.school_admin, url)
    assert item(roles.other_admin, "为 ") == ("为 1 次已结束的活动登记学时", reverse("credits:school", args=[school_b.pk]))
    assert not any("登记学时" in t for t, _u in texts(roles.teacher))
    # An admin of two schools: one item per school, each naming it and linking to its page.
    RoleAssignment.objects.create(role=Role.SCHOOL_ADMIN, school=school_b, user=roles.school_admin)
    admin = type(roles.school_admin).objects.get(pk=roles.school_admin.pk)  # its scope read afresh
    found = [(t, u) for t, u in texts(admin) if "登记学时" in t]
    assert found == [(f"为 56 次已结束的活动登记学时：{school.name}", reverse("credits:school", args=[school.pk])),
                     (f"为 1 次已结束的活动登记学时：{school_b.name}", reverse("credits:school", args=[school_b.pk]))]
    assert all(opens(client, admin, u) for _t, u in found)
    # The bureau: per school of its county, each page opening.
    found = [(t, u) for t, u in texts(roles.bureau) if "登记学时" in t]
    assert [u for _t, u in found] == [reverse("credits:school", args=[school.pk]), reverse("credits:school", args=[school_b.pk])]
    assert all(opens(client, roles.bureau, u) for _t, u in found)


def test_the_bureau_reviews_reflections_of_its_own_projects_only(roles, session, school):
    from yanxiu.attendance.models import Reflection
    from yanxiu.training.models import Project, Session

    Reflection.objects.create(session=session, person=roles.teacher.person, body="反思" * 120, submitted_at=timezone.now())
    assert not any("研修反思" in t for t, _u in texts(roles.bureau))  # a school's session: the school reviews it
    project = Project.objects.create(owner_school=None, region=school.county, title="县级培训", level="county",
                                     kind="centralised", school_year="2026-2027", status="approved", requires_approval=False)
    own = Session.objects.create(project=project, title="县级培训", starts_at=session.starts_at, ends_at=session.ends_at,
                                 status="published", hours=2, place="进修学校")
    Reflection.objects.create(session=own, person=roles.member.person, body="反思" * 120, submitted_at=timezone.now())
    assert ("审阅 1 篇研修反思", reverse("attendance:sessions")) in texts(roles.bureau)
    assert ("审阅 1 篇研修反思", reverse("attendance:sessions")) in texts(roles.school_admin)
    assert not any("研修反思" in t for t, _u in texts(roles.far_bureau))


def test_growth_records_wait_for_the_school_and_returned_ones_for_their_author(client, roles, school):
    from yanxiu.growth.models import GrowthRecord

    def record(person, status):
        return GrowthRecord.objects.create(person=person, school=school, kind="observation", date=dt.date(2026, 10, 9),
                                           title="听课记录", status=status, subject="语文", level="school", observed_name="王老师")

    record(roles.teacher.person, "submitted")
    record(roles.member.person, "submitted")
    record(roles.teacher.person, "returned")
    text, url = item(roles.school_admin, "审核 2 条成长记录")
    assert url == reverse("growth:review_list") and opens(client, roles.school_admin, url)
    assert not any("成长记录" in t for t, _u in texts(roles.other_admin))
    text, url = item(roles.teacher, "修改 ")
    assert text == "修改 1 条被退回的成长记录" and url == reverse("growth:my") and opens(client, roles.teacher, url)
    assert not any("成长记录" in t for t, _u in texts(roles.member))


def test_a_mentor_activity_waits_for_the_other_of_the_pair(client, roles, school):
    from yanxiu.growth.models import MentorActivity, MentorPair

    pair = MentorPair.objects.create(school=school, mentor=roles.teacher.person, apprentice=roles.member.person,
                                     school_year=2026, goals="站稳讲台")
    for day in (1, 2):
        MentorActivity.objects.create(pair=pair, kind="talk", date=dt.date(2026, 10, day), content="谈话",
                                      logged_by=roles.member.person)
    text, url = item(roles.teacher, "确认 ")
    assert text == "确认 2 条师徒结对活动" and url == reverse("growth:mentor_detail", args=[pair.pk])
    assert opens(client, roles.teacher, url)
    assert not any("师徒" in t for t, _u in texts(roles.member))  # logged them: nothing to confirm
    assert not any("师徒" in t for t, _u in texts(roles.leader))
    other = MentorPair.objects.create(school=school, mentor=roles.teacher.person, apprentice=roles.leader.person,
                                      school_year=2026, goals="站稳讲台")
    MentorActivity.objects.create(pair=other, kind="talk", date=dt.date(2026, 10, 3), content="谈话", logged_by=roles.leader.person)
    text, url = item(roles.teacher, "确认 ")
    assert text == "确认 3 条师徒结对活动" and url == reverse("growth:mentor_list") and opens(client, roles.teacher, url)


def test_an_open_posting_asks_those_it_names(client, roles, school):
    from tests.credits.factories import credit
    from yanxiu.credits.models import Posting

    now, today = timezone.now(), timezone.localdate()
    posting = Posting.objects.create(school=school, title="九月学时公示", period_start=today - dt.timedelta(days=30),
                                     period_end=today, starts_at=now, ends_at=now + dt.timedelta(days=5))
    posting.entries.add(credit(roles.teacher.person, 2, school=school))
    found = [(t, u) for t, u in texts(roles.teacher) if "九月学时公示" in t]
    assert len(found) == 1 and found[0][1] == reverse("credits:posting_detail", args=[posting.pk])
    assert "核对公示的学时" in found[0][0] and opens(client, roles.teacher, found[0][1])
    assert not any("公示的学时" in t for t, _u in texts(roles.member))


def test_an_open_questionnaire_asks_those_it_asks(client, roles, school, school_b):
    from yanxiu.needs.services import questionnaires as services

    today = timezone.localdate()
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", title="课堂观察问卷", school=school)
    services.questionnaire_update(actor=roles.school_admin, questionnaire=q, title=q.title, anonymous=False, audience="all",
                                  groups=[], opens_on=today, closes_on=today + dt.timedelta(days=5))
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="scale", text="总体满意度", scale_points=4,
                           low_label="不满意", high_label="满意")
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    expected = (f"{(today + dt.timedelta(days=5)).strftime('%m-%d')} 前填写问卷：课堂观察问卷", reverse("needs:answer", args=[q.pk]))
    assert expected in texts(roles.teacher) and expected in texts(roles.member)
    assert opens(client, roles.teacher, expected[1])
    assert not any("问卷" in t for t, _u in texts(roles.other_teacher))
