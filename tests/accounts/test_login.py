import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD, make_id_number

pytestmark = pytest.mark.django_db

GENERIC = "账号或密码不正确"


def post_login(client, username, password, next_url="", ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login") + (f"?next={next_url}" if next_url else ""),
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=ip,
    )


def register(actor, school, serial, phone):
    from yanxiu.org import services

    return services.teacher_register(
        actor=actor, school=school, name=f"新教师{serial}", id_number=make_id_number(900 + serial), phone=phone,
        stage="primary", subject="数学", title="second", education="bachelor", employment_type="established",
        teaching_since=dt.date(2012, 9, 1),
    )


def issue(actor, school, *people):
    from yanxiu.org import services as org_services

    return org_services.initial_passwords_issue(actor=actor, school=school, people=list(people))


def test_a_teacher_logs_in_with_username_or_phone_but_not_the_id_number(client, roles):
    person = roles.teacher.person
    for login in ("teacher", "Teacher", person.phone):  # a phone keyboard capitalises the first letter
        client.logout()
        response = post_login(client, login, DEMO_PASSWORD)
        assert response.status_code == 302, login
        assert client.get(reverse("org:my_profile")).status_code == 200
    client.logout()
    response = post_login(client, person.id_number, DEMO_PASSWORD)
    assert response.status_code == 200 and GENERIC in response.content.decode()


def test_a_wrong_password_shows_a_chinese_message(client, roles):
    response = post_login(client, "teacher", "wrong")
    assert response.status_code == 200
    assert GENERIC in response.content.decode()


def test_an_unknown_and_a_known_login_get_the_same_answer_and_the_same_hashing(client, roles, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    from yanxiu.accounts import otp

    calls = {"password": 0, "otp": 0}
    encode, verify = MD5PasswordHasher.encode, otp.OneTimePasswordHasher.verify

    def counting_encode(self, *args, **kwargs):
        calls["password"] += 1
        return encode(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls["otp"] += 1
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    monkeypatch.setattr(otp.OneTimePasswordHasher, "verify", counting_verify)
    answers = {}
    for login in ("teacher", "nobody-here", roles.teacher.person.phone, "13999999999"):
        calls.update(password=0, otp=0)
        response = post_login(client, login, "wrong-password")
        body = response.content.decode()
        message = body[body.index('alert-danger'):].split("</div>")[0]
        answers[login] = (response.status_code, message, dict(calls))
    assert len({(status, message) for status, message, _calls in answers.values()}) == 1
    assert GENERIC in answers["teacher"][1]
    # Both hashers run once whether or not the login exists.
    assert {tuple(sorted(c.items())) for _s, _m, c in answers.values()} == {(("otp", 1), ("password", 1))}


@override_settings(LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_that_login_from_that_address_only(client, roles):
    for _ in range(3):
        post_login(client, "teacher", "wrong", ip="10.0.0.66")
    response = post_login(client, "teacher", DEMO_PASSWORD, ip="10.0.0.66")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # The teacher, on their own machine, is not locked out by someone else's failures.
    response = post_login(client, "teacher", DEMO_PASSWORD, ip="10.0.0.7")
    assert response.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_an_unknown_login_locks_exactly_like_a_known_one(client, roles):
    known = [post_login(client, "teacher", "wrong", ip="10.0.0.5") for _ in range(4)]
    unknown = [post_login(client, "no-such-user", "wrong", ip="10.0.0.6") for _ in range(4)]
    for a, b in zip(known, unknown, strict=True):
        assert a.status_code == b.status_code
        assert ("登录失败次数过多" in a.content.decode()) == ("登录失败次数过多" in b.content.decode())
    assert known[-1].status_code == 429


def test_the_failure_records_hold_no_phone_or_id_number(client, roles):
    from axes.models import AccessAttempt, AccessFailureLog

    person = roles.teacher.person
    post_login(client, person.phone, "wrong")
    post_login(client, person.id_number, "wrong")
    post_login(client, "13700000000", "wrong")
    stored = list(AccessAttempt.objects.values_list("username", "post_data")) + list(AccessFailureLog.objects.values_list("username", "path_info"))
    text = repr(stored)
    assert person.phone not in text and person.id_number not in text and "13700000000" not in text
    assert AccessAttempt.objects.filter(username="teacher").exists()


@override_settings(LOGIN_MAX_FAILURES=50, LOGIN_MAX_FAILURES_PER_ADDRESS=4)
def test_an_address_guessing_many_logins_is_refused_for_a_while(client, roles):
    for name in ("a1", "a2", "a3", "a4"):
        post_login(client, name, "wrong", ip="10.9.9.9")
    response = post_login(client, "teacher", DEMO_PASSWORD, ip="10.9.9.9")
    assert response.status_code == 200 and "本设备登录失败次数过多" in response.content.decode()
    assert post_login(client, "teacher", DEMO_PASSWORD, ip="10.9.9.10").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=50, LOGIN_SITE_FAILURES_PER_MINUTE=3)
def test_a_site_wide_storm_makes_failing_addresses_wait_but_not_others(client, roles):
    for ip in ("10.1.0.1", "10.1.0.2", "10.1.0.3"):
        post_login(client, "teacher", "wrong", ip=ip)
    response = post_login(client, "teacher", DEMO_PASSWORD, ip="10.1.0.1")
    assert response.status_code == 200 and "过于频繁" in response.content.decode()
    assert post_login(client, "teacher", DEMO_PASSWORD, ip="10.1.0.200").status_code == 302


def test_behind_a_proxy_the_configured_header_gives_the_client_address(rf, settings):
    from yanxiu.accounts.throttle import client_ip

    request = rf.post("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.3.4")
    assert client_ip(request) == "127.0.0.1"
    settings.LOGIN_CLIENT_IP_HEADER = "X-Forwarded-For"
    # The right-most entry is the one the proxy appended; the left one is the client's claim.
    assert client_ip(request) == "10.2.3.4"


def test_a_successful_login_forgets_earlier_failures(client, roles):
    from axes.models import AccessAttempt

    post_login(client, "teacher", "wrong")
    assert AccessAttempt.objects.filter(username="teacher").exists()
    post_login(client, "teacher", DEMO_PASSWORD)
    assert not AccessAttempt.objects.filter(username="teacher").exists()


def test_the_login_page_does_not_redirect_to_another_site(client, roles):
    response = post_login(client, "teacher", DEMO_PASSWORD, next_url="https://evil.example.com/")
    assert response.status_code == 302 and response.url == "/"


def test_the_login_and_password_forms_use_the_site_layout(client, roles):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="form-control' in page and "vendor/bootstrap/bootstrap.min.css" in page and 'id="login-card"' in page
    client.force_login(roles.teacher)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert page.count('class="form-control') == 3 and 'id="password-card"' in page
    # Every account reaches the password form from the menu bar, not only teachers from their profile.
    client.force_login(roles.bureau)
    assert f'href="{reverse("accounts:password_change")}"' in client.get("/").content.decode()


# --- Imported accounts: random usernames, one-time passwords -----------------------------------


def test_new_accounts_get_usernames_without_id_or_phone_digits(roles, school):
    employment = register(roles.school_admin, school, 1, "13912345678")
    user = employment.person.user
    import re

    assert re.fullmatch(r"t[0-9a-z]{7}", user.username)
    assert user.username != "13912345678" and employment.person.id_number[-6:] not in user.username
    assert not user.has_usable_password() and user.must_change_password and not user.otp_hash


def test_forty_usernames_one_guess_each_get_in_zero_times(client, roles, school):
    """The attack of the issue: usernames and ID numbers known, one guess each."""
    people = [register(roles.school_admin, school, n, f"1350000{n:04d}").person for n in range(40)]
    issue(roles.school_admin, school, *people[:20])  # half have been given slips, half not yet
    wins = 0
    for n, person in enumerate(people):
        login = person.user.username if n % 2 else person.phone
        response = post_login(client, login, person.id_number[-6:], ip=f"10.3.{n}.1")
        wins += response.status_code == 302
        client.logout()
    assert wins == 0


def test_a_one_time_password_works_once_then_the_teacher_sets_their_own(client, roles, school):
    from yanxiu.core.models import AuditEvent

    person = register(roles.school_admin, school, 1, "13912345678").person
    [slip] = issue(roles.school_admin, school, person)
    assert slip.username == person.user.username and len(slip.password.replace(" ", "")) == 10
    person.user.refresh_from_db()
    assert slip.password.replace(" ", "") not in person.user.otp_hash
    # Lower case and without the space, typed on a phone.
    response = post_login(client, "13912345678", slip.password.replace(" ", "").lower(), next_url="/org/me/")
    assert response.status_code == 302
    page = client.get("/org/me/")
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:password_change"))
    form = client.get(reverse("accounts:password_change")).content.decode()
    assert "old_password" not in form  # the one-time password was just entered
    response = client.post(reverse("accounts:password_change"), {"new_password1": "Xingsha-2026", "new_password2": "Xingsha-2026"})
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert not person.user.must_change_password and not person.user.otp_hash
    assert client.get("/org/me/").status_code == 200
    client.logout()
    assert post_login(client, slip.username, slip.password).status_code == 200
    assert post_login(client, slip.username, "Xingsha-2026").status_code == 302
    actions = set(AuditEvent.objects.filter(target_id=str(person.user.pk)).values_list("action", flat=True))
    assert {"account.initial_password_issue", "account.otp_used", "account.password_set"} <= actions


def test_a_one_time_password_is_single_use_even_without_a_password_change(client, roles, school):
    person = register(roles.school_admin, school, 1, "13912345678").person
    [slip] = issue(roles.school_admin, school, person)
    assert post_login(client, slip.username, slip.password).status_code == 302
    client.logout()
    response = post_login(client, slip.username, slip.password)
    assert response.status_code == 200 and GENERIC in response.content.decode()


def test_an_expired_one_time_password_does_not_work(client, roles, school):
    from django.utils import timezone

    from yanxiu.accounts.models import User

    person = register(roles.school_admin, school, 1, "13912345678").person
    [slip] = issue(roles.school_admin, school, person)
    User.objects.filter(pk=person.user_id).update(otp_expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = post_login(client, slip.username, slip.password)
    assert response.status_code == 200 and GENERIC in response.content.decode()


@override_settings(INITIAL_PASSWORD_DAYS=3)
def test_slips_expire_after_the_configured_days_and_a_new_slip_voids_the_old(client, roles, school):
    from django.utils import timezone

    person = register(roles.school_admin, school, 1, "13912345678").person
    [old] = issue(roles.school_admin, school, person)
    assert dt.timedelta(days=2, hours=23) < old.expires_at - timezone.now() <= dt.timedelta(days=3)
    [new] = issue(roles.school_admin, school, person)
    assert post_login(client, old.username, old.password).status_code == 200
    assert post_login(client, new.username, new.password).status_code == 302


def test_the_slip_page_is_for_the_school_admin_of_that_school_only(client, roles, school):
    from yanxiu.core.models import AuditEvent

    person = register(roles.school_admin, school, 1, "13912345678").person
    url = reverse("org:login_slips", args=[school.pk])
    # Another school's admin may issue slips, but not for a school they cannot see: 404.
    for user, status in ((roles.teacher, 403), (roles.other_admin, 404), (roles.bureau, 403), (roles.leader, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"person": [person.pk]}).status_code == status
    assert not AuditEvent.objects.filter(action="account.initial_password_issue").exists()
    client.force_login(roles.school_admin)
    page = client.get(url).content.decode()
    assert "尚未领取登录单" in page and person.name in page
    response = client.post(url, {"person": [person.pk]})
    body = response.content.decode()
    assert response.status_code == 200 and "login-slip" in body and person.user.username in body
    assert reverse("accounts:login") in body
    assert AuditEvent.objects.filter(action="account.initial_password_issue", target_id=str(person.user_id)).count() == 1
    # A teacher of another school cannot be slipped in by id.
    other = roles.other_admin.person
    assert client.post(url, {"person": [other.pk]}).status_code == 302
    other.user.refresh_from_db()
    assert not other.user.otp_hash


@override_settings(LOGIN_MAX_FAILURES=2)
def test_the_school_admin_resets_a_locked_teacher_with_a_new_slip(client, roles):
    for _ in range(2):
        post_login(client, "teacher", "wrong")
    assert post_login(client, "teacher", DEMO_PASSWORD).status_code == 429
    employment = roles.teacher.person.employments.get()
    client.force_login(roles.school_admin)
    response = client.post(reverse("org:account_reset", args=[employment.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]  # the password is shown once
    body = response.content.decode()
    otp = body.split('class="col-8 mb-0 otp">')[1].split("<")[0]
    client.logout()
    assert post_login(client, "teacher", DEMO_PASSWORD).status_code == 200  # the old password is void
    assert post_login(client, "teacher", otp).status_code == 302
    assert client.get("/").url.startswith(reverse("accounts:password_change"))


def test_the_bureau_cannot_reset_a_teacher_password(client, roles):
    employment = roles.teacher.person.employments.get()
    client.force_login(roles.bureau)
    assert client.post(reverse("org:account_reset", args=[employment.pk])).status_code == 403


# --- Password changes ----------------------------------------------------------------------


def test_a_later_password_change_asks_for_the_current_password(client, roles):
    client.force_login(roles.teacher)
    url = reverse("accounts:password_change")
    assert "old_password" in client.get(url).content.decode()
    response = client.post(url, {"new_password1": "Another-2026", "new_password2": "Another-2026"})
    assert response.status_code == 200
    response = client.post(url, {"old_password": "not-it", "new_password1": "Another-2026", "new_password2": "Another-2026"})
    assert response.status_code == 200
    roles.teacher.refresh_from_db()
    assert roles.teacher.check_password(DEMO_PASSWORD)
    response = client.post(url, {"old_password": DEMO_PASSWORD, "new_password1": "Another-2026", "new_password2": "Another-2026"})
    assert response.status_code == 302
    roles.teacher.refresh_from_db()
    assert roles.teacher.check_password("Another-2026")


def test_a_user_who_must_change_the_password_still_reaches_public_and_exempt_pages(client, roles):
    from yanxiu.accounts.models import User

    User.objects.filter(pk=roles.teacher.pk).update(must_change_password=True)
    client.force_login(roles.teacher)
    verify = reverse("credits:verify", args=["no-such-code"])
    assert client.get(verify).status_code == 404  # the page itself answers, not a redirect
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    page = client.get(reverse("credits:mine"))
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:password_change"))
    api = client.get("/api/org/schools")
    assert api.status_code == 403 and api.json()["detail"]
    client.logout()
    assert client.get(verify).status_code == 404  # no login needed


def test_oversized_login_input_is_refused_before_any_hashing(client, roles, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    def no_hashing(self, *args, **kwargs):
        raise AssertionError("hashed an oversized input")

    monkeypatch.setattr(MD5PasswordHasher, "encode", no_hashing)
    for username, password in (("teacher", "x" * 100_000), ("t" * 10_000, "wrong")):
        response = post_login(client, username, password)
        body = response.content.decode()
        assert response.status_code == 200 and "invalid-feedback" in body and GENERIC not in body


def test_the_operator_prints_a_slip_for_the_first_admin_of_a_school(client, roles):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("login_slip", roles.school_admin.person.phone, stdout=out)
    password = out.getvalue().split("one-time password: ")[1].splitlines()[0]
    assert post_login(client, "schooladmin", DEMO_PASSWORD).status_code == 200  # the old password is void
    assert post_login(client, "schooladmin", password).status_code == 302
    with pytest.raises(Exception, match="没有这个账号"):
        call_command("login_slip", "nobody", stdout=io.StringIO())
