"""Collective lesson preparation: the weekly 2-hour rule, recording, attendance, plans and 二次备课 (services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yanxiu.core.audit import AuditEvent
from yanxiu.org.models import Group
from yanxiu.routine import prep_selectors as selectors
from yanxiu.routine.models import CollectivePrep, PrepAttendance, SecondPrep
from yanxiu.routine.services.preps import prep_record, prep_update, second_prep_save

pytestmark = pytest.mark.django_db

#: A Wednesday of the first term of school year 2025 (term 1: 2025-09-01 .. 2026-01-31).
WED = dt.date(2025, 10, 15)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded plans land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def plan_pdf(name="教案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record(actor, group, *, date=WED, minutes=60, today=None, **extra):
    fields = {"subject": "语文", "grade_name": "三年级", "lesson": "《秋天的雨》", "lead": extra.pop("lead", None),
              "discussion": "重难点：比喻句的体会。", **extra}
    if fields["lead"] is None:
        fields["lead"] = selectors.current_members(group).first()
    return prep_record(actor=actor, group=group, date=date, minutes=minutes, today=today or dt.date(2026, 6, 1), **fields)


# --- The weekly rule on constructed data ----------------------------------------------------


def _cells(school, group, today):
    _span, weeks, rows = selectors.weekly_grid(school, 2025, 1, [group], today=today)
    return {c.week.start: c for c in rows[0].cells}, weeks


def test_two_sessions_of_sixty_minutes_in_one_week_meet_the_rule(roles, school, group):
    record(roles.leader, group, date=WED, minutes=60)
    record(roles.leader, group, date=WED + dt.timedelta(days=2), minutes=60)  # Friday, same ISO week
    cells, _weeks = _cells(school, group, dt.date(2026, 6, 1))
    cell = cells[dt.date(2025, 10, 13)]
    assert (cell.status, cell.minutes, cell.sessions) == (selectors.MET, 120, 2)


def test_ninety_minutes_in_a_week_is_missing(roles, school, group):
    record(roles.leader, group, date=WED, minutes=90)
    cells, _weeks = _cells(school, group, dt.date(2026, 6, 1))
    assert cells[dt.date(2025, 10, 13)].status == selectors.MISSING
    assert cells[dt.date(2025, 10, 13)].minutes == 90
    assert cells[dt.date(2025, 10, 20)].status == selectors.MISSING and cells[dt.date(2025, 10, 20)].minutes == 0


def test_sessions_in_two_weeks_do_not_add_up(roles, school, group):
    record(roles.leader, group, date=dt.date(2025, 10, 19), minutes=60)  # Sunday
    record(roles.leader, group, date=dt.date(2025, 10, 20), minutes=60)  # the Monday after
    cells, _weeks = _cells(school, group, dt.date(2026, 6, 1))
    assert cells[dt.date(2025, 10, 13)].status == selectors.MISSING
    assert cells[dt.date(2025, 10, 20)].status == selectors.MISSING


def test_the_current_week_is_in_progress_and_later_weeks_have_not_begun(roles, school, group):
    record(roles.leader, group, date=WED, minutes=60, today=WED)
    cells, _weeks = _cells(school, group, WED)
    assert cells[dt.date(2025, 10, 13)].status == selectors.IN_PROGRESS
    assert cells[dt.date(2025, 10, 20)].status == selectors.FUTURE
    assert cells[dt.date(2025, 10, 6)].status == selectors.MISSING


def test_a_current_week_already_at_two_hours_is_met(roles, school, group):
    record(roles.leader, group, date=WED, minutes=120, today=WED)
    cells, _weeks = _cells(school, group, WED)
    assert cells[dt.date(2025, 10, 13)].status == selectors.MET


def test_the_term_weeks_cover_the_term_by_iso_week(school):
    weeks = selectors.term_weeks(dt.date(2025, 9, 1), dt.date(2026, 1, 31))
    assert weeks[0].start == dt.date(2025, 9, 1) and weeks[0].iso == "2025-W36"
    assert weeks[-1].end == dt.date(2026, 2, 1) and len(weeks) == 22
    assert [w.number for w in weeks[:3]] == [1, 2, 3]


def test_prep_counts_per_group_and_subject(roles, school, group):
    other = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    record(roles.leader, group, date=WED, minutes=60)
    record(roles.leader, group, date=WED + dt.timedelta(days=1), minutes=60, subject="书法")
    record(roles.leader, group, date=WED + dt.timedelta(days=7), minutes=90)
    rows = {r["group"]: r for r in selectors.prep_counts(school, 2025, 1, today=dt.date(2026, 6, 1))}
    chinese = rows["语文组"]
    assert (chinese["sessions"], chinese["minutes"], str(chinese["hours"])) == (3, 210, "3.5")
    assert (chinese["weeks"], chinese["weeks_met"], chinese["weeks_missing"]) == (22, 1, 21)
    assert [(p["subject"], p["sessions"]) for p in chinese["by_subject"]] == [("书法", 1), ("语文", 2)]
    assert rows[other.name]["sessions"] == 0 and rows[other.name]["weeks_missing"] == 22
    subjects = {r["subject"]: r for r in selectors.subject_counts(school, 2025)}
    assert subjects["语文"]["sessions"] == 2 and str(subjects["语文"]["hours"]) == "2.5" and subjects["语文"]["groups"] == 1
    whole_year = {r["group"]: r for r in selectors.prep_counts(school, 2025, None, today=dt.date(2026, 6, 1))}
    assert whole_year["语文组"]["sessions"] == 3 and whole_year["语文组"]["weeks"] > 22


# --- Recording ------------------------------------------------------------------------------------


def test_the_leader_records_with_attendance_and_plan(roles, group):
    member = roles.member.person
    prep = record(roles.leader, group, minutes=120, lead=member, attendance={roles.leader.person.pk: (False, "外出学习")},
                  plan_file=plan_pdf())
    assert prep.lead == member and prep.plan_name == "教案.pdf" and prep.plan_file.name.startswith("routine/preps/")
    rows = {a.person_id: (a.present, a.note) for a in PrepAttendance.objects.filter(prep=prep)}
    assert rows == {roles.leader.person.pk: (False, "外出学习"), member.pk: (True, "")}
    event = AuditEvent.objects.get(action="routine.prep_record")
    assert event.school_id == group.school_id and event.detail["absent"] == 1


def test_the_school_admin_records_and_updates(roles, group):
    prep = record(roles.school_admin, group)
    prep = prep_update(actor=roles.school_admin, prep=prep, date=WED, minutes=100, subject="语文", grade_name="三年级",
                       lesson="《秋天的雨》第二课时", lead=roles.leader.person, discussion="修改后的研讨记录",
                       attendance={roles.member.person.pk: (False, "病假")}, today=dt.date(2026, 6, 1))
    assert prep.minutes == 100 and prep.lesson.endswith("第二课时")
    assert PrepAttendance.objects.get(prep=prep, person=roles.member.person).note == "病假"
    assert AuditEvent.objects.filter(action="routine.prep_update").count() == 1


def test_a_leader_of_another_group_and_a_member_may_not_record(roles, school, group, people):
    other = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    other_leader = people.role("group_leader", username="mathleader", group=other, person_school=school)
    with pytest.raises(PermissionDenied):
        record(other_leader, group)
    with pytest.raises(PermissionDenied):
        record(roles.member, group)
    with pytest.raises(PermissionDenied):
        record(roles.other_admin, group)
    prep = record(roles.leader, group)
    with pytest.raises(PermissionDenied):
        prep_update(actor=other_leader, prep=prep, date=WED, minutes=60, subject="语文", grade_name="三年级", lesson="x",
                    lead=roles.leader.person, discussion="x")
    assert CollectivePrep.objects.count() == 1


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"minutes": 5}, "minutes", "10 到 480"),
    ({"minutes": "两小时"}, "minutes", "分钟数"),
    ({"date": dt.date(2026, 6, 2)}, "date", "不能晚于今天"),
    ({"date": "2025/10/15"}, "date", "2025-09-01"),
    ({"lesson": "  "}, "lesson", "课题/单元"),
    ({"grade_name": "三" * 21}, "grade_name", "不能超过 20 字"),
    ({"discussion": ""}, "discussion", "研讨记录"),
])
def test_bad_input_names_the_field(roles, group, change, field, words):
    with pytest.raises(ValidationError) as caught:
        record(roles.leader, group, **change)
    assert field in caught.value.message_dict and words in caught.value.message_dict[field][0]
    assert not CollectivePrep.objects.exists()


def test_the_lead_must_be_a_current_member_and_present(roles, group):
    with pytest.raises(ValidationError) as caught:
        record(roles.leader, group, lead=roles.teacher.person)
    assert "主备人须是本组在职的组员" in caught.value.message_dict["lead"][0]
    with pytest.raises(ValidationError) as caught:
        record(roles.leader, group, lead=roles.member.person, attendance={roles.member.person.pk: (False, "")})
    assert "主备人须出席" in caught.value.message_dict["attendance"][0]
    with pytest.raises(ValidationError) as caught:
        record(roles.leader, group, attendance={roles.teacher.person.pk: (True, "")})
    assert "不是本组组员" in caught.value.message_dict["attendance"][0]
    assert not CollectivePrep.objects.exists()


@pytest.mark.parametrize(("name", "content", "words"), [
    ("教案.exe", b"MZ\x90\x00", "格式不支持"),
    ("教案.pdf", b"<html><script>alert(1)</script></html>", "不是有效的PDF"),
    ("教案.docx", b"PK\x03\x04not really a docx", "不是有效的DOCX"),
    ("课堂.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32, "是视频"),
])
def test_a_plan_that_is_not_a_document_is_refused(roles, group, name, content, words):
    with pytest.raises(ValidationError) as caught:
        record(roles.leader, group, plan_file=SimpleUploadedFile(name, content))
    assert words in caught.value.message_dict["plan_file"][0]
    assert not CollectivePrep.objects.exists()


def test_replacing_the_plan_removes_the_old_file_after_the_commit(roles, group, django_capture_on_commit_callbacks):
    prep = record(roles.leader, group, plan_file=plan_pdf())
    old = prep.plan_file.name
    storage = prep.plan_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        prep = prep_update(actor=roles.leader, prep=prep, date=WED, minutes=60, subject="语文", grade_name="三年级", lesson="x",
                           lead=roles.leader.person, discussion="x", plan_file=plan_pdf("新教案.pdf"), today=dt.date(2026, 6, 1))
    assert prep.plan_name == "新教案.pdf" and not storage.exists(old) and storage.exists(prep.plan_file.name)
    with django_capture_on_commit_callbacks(execute=True):
        prep = prep_update(actor=roles.leader, prep=prep, date=WED, minutes=60, subject="语文", grade_name="三年级", lesson="x",
                           lead=roles.leader.person, discussion="x", remove_plan=True, today=dt.date(2026, 6, 1))
    assert not prep.plan_file and prep.plan_name == ""


# --- 二次备课 ---------------------------------------------------------------------------------------------


def test_a_member_writes_their_own_second_prep_until_the_week_is_over(roles, group):
    prep = record(roles.leader, group, today=WED)
    row = second_prep_save(actor=roles.member, prep=prep, text="本班学生基础较弱，先复习比喻句。", today=WED)
    row = second_prep_save(actor=roles.member, prep=prep, text="改：增加朗读环节。", today=dt.date(2025, 10, 19))
    assert SecondPrep.objects.get().text == "改：增加朗读环节。" and row.person == roles.member.person
    with pytest.raises(ValidationError) as caught:
        second_prep_save(actor=roles.member, prep=prep, text="再改", today=dt.date(2025, 10, 20))
    assert "已结束" in caught.value.message_dict["text"][0]
    assert AuditEvent.objects.filter(action="routine.second_prep").count() == 2


def test_only_members_write_second_preps(roles, group):
    prep = record(roles.leader, group, today=WED)
    for outsider in (roles.teacher, roles.other_teacher, roles.school_admin, roles.bureau):
        with pytest.raises(PermissionDenied):
            second_prep_save(actor=outsider, prep=prep, text="x", today=WED)
    with pytest.raises(ValidationError) as caught:
        second_prep_save(actor=roles.member, prep=prep, text="   ", today=WED)
    assert "请填写二次备课" in caught.value.message_dict["text"][0]
    assert not SecondPrep.objects.exists()


def test_a_member_sees_only_their_own_second_prep_until_the_week_is_over(roles, group):
    prep = record(roles.leader, group, today=WED)
    second_prep_save(actor=roles.member, prep=prep, text="组员的二次备课", today=WED)
    second_prep_save(actor=roles.leader, prep=prep, text="组长的二次备课", today=WED)

    def seen(user, today):
        return sorted(s.text for s in selectors.second_preps_visible_to(user, prep, today=today))

    assert seen(roles.member, WED) == ["组员的二次备课"]
    assert seen(roles.member, dt.date(2025, 10, 20)) == ["组员的二次备课", "组长的二次备课"]
    assert seen(roles.leader, WED) == ["组员的二次备课", "组长的二次备课"]
    assert seen(roles.school_admin, WED) == ["组员的二次备课", "组长的二次备课"]
    assert seen(roles.teacher, dt.date(2025, 10, 20)) == []


def test_a_week_across_two_terms_belongs_to_one_of_them():
    import datetime as dt

    from yanxiu.growth import calendar
    from yanxiu.routine.prep_selectors import term_weeks

    first, second = calendar.default_term(2025, 1), calendar.default_term(2025, 2)
    last_of_first, first_of_second = term_weeks(first.start, first.end)[-1], term_weeks(second.start, second.end)[0]
    assert last_of_first.start == dt.date(2026, 1, 26)  # Thursday 29 January: term 1
    assert first_of_second.start == dt.date(2026, 2, 2)  # the week of Sunday 1 February is not counted again
    weeks = {w.start for t in (first, second) for w in term_weeks(t.start, t.end)}
    assert len(weeks) == len(term_weeks(first.start, first.end)) + len(term_weeks(second.start, second.end))


def test_a_member_who_left_stays_on_the_attendance_of_a_recorded_prep(roles, group):
    prep = record(roles.leader, group, lead=roles.leader.person)
    member = roles.member.person
    assert member in selectors.attendance_people(prep, group)
    for employment in member.employments.all():
        employment.groups.remove(group)
    assert member not in selectors.current_members(group)
    assert member in selectors.attendance_people(prep, group)
    updated = prep_update(actor=roles.leader, prep=prep, date=WED, minutes=90, subject="语文", grade_name="三年级",
                          lesson="《秋天的雨》", lead=roles.leader.person, discussion="改", attendance={member.pk: (False, "调出")},
                          today=dt.date(2026, 6, 1))
    assert PrepAttendance.objects.get(prep=updated, person=member).note == "调出"
