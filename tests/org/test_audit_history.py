"""Audit history scoped to the reader's schools and counties (org.audit_history)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org.audit_history import audit_events_visible_to, mask_personal_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(roles, school, school_b, far_school, county):
    """One row per scope: a school object, a school id alone, a county alone, another county, none."""
    return {
        "school": audit.record(actor=roles.school_admin, event=Event.SCHOOL_UPDATE, target=school, school=school, name="甲"),
        "school_b_id_only": audit.record(actor=roles.other_admin, event=Event.ATTENDANCE_SIGN_IN, target=school_b, school=school_b.pk),
        "county": audit.record(actor=roles.bureau, event=Event.POLICY_SAVE, target=county, county=county),
        "far": audit.record(actor=roles.far_bureau, event=Event.SCHOOL_UPDATE, target=far_school, school=far_school),
        "none": audit.record(actor=roles.teacher, event=Event.ACCOUNT_PASSWORD_SET, target=roles.teacher),
    }


def _table(response) -> str:
    """The list's table (the filter above it offers every label)."""
    return response.content.decode().split('id="list-table"', 1)[1]


def _visible(user, rows) -> set[str]:
    ids = set(audit_events_visible_to(user).values_list("pk", flat=True))
    return {name for name, row in rows.items() if row.pk in ids}


def test_a_school_admin_sees_their_schools_rows_only(roles, rows):
    assert _visible(roles.school_admin, rows) == {"school"}
    assert _visible(roles.other_admin, rows) == {"school_b_id_only"}


def test_region_staff_see_their_counties_rows_including_a_row_naming_only_a_school(roles, rows):
    assert _visible(roles.bureau, rows) == {"school", "school_b_id_only", "county"}
    assert _visible(roles.centre, rows) == {"school", "school_b_id_only", "county"}
    assert _visible(roles.far_bureau, rows) == {"far"}


def test_a_teacher_sees_no_history_and_a_superuser_sees_all(roles, rows, django_user_model):
    assert _visible(roles.teacher, rows) == set()
    root = django_user_model.objects.create_superuser(username="root", password="x-Long-pass-1")
    assert _visible(root, rows) == set(rows)


def test_the_page_shows_labels_actors_and_targets_of_the_readers_school(client, roles, rows, school):
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:audit_log"))
    table = _table(response)
    assert "修改学校信息" in table and "school.update" not in table
    assert "学校：甲" in table and str(roles.school_admin) in table
    assert "签到" not in table and "保存学时政策" not in table  # another school's, the county's


def test_the_page_is_in_the_menu_of_school_admins_and_region_staff_only(client, roles, rows):
    for user in (roles.school_admin, roles.bureau, roles.centre):
        client.force_login(user)
        assert reverse("org:audit_log") in client.get(reverse("reports:home")).content.decode()
    client.force_login(roles.teacher)
    assert reverse("org:audit_log") not in client.get(reverse("reports:home")).content.decode()
    assert client.get(reverse("org:audit_log")).status_code == 403


def test_a_services_row_reaches_the_schools_history(client, roles, school):
    from yanxiu.org.services import school_update

    school_update(actor=roles.school_admin, school=school, address="星沙大道 1 号")
    client.force_login(roles.school_admin)
    assert "修改学校信息" in _table(client.get(reverse("org:audit_log")))
    client.force_login(roles.far_bureau)
    assert "修改学校信息" not in _table(client.get(reverse("org:audit_log")))


def test_pages_of_fifty_and_a_filter_by_action(client, roles, school):
    for n in range(55):
        audit.record(actor=roles.school_admin, event=Event.GROUP_UPDATE, target=school, school=school, name=f"组{n:02d}")
    audit.record(actor=roles.school_admin, event=Event.ROSTER_IMPORT, target=school, school=school)
    client.force_login(roles.school_admin)
    first = _table(client.get(reverse("org:audit_log")))
    assert "导入花名册" in first and "学校：组54" in first and "学校：组04" not in first
    second = _table(client.get(reverse("org:audit_log"), {"page": 2}))
    assert "学校：组04" in second and "导入花名册" not in second
    table = _table(client.get(reverse("org:audit_log"), {"action": "roster.import"}))
    assert "导入花名册" in table and "学校：组" not in table
    junk = client.get(reverse("org:audit_log"), {"action": "no.such", "page": "x"})
    assert junk.status_code == 200


def test_no_id_number_or_phone_from_the_detail_is_shown(client, roles, school):
    number = roles.teacher.person.id_number
    audit.record(actor=roles.school_admin, event=Event.PERSON_UPDATE, target=school, school=school,
                 title=f"更正 {number} 13812345678", changed={"id_number": [number, number]}, phone="13812345678")
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:audit_log"))
    html = response.content.decode()
    assert "修改个人档案" in _table(response)
    assert number not in html and "13812345678" not in html
    assert f"{number[:6]}********{number[-4:]}" in html and "138****5678" in html


def test_masking_leaves_other_numbers_alone():
    assert mask_personal_numbers("第 2026 学年 40 学时") == "第 2026 学年 40 学时"


def test_the_page_reads_as_many_queries_for_fifty_rows_as_for_five(client, roles, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(start, stop):
        for i in range(start, stop):
            audit.record(actor=roles.school_admin, event=Event.GROUP_UPDATE, target=school, school=school, name=f"组{i}")

    client.force_login(roles.school_admin)
    client.get(reverse("org:audit_log"))  # the session and scope are read once
    rows(0, 5)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("org:audit_log"))
    rows(5, 50)
    with CaptureQueriesContext(connection) as many:
        assert "学校：组49" in _table(client.get(reverse("org:audit_log")))
    assert len(many.captured_queries) == len(few.captured_queries) <= 12
