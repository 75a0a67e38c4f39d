"""403, 404 and 500 are Chinese pages in the site's layout, with the reason and a way back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_a_refusal_shows_the_reason_the_code_gave_in_the_layout(client, roles):
    client.force_login(roles.teacher)
    response = client.get("/attendance/sessions/", HTTP_REFERER="http://testserver/training/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有可管理考勤的培训活动。" in html
    assert "无权访问" in html and 'class="navbar' in html  # the site's menu, not Django's bare page
    assert 'href="http://testserver/training/"' in html and "返回上一页" in html
    assert "返回首页" in html and "403 Forbidden" not in html


def test_an_outside_referer_is_never_offered_as_the_way_back(client, roles):
    client.force_login(roles.teacher)
    response = client.get("/attendance/sessions/", HTTP_REFERER="https://evil.example.com/x")
    assert response.status_code == 403
    assert "evil.example.com" not in response.content.decode()


def test_a_missing_page_is_a_chinese_page_without_djangos_english_message(client, roles):
    client.force_login(roles.teacher)
    response = client.get("/training/sessions/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "您要找的页面不存在" in html and "返回首页" in html
    assert "matches the given query" not in html and "Not Found" not in html
    response = client.get("/no/such/address/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert "tried" not in response.content.decode()


def test_an_anonymous_visitor_refused_is_offered_the_login(client, roles):
    response = client.get("/no/such/address/")
    assert response.status_code == 404
    assert "/accounts/login/?next=/no/such/address/" in response.content.decode()


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [__import__("django.urls").urls.path("boom/", _boom)]


@override_settings(ROOT_URLCONF="tests.core.test_error_pages")
def test_the_500_page_is_static_and_renders_with_the_database_gone(client, roles, monkeypatch):
    from yanxiu.core import views

    client.raise_request_exception = False
    client.force_login(roles.teacher)

    def no_database(*args, **kwargs):
        raise AssertionError("the 500 page touched the database")

    with connection.execute_wrapper(no_database):
        response = views.server_error(None)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and 'href="/"' in html and "返回首页" in html
    response = client.get("/boom/")
    assert response.status_code == 500 and "系统出错" in response.content.decode()


handler500 = "yanxiu.core.views.server_error"
