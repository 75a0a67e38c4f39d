"""core.crud.ServiceActionView: POST only, declared permission, scoped object, one service, message, redirect."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path

from yanxiu.core.crud import ServiceActionView
from yanxiu.org import scopes
from yanxiu.urls import urlpatterns as site_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

CALLS: list = []


class RenameSchool(ServiceActionView):
    """Stands for any button: the object comes from a scoped queryset, the service is one call."""

    permission = "org.change_school"
    success_message = "已完成。"

    def get_object(self):
        return get_object_or_404(scopes.schools_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        outcome = self.request.POST.get("outcome", "")
        if outcome == "invalid":
            raise ValidationError("现在不能这样做。")
        if outcome == "refused":
            raise PermissionDenied("服务拒绝了。")
        CALLS.append((self.request.user.username, self.object.pk))
        return self.object

    def get_success_url(self, result):
        return f"/done/{result.pk}/"

    def get_back_url(self):
        return f"/back/{self.object.pk}/"


urlpatterns = [path("t/act/<int:pk>/", RenameSchool.as_view(), name="t_act"), *site_urls]


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_post_runs_the_service_once_shows_the_message_and_redirects(client, roles, school):
    client.force_login(roles.school_admin)
    response = client.post(f"/t/act/{school.pk}/")
    assert response.status_code == 302 and response.url == f"/done/{school.pk}/"
    assert CALLS == [("schooladmin", school.pk)]
    assert _messages(response) == ["已完成。"]


def test_a_safe_next_is_followed_and_an_outside_one_is_not(client, roles, school):
    client.force_login(roles.school_admin)
    assert client.post(f"/t/act/{school.pk}/", {"next": "/org/staff/?page=2"}).url == "/org/staff/?page=2"
    assert client.post(f"/t/act/{school.pk}/", {"next": "https://evil.example/"}).url == f"/done/{school.pk}/"
    assert client.post(f"/t/act/{school.pk}/", {"next": "//evil.example/"}).url == f"/done/{school.pk}/"
    # A bare word is not a path: redirect() would look it up as a view name and fail.
    for word in ("123", "reports:home", "credits:mine", "org"):
        assert client.post(f"/t/act/{school.pk}/", {"next": word}).url == f"/done/{school.pk}/"


def test_get_is_405_and_runs_nothing(client, roles, school):
    client.force_login(roles.school_admin)
    assert client.get(f"/t/act/{school.pk}/").status_code == 405
    assert CALLS == []


def test_a_visitor_is_sent_to_the_login(client, school):
    response = client.post(f"/t/act/{school.pk}/")
    assert response.status_code == 302 and "/login" in response.url and CALLS == []


def test_an_object_the_user_may_not_see_is_404(client, roles, school, far_school):
    client.force_login(roles.school_admin)
    assert client.post(f"/t/act/{far_school.pk}/").status_code == 404
    client.force_login(roles.far_bureau)
    assert client.post(f"/t/act/{school.pk}/").status_code == 404
    assert client.post("/t/act/999999999/").status_code == 404
    assert CALLS == []


def test_a_visible_object_without_the_permission_is_403(client, roles, school):
    client.force_login(roles.centre)  # sees the school, manages nothing
    assert client.post(f"/t/act/{school.pk}/").status_code == 403
    assert CALLS == []


@pytest.mark.parametrize(("outcome", "message"), [("invalid", "现在不能这样做。"), ("refused", "服务拒绝了。")])
def test_a_refusal_by_the_service_is_a_message_and_a_way_back(client, roles, school, outcome, message):
    client.force_login(roles.school_admin)
    response = client.post(f"/t/act/{school.pk}/", {"outcome": outcome})
    assert response.status_code == 302 and response.url == f"/back/{school.pk}/"
    assert _messages(response) == [message]
    assert CALLS == []
    back = client.post(f"/t/act/{school.pk}/", {"outcome": outcome, "next": "/org/schools/"})
    assert back.url == "/org/schools/"
