"""Reminders with a controlled clock: each rule fires at its time for exactly those who have not acted,
never twice (a second pass, a later pass, a pass whose read of what was sent is stale), and a disabled
rule (installation-wide or a county's override) does nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.notify.conftest import told
from yanxiu.notify import reminders
from yanxiu.notify.models import Message, MessageKind, ReminderRule, SentReminder
from yanxiu.training import services as training
from yanxiu.training.models import Enrollment

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def run(now) -> dict[str, int]:
    return reminders.reminders_pass(now=now)


def reminded(**filters) -> set[str]:
    return told(MessageKind.REMINDER, **filters)


def rule(what, days=0, hours=0) -> ReminderRule:
    return ReminderRule.objects.get(what=what, county__isnull=True, days=days, hours=hours)


def test_the_default_rules_are_created_by_the_migration():
    rows = {(r.what, r.days, r.hours, r.enabled) for r in ReminderRule.objects.filter(county__isnull=True)}
    assert rows == {("session_start", 1, 0, True), ("session_start", 0, 1, True), ("quota_deadline", 2, 0, True),
                    ("questionnaire_close", 1, 0, True), ("reflection_due", 2, 0, True), ("objection_deadline", 1, 0, True),
                    ("approval_escalation", 3, 0, True)}


# --- Sessions ------------------------------------------------------------------


def _approved_leave(roles, session):
    leave = training.leave_request_create(actor=roles.teacher, session=session, leave_type="official", reason="外出学习")
    return training.leave_decide(actor=roles.school_admin, leave=leave, approve=True)


def test_a_session_is_reminded_the_day_before_and_the_hour_before_to_those_enrolled_not_on_leave(client, roles, published_session):
    _approved_leave(roles, published_session)
    enrolled = set(Enrollment.objects.filter(session=published_session, status="enrolled")
                   .values_list("person__user__username", flat=True))
    assert {"teacher", "member", "leader", "schooladmin"} <= enrolled and "otherteacher" not in enrolled
    expected = enrolled - {"teacher"}  # approved leave: nothing to remind them of
    start = published_session.starts_at

    assert run(start - D - H)["session_start"] == 0  # too early
    assert reminded() == set()
    assert run(start - 20 * H)["session_start"] == len(expected)
    assert reminded() == expected
    message = Message.objects.get(recipient=roles.member, kind=MessageKind.REMINDER)
    assert message.title == "活动提醒：评课专题" and "三楼会议室" in message.body
    assert timezone.localtime(start).strftime("%Y-%m-%d %H:%M") in message.body
    assert message.topic == f"training.session:{published_session.pk}"
    client.force_login(roles.member)
    assert client.get(message.url).status_code == 200

    assert run(start - 20 * H)["session_start"] == 0  # the same pass again
    assert run(start - 2 * H)["session_start"] == 0  # later, still the day-before window: already sent
    assert run(start - 30 * dt.timedelta(minutes=1))["session_start"] == len(expected)  # the hour before
    assert run(start - 10 * dt.timedelta(minutes=1))["session_start"] == 0
    assert run(start + H)["session_start"] == 0  # started: nothing
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == 2 * len(expected)
    assert {(s.rule_id, s.recipient.username) for s in SentReminder.objects.filter(recipient=roles.member)} == {
        (rule("session_start", days=1).pk, "member"), (rule("session_start", hours=1).pk, "member")}


def test_after_downtime_only_the_nearer_reminder_is_sent_and_a_late_publication_needs_no_day_before(roles, published_session):
    start = published_session.starts_at
    type(published_session).objects.filter(pk=published_session.pk).update(published_at=start - 10 * H)
    assert run(start - 9 * H)["session_start"] == 0  # published after the day-before time: its notice was enough
    sent = run(start - 20 * dt.timedelta(minutes=1))["session_start"]  # both windows open: only the hour-before
    assert sent > 0 and set(SentReminder.objects.values_list("rule_id", flat=True)) == {rule("session_start", hours=1).pk}


def test_a_moved_session_is_a_new_occasion(roles, published_session):
    start = published_session.starts_at
    assert run(start - 20 * H)["session_start"] > 0
    first = Message.objects.filter(kind=MessageKind.REMINDER).count()
    new_start = start + 2 * D
    training.session_update(actor=roles.school_admin, session=published_session, starts_at=new_start, ends_at=new_start + H)
    assert run(new_start - 20 * H)["session_start"] == first  # reminded of the new day
    assert run(new_start - 19 * H)["session_start"] == 0


def test_a_disabled_rule_sends_nothing_and_a_county_override_changes_it_there_only(roles, published_session, county):
    start = published_session.starts_at
    ReminderRule.objects.filter(what="session_start", county__isnull=True).update(enabled=False)
    assert run(start - 20 * H)["session_start"] == 0
    assert run(start - 30 * dt.timedelta(minutes=1))["session_start"] == 0
    assert reminded() == set()

    day = rule("session_start", days=1)
    ReminderRule.objects.create(what="session_start", base=day, county=county, days=2, enabled=True)  # this county: 2 days
    assert run(start - 47 * H)["session_start"] > 0
    assert set(SentReminder.objects.values_list("rule_id", flat=True)) == {day.pk}  # recorded on the installation rule


def test_a_pass_whose_read_of_what_was_sent_is_stale_still_sends_nothing_twice(roles, published_session, monkeypatch):
    """A concurrent pass (or a restart) that did not see the rows another wrote: the unique row refuses."""
    start = published_session.starts_at
    sent = run(start - 20 * H)["session_start"]
    assert sent > 0
    monkeypatch.setattr(reminders, "_already", lambda *a, **k: set())
    assert run(start - 19 * H)["session_start"] == 0
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == sent
    assert SentReminder.objects.count() == sent


# --- Quotas, questionnaires, reflections, objections ------------------------------------


def test_quota_names_are_reminded_two_days_before_the_deadline_to_schools_that_have_not_submitted(roles, bureau_project, school, school_b):
    deadline = timezone.now() + 5 * D
    quota = training.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=deadline)
    done = training.quota_allocate(actor=roles.bureau, project=bureau_project, school=school_b, places=1, deadline=deadline)
    training.quota_name(actor=roles.other_admin, quota=done, people=[roles.other_teacher.person])
    training.quota_submit(actor=roles.other_admin, quota=done)

    assert run(deadline - 3 * D)["quota_deadline"] == 0
    assert run(deadline - 2 * D + H)["quota_deadline"] == 1
    assert reminded() == {"schooladmin"}  # school_b has submitted
    message = Message.objects.get(kind=MessageKind.REMINDER)
    assert message.title == "名额报送提醒：县级骨干教师培训" and "贵校名额 2 人，已指派 0 人" in message.body
    assert message.url == reverse("training:quota_detail", args=[quota.pk])
    assert run(deadline - H)["quota_deadline"] == 0
    assert run(deadline + H)["quota_deadline"] == 0


def test_a_questionnaire_is_reminded_the_day_before_it_closes_to_those_who_have_not_answered(client, roles, school):
    from yanxiu.needs import questionnaires as logic
    from yanxiu.needs.services import questionnaires as needs

    today = timezone.localdate()
    q = needs.questionnaire_create(actor=roles.school_admin, purpose="other", title="课堂观察问卷", school=school)
    needs.questionnaire_update(actor=roles.school_admin, questionnaire=q, title=q.title, anonymous=True, audience="all", groups=[],
                               opens_on=today, closes_on=today + dt.timedelta(days=4))
    question = needs.question_save(actor=roles.school_admin, questionnaire=q, kind="single", text="您的教龄", options=["5 年以下", "5 年以上"])
    q = needs.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    option = logic.questions_of(q)[0].option_list[0]
    needs.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={question.pk: str(option.pk)})

    close = dt.datetime.combine(q.closes_on + dt.timedelta(days=1), dt.time(0, 0), tzinfo=timezone.get_current_timezone())
    assert run(close - D - H)["questionnaire_close"] == 0  # two days before the last day ends
    assert run(close - D + 8 * H)["questionnaire_close"] == 3  # the last day, 08:00
    assert reminded() == {"member", "leader", "schooladmin"}  # the teacher answered; school_b was not asked
    message = Message.objects.filter(kind=MessageKind.REMINDER).first()
    assert message.url == reverse("needs:answer", args=[q.pk]) and q.closes_on.isoformat() in message.body
    client.force_login(roles.member)
    assert client.get(message.url).status_code == 200
    assert run(close - H)["questionnaire_close"] == 0


def test_reflections_are_reminded_two_days_after_the_session_to_those_present_who_have_not_submitted(roles, published_session):
    from yanxiu.attendance.models import Attendance, Reflection

    for user, status in ((roles.teacher, "present"), (roles.member, "present"), (roles.leader, "absent")):
        Attendance.objects.create(session=published_session, person=user.person, status=status)
    Reflection.objects.create(session=published_session, person=roles.member.person, body="反思" * 120,
                              submitted_at=published_session.ends_at + H)
    end = published_session.ends_at
    assert run(end + D)["reflection_due"] == 0
    assert run(end + 2 * D + H)["reflection_due"] == 1
    assert reminded() == {"teacher"}  # present, nothing submitted; the member submitted; the leader was absent
    assert Message.objects.get(kind=MessageKind.REMINDER).url == reverse("attendance:reflection_submit", args=[published_session.pk])
    assert run(end + 3 * D)["reflection_due"] == 0
    assert run(end + 10 * D)["reflection_due"] == 0  # long after: a stale reminder is not sent


def test_open_objections_are_reminded_to_the_school_a_day_before_the_posting_ends(roles, school, school_b):
    from yanxiu.credits.models import Objection, Posting

    now = timezone.now()
    today = timezone.localdate()

    def posting(s, title):
        return Posting.objects.create(school=s, title=title, period_start=today - dt.timedelta(days=30), period_end=today,
                                      starts_at=now, ends_at=now + 5 * D)

    mine, quiet = posting(school, "九月学时公示"), posting(school_b, "榔梨公示")
    Objection.objects.create(posting=mine, person=roles.teacher.person, reason="漏登了一次活动")
    Objection.objects.create(posting=mine, person=roles.member.person, reason="学时有误", status="rejected")
    assert run(now + 3 * D)["objection_deadline"] == 0
    assert run(now + 4 * D + H)["objection_deadline"] == 1
    assert reminded() == {"schooladmin"}  # school_b's posting has no open objection
    assert Message.objects.get(kind=MessageKind.REMINDER).title == "公示即将结束，还有 1 条异议待处理：九月学时公示"
    assert quiet.pk and run(now + 4 * D + 2 * H)["objection_deadline"] == 0


# --- Escalation -----------------------------------------------------------------


def escalated() -> set[str]:
    return set(Message.objects.filter(kind=MessageKind.REMINDER, topic__startswith="training.leaverequest:")
               .values_list("recipient__username", flat=True))


def test_a_leave_request_undecided_for_three_days_goes_to_the_school_admin_then_the_bureau(roles, published_session, bureau_session, school):
    from yanxiu.training.models import LeaveRequest

    leave = training.leave_request_create(actor=roles.member, session=published_session, leave_type="official", reason="外出学习")
    created = LeaveRequest.objects.get(pk=leave.pk).created_at
    assert run(created + 2 * D)["approval_escalation"] == 0
    assert run(created + 3 * D + H)["approval_escalation"] == 1
    assert escalated() == {"schooladmin"}  # (the session's own reminders may be due at that time too)
    assert Message.objects.get(topic=f"training.leaverequest:{leave.pk}").title.startswith("请假已等待审批 3 天：组员")
    assert run(created + 3 * D + 2 * H)["approval_escalation"] == 0

    Message.objects.all().delete()
    Enrollment.objects.create(session=bureau_session, person=roles.teacher.person, school=school, source="named")
    county_leave = training.leave_request_create(actor=roles.teacher, session=bureau_session, leave_type="official", reason="监考")
    county_leave = training.leave_decide(actor=roles.school_admin, leave=county_leave, approve=True)  # the bureau decides next
    decided = LeaveRequest.objects.get(pk=county_leave.pk).school_decided_at
    assert run(decided + 3 * D + H)["approval_escalation"] == 1  # the member's was sent already (its row stays)
    assert escalated() == {"bureau"}  # the bureau over the project's county; not the far county's
    assert "骨干培训第一讲" in Message.objects.get(topic=f"training.leaverequest:{county_leave.pk}").body


# --- The command, the task, the rules pages --------------------------------------------------


def test_the_command_runs_a_pass_for_a_given_moment_and_refuses_a_bad_one(roles, published_session):
    out = io.StringIO()
    moment = timezone.localtime(published_session.starts_at - 20 * H).isoformat()
    call_command("send_reminders", "--now", moment, stdout=out)
    assert "session_start=4" in out.getvalue() and "quota_deadline=0" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--now", moment, stdout=out)
    assert "session_start=0" in out.getvalue()
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_reminders", "--now", "明天")


def test_the_pass_runs_as_a_task_that_queues_its_next_run():
    from django_tasks_db.models import DBTaskResult

    from yanxiu.notify import tasks

    queued = DBTaskResult.objects.filter(task_path="yanxiu.notify.tasks.send_reminders", status="READY")
    call_command("send_reminders", "--schedule", stdout=io.StringIO())
    call_command("send_reminders", "--schedule", stdout=io.StringIO())
    assert queued.count() == 1
    queued.delete()
    assert tasks.send_reminders.call()["session_start"] == 0
    assert queued.count() == 1  # the next pass is waiting
    assert queued.get().run_after > timezone.now() + dt.timedelta(minutes=4)


def test_the_rules_page_is_for_region_staff_and_superusers_and_a_county_overrides_only_its_own(client, roles, county, other_county):
    from django.contrib.auth import get_user_model

    url = reverse("notify:reminder_rules")
    for user in (roles.teacher, roles.school_admin):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(roles.bureau)
    page = client.get(url)
    assert page.status_code == 200 and "活动开始前提醒参训教师" in page.content.decode() and "长沙县" in page.content.decode()
    day = rule("session_start", days=1)
    edit = reverse("notify:reminder_rule_edit", args=[day.pk])
    assert client.get(f"{url}?county={other_county.pk}").status_code == 404
    assert client.post(f"{edit}?county={other_county.pk}", {"days": 2, "hours": 0}).status_code == 404
    bad = client.post(edit, {"days": 0, "hours": 0, "enabled": "on"})
    assert bad.status_code == 400 and "天数和小时数不能都为 0" in bad.content.decode()
    assert client.post(edit, {"days": 2, "hours": 6}).status_code == 302  # unticked: off in this county
    override = ReminderRule.objects.get(base=day, county=county)
    assert (override.days, override.hours, override.enabled) == (2, 6, False)
    day.refresh_from_db()
    assert (day.days, day.enabled) == (1, True)  # the installation's rule is unchanged
    assert [e.enabled for e in reminders.rules_for(county.pk) if e.rule == day] == [False]
    assert [e.enabled for e in reminders.rules_for(other_county.pk) if e.rule == day] == [True]
    assert client.post(reverse("notify:reminder_rule_create"), {"what": "session_start", "days": 3}).status_code == 403
    reset = reverse("notify:reminder_rule_reset", args=[day.pk])
    assert client.post(reset, {"county": county.pk}).status_code == 302
    assert not ReminderRule.objects.filter(base=day).exists()

    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    client.force_login(admin)
    assert client.post(edit, {"days": 1, "hours": 2, "enabled": "on"}).status_code == 302
    day.refresh_from_db()
    assert (day.days, day.hours) == (1, 2)
    assert client.post(reverse("notify:reminder_rule_create"), {"what": "session_start", "days": 3, "hours": 0, "enabled": "on"}).status_code == 302
    assert ReminderRule.objects.filter(what="session_start", county__isnull=True).count() == 3
    for bad_county in ("abc", "99999999999999999999999"):
        assert client.get(f"{url}?county={bad_county}").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_the_same_time_send_each_reminder_once(roles, published_session):
    import importlib
    import threading

    from django.apps import apps
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot be shared between threads; set YANXIU_TEST_SQLITE_NAME to a file path")
    # A transactional test runs on tables an earlier one may have flushed: the migration's default rules again.
    importlib.import_module("yanxiu.notify.migrations.0003_default_reminder_rules").create(apps, None)

    now = published_session.starts_at - 20 * H
    barrier, results, errors = threading.Barrier(2), [], []

    def one_pass():
        try:
            barrier.wait(timeout=30)
            results.append(run(now)["session_start"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(results) == 4  # split between the passes in any way, never more
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == 4
    assert SentReminder.objects.count() == 4
