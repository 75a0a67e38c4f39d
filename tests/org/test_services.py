import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yanxiu.core.models import AuditEvent
from yanxiu.org import services
from yanxiu.org.models import Employment, Person

pytestmark = pytest.mark.django_db

FIELDS = dict(stage="primary", subject="数学", title="second", education="bachelor", employment_type="established", teaching_since=dt.date(2012, 9, 1))


def register(actor, school, id_number="43012119900307002X", **extra):
    fields = {"name": "王芳", "phone": "13912345678", **FIELDS, **extra}
    return services.teacher_register(actor=actor, school=school, id_number=id_number, **fields)


def test_registering_a_teacher_creates_person_account_employment_and_audit(roles, school):
    employment = register(roles.school_admin, school)
    person = employment.person
    assert person.gender == "F" and person.birth_date == dt.date(1990, 3, 7)
    assert re.fullmatch(r"t[0-9a-z]{7}", person.user.username) and person.user.must_change_password
    assert not person.user.has_usable_password() and not person.user.otp_hash  # a login slip comes later
    assert AuditEvent.objects.filter(action="employment.start", target_id=str(employment.pk)).exists()


def test_a_duplicate_id_number_is_refused_naming_the_school(roles, school, school_b):
    register(roles.school_admin, school)
    with pytest.raises(ValidationError) as exc:
        register(roles.bureau, school_b, phone="13900000000")
    assert "长沙县星沙第一小学" in exc.value.message_dict["id_number"][0]
    assert Person.objects.filter(id_number="43012119900307002X").count() == 1


def test_a_gender_that_contradicts_the_id_number_is_refused(roles, school):
    with pytest.raises(ValidationError) as exc:
        register(roles.school_admin, school, gender="M")
    assert "性别与身份证号不符" in exc.value.message_dict["gender"][0]
    assert not Person.objects.filter(id_number="43012119900307002X").exists()


def test_a_school_admin_cannot_register_at_another_school(roles, school_b):
    with pytest.raises(PermissionDenied):
        register(roles.school_admin, school_b)


def test_a_transfer_ends_one_employment_and_starts_another_keeping_the_person(roles, school, school_b):
    employment = roles.teacher.person.employments.get()
    new = services.teacher_transfer(actor=roles.school_admin, employment=employment, to_school=school_b, date=dt.date(2026, 9, 1), reason="工作需要")
    employment.refresh_from_db()
    assert employment.end_date == dt.date(2026, 9, 1) and "工作需要" in employment.end_reason
    assert new.person_id == employment.person_id and new.school == school_b and new.is_current
    assert new.person.user == roles.teacher  # the account follows the person
    assert Employment.objects.filter(person=new.person).count() == 2
    event = AuditEvent.objects.get(action="employment.transfer")
    assert event.detail["from_school"] == school.code and event.detail["to_school"] == school_b.code


def test_a_transfer_outside_the_county_is_refused_to_a_school_admin(roles, far_school):
    employment = roles.teacher.person.employments.get()
    with pytest.raises(ValidationError) as exc:
        services.teacher_transfer(actor=roles.school_admin, employment=employment, to_school=far_school, date=dt.date(2026, 9, 1), reason="x")
    assert "to_school" in exc.value.message_dict
    assert employment.__class__.objects.get(pk=employment.pk).end_date is None


def test_a_transfer_needs_a_reason_and_a_date_after_the_start(roles, school_b):
    employment = roles.teacher.person.employments.get()
    with pytest.raises(ValidationError):
        services.teacher_transfer(actor=roles.school_admin, employment=employment, to_school=school_b, date=dt.date(2026, 9, 1), reason=" ")
    with pytest.raises(ValidationError) as exc:
        services.teacher_transfer(actor=roles.school_admin, employment=employment, to_school=school_b, date=dt.date(2001, 1, 1), reason="x")
    assert "不能早于" in exc.value.message_dict["date"][0]


def test_a_group_leader_must_work_at_the_school(roles, school, school_b):
    with pytest.raises(ValidationError) as exc:
        services.group_save(actor=roles.school_admin, school=school, name="数学组", kind="research", subject="数学", leader=roles.other_teacher.person)
    assert "本校在职教师" in exc.value.message_dict["leader"][0]
    group = services.group_save(actor=roles.school_admin, school=school, name="数学组", kind="research", subject="数学", leader=roles.teacher.person)
    assert group.leader == roles.teacher.person
    assert group.history.count() == 1


def test_history_records_who_changed_a_school(roles, school):
    services.school_update(actor=roles.school_admin, school=school, name="长沙县星沙第一小学（新校区）", address="星沙大道 1 号")
    school.refresh_from_db()
    assert school.name.endswith("（新校区）")
    assert AuditEvent.objects.filter(action="school.update").exists()


def test_a_school_admin_cannot_move_the_school_to_another_county(roles, school, other_county):
    services.school_update(actor=roles.school_admin, school=school, county=other_county, name=school.name)
    school.refresh_from_db()
    assert school.county.code == "430121"


def test_the_group_leader_role_follows_the_groups_leader(roles, school):
    from yanxiu.accounts.models import RoleAssignment
    from yanxiu.org.scopes import scope_of

    group = services.group_save(actor=roles.school_admin, school=school, name="数学组", kind="research", subject="数学", leader=roles.teacher.person)
    assert RoleAssignment.objects.filter(role="group_leader", group=group, user=roles.teacher).exists()
    services.group_save(actor=roles.school_admin, school=school, group=group, leader=roles.member.person)
    assert list(RoleAssignment.objects.filter(role="group_leader", group=group).values_list("user", flat=True)) == [roles.member.pk]
    assert group.pk in scope_of(type(roles.member).objects.get(pk=roles.member.pk)).led_groups


def test_only_the_bureau_appoints_school_admins_and_only_from_the_staff(roles, school):
    with pytest.raises(PermissionDenied):
        services.school_admin_appoint(actor=roles.school_admin, school=school, person=roles.teacher.person)
    with pytest.raises(ValidationError):
        services.school_admin_appoint(actor=roles.bureau, school=school, person=roles.other_teacher.person)
    assignment = services.school_admin_appoint(actor=roles.bureau, school=school, person=roles.teacher.person)
    assert assignment.user == roles.teacher
    services.role_revoke(actor=roles.bureau, assignment=assignment)
    assert AuditEvent.objects.filter(action="role.revoke").exists()


def test_a_cluster_base_school_must_be_in_the_county(roles, county, far_school, school):
    with pytest.raises(ValidationError):
        services.cluster_save(actor=roles.bureau, county=county, name="星沙片区", base_school=far_school)
    cluster = services.cluster_save(actor=roles.bureau, county=county, name="星沙片区", base_school=school)
    school.refresh_from_db()
    assert school.cluster == cluster
    with pytest.raises(PermissionDenied):
        services.cluster_save(actor=roles.centre, county=county, name="榔梨片区")
