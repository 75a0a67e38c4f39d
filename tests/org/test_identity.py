"""Identity: phones are unique, names change through the school admin, certificates
keep the name of the day they were issued; old usernames with ID digits are renamed."""

import datetime as dt
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from yanxiu.accounts.models import User
from yanxiu.core.models import AuditEvent
from yanxiu.org import services
from yanxiu.org.models import Person
from yanxiu.org.roster import import_roster, preview_roster

pytestmark = pytest.mark.django_db

ROSTER = Path(__file__).resolve().parent.parent / "data" / "roster" / "good_utf8_bom.csv"
FIELDS = dict(stage="primary", subject="数学", title="second", education="bachelor", employment_type="established", teaching_since=dt.date(2012, 9, 1))


# --- Phones are unique ------------------------------------------------------------------


def test_the_database_refuses_a_second_person_with_the_same_phone(roles):
    phone = roles.teacher.person.phone
    other = roles.other_teacher.person
    other.phone = phone
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    other.phone = ""
    other.save()
    roles.member.person.phone = ""
    roles.member.person.save()  # several people may have no phone


def test_registering_a_teacher_with_someone_elses_phone_is_refused(roles, school):
    with pytest.raises(ValidationError) as exc:
        services.teacher_register(actor=roles.school_admin, school=school, name="王芳", id_number="43012119900307002X",
                                  phone=roles.teacher.person.phone, **FIELDS)
    assert "已被另一位教师使用" in exc.value.message_dict["phone"][0]
    assert not Person.objects.filter(id_number="43012119900307002X").exists()


def test_the_profile_form_names_the_phone_problem(client, roles):
    client.force_login(roles.teacher)
    response = client.post(reverse("org:profile_edit"), {"phone": roles.other_teacher.person.phone})
    assert response.status_code == 400
    assert "已被另一位教师使用" in response.content.decode()
    roles.teacher.person.refresh_from_db()
    assert roles.teacher.person.phone != roles.other_teacher.person.phone


def free_phones_roster() -> str:
    """The good roster without its group names (groups are not what these tests are
    about) and with row 4's phone changed: the people of the roles fixture have
    phones 138000000NN, as row 4 of the file."""
    text = ROSTER.read_text(encoding="utf-8-sig").replace("13800000001", "13711112222", 1)
    text = re.sub(r'(?m)^"(\d)","[^"]*组"', r'"\1",""', text)
    return text.replace('"一年级语文备课组"', '""')


def test_a_roster_row_with_a_phone_of_another_teacher_names_the_row(school, roles):
    data = free_phones_roster().replace("13711112222", roles.other_teacher.person.phone, 1).encode()
    report = preview_roster(school=school, file_name="roster.csv", data=data)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, "手机号")]
    assert "已被另一位教师使用" in report.errors[0].message
    report = import_roster(actor=roles.school_admin, school=school, file_name="roster.csv", data=data)
    assert not report.ok and not Person.objects.filter(name="张伟").exists()




def test_two_roster_rows_with_one_phone_name_both_rows(school, roles):
    text = free_phones_roster().replace("１３９０００００００２", "13711112222", 1)
    report = preview_roster(school=school, file_name="roster.csv", data=text.encode())
    assert [(e.row, e.column) for e in report.errors] == [(5, "手机号")]
    assert "与第 4 行相同" in report.errors[0].message


def test_a_known_teacher_keeps_their_own_phone_on_reimport(school, roles):
    data = free_phones_roster().encode()
    first = import_roster(actor=roles.school_admin, school=school, file_name="roster.csv", data=data)
    assert first.ok, first.errors
    again = import_roster(actor=roles.school_admin, school=school, file_name="roster.csv", data=data)
    assert again.ok, again.errors


@pytest.mark.django_db(transaction=True)  # SQLite alters tables only outside a transaction
def test_the_migration_keeps_a_shared_phone_on_the_first_person_only(roles):
    from django.db import connection

    migration = importlib.import_module("yanxiu.org.migrations.0002_person_unique_phone")
    # The state before the migration: without the constraint, for the duration of the test.

    constraint = next(c for c in Person._meta.constraints if c.name == "person_unique_phone")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Person, constraint)
    try:
        first, second = roles.teacher.person, roles.other_teacher.person
        Person.objects.filter(pk=second.pk).update(phone=first.phone)
        migration.clear_shared_phones(apps, None)
        first.refresh_from_db()
        second.refresh_from_db()
        keeper, cleared = sorted([first, second], key=lambda p: p.pk)
        assert keeper.phone and cleared.phone == ""
        event = AuditEvent.objects.get(action="person.phone_cleared")
        assert event.target_id == str(cleared.pk) and keeper.phone not in str(event.detail)
    finally:
        with connection.schema_editor() as editor:
            editor.add_constraint(Person, constraint)


# --- Names change through the school admin ----------------------------------------------------


def test_a_teacher_cannot_change_their_own_legal_name(client, roles):
    person = roles.teacher.person
    client.force_login(roles.teacher)
    page = client.get(reverse("org:profile_edit")).content.decode()
    assert 'name="name"' not in page and 'name="phone"' in page
    response = client.post(reverse("org:profile_edit"), {"name": "改过的名字", "phone": "13600000001"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "张老师" and person.phone == "13600000001"
    with pytest.raises(PermissionDenied):
        services.person_update(actor=roles.teacher, person=person, name="改过的名字", phone=person.phone)
    person.refresh_from_db()
    assert person.name == "张老师"


def test_the_school_admin_corrects_a_name_with_an_audit_row(client, roles):
    person = roles.teacher.person
    employment = person.employments.get()
    client.force_login(roles.school_admin)
    form = client.get(reverse("org:employment_edit", args=[employment.pk])).content.decode()
    assert 'name="name"' in form
    data = {"name": "张晓", "phone": person.phone, "stage": employment.stage, "subject": employment.subject,
            "position": employment.position, "title": employment.title, "education": employment.education,
            "employment_type": employment.employment_type, "teaching_since": "2008-09", "tier": ""}
    response = client.post(reverse("org:employment_edit", args=[employment.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.name == "张晓"
    event = AuditEvent.objects.filter(action="person.update", target_id=str(person.pk)).latest("pk")
    assert event.actor == roles.school_admin and event.detail["changed"]["name"] == ["张老师", "张晓"]


def test_the_certificate_keeps_the_name_it_was_issued_under(client, roles, school):
    from yanxiu.credits import services as credit_services

    person = roles.teacher.person
    cert = credit_services.certificate_issue(actor=roles.school_admin, person=person, title="新课标研修", organiser="县教师发展中心",
                                             hours=Decimal("12"), school_year=2025, source_key="test:1")
    services.person_update(actor=roles.school_admin, person=person, name="张晓", phone=person.phone)
    cert.refresh_from_db()
    assert cert.holder_name == "张老师"
    page = client.get(reverse("credits:verify", args=[cert.code])).content.decode()
    assert "张老师" in page and "张晓" not in page


# --- Usernames with ID digits are renamed ----------------------------------------------------


def test_the_migration_renames_usernames_made_of_id_digits(roles):
    migration = importlib.import_module("yanxiu.accounts.migrations.0003_one_time_passwords")
    imported = User.objects.create_user(username="u03120017", password="x")
    long_form = User.objects.create_user(username="u430121198503120017_2", password="x")
    User.objects.filter(pk=roles.teacher.pk).update(username="u1234")  # not an ID-derived name
    migration.rename_id_digit_usernames(apps, None)
    imported.refresh_from_db()
    long_form.refresh_from_db()
    roles.teacher.refresh_from_db()
    assert re.fullmatch(r"t[0-9a-z]{7}", imported.username) and re.fullmatch(r"t[0-9a-z]{7}", long_form.username)
    assert roles.teacher.username == "u1234"
    assert AuditEvent.objects.filter(action="account.renamed").count() == 2
    assert "0312" not in str(list(AuditEvent.objects.filter(action="account.renamed").values_list("detail", flat=True)))


def test_the_school_admin_corrects_an_id_number_and_its_gender_and_birth_date(client, roles):
    from tests.conftest import make_id_number

    person = roles.teacher.person
    employment = person.employments.get()
    old_number = person.id_number
    new_number = make_id_number(555, birth=dt.date(1990, 3, 7), male=False)
    client.force_login(roles.school_admin)
    form = client.get(reverse("org:employment_edit", args=[employment.pk])).content.decode()
    assert old_number not in form  # the edit form does not show the full number
    data = {"name": person.name, "id_number": new_number.lower(), "phone": person.phone, "stage": employment.stage,
            "subject": employment.subject, "position": employment.position, "title": employment.title,
            "education": employment.education, "employment_type": employment.employment_type, "teaching_since": "2008-09", "tier": ""}
    assert client.post(reverse("org:employment_edit", args=[employment.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.id_number == new_number and person.gender == "F" and person.birth_date == dt.date(1990, 3, 7)
    event = AuditEvent.objects.filter(action="person.update", target_id=str(person.pk)).latest("pk")
    assert "id_number" in event.detail["changed"] and old_number not in str(event.detail) and new_number not in str(event.detail)
    # Another person's number is refused, naming the field.
    data["id_number"] = roles.other_teacher.person.id_number
    response = client.post(reverse("org:employment_edit", args=[employment.pk]), data)
    assert response.status_code == 400 and "已登记给另一人" in response.content.decode()
    # The teacher cannot do it themself.
    with pytest.raises(PermissionDenied):
        services.person_update(actor=roles.teacher, person=person, name=person.name, phone=person.phone, id_number=old_number)
