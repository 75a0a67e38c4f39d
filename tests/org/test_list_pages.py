"""The organisation's list pages and action buttons on the generic views: scoped rows, the same rows exported,
actions that answer with a message, and ids outside the user's schools or region that are 404."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from yanxiu.accounts.models import RoleAssignment
from yanxiu.org import services
from yanxiu.org.models import Cluster, PersonalDataAccess

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_staff_export_is_the_filtered_list_and_both_addresses_give_it(client, roles, people, school):
    for i in range(3):
        people.teacher(school, name=f"数学{i}", subject="数学")
    client.force_login(roles.school_admin)
    listed = client.get(reverse("org:staff_list"), {"subject": "数学"}).content.decode()
    from_export_url = _rows(client.get(reverse("org:staff_export"), {"subject": "数学"}))
    from_list_url = _rows(client.get(reverse("org:staff_list"), {"subject": "数学", "export": "xlsx"}))
    assert from_export_url == from_list_url
    names = sorted(r[1] for r in from_export_url[1:])
    assert names == ["数学0", "数学1", "数学2"] and all(n in listed for n in names)
    assert "共 3 条" in listed
    assert from_export_url[0][:5] == ("学校", "姓名", "性别", "身份证号", "手机")


def test_a_full_export_of_a_list_with_a_school_the_user_may_not_export_is_refused(client, roles):
    client.force_login(roles.leader)
    assert client.get(reverse("org:staff_list"), {"export": "xlsx", "full": "1"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_staff_list_masks_id_numbers_and_phones_for_every_role_that_lists(client, roles):
    teacher = roles.teacher.person
    for user in (roles.school_admin, roles.bureau, roles.centre):
        client.force_login(user)
        html = client.get(reverse("org:staff_list")).content.decode()
        assert teacher.masked_id_number in html and teacher.id_number not in html
        assert teacher.masked_phone in html and teacher.phone not in html


def test_the_school_list_searches_pages_and_is_scoped(client, roles, school, school_b, far_school):
    client.force_login(roles.bureau)
    html = client.get(reverse("org:school_list")).content.decode()
    assert school.name in html and school_b.name in html and far_school.name not in html
    found = client.get(reverse("org:school_list"), {"q": school_b.name}).content.decode()
    assert school_b.name in found and reverse("org:school_detail", args=[school.pk]) not in found
    assert client.get(reverse("org:school_list"), {"page": "junk"}).status_code == 200
    client.force_login(roles.other_admin)
    html = client.get(reverse("org:school_list")).content.decode()
    assert school_b.name in html and reverse("org:school_detail", args=[school.pk]) not in html


def test_the_cluster_list_shows_the_users_region_only(client, roles, county, school, far_school):
    Cluster.objects.create(county=county, name="星沙片区", base_school=school)
    Cluster.objects.create(county=far_school.county, name="远方片区")
    client.force_login(roles.bureau)
    html = client.get(reverse("org:cluster_list")).content.decode()
    assert "星沙片区" in html and "远方片区" not in html and reverse("org:cluster_create", args=[county.pk]) in html
    client.force_login(roles.centre)  # reads, does not edit
    html = client.get(reverse("org:cluster_list")).content.decode()
    assert "星沙片区" in html and reverse("org:cluster_create", args=[county.pk]) not in html


def test_the_access_log_lists_the_users_schools_only(client, roles, school, school_b):
    services.log_personal_data_access(actor=roles.bureau, action="view", person=roles.teacher.person, school=school)
    services.log_personal_data_access(actor=roles.bureau, action="view", person=roles.other_teacher.person, school=school_b)
    client.force_login(roles.school_admin)
    html = client.get(reverse("org:access_log")).content.decode()
    assert roles.teacher.person.name in html and roles.other_teacher.person.name not in html
    client.force_login(roles.bureau)
    html = client.get(reverse("org:access_log")).content.decode()
    assert roles.teacher.person.name in html and roles.other_teacher.person.name in html


def test_revoking_a_school_admin_is_a_post_with_a_message(client, roles, school):
    assignment = RoleAssignment.objects.get(user=roles.school_admin, role="school_admin")
    url = reverse("org:role_revoke", args=[assignment.pk])
    client.force_login(roles.bureau)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("org:school_detail", args=[school.pk])
    assert _messages(response) == ["已撤销。"]
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert client.post(url).status_code == 404  # gone


def test_a_role_the_service_refuses_to_revoke_is_an_error_message_not_a_500(client, roles, school, group):
    assignment = RoleAssignment.objects.get(user=roles.leader, role="group_leader")
    client.force_login(roles.bureau)  # only a superuser withdraws other roles
    response = client.post(reverse("org:role_revoke", args=[assignment.pk]))
    assert response.status_code == 302 and _messages(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_another_regions_assignment_is_404_for_a_bureau(client, roles, far_school):
    far = RoleAssignment.objects.create(user=roles.other_teacher, role="school_admin", school=far_school)
    client.force_login(roles.bureau)
    assert client.post(reverse("org:role_revoke", args=[far.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=far.pk).exists()


@pytest.mark.parametrize("name", ["org:teacher_add", "org:group_create", "org:roster_import", "org:roster_template"])
def test_another_schools_pages_are_404_for_a_school_admin(client, roles, school, name):
    client.force_login(roles.other_admin)
    assert client.get(reverse(name, args=[school.pk])).status_code == 404
    client.force_login(roles.school_admin)
    assert client.get(reverse(name, args=[school.pk])).status_code == 200


def test_a_region_of_many_schools_gets_no_full_school_dropdown_but_every_school_filters(client, roles, school, school_b, monkeypatch):
    from yanxiu.org import views

    monkeypatch.setattr(views, "MAX_SCHOOL_CHOICES", 1)
    client.force_login(roles.bureau)
    html = client.get(reverse("org:staff_list")).content.decode()
    assert f'<option value="{school_b.pk}"' not in html and f'<option value="{school.pk}"' not in html
    chosen = client.get(reverse("org:staff_list"), {"school": school_b.pk}).content.decode()
    assert f'<option value="{school_b.pk}" selected' in chosen
    assert roles.other_teacher.person.name in chosen and roles.teacher.person.name not in chosen
