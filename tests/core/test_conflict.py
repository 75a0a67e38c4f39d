"""Two first saves of the same row at the same moment: the second gets a 409 page, not a 500.

The race is replayed deterministically: the service's locked read is made to miss the row that
"the other window" has just committed, so its insert runs into the unique constraint, exactly as
the later of two concurrent first saves does.
"""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from yanxiu.core.models import AuditEvent
from yanxiu.reports.models import DocumentSettings

pytestmark = pytest.mark.django_db(transaction=True)


def _the_other_window_saved_first(monkeypatch, county):
    DocumentSettings.objects.create(region=county, issuing_body="长沙县教育局", number_prefix="长教通")
    monkeypatch.setattr(DocumentSettings.objects, "select_for_update", lambda: DocumentSettings.objects.none())


def test_the_later_of_two_first_saves_gets_a_conflict_page_and_writes_nothing(client, roles, county, monkeypatch):
    _the_other_window_saved_first(monkeypatch, county)
    client.force_login(roles.bureau)
    audit_before = AuditEvent.objects.count()

    response = client.post(reverse("reports:notice_settings"), {"issuing_body": "星沙教育局", "number_prefix": "星教通"})

    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-status="409"' in page and "同时保存了同一条记录" in page and "没有保存" in page
    row = DocumentSettings.objects.get(region=county)
    assert (row.issuing_body, row.number_prefix) == ("长沙县教育局", "长教通")
    assert AuditEvent.objects.count() == audit_before


def test_the_conflict_page_is_in_english_when_english_is_chosen(client, roles, county, monkeypatch, settings):
    _the_other_window_saved_first(monkeypatch, county)
    client.force_login(roles.bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("reports:notice_settings"), {"issuing_body": "星沙教育局", "number_prefix": "星教通"})
    assert response.status_code == 409
    assert "同时保存" not in response.content.decode()


def test_the_api_answers_a_refused_write_with_409_and_a_chinese_detail(county):
    from django.db import IntegrityError, transaction

    from yanxiu.api.main import _conflict

    try:
        with transaction.atomic():
            DocumentSettings.objects.create(region=county, issuing_body="甲", number_prefix="甲")
            DocumentSettings.objects.create(region=county, issuing_body="乙", number_prefix="乙")
    except IntegrityError as exc:
        response = _conflict(RequestFactory().post("/api/x"), exc)
    assert response.status_code == 409
    assert "没有保存" in json.loads(response.content)["detail"]
    assert not DocumentSettings.objects.filter(region=county).exists()
