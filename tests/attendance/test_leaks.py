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
