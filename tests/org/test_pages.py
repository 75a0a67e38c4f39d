import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yanxiu.org.models import Employment, PersonalDataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_teachers(people, school):
    return [people.teacher(school, name=f"测试{i:03d}", subject="数学" if i % 2 else "语文") for i in range(60)]


def test_the_staff_list_searches_filters_and_paginates(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    page1 = client.get(reverse("org:staff_list")).content.decode()
    assert "第 1/2 页" in page1
    found = client.get(reverse("org:staff_list"), {"q": "测试007"}).content.decode()
    assert "测试007" in found and "测试008" not in found
    maths = client.get(reverse("org:staff_list"), {"subject": "数学"}).content.decode()
    assert "测试001" in maths and "测试002" not in maths


def test_htmx_requests_get_only_the_table(client, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("org:staff_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in html and "<nav class=\"navbar" not in html


def test_the_export_is_masked_unless_full_data_is_asked_and_allowed(client, roles):
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:staff_export"))
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    id_numbers = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert id_numbers and all("********" in n for n in id_numbers)
    assert not PersonalDataAccess.objects.exists()
    response = client.get(reverse("org:staff_export"), {"full": "1"})
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    assert roles.teacher.person.id_number in [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    log = PersonalDataAccess.objects.get()
    assert log.action == "export" and log.actor == roles.school_admin and log.record_count == len(id_numbers)


def test_a_group_leader_cannot_export_full_data(client, roles):
    client.force_login(roles.leader)
    assert client.get(reverse("org:staff_export"), {"full": "1"}).status_code == 403


def test_revealing_an_id_number_is_logged(client, roles):
    employment = roles.teacher.person.employments.get()
    client.force_login(roles.school_admin)
    detail = client.get(reverse("org:person_detail", args=[employment.pk])).content.decode()
    assert roles.teacher.person.id_number not in detail
    reveal = client.post(reverse("org:person_reveal", args=[employment.pk])).content.decode()
    assert roles.teacher.person.id_number in reveal
    assert PersonalDataAccess.objects.filter(person=roles.teacher.person, actor=roles.school_admin, action="view").count() == 1


def test_a_transfer_through_the_page_moves_the_teacher(client, roles, school_b):
    employment = roles.teacher.person.employments.get()
    client.force_login(roles.bureau)
    response = client.post(reverse("org:transfer", args=[employment.pk]), {"to_school": school_b.pk, "date": "2026-09-01", "reason": "支教"})
    assert response.status_code == 302
    assert Employment.objects.current().get(person=roles.teacher.person).school == school_b


def test_the_teacher_form_shows_the_field_and_the_problem(client, roles, school):
    client.force_login(roles.school_admin)
    response = client.post(reverse("org:teacher_add", args=[school.pk]), {
        "name": "赵强", "id_number": "430121199003070021", "gender": "M", "stage": "primary", "subject": "数学",
        "position": "teacher", "title": "second", "education": "bachelor", "employment_type": "established", "teaching_since": "2012-09",
    })
    assert response.status_code == 400
    assert "身份证号：身份证号校验位不正确" in response.content.decode()


def test_a_school_admin_adds_a_teacher_and_a_group(client, roles, school):
    client.force_login(roles.school_admin)
    response = client.post(reverse("org:group_create", args=[school.pk]), {"name": "数学组", "kind": "research", "subject": "数学"})
    assert response.status_code == 302
    group = school.groups.get(name="数学组")
    response = client.post(reverse("org:teacher_add", args=[school.pk]), {
        "name": "赵强", "id_number": "430121199003070011", "gender": "M", "stage": "primary", "subject": "数学", "phone": "13800001111",
        "position": "teacher", "title": "second", "education": "bachelor", "employment_type": "established", "teaching_since": "2012-09",
        "groups": [group.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    employment = Employment.objects.get(person__name="赵强")
    assert employment.teaching_since == dt.date(2012, 9, 1) and list(employment.groups.all()) == [group]


def test_the_english_interface_is_available(client, roles):
    client.force_login(roles.teacher)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get("/").status_code == 200


def test_searching_by_a_full_id_number_is_refused_to_keep_it_out_of_urls(client, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("org:staff_list"), {"q": roles.teacher.person.id_number}).content.decode()
    assert "后 4–6 位" in html
    suffix = client.get(reverse("org:staff_list"), {"q": roles.teacher.person.id_number[-4:]}).content.decode()
    assert "张老师" in suffix
