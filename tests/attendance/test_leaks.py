"""Nobody learns another school's session titles from the sign-in or reflection addresses."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SECRET_TITLE = "榔梨中学内部评课：校长专题"


@pytest.fixture
def other_session(sessions, school_b, roles):
    return sessions.make(school=school_b, title=SECRET_TITLE, enroll=[roles.other_teacher])


@pytest.mark.parametrize("who", [None, "teacher"])
def test_a_made_up_sign_in_address_shows_no_session_title(client, roles, other_session, who):
    if who:
        client.force_login(getattr(roles, who))
    for url in (f"/attendance/s/{other_session.pk}/x/", f"/attendance/s/{other_session.pk}/?t=forged"):
        response = client.get(url)
        assert response.status_code == 400
        assert SECRET_TITLE not in response.content.decode()


def test_a_forged_pass_on_the_confirm_page_shows_no_session_title(client, roles, other_session):
    client.force_login(roles.teacher)
    response = client.get(f"/attendance/s/{other_session.pk}/confirm/?p=forged")
    assert response.status_code == 400
    assert SECRET_TITLE not in response.content.decode()


def test_the_reflection_page_of_another_schools_session_is_not_found(client, roles, other_session):
    client.force_login(roles.teacher)
    response = client.get(f"/attendance/session/{other_session.pk}/reflection/")
    assert response.status_code == 404
    assert SECRET_TITLE not in response.content.decode()


def test_the_reflection_page_opens_for_the_enrolled_teacher(client, roles, other_session):
    client.force_login(roles.other_teacher)
    response = client.get(f"/attendance/session/{other_session.pk}/reflection/")
    assert response.status_code == 200
    assert SECRET_TITLE in response.content.decode()


def test_a_reflection_of_megabytes_is_refused_before_it_is_cleaned_or_compared(sessions, roles, monkeypatch):
    from django.core.exceptions import ValidationError

    from yanxiu.attendance import services

    session = sessions.make(enroll=[roles.teacher])
    monkeypatch.setattr(services, "sanitise", lambda text: (_ for _ in ()).throw(AssertionError("cleaned")))
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=roles.teacher, session=session, notes="", body="<p>反思</p>" * 200_000)
    assert "最长 50000 个字符" in exc.value.message_dict["body"][0]


def test_the_signin_api_bounds_its_fields(client, roles, sessions):
    session = sessions.make(enroll=[roles.teacher])
    client.force_login(roles.teacher)
    for payload in ({"session_id": 10**30, "code": "123456"}, {"session_id": session.pk, "token": "x" * 5000},
                    {"session_id": session.pk, "code": "1" * 5000}):
        r = client.post("/api/attendance/signin", payload, content_type="application/json")
        assert r.status_code == 422, (payload.keys(), r.status_code)
