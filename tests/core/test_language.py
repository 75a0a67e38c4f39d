import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_whatever_the_browser_asks(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录研修平台" in html


def test_the_language_switch_turns_english_on(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in to Yanxiu" in html and "登录研修平台" not in html
