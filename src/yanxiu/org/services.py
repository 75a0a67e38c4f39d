"""Writes to the organisation model. Each function validates, saves and audits
in one transaction; views and commands call these, never ``Model.save``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.accounts import services as account_services
from yanxiu.accounts.models import User
from yanxiu.core import audit
from yanxiu.core.events import Event

from . import idnumber, selectors
from .models import Employment, Group, Person, School, mask_id_number, mask_phone


# --- Schools and groups ------------------------------------------------------


@transaction.atomic
def school_create(*, actor: User, **fields: Any) -> School:
    scopes.require(scopes.can_create_school(actor))
    school = School(**fields)
    scopes.require(actor.is_superuser or school.county_id in scopes.scope_of(actor).bureau_counties, _("只能在本辖区内新建学校。"))
    school.full_clean()
    school.save()
    audit.record(actor=actor, event=Event.SCHOOL_CREATE, target=school, school=school, code=school.code)
    return school


@transaction.atomic
def school_update(*, actor: User, school: School, **fields: Any) -> School:
    scopes.require(scopes.can_manage_school(actor, school))
    if not scopes.scope_of(actor).is_bureau:
        # A school admin may correct the name and address, not move the school.
        fields.pop("county", None)
        fields.pop("cluster", None)
        fields.pop("code", None)
    changed = {k: str(v) for k, v in fields.items() if getattr(school, k) != v}
    for key, value in fields.items():
        setattr(school, key, value)
    school.full_clean()
    school.save()
    audit.record(actor=actor, event=Event.SCHOOL_UPDATE, target=school, school=school, changed=changed)
    return school


@transaction.atomic
def group_save(*, actor: User, school: School, group: Group | None = None, **fields: Any) -> Group:
    scopes.require(scopes.can_manage_school(actor, school))
    creating = group is None
    group = group or Group(school=school)
    scopes.require(group.school_id == school.pk, _("该教研组不属于本校。"))
    for key, value in fields.items():
        setattr(group, key, value)
    if group.parent_id and group.parent.school_id != school.pk:
        raise ValidationError({"parent": _("所属教研组必须是本校的教研组。")})
    if group.leader_id and not Employment.objects.current().filter(person_id=group.leader_id, school=school).exists():
        raise ValidationError({"leader": _("组长必须是本校在职教师。")})
    previous_leader_id = None if creating else Group.objects.filter(pk=group.pk).values_list("leader_id", flat=True).first()
    group.full_clean()
    group.save()
    if previous_leader_id != group.leader_id:
        _sync_group_leader_role(group, previous_leader_id)
    audit.record(actor=actor, event=Event.GROUP_CREATE if creating else Event.GROUP_UPDATE, target=group, school=school, name=group.name)
    return group


def _sync_group_leader_role(group: Group, previous_leader_id: int | None) -> None:
    """The group's leader holds the group-leader role for it, and only they do."""
    from yanxiu.accounts.models import Role, RoleAssignment

    stale = RoleAssignment.objects.filter(role=Role.GROUP_LEADER, group=group)
    if group.leader_id:
        stale = stale.exclude(user__person__pk=group.leader_id)
    stale.delete()
    if group.leader_id:
        leader = Person.objects.get(pk=group.leader_id)
        if leader.user_id is None:
            leader.user = account_create_for(leader)
            leader.save(update_fields=["user"])
        RoleAssignment.objects.get_or_create(role=Role.GROUP_LEADER, group=group, user_id=leader.user_id)


# --- Cluster and role appointments ---------------------------------------------


@transaction.atomic
def cluster_save(*, actor: User, county, cluster=None, name: str, base_school: School | None = None):
    from .models import Cluster

    s = scopes.scope_of(actor)
    scopes.require(s.superuser or county.pk in s.bureau_counties)
    creating = cluster is None
    cluster = cluster or Cluster(county=county)
    if base_school is not None and base_school.county_id != county.pk:
        raise ValidationError({"base_school": _("基地校必须是本区县的学校。")})
    cluster.name, cluster.base_school = name.strip(), base_school
    cluster.full_clean()
    cluster.save()
    if base_school is not None and base_school.cluster_id != cluster.pk:
        base_school.cluster = cluster
        base_school.save(update_fields=["cluster"])
    audit.record(actor=actor, event=Event.CLUSTER_CREATE if creating else Event.CLUSTER_UPDATE, target=cluster, county=county,
                 name=cluster.name)
    return cluster


@transaction.atomic
def school_admin_appoint(*, actor: User, school: School, person: Person):
    """Make a member of staff a school training admin (师训管理员) of their school."""
    from yanxiu.accounts.models import Role, RoleAssignment

    s = scopes.scope_of(actor)
    scopes.require(s.superuser or school.county_id in s.bureau_counties)
    if not Employment.objects.current().filter(person=person, school=school).exists():
        raise ValidationError({"person": _("只能任命本校在职教职工为管理员。")})
    if person.user_id is None:
        person.user = account_create_for(person)
        person.save(update_fields=["user"])
    assignment, created = RoleAssignment.objects.get_or_create(role=Role.SCHOOL_ADMIN, school=school, user_id=person.user_id)
    if not created:
        raise ValidationError({"person": _("%(name)s 已是本校管理员。") % {"name": person.name}})
    audit.record(actor=actor, event=Event.ROLE_APPOINT, target=assignment, school=school, role=Role.SCHOOL_ADMIN)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment) -> None:
    from yanxiu.accounts.models import Role

    s = scopes.scope_of(actor)
    if assignment.role == Role.SCHOOL_ADMIN:
        scopes.require(s.superuser or assignment.school.county_id in s.bureau_counties)
    else:
        scopes.require(s.superuser)
    audit.record(actor=actor, event=Event.ROLE_REVOKE, target=assignment, school=assignment.school, county=assignment.region_id,
                 role=assignment.role, user=assignment.user_id)
    assignment.delete()


# --- People ------------------------------------------------------------------


def validate_person_fields(
    *, id_number: object, gender: str | None = None, birth_date: dt.date | None = None, phone: str = ""
) -> tuple[idnumber.IdInfo, dict[str, str]]:
    """Check an ID number and the fields that must agree with it.

    Returns the parsed ID and a field -> message dict of problems (empty when
    all is well). Shared by the forms and the roster import.
    """
    errors: dict[str, str] = {}
    try:
        info = idnumber.parse(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
        return None, errors  # type: ignore[return-value]
    for field, message in idnumber.check_consistency(info, gender=gender, birth_date=birth_date):
        errors[field] = message
    if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors["phone"] = _("手机号应为 1 开头的 11 位数字。")
    return info, errors


@transaction.atomic
def teacher_register(
    *,
    actor: User,
    school: School,
    name: str,
    id_number: str,
    phone: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
    start_date: dt.date | None = None,
    groups: list[Group] | None = None,
    **employment_fields: Any,
) -> Employment:
    """Add a teacher to a school: the person (new or known), the account and the employment."""
    scopes.require(scopes.can_manage_school(actor, school))
    info, errors = validate_person_fields(id_number=id_number, gender=gender, birth_date=birth_date, phone=phone)
    if not errors:
        known_id = Person.objects.filter(id_number=info.number).values_list("pk", flat=True).first()
        if phone_taken(phone, person_id=known_id):
            errors["phone"] = phone_taken_message()
    if errors:
        raise ValidationError(errors)
    person = Person.objects.filter(id_number=info.number).first()
    if person is not None:
        current = selectors.current_employment(person)
        if current is not None:
            raise ValidationError(
                {"id_number": _("该身份证号已登记在“%(school)s”，请走调动流程。") % {"school": current.school.name}}
            )
        person.name, person.phone = name, phone or person.phone
    else:
        person = Person(name=name, id_number=info.number, gender=info.gender, birth_date=info.birth_date, phone=phone)
    person.full_clean()
    person.save()
    if person.user_id is None:
        person.user = account_create_for(person)
        person.save(update_fields=["user"])
    employment = Employment(person=person, school=school, start_date=start_date or dt.date.today(), **employment_fields)
    employment.full_clean()
    employment.save()
    if groups:
        employment.groups.set(groups)
    audit.record(actor=actor, event=Event.EMPLOYMENT_START, target=employment, school=school)
    return employment


def account_create_for(person: Person) -> User:
    """An account with a random username (``t`` + 7 characters, no ID digits) and
    no usable password: the school admin prints a login slip with a one-time
    password (:func:`initial_passwords_issue`)."""
    from yanxiu.accounts import otp

    user = User(username=otp.new_username(), display_name=person.name, must_change_password=True)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def initial_passwords_issue(*, actor: User, school, people: list) -> list[account_services.LoginSlip]:
    """New one-time passwords for teachers of ``school``, for printing.

    Each account's previous password and any earlier one-time password stop
    working; failed-login counts are cleared; the teacher must set a password
    of their own after logging in once. Only the school's own admin may do
    this. One ``account.initial_password_issue`` audit row per account.
    """
    scopes.require(scopes.can_issue_login_slips(actor, school), _("只有本校的师训管理员可以生成初始密码、打印登录单。"))
    ids = [p.pk for p in people]
    current = set(Employment.objects.current().filter(school=school, person_id__in=ids).values_list("person_id", flat=True))
    scopes.require(current == set(ids), _("只能为本校在职教师生成初始密码。"))
    slips: list[account_services.LoginSlip] = []
    for person in Person.objects.filter(pk__in=ids).select_related("user").order_by("name", "pk"):
        user = person.user
        if user is None:
            user = account_create_for(person)
            Person.objects.filter(pk=person.pk).update(user=user)
        slips.append(account_services.one_time_password_issue(actor=actor, user=user, name=person.name, school=school))
    return slips



def phone_taken(phone: str, *, person_id: int | None = None) -> bool:
    """Whether ``phone`` belongs to someone other than ``person_id`` (phones are unique)."""
    return bool(phone) and Person.objects.filter(phone=phone).exclude(pk=person_id).exists()


def phone_taken_message() -> str:
    return _("该手机号已被另一位教师使用，一个手机号只能登记给一人。")


@transaction.atomic
def person_update(*, actor: User, person: Person, name: str, phone: str, id_number: str = "") -> Person:
    """Correct a person's name, phone or ID number (empty ``id_number``: unchanged).

    The teacher may change their own phone; the legal name and the ID number
    only change through the school admin of their school (or region staff):
    certificates and transcripts keep the name they were issued under. A
    corrected ID number brings its gender and birth date with it.
    """
    school_id = selectors.current_school_id(person)
    manager = actor.is_superuser or (school_id is not None and scopes.can_manage_school(actor, School.objects.get(pk=school_id)))
    scopes.require(manager or person.pk == scopes.scope_of(actor).person_id)
    name = (name or "").strip()
    id_number = (id_number or "").strip()
    info, errors = validate_person_fields(id_number=id_number or person.id_number, phone=phone)
    new_id = info.number if info is not None and id_number else person.id_number
    scopes.require(manager or (name == person.name and new_id == person.id_number), _("姓名、身份证号须由学校师训管理员更正。"))
    if not errors and phone_taken(phone, person_id=person.pk):
        errors["phone"] = phone_taken_message()
    if not errors and new_id != person.id_number and Person.objects.filter(id_number=new_id).exclude(pk=person.pk).exists():
        errors["id_number"] = _("该身份证号已登记给另一人，请核对。")
    if errors:
        raise ValidationError(errors)
    changed: dict[str, object] = {}
    if name != person.name:
        changed["name"] = [person.name, name]
    if new_id != person.id_number:
        changed["id_number"] = [person.masked_id_number, mask_id_number(new_id)]
        person.id_number, person.gender, person.birth_date = new_id, info.gender, info.birth_date
    if phone != person.phone:
        changed["phone"] = [mask_phone(person.phone), mask_phone(phone)]
    person.name, person.phone = name, phone
    person.full_clean()
    person.save()
    if "name" in changed and person.user_id:
        User.objects.filter(pk=person.user_id).update(display_name=name[:60])
    audit.record(actor=actor, event=Event.PERSON_UPDATE, target=person, school=school_id, changed=changed)
    return person


@transaction.atomic
def employment_update(*, actor: User, employment: Employment, groups: list[Group] | None = None, **fields: Any) -> Employment:
    scopes.require(scopes.can_manage_school(actor, employment.school))
    for key, value in fields.items():
        setattr(employment, key, value)
    employment.full_clean()
    employment.save()
    if groups is not None:
        if any(g.school_id != employment.school_id for g in groups):
            raise ValidationError({"groups": _("只能选择本校的教研组。")})
        employment.groups.set(groups)
    audit.record(actor=actor, event=Event.EMPLOYMENT_UPDATE, target=employment, school=employment.school, changed=sorted(fields))
    return employment


@transaction.atomic
def teacher_transfer(
    *, actor: User, employment: Employment, to_school: School, date: dt.date, reason: str
) -> Employment:
    """End the current employment and start one at ``to_school`` on ``date``.

    The person, their account and everything recorded against them stay the
    same; only the school changes (档随人走). Group memberships do not move.
    """
    employment = Employment.objects.select_for_update().select_related("school").get(pk=employment.pk)
    scopes.require(scopes.can_transfer(actor, employment))
    if not scopes.transfer_targets_for(actor, employment).filter(pk=to_school.pk).exists():
        raise ValidationError({"to_school": _("不能调动到该学校。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写调动原因。")})
    if date < employment.start_date:
        raise ValidationError(
            {"date": _("调动日期不能早于到校日期 %(date)s。") % {"date": employment.start_date.isoformat()}}
        )
    employment.end_date = date
    employment.end_reason = _("调往%(school)s：%(reason)s") % {"school": to_school.name, "reason": reason.strip()}
    employment.full_clean()
    employment.save()
    new = Employment(
        person=employment.person,
        school=to_school,
        start_date=date,
        stage=employment.stage if employment.stage == to_school.stage else to_school.stage,
        subject=employment.subject,
        position=employment.position,
        title=employment.title,
        education=employment.education,
        employment_type=employment.employment_type,
        teaching_since=employment.teaching_since,
        tier=employment.tier,
    )
    new.full_clean()
    new.save()
    audit.record(
        actor=actor,
        event=Event.EMPLOYMENT_TRANSFER,
        target=new,
        # In the history of the school the teacher leaves (whose admin or bureau made the move).
        school=employment.school,
        from_school=employment.school.code,
        to_school=to_school.code,
        previous_employment=employment.pk,
        reason=reason.strip(),
    )
    return new


def log_personal_data_access(*, actor: User, action: str, person: Person | None = None, school: School | None = None, count: int = 1, ip: str | None = None) -> None:
    from .models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        actor=actor, action=action, person=person, school=school, record_count=count, ip_address=ip
    )
