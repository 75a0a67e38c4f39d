"""Teaching-routine checks: presets, kinds, recording with findings and papers, feedback, counts against the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yanxiu.core.models import AuditEvent
from yanxiu.routine import check_selectors as sel
from yanxiu.routine.models import CheckAttachment, CheckFinding, CheckKind, RoutineCheck
from yanxiu.routine.services.checks import check_kind_save, check_kinds_ensure, check_record, finding_feedback

from .conftest_checks import IN_TERM, fake_png, finding, kinds, media, pdf, png, principal  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _record(actor, school, kind, *, checker=None, date=IN_TERM, findings=(), files=None, **extra):
    return check_record(actor=actor, school=school, kind=kind, date=date, checker=checker or actor.person, findings=list(findings),
                        files=files, **extra)


# --- Presets and kinds -----------------------------------------------------------------------


def test_presets_on_first_use_once(school):
    made = check_kinds_ensure(school)
    by_name = {k.name: k for k in made}
    assert list(by_name) == ["备课", "作业批改", "随堂听课", "写字本", "教学常规检查"]
    assert (by_name["备课"].cadence, by_name["备课"].per_period) == ("weekly", 1)
    assert (by_name["作业批改"].cadence, by_name["写字本"].cadence) == ("monthly", "monthly")
    listening = by_name["随堂听课"]
    assert (listening.cadence, listening.per_period, listening.feedback_days, listening.leaders_only) == ("weekly", 2, 7, True)
    assert (by_name["教学常规检查"].cadence, by_name["教学常规检查"].per_period) == ("termly", 4)
    check_kinds_ensure(school)
    assert CheckKind.objects.filter(school=school).count() == 5
    assert AuditEvent.objects.filter(action="routine.check_kind_set", school_id=school.pk).count() == 1


def test_school_edits_adds_and_deactivates_kinds(roles, school, kinds):
    admin = roles.school_admin
    added = check_kind_save(actor=admin, school=school, name="  实验记录 ", cadence="fortnightly", per_period=1, feedback_days=3)
    assert added.name == "实验记录" and added.position == 6
    edited = check_kind_save(actor=admin, school=school, kind=kinds["写字本"], name="写字本", cadence="weekly", per_period=1,
                             is_active=False)
    edited.refresh_from_db()
    assert (edited.cadence, edited.is_active) == ("weekly", False)
    with pytest.raises(ValidationError) as err:
        check_kind_save(actor=admin, school=school, name="备课", cadence="weekly", per_period=1)
    assert "备课" in err.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as err:
        check_kind_save(actor=admin, school=school, name="过多", cadence="weekly", per_period=21)
    assert "per_period" in err.value.message_dict


def test_teacher_and_other_school_may_not_set_kinds(roles, school, kinds):
    for actor in (roles.teacher, roles.leader, roles.other_admin):
        with pytest.raises(PermissionDenied):
            check_kind_save(actor=actor, school=school, name="新项目", cadence="weekly", per_period=1)


# --- Recording --------------------------------------------------------------------------------


def test_record_with_findings_and_attachments(roles, school, kinds, principal, media):
    check = _record(principal, school, kinds["随堂听课"], scope="三年级语文", summary="整体良好",
                    findings=[finding(roles.teacher, "excellent", "三（2）班", "板书清楚"), finding(roles.member, "improve", "三（1）班")],
                    files=[png(), pdf()])
    assert check.checker == principal.person and check.created_by == principal
    rows = list(check.findings.order_by("id").values_list("person__name", "class_name", "grade", "comment"))
    assert rows == [("张老师", "三（2）班", "excellent", "板书清楚"), ("组员", "三（1）班", "improve", "")]
    assert [a.original_name for a in check.attachments.order_by("id")] == ["check.png", "record.pdf"]
    assert all((media / a.file.name).exists() for a in check.attachments.all())
    audit = AuditEvent.objects.get(action="routine.check_record")
    assert (audit.school_id, audit.detail["findings"], audit.detail["attachments"]) == (school.pk, 2, 2)


def _nothing_written():
    assert (RoutineCheck.objects.count(), CheckFinding.objects.count(), CheckAttachment.objects.count()) == (0, 0, 0)
    assert not AuditEvent.objects.filter(action="routine.check_record").exists()


def test_bad_file_refused_and_nothing_written(roles, school, kinds, principal, media):
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], findings=[finding(roles.teacher)], files=[png(), fake_png()])
    assert "page.png" in err.value.message_dict["attachments"][0]
    _nothing_written()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_more_than_five_files_refused(roles, school, kinds, principal, media):
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], findings=[finding(roles.teacher)], files=[png(f"{n}.png") for n in range(6)])
    assert "5" in err.value.message_dict["attachments"][0]
    _nothing_written()


def test_bad_findings_name_their_row_and_nothing_written(roles, school, kinds, principal):
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"],
                findings=[finding(roles.teacher), finding(roles.other_teacher), finding(roles.member, grade="bad"),
                          finding(roles.teacher)])
    problems = err.value.message_dict["findings"]
    assert any("第 2 条" in p and "本校在职" in p for p in problems)
    assert any("第 3 条" in p and "等级" in p for p in problems)
    assert any("第 4 条" in p and "重复" in p for p in problems)
    _nothing_written()
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], findings=[])
    assert "findings" in err.value.message_dict


def test_leader_kind_needs_a_leader_as_checker(roles, school, kinds, principal):
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["随堂听课"], checker=roles.member.person, findings=[finding(roles.teacher)])
    assert "组员" in err.value.message_dict["checker"][0]
    check = _record(principal, school, kinds["写字本"], checker=roles.member.person, findings=[finding(roles.teacher)])
    assert check.checker == roles.member.person
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["写字本"], checker=roles.other_teacher.person, findings=[finding(roles.teacher)])
    assert "checker" in err.value.message_dict


def test_bounds_of_a_check(roles, school, school_b, kinds, principal):
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], date=dt.date.today() + dt.timedelta(days=2), findings=[finding(roles.teacher)])
    assert "date" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], scope="范" * 121, findings=[finding(roles.teacher)])
    assert "检查范围" in err.value.message_dict["scope"][0]
    other = check_kinds_ensure(school_b)[0]
    with pytest.raises(ValidationError) as err:
        _record(principal, school, other, findings=[finding(roles.teacher)])
    assert "kind" in err.value.message_dict
    check_kind_save(actor=principal, school=school, kind=kinds["备课"], name="备课", cadence="weekly", per_period=1, is_active=False)
    kinds["备课"].refresh_from_db()
    with pytest.raises(ValidationError) as err:
        _record(principal, school, kinds["备课"], findings=[finding(roles.teacher)])
    assert "停用" in err.value.message_dict["kind"][0]


def test_who_records(roles, school, kinds, principal):
    for actor in (roles.teacher, roles.member, roles.other_admin, roles.centre):
        with pytest.raises(PermissionDenied):
            _record(actor, school, kinds["写字本"], checker=principal.person, findings=[finding(roles.teacher)])
    assert _record(roles.school_admin, school, kinds["写字本"], checker=principal.person, findings=[finding(roles.teacher)])
    assert _record(roles.bureau, school, kinds["写字本"], checker=principal.person, findings=[finding(roles.teacher)])


def test_group_leader_records_own_checks_of_their_members(roles, school, kinds, principal):
    leader = roles.leader
    check = _record(leader, school, kinds["写字本"], findings=[finding(roles.member, "good", "二（1）班")])
    assert check.checker == leader.person and list(check.findings.values_list("person__name", flat=True)) == ["组员"]
    with pytest.raises(ValidationError) as err:
        _record(leader, school, kinds["写字本"], findings=[finding(roles.member), finding(roles.teacher)])
    assert any("第 2 条" in p and "本组" in p for p in err.value.message_dict["findings"])
    with pytest.raises(ValidationError) as err:
        _record(leader, school, kinds["写字本"], checker=principal.person, findings=[finding(roles.member)])
    assert "本人" in err.value.message_dict["checker"][0]
    with pytest.raises(ValidationError) as err:
        _record(leader, school, kinds["随堂听课"], findings=[finding(roles.member)])
    assert "学校领导" in err.value.message_dict["kind"][0]
    assert RoutineCheck.objects.count() == 1
    with pytest.raises(PermissionDenied):  # a group leader does not set the school's kinds
        check_kind_save(actor=leader, school=school, name="新项目", cadence="weekly", per_period=1)


# --- Feedback ----------------------------------------------------------------------------------


def test_feedback_on_time_late_and_who(roles, school, kinds, principal):
    check = _record(principal, school, kinds["随堂听课"], findings=[finding(roles.teacher), finding(roles.member)])
    first, second = check.findings.order_by("id")
    with pytest.raises(PermissionDenied):
        finding_feedback(actor=roles.teacher, finding=first, day=IN_TERM)
    with pytest.raises(ValidationError) as err:
        finding_feedback(actor=principal, finding=first, day=IN_TERM - dt.timedelta(days=1))
    assert "day" in err.value.message_dict
    finding_feedback(actor=principal, finding=first, day=IN_TERM + dt.timedelta(days=7))
    finding_feedback(actor=roles.school_admin, finding=second, day=IN_TERM + dt.timedelta(days=8))
    first.refresh_from_db()
    second.refresh_from_db()
    assert sel.feedback_state(first) == "on_time" and sel.feedback_state(second) == "late"
    assert [e.detail["late"] for e in AuditEvent.objects.filter(action="routine.check_feedback").order_by("id")] == [False, True]
    with pytest.raises(ValidationError):
        finding_feedback(actor=principal, finding=first, day=IN_TERM + dt.timedelta(days=9))


# --- Counts against the plan ---------------------------------------------------------------------


def _counts(school, **kwargs):
    return {row["kind"]: row for row in sel.term_counts(school, 2025, 1, **kwargs)}


def test_term_counts_against_the_plan(roles, people, school, kinds, principal):
    vice = people.teacher(school, username="vice", name="李副校长", position="vice_principal")
    listening = kinds["随堂听课"]
    for week in range(3):  # the principal observes twice in each of three weeks; the vice once
        for day in (0, 2):
            _record(principal, school, listening, date=dt.date(2025, 9, 1) + dt.timedelta(weeks=week, days=day),
                    findings=[finding(roles.teacher)])
    _record(vice, school, listening, date=dt.date(2025, 9, 3), findings=[finding(roles.member)])
    for n in range(4):  # 教学常规检查: four a term, all done
        _record(roles.school_admin, school, kinds["教学常规检查"], checker=principal.person, date=dt.date(2025, 9, 10) + dt.timedelta(weeks=4 * n),
                findings=[finding(roles.teacher)])
    _record(roles.school_admin, school, kinds["教学常规检查"], checker=principal.person, date=dt.date(2025, 8, 20),
            findings=[finding(roles.teacher)])  # before the term: not counted
    findings = CheckFinding.objects.filter(routine_check__kind=listening).order_by("routine_check__date", "id")
    finding_feedback(actor=principal, finding=findings[0], day=dt.date(2025, 9, 5))   # on time
    finding_feedback(actor=principal, finding=findings[1], day=dt.date(2025, 9, 20))  # late (deadline 9-10)

    counts = _counts(school)  # the term is over: everything planned is due
    row = counts["随堂听课"]
    assert (row["planned"], row["due"], row["done"], row["behind"]) == (42, 42, 7, True)  # 21 weeks × 2
    assert row["feedback"] == {"on_time": 1, "late": 1, "overdue": 5, "pending": 0}
    by_checker = {c["checker"]: c for c in row["checkers"]}
    assert (by_checker["王校长"]["done"], by_checker["王校长"]["planned"], by_checker["王校长"]["behind"]) == (6, 42, True)
    assert by_checker["李副校长"]["done"] == 1 and by_checker["王校长"]["feedback"]["late"] == 1
    routine = counts["教学常规检查"]
    assert (routine["planned"], routine["done"], routine["behind"], routine["feedback"]) == (4, 4, False, None)
    assert [c["done"] for c in routine["checkers"]] == [4] and "planned" not in routine["checkers"][0]
    assert (counts["备课"]["planned"], counts["作业批改"]["planned"], counts["备课"]["done"]) == (21, 5, 0)

    early = _counts(school, today=dt.date(2025, 9, 21))  # three weeks in: 42 × 21 // 153 due
    assert (early["随堂听课"]["due"], early["随堂听课"]["behind"]) == (5, False)
    assert {c["checker"]: c["behind"] for c in early["随堂听课"]["checkers"]} == {"王校长": False, "李副校长": True}
    assert early["随堂听课"]["feedback"]["pending"] == 2  # the checks of 9-15 and 9-17, not yet due for feedback
    assert (early["教学常规检查"]["due"], early["教学常规检查"]["behind"]) == (0, False)


def test_term_counts_keep_a_deactivated_kind_with_checks(roles, school, kinds, principal):
    _record(principal, school, kinds["写字本"], findings=[finding(roles.teacher)])
    check_kind_save(actor=principal, school=school, kind=kinds["写字本"], name="写字本", cadence="monthly", per_period=1, is_active=False)
    check_kind_save(actor=principal, school=school, kind=kinds["作业批改"], name="作业批改", cadence="monthly", per_period=1, is_active=False)
    counts = _counts(school)
    assert counts["写字本"]["done"] == 1 and not counts["写字本"]["is_active"]
    assert "作业批改" not in counts
