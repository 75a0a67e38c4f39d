"""An htmx fragment sent to the login or password page loads that page in the whole window.

Before, htmx followed the redirect and swapped the whole password form into the navbar's
unread count, so a new teacher's phone showed two forms, the first one hidden in the menu.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_fragment_asked_for_by_a_user_who_must_choose_a_password_sends_the_window_to_the_form(client, roles):
    roles.teacher.must_change_password = True
    roles.teacher.save(update_fields=["must_change_password"])
    client.force_login(roles.teacher)
    badge = reverse("notify:unread_badge")

    response = client.get(badge, **HTMX)
    assert response.status_code == 204 and response.content == b""
    assert response["HX-Redirect"].startswith(reverse("accounts:password_change") + "?next=")

    # A plain request is redirected as before.
    plain = client.get(badge)
    assert plain.status_code == 302 and "HX-Redirect" not in plain

    # The form itself does not ask for the count, so it cannot send itself to itself.
    form = client.get(reverse("accounts:password_change")).content.decode()
    assert badge not in form and 'name="new_password1"' in form and form.count('type="submit"') == 1


def test_a_fragment_asked_for_after_the_session_ran_out_sends_the_window_to_the_login_page(client):
    response = client.get(reverse("notify:unread_badge"), **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?next=")


def test_other_redirects_of_an_htmx_request_are_left_to_htmx(client, roles):
    client.force_login(roles.teacher)
    response = client.get(reverse("notify:unread_badge"), **HTMX)
    assert response.status_code == 200 and "HX-Redirect" not in response
    # A redirect elsewhere (a page's own) is untouched.
    from django.http import HttpResponseRedirect
    from django.test import RequestFactory

    from yanxiu.core.middleware import HtmxFullPageRedirectMiddleware

    middleware = HtmxFullPageRedirectMiddleware(lambda request: HttpResponseRedirect("/training/"))
    assert middleware(RequestFactory().get("/x/", **HTMX)).status_code == 302
