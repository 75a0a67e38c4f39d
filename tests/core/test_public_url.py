"""One public address (YANXIU_PUBLIC_URL) that hosts, CSRF origins and every QR code follow."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import segno
from django.test import override_settings
from django.urls import reverse

from tests.attendance.conftest import Sessions
from yanxiu.attendance import tokens
from yanxiu.core import public_url


def settings_with(env: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'hosts': settings.ALLOWED_HOSTS, 'origins': settings.CSRF_TRUSTED_ORIGINS, "
        "'public': settings.PUBLIC_URL, 'tz': settings.TIME_ZONE}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YANXIU_") or k == "YANXIU_VAR_DIR"}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "yanxiu.settings.test", **env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_public_url_sets_allowed_hosts_and_csrf_origins():
    derived = settings_with({"YANXIU_PUBLIC_URL": "http://192.168.1.20:8000/"})
    assert derived["public"] == "http://192.168.1.20:8000"
    assert "192.168.1.20" in derived["hosts"] and "127.0.0.1" in derived["hosts"]
    assert derived["origins"] == ["http://192.168.1.20:8000"]
    assert derived["tz"] == "Asia/Shanghai"


def test_public_url_with_an_explicit_host_list_and_tls_origin():
    derived = settings_with({"YANXIU_PUBLIC_URL": "https://yanxiu.example.edu.cn", "YANXIU_ALLOWED_HOSTS": "yanxiu.example.edu.cn",
                             "YANXIU_CSRF_TRUSTED_ORIGINS": "https://yanxiu.example.edu.cn"})
    assert derived["hosts"] == ["yanxiu.example.edu.cn"]
    assert derived["origins"] == ["https://yanxiu.example.edu.cn"]


def test_without_public_url_nothing_extra_is_allowed():
    derived = settings_with({})
    assert derived["public"] == "" and derived["origins"] == []
    assert all(h in {"127.0.0.1", "localhost", "[::1]", "testserver"} for h in derived["hosts"])


def test_a_malformed_public_url_stops_the_start_with_a_clear_message():
    with pytest.raises(subprocess.CalledProcessError) as err:
        settings_with({"YANXIU_PUBLIC_URL": "ftp://192.168.1.20"})
    assert "YANXIU_PUBLIC_URL" in err.value.stderr


@pytest.mark.parametrize("url,loopback", [
    ("http://127.0.0.1:8000/x", True), ("http://localhost:8000/", True), ("http://[::1]:8000/", True),
    ("http://127.1.2.3/", True), ("http://192.168.1.20:8000/", False), ("https://yanxiu.example.edu.cn/", False),
])
def test_loopback_detection(url, loopback):
    assert public_url.is_loopback(url) is loopback


@pytest.fixture
def session(county, school, roles):
    return Sessions(county, school).make(enroll=[roles.teacher], presenter=roles.leader.person)


def _scan_url(html: str) -> str:
    start = html.index('id="scan-url" href="') + len('id="scan-url" href="')
    return html[start:html.index('"', start)]


@pytest.mark.django_db
@override_settings(PUBLIC_URL="http://192.168.1.20:8000")
def test_the_sign_in_qr_code_points_at_the_public_url(client, session, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:screen", args=[session.pk])).content.decode()
    url = _scan_url(html)
    assert url.startswith("http://192.168.1.20:8000/") and "127.0.0.1" not in url and "testserver" not in url
    # The code drawn is the code of that address.
    assert segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True) in html
    assert 'id="unreachable-warning"' not in html
    token = url.rstrip("/").split("/")[-1]
    assert tokens.purpose_of_token(session.pk, token) == "in"


@pytest.mark.django_db
def test_the_qr_code_follows_the_request_host_when_no_public_url_is_set(client, session, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:screen", args=[session.pk]), HTTP_HOST="testserver").content.decode()
    assert _scan_url(html).startswith("http://testserver/") and 'id="unreachable-warning"' not in html


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["127.0.0.1"])
def test_a_loopback_qr_code_shows_a_visible_warning(client, session, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:screen", args=[session.pk]), HTTP_HOST="127.0.0.1:8000").content.decode()
    assert _scan_url(html).startswith("http://127.0.0.1:8000/")
    assert 'id="unreachable-warning"' in html and "YANXIU_PUBLIC_URL" in html


@pytest.mark.django_db
@override_settings(PUBLIC_URL="http://192.168.1.20:8000")
def test_the_certificate_qr_code_points_at_the_public_url(rf, school, roles, monkeypatch):
    from tests.credits.factories import YEAR
    from yanxiu.credits import pdf, views
    from yanxiu.credits.services import certificate_issue

    cert = certificate_issue(actor=None, person=roles.teacher.person, title="省级骨干教师培训", organiser="湖南省教育厅", hours=24,
                             school_year=YEAR, source_key="import:x", school=school, issued_on=dt.date(2025, 10, 12))
    seen = []
    monkeypatch.setattr(pdf, "qr_svg", lambda url: seen.append(url) or "")
    monkeypatch.setattr(pdf, "render_pdf", lambda template, context: context["verify_url"].encode())
    request = rf.get("/", HTTP_HOST="127.0.0.1:8000")
    views._certificate_pdf(request, cert)
    assert seen == ["http://192.168.1.20:8000" + reverse("credits:verify", args=[cert.code])]


@pytest.mark.django_db
@override_settings(PUBLIC_URL="http://192.168.1.20:8000")
def test_the_calendar_feed_and_login_slips_give_the_public_address(client, roles):
    client.force_login(roles.teacher)
    html = client.get(reverse("training:my"), HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "http://192.168.1.20:8000/training/" in html and "http://127.0.0.1:8000/training/" not in html
    client.force_login(roles.school_admin)
    school = roles.teacher.person.current_employment.school
    slips = client.post(reverse("org:login_slips", args=[school.pk]), {"person": [roles.teacher.person.pk]},
                        HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "http://192.168.1.20:8000/accounts/login/" in slips and "127.0.0.1" not in slips
