"""The POST buttons of the ledger pages: declared permission, one service, a message, back to the page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.credits.models import Certificate, CreditEntry
from yanxiu.credits.services import certificate_issue, posting_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(roles, school):
    adopt("000", school.county)
    return credit(roles.teacher.person, 6, title="读书会")


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_reversal_needs_its_reason_and_a_get_changes_nothing(client, roles, entry):
    client.force_login(roles.school_admin)
    url = reverse("credits:entry_reverse", args=[entry.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("credits:person", args=[entry.person_id])
    assert "冲正必须填写原因。" in messages_of(response)
    assert not CreditEntry.objects.filter(reverses=entry).exists()
    response = client.post(url, {"reason": "录入错误"}, follow=True)
    assert "已冲正。" in messages_of(response) and CreditEntry.objects.filter(reverses=entry).exists()


def test_a_reversal_is_refused_to_the_teacher_and_unknown_to_another_school(client, roles, entry):
    url = reverse("credits:entry_reverse", args=[entry.pk])
    client.force_login(roles.teacher)  # their own line: seen, not theirs to reverse
    assert client.post(url, {"reason": "不对"}).status_code == 403
    client.force_login(roles.other_admin)
    assert client.post(url, {"reason": "不对"}).status_code == 404
    assert not CreditEntry.objects.filter(reverses=entry).exists()


@pytest.fixture
def certificate(roles, school, entry):
    return certificate_issue(actor=None, person=roles.teacher.person, title="省级骨干教师培训", organiser="湖南省教育厅", hours=24,
                             school_year=YEAR, source_key="import:x", school=school, issued_on=dt.date(2025, 10, 12))


def test_revoking_a_certificate_asks_for_a_reason_and_comes_back_to_the_holder(client, roles, certificate):
    url = reverse("credits:certificate_revoke", args=[certificate.code])
    client.force_login(roles.teacher)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(roles.other_admin)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(roles.school_admin)
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("credits:person", args=[certificate.person_id])
    assert messages_of(response) and not Certificate.objects.get(pk=certificate.pk).revoked
    response = client.post(url, {"reason": "考勤造假"}, follow=True)
    assert "证书已撤销。" in messages_of(response) and Certificate.objects.get(pk=certificate.pk).revoked


def test_crediting_a_session_of_another_school_is_not_found(client, roles, far_school):
    from yanxiu.training.models import Project, Session

    project = Project.objects.create(owner_school=far_school, region=far_school.county, title="外校教研", school_year="2025-2026",
                                     status="approved")
    start = timezone.now() - dt.timedelta(days=2)
    session = Session.objects.create(project=project, title="观课", starts_at=start, ends_at=start + dt.timedelta(hours=2), hours=2,
                                     status="published")
    client.force_login(roles.school_admin)
    assert client.post(reverse("credits:session_credit", args=[session.pk])).status_code == 404


def test_the_postings_list_is_searched_and_paged(client, roles, school, entry, monkeypatch):
    from yanxiu.credits import views

    today = timezone.localdate()
    posting_create(actor=roles.school_admin, school=school, title="十月公示", period_start=today - dt.timedelta(days=3), period_end=today)
    monkeypatch.setattr(views.PostingListView, "paginate_by", 1)
    client.force_login(roles.teacher)
    html = client.get(reverse("credits:postings"), {"q": "十月"}).content.decode()
    assert "十月公示" in html and "共 1 条" in html
    assert "十月公示" not in client.get(reverse("credits:postings"), {"q": "没有这个"}).content.decode()
    client.force_login(roles.far_bureau)
    assert "十月公示" not in client.get(reverse("credits:postings")).content.decode()
