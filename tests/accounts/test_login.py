import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password, next_url=""):
    return client.post(reverse("accounts:login") + (f"?next={next_url}" if next_url else ""), {"username": username, "password": password, "next": next_url})


def test_a_teacher_logs_in_with_username_phone_or_id_number(client, roles):
    person = roles.teacher.person
    for login in ("teacher", person.phone, person.id_number.lower()):
        client.logout()
        response = post_login(client, login, DEMO_PASSWORD)
        assert response.status_code == 302, login
        assert client.get(reverse("org:my_profile")).status_code == 200


def test_a_wrong_password_shows_a_chinese_message(client, roles):
    response = post_login(client, "teacher", "wrong")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_account_locks_after_repeated_failures_even_for_the_right_password(client, roles):
    for _ in range(3):
        post_login(client, "teacher", "wrong")
    response = post_login(client, "teacher", DEMO_PASSWORD)
    assert "账号已锁定" in response.content.decode()
    roles.teacher.refresh_from_db()
    assert roles.teacher.is_locked


def test_a_successful_login_resets_the_failure_count(client, roles):
    post_login(client, "teacher", "wrong")
    post_login(client, "teacher", DEMO_PASSWORD)
    roles.teacher.refresh_from_db()
    assert roles.teacher.failed_logins == 0


def test_an_imported_account_logs_in_with_its_initial_password_and_must_change_it(client, school, roles):
    from yanxiu.org import services

    employment = services.teacher_register(
        actor=roles.school_admin, school=school, name="王芳", id_number="43012119900307002X",
        phone="13912345678", stage="primary", subject="数学", title="second", education="bachelor",
        employment_type="established", teaching_since=__import__("datetime").date(2012, 9, 1),
    )
    user = employment.person.user
    assert not user.has_usable_password() and user.must_change_password
    response = post_login(client, "13912345678", "07002x", next_url="/org/me/")
    assert response.status_code == 302
    # Every page sends the user to the password form until a new password is set.
    page = client.get("/org/me/")
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:password_change"))
    response = client.post(reverse("accounts:password_change"), {"new_password1": "Xingsha-2026", "new_password2": "Xingsha-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/org/me/").status_code == 200
    # The initial password no longer works.
    client.logout()
    assert post_login(client, "13912345678", "07002X").status_code == 200


def test_the_login_page_does_not_redirect_to_another_site(client, roles):
    response = post_login(client, "teacher", DEMO_PASSWORD, next_url="https://evil.example.com/")
    assert response.status_code == 302 and response.url == "/"


@override_settings(LOGIN_MAX_FAILURES=2)
def test_a_school_admin_unlocks_a_locked_teacher_with_a_reset(client, roles):
    for _ in range(2):
        post_login(client, "teacher", "wrong")
    employment = roles.teacher.person.employments.get()
    client.force_login(roles.school_admin)
    assert client.post(reverse("org:account_reset", args=[employment.pk])).status_code == 302
    client.logout()
    initial = roles.teacher.person.id_number[-6:]
    assert post_login(client, "teacher", initial).status_code == 302
    assert client.get("/").url.startswith(reverse("accounts:password_change"))
