"""Upload limits enforced while the body streams in (core/upload_limits.py).

An oversize body is refused before it is read (Content-Length) or as soon as
the streamed file bytes pass the limit; the user gets a Chinese message on the
page the form was sent from, an API client a 413 with a Chinese ``detail``.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRyXyZ"
MB = 1024 * 1024


class Body(io.RawIOBase):
    """A multipart body of one file with ``size`` bytes, produced as it is read; counts what is read."""

    def __init__(self, *, field: str = "file", name: str = "big.csv", size: int, extra_fields: dict | None = None):
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in (extra_fields or {}).items()
        )
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
        self.head, self.size, self.tail = head.encode(), size, f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.length - self.position)
        start, end = self.position, self.position + n
        head, body_end = len(self.head), len(self.head) + self.size
        chunk = (
            self.head[max(start, 0) : min(end, head)]
            + b"a" * max(0, min(end, body_end) - max(start, head))
            + self.tail[max(0, start - body_end) : max(0, end - body_end)]
        )
        buffer[:n] = chunk
        self.position = end
        return n


def send(client: Client, path: str, body: Body, *, declared: int | None = None, **headers):
    environ = client._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(declared if declared is not None else body.length),
        **{"wsgi.input": io.BufferedReader(body, buffer_size=64 * 1024)},
        **headers,
    )
    response = client.handler(environ)
    client.cookies.update(response.cookies)  # the message travels in a cookie, as with a browser
    return response


@pytest.fixture
def admin_client(client, roles):
    client.force_login(roles.school_admin)
    return client


def roster_url(school) -> str:
    return reverse("org:roster_import", args=[school.pk])


def test_a_declared_1_gb_roster_upload_is_refused_before_any_byte_is_read(admin_client, school):
    body = Body(size=1024 * MB)
    response = send(admin_client, roster_url(school), body, HTTP_REFERER="http://testserver" + roster_url(school))
    assert body.position == 0
    assert response.status_code == 303 and response["Location"].endswith(roster_url(school))
    page = admin_client.get(response["Location"]).content.decode()
    assert "超过 20 MB 的上限" in page and "1024.0 MB" in page
    assert not default_storage.exists("roster_uploads") or not default_storage.listdir("roster_uploads")[1]


def test_a_roster_file_past_the_limit_is_stopped_while_it_streams(admin_client, school, settings):
    settings.YANXIU_IMPORT_MAX_MB = 1
    body = Body(name="花名册.csv", size=MB + 150 * 1024)  # within the form allowance, past the file limit
    response = send(admin_client, roster_url(school), body)
    assert response.status_code == 303
    assert body.position < body.length  # the rest of the body was never read
    page = admin_client.get(response["Location"]).content.decode()
    assert "文件“花名册.csv”超过 1 MB 的上限" in page


def test_the_roster_page_still_takes_a_file_within_the_limit(admin_client, school, settings):
    settings.YANXIU_IMPORT_MAX_MB = 1
    data = "姓名,性别\n张三,男\n".encode()
    upload = io.BytesIO(data)
    upload.name = "r.csv"
    response = admin_client.post(roster_url(school), {"file": upload})
    assert response.status_code == 200
    assert "上限" not in response.content.decode() and "缺少必需的列" in response.content.decode()


def test_the_result_import_page_refuses_an_oversize_upload(client, roles, settings):
    settings.YANXIU_IMPORT_MAX_MB = 1
    client.force_login(roles.bureau)
    url = reverse("credits:import")
    big = io.BytesIO(b"a" * (2 * MB))
    big.name = "结果.xlsx"
    response = client.post(url, {"file": big, "school_year": "2025", "dry_run": "on"}, HTTP_REFERER="http://testserver" + url)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "超过 1 MB 的上限" in page


def test_an_api_upload_past_the_site_limit_gets_a_413_in_chinese(client, roles, settings):
    settings.YANXIU_MAX_UPLOAD_MB = 1
    client.force_login(roles.teacher)
    body = Body(field="attachment", name="note.pdf", size=300 * MB, extra_fields={"session_id": "1", "leave_type": "sick"})
    response = send(client, "/api/training/leave/with-attachment", body)
    assert body.position == 0
    assert response.status_code == 413
    assert "超过 1 MB 的上限" in json.loads(response.content)["detail"]


def test_an_api_upload_stopped_while_streaming_gets_the_file_name(client, roles, settings):
    settings.YANXIU_MAX_UPLOAD_MB = 1
    client.force_login(roles.teacher)
    body = Body(field="attachment", name="note.pdf", size=MB + 100 * 1024, extra_fields={"session_id": "1"})
    response = send(client, "/api/training/leave/with-attachment", body)
    assert response.status_code == 413 and body.position < body.length
    assert "note.pdf" in json.loads(response.content)["detail"]


def test_a_stopped_upload_leaves_no_temporary_file(admin_client, school, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # spill to a temporary file early
    settings.YANXIU_IMPORT_MAX_MB = 1
    body = Body(name="花名册.xlsx", size=MB + 200 * 1024)
    response = send(admin_client, roster_url(school), body)
    assert response.status_code == 303 and body.position < body.length
    assert list(tmp_path.iterdir()) == []
