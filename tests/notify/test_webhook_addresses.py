"""Webhooks reach public addresses only: literal internal addresses are refused when a channel is saved,
and at sending the host's resolved addresses are checked (and connected to), redirects are not followed."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from tests.notify.receivers import HttpReceiver, serve
from yanxiu.notify import channels, services
from yanxiu.notify.forms import DEFAULT_BODY
from yanxiu.notify.models import Channel, Delivery, MessageKind
from yanxiu.training import services as training

pytestmark = pytest.mark.django_db

REFUSED_HOSTS = ["10.1.2.3", "127.0.0.1", "169.254.169.254", "192.168.0.8", "172.16.5.5", "0.0.0.0", "224.0.0.1",
                 "[::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "2130706433", "127.1", "localhost"]


@pytest.fixture
def receiver():
    server = HttpReceiver()
    stop = serve(server)
    yield server
    stop()


def _cancel_to_webhook(roles, session, committed):
    services.preferences_save(actor=roles.teacher, choices={MessageKind.SESSION_CANCELLED: (False, True)})
    with committed():
        training.session_cancel(actor=roles.school_admin, session=session, reason="停电")


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_a_channel_to_an_internal_literal_address_is_not_saved(roles, school, settings, host):
    settings.YANXIU_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as exc:
        services.channel_save(actor=roles.school_admin, school=school, name="群", url=f"http://{host}:8080/hook",
                              body_template=DEFAULT_BODY)
    assert list(exc.value.message_dict) == ["url"]
    assert "本机、内网或保留地址" in exc.value.message_dict["url"][0]
    assert not Channel.objects.exists()


def test_public_addresses_and_names_are_saved(roles, school, settings):
    settings.YANXIU_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "http://8.8.8.8/hook"):
        services.channel_save(actor=roles.school_admin, school=school, name=url[:20], url=url, body_template=DEFAULT_BODY)
    assert Channel.objects.count() == 2


def test_the_form_shows_the_refusal_on_the_address_field(client, roles, school, settings):
    from django.urls import reverse

    settings.YANXIU_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(roles.school_admin)
    response = client.post(reverse("notify:channel_create"), {"owner": f"school:{school.pk}", "name": "群",
                                                          "url": "http://169.254.169.254/latest/meta-data",
                                                          "body_template": DEFAULT_BODY, "enabled": "on"})
    assert response.status_code == 400 and "169.254.169.254" in response.content.decode()
    assert "本机、内网或保留地址" in response.content.decode() and not Channel.objects.exists()


@pytest.mark.parametrize("host", ["10.0.0.7", "127.0.0.1", "169.254.169.254"])
def test_an_old_channel_to_an_internal_address_is_refused_at_sending(roles, published_session, school, receiver, settings,
                                                                     committed, host):
    channel = services.channel_save(actor=roles.school_admin, school=school, name="群", url=receiver.url, body_template=DEFAULT_BODY)
    port = receiver.server_address[1]
    Channel.objects.filter(pk=channel.pk).update(url=f"http://{host}:{port}/robot/send")  # saved before the check existed
    settings.YANXIU_WEBHOOK_ALLOW_PRIVATE = False
    _cancel_to_webhook(roles, published_session, committed)
    assert channels.send_due()["skipped"] == 1
    delivery = Delivery.objects.get(via="webhook")
    assert delivery.status == "skipped" and host in delivery.last_error and "本机、内网或保留地址" in delivery.last_error
    assert receiver.requests == []


def _resolve_to(monkeypatch, name: str, ip: str):
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == name:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_a_name_that_resolves_to_an_internal_address_is_refused_at_sending(roles, published_session, school, receiver,
                                                                           settings, committed, monkeypatch):
    settings.YANXIU_WEBHOOK_ALLOW_PRIVATE = False
    port = receiver.server_address[1]
    services.channel_save(actor=roles.school_admin, school=school, name="群", url=f"http://robot.example.cn:{port}/send",
                          body_template=DEFAULT_BODY)
    _resolve_to(monkeypatch, "robot.example.cn", "127.0.0.1")
    _cancel_to_webhook(roles, published_session, committed)
    assert channels.send_due()["skipped"] == 1
    delivery = Delivery.objects.get(via="webhook")
    assert delivery.last_error == "推送地址 robot.example.cn 解析为本机、内网或保留地址 127.0.0.1，已拒绝发送。"
    assert receiver.requests == []


def test_the_post_goes_to_the_checked_address_with_the_hosts_name(roles, published_session, school, receiver, committed,
                                                                  monkeypatch):
    port = receiver.server_address[1]
    services.channel_save(actor=roles.school_admin, school=school, name="群", url=f"http://robot.example.cn:{port}/send",
                          body_template=DEFAULT_BODY)
    _resolve_to(monkeypatch, "robot.example.cn", "127.0.0.1")  # allowed by the test settings
    _cancel_to_webhook(roles, published_session, committed)
    assert channels.send_due()["sent"] == 1
    path, headers, _body = receiver.requests[0]
    assert path == "/send" and headers["Host"] == f"robot.example.cn:{port}"


class _Redirecting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _RedirectHandler)


class _RedirectHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.paths.append(self.path)
        if self.path == "/hook":
            self.send_response(307)
            self.send_header("Location", "/inside")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_not_followed(roles, published_session, school, committed):
    server = _Redirecting()
    stop = serve(server)
    try:
        services.channel_save(actor=roles.school_admin, school=school, name="群",
                              url=f"http://127.0.0.1:{server.server_address[1]}/hook", body_template=DEFAULT_BODY)
        _cancel_to_webhook(roles, published_session, committed)
        assert channels.send_due()["retrying"] == 1
    finally:
        stop()
    assert server.paths == ["/hook"]
    assert Delivery.objects.get(via="webhook").last_error == "对方返回跳转（HTTP 307），推送不跟随跳转。"


def test_refused_addresses():
    import ipaddress

    for text in ("10.0.0.1", "127.0.0.1", "169.254.169.254", "::1", "fe80::1", "ff02::1", "::", "0.0.0.0", "100.64.0.1",
                 "::ffff:10.0.0.1"):
        assert channels.refused_address(ipaddress.ip_address(text)), text
    for text in ("8.8.8.8", "101.226.0.1", "2400:3200::1"):
        assert not channels.refused_address(ipaddress.ip_address(text)), text
    assert str(channels.literal_address("2130706433")) == "127.0.0.1"
    assert channels.literal_address("qyapi.weixin.qq.com") is None
