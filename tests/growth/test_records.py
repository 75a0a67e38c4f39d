"""Records: submission rules, review, credit within the policy's cap with the record as evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yanxiu.core.models import AuditEvent
from yanxiu.credits.models import CreditEntry
from yanxiu.growth import services
from yanxiu.growth.models import GrowthRecord

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 1)


def _lesson(actor, person, day=dt.date(2025, 10, 9), **extra):
    fields = {"kind": "public_lesson", "date": day, "title": "《桂林山水》公开课", "level": "county", "subject": "语文"}
    fields.update(extra)
    return services.record_submit(actor=actor, person=person, today=TODAY, **fields)


def test_accepted_public_lesson_is_credited_within_the_cap(growth, policy):
    teacher = growth.roles.teacher
    admin = growth.roles.school_admin
    first = _lesson(teacher, teacher.person)
    record, why = services.record_review(actor=admin, record=first, accept=True)
    assert why == ""
    entry = CreditEntry.objects.get(pk=record.credit_entry_id)
    assert entry.hours == 2 and entry.evidence["growth_record_id"] == record.pk
    second, _why = services.record_review(actor=admin, record=_lesson(teacher, teacher.person, title="二"), accept=True)
    third, why = services.record_review(actor=admin, record=_lesson(teacher, teacher.person, title="三"), accept=True)
    assert second.credit_entry_id and third.credit_entry_id is None and "上限" in why
    assert third.status == "accepted"
    assert AuditEvent.objects.filter(action="growth.record_accept").count() == 3


def test_return_needs_a_reason_and_the_teacher_can_resubmit(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    record = _lesson(teacher, teacher.person)
    with pytest.raises(ValidationError) as exc:
        services.record_review(actor=admin, record=record, accept=False, reason=" ")
    assert "理由" in str(exc.value)
    record, _why = services.record_review(actor=admin, record=record, accept=False, reason="请补充教案")
    assert record.status == "returned"
    record = services.record_resubmit(actor=teacher, record=record, today=TODAY, content="教案已补充")
    assert record.status == "submitted" and record.review_reason == ""


def test_a_returned_record_is_not_resubmitted_into_a_signed_off_year(growth):
    from django.utils import timezone

    from yanxiu.growth.models import GrowthYear

    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    record, _why = services.record_review(actor=admin, record=_lesson(teacher, teacher.person), accept=False, reason="请补充教案")
    GrowthYear.objects.create(person=teacher.person, school_year=2024, signed_off_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.record_resubmit(actor=teacher, record=record, today=TODAY, date=dt.date(2025, 3, 9))
    assert "date" in exc.value.message_dict and "已签署" in str(exc.value)
    record.refresh_from_db()
    assert record.status == "returned" and record.date == dt.date(2025, 10, 9)
    assert services.record_resubmit(actor=teacher, record=record, today=TODAY, content="教案已补充").status == "submitted"


def test_rules_per_kind(growth):
    teacher = growth.roles.teacher
    with pytest.raises(ValidationError) as exc:
        services.record_submit(actor=teacher, person=teacher.person, today=TODAY, kind="award", date=TODAY, title="优质课比赛")
    assert {"venue", "level", "rank"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _lesson(teacher, teacher.person, day=TODAY + dt.timedelta(days=1))
    assert "晚于今天" in str(exc.value)
    with pytest.raises(ValidationError):
        services.record_submit(actor=teacher, person=teacher.person, today=TODAY, kind="observation", date=TODAY,
                               title="听课", subject="数学")
    assert not GrowthRecord.objects.exists()


def test_only_the_teacher_or_their_school_files_and_reviews(growth):
    roles = growth.roles
    with pytest.raises(PermissionDenied):
        _lesson(roles.other_teacher, roles.teacher.person)
    record = _lesson(roles.school_admin, roles.teacher.person)
    for user in (roles.teacher, roles.other_admin, roles.leader):
        with pytest.raises(PermissionDenied):
            services.record_review(actor=user, record=record, accept=True)


def test_template_edit_applies_from_the_next_term_and_keeps_history(growth):
    from yanxiu.growth.progress import template_in_force
    from yanxiu.growth.models import TaskTemplate

    template = growth.adopt("001-1-young")
    items = [{"kind": "observation", "label": "每学期听课 20 节", "target": 20, "per": "term"}]
    with pytest.raises(ValidationError):
        services.template_edit(actor=growth.roles.school_admin, template=template, name="青年教师", tier="young", for_leaders=False,
                               period="term", items=items, reason="", today=TODAY)
    new = services.template_edit(actor=growth.roles.school_admin, template=template, name="青年教师", tier="young",
                                 for_leaders=False, period="term", items=items, reason="教研会议决定", today=TODAY)
    assert (new.version, new.valid_from_year, new.valid_from_term) == (2, 2025, 2)
    templates = list(TaskTemplate.objects.filter(school=growth.school))
    assert template_in_force(templates, tier="young", leader=False, year=2025, term=1).pk == template.pk
    assert template_in_force(templates, tier="young", leader=False, year=2025, term=2).pk == new.pk


def test_tiers_by_teaching_age_and_by_hand(growth):
    from yanxiu.growth.models import TierAssignment

    roles = growth.roles
    admin = roles.school_admin
    young = growth.people.teacher(growth.school, teaching_since=dt.date(2022, 9, 1)).person
    backbone = growth.people.teacher(growth.school, teaching_since=dt.date(2015, 9, 1)).person
    mature = growth.people.teacher(growth.school, teaching_since=dt.date(1990, 9, 1)).person
    services.tier_rule_set(actor=admin, school=growth.school, basis="teaching_age")
    services.tiers_recompute(actor=admin, school=growth.school, school_year=2025)
    tiers = {p: p.employments.get().tier for p in (young, backbone, mature)}
    assert tiers == {young: "young", backbone: "backbone", mature: "mature"}
    services.tier_assign(actor=admin, person=mature, school_year=2025, tier="backbone", reason="县级骨干")
    services.tiers_recompute(actor=admin, school=growth.school, school_year=2025, force=True)
    assert mature.employments.get().tier == "backbone"  # a hand-set tier is kept
    assert TierAssignment.objects.filter(person=mature).count() == 2
    services.tier_rule_set(actor=admin, school=growth.school, basis="age", young_max_age=35)
    services.tiers_recompute(actor=admin, school=growth.school, school_year=2026)
    assert young.employments.get().tier == "mature"  # born 1985: 41 on 2026-09-01


def test_a_tier_set_for_a_past_year_leaves_the_tier_in_force_alone(growth):
    from yanxiu.credits.selectors import current_school_year

    admin, person = growth.roles.school_admin, growth.roles.teacher.person
    year = current_school_year()
    services.tier_assign(actor=admin, person=person, school_year=year, tier="backbone", reason="县级骨干")
    services.tier_assign(actor=admin, person=person, school_year=year - 3, tier="young", reason="补录当年梯队")
    assert person.employments.get().tier == "backbone"


def test_a_retired_template_is_not_revised(growth):
    template = growth.adopt("001-1-young")
    items = [{"kind": "observation", "label": "听课", "target": 10, "per": "term"}]
    retired = services.template_retire(actor=growth.roles.school_admin, template=template, reason="改用八个一", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.template_edit(actor=growth.roles.school_admin, template=retired, name="x", tier="young", for_leaders=False,
                               period="term", items=items, reason="恢复", today=TODAY)
    assert "已停用" in str(exc.value)


def test_recomputing_tiers_reads_and_writes_in_a_fixed_number_of_queries(growth):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = growth.roles.school_admin
    services.tier_rule_set(actor=admin, school=growth.school, basis="teaching_age")

    def run(year):
        with CaptureQueriesContext(connection) as ctx:
            written = services.tiers_recompute(actor=admin, school=growth.school, school_year=year)
        return written, len(ctx.captured_queries)

    few = run(2023)
    for n in range(10):
        growth.people.teacher(growth.school, teaching_since=dt.date(2000 + n, 9, 1))
    many = run(2024)
    # Ten more teachers write no more queries: the rows go in one statement, the employments in one update per tier.
    assert many[0] == few[0] + 10 and many[1] <= few[1] + len(("young", "mature", "backbone"))
