"""Deciding several leave requests at once: all or none, each with its own audit row, only the approver's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.training.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(roles, published_session):
    from yanxiu.training import services

    services.session_invite(actor=roles.school_admin, session=published_session, scope="whole_school")
    return [services.leave_request_create(actor=who, session=published_session, leave_type="official", reason="外出送教")
            for who in (roles.teacher, roles.member)]


def test_the_school_admin_approves_the_ticked_requests_at_once(client, roles, requests):
    from yanxiu.core.models import AuditEvent
    from yanxiu.training.models import Decision, LeaveRequest

    client.force_login(roles.school_admin)
    page = client.get(reverse("training:leave_list")).content.decode()
    assert 'form="leave-bulk"' in page and "批准所选" in page
    response = client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": "approve"})
    assert response.status_code == 302
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.APPROVED}
    assert AuditEvent.objects.filter(action="training.leave.school_approve").count() == 2


def test_a_refusal_needs_the_comment_and_changes_nothing_without_it(client, roles, requests):
    from yanxiu.training.models import Decision, LeaveRequest

    client.force_login(roles.school_admin)
    response = client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": "reject"}, follow=True)
    assert "驳回请假时请填写理由" in response.content.decode()
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.PENDING}
    client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": "reject", "comment": "活动重要"})
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.REJECTED}


def test_one_request_already_decided_refuses_the_whole_batch(client, roles, requests):
    from yanxiu.training import services
    from yanxiu.training.models import Decision, LeaveRequest

    services.leave_decide(actor=roles.school_admin, leave=requests[0], approve=True)
    client.force_login(roles.school_admin)
    response = client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": "approve"}, follow=True)
    assert "未做任何修改" in response.content.decode()
    assert LeaveRequest.objects.get(pk=requests[1].pk).status == Decision.PENDING


def test_another_schools_admin_and_forged_ids_change_nothing(client, roles, requests):
    from yanxiu.training.models import Decision, LeaveRequest

    client.force_login(roles.other_admin)
    client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": "approve"})
    client.force_login(roles.school_admin)
    for junk in (["abc"], ["-1"], ["9" * 30], []):
        response = client.post(reverse("training:leave_bulk_decide"), {"ids": junk, "decision": "approve"})
        assert response.status_code == 302
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.PENDING}
    client.force_login(roles.teacher)
    assert client.post(reverse("training:leave_bulk_decide"), {"ids": [requests[0].pk], "decision": "approve"}).status_code in (302, 403)
    assert LeaveRequest.objects.get(pk=requests[0].pk).status == Decision.PENDING


def test_an_unknown_decision_changes_nothing(client, roles, requests):
    from yanxiu.training.models import Decision, LeaveRequest

    client.force_login(roles.school_admin)
    for decision in ("", "approve ", "yes"):
        response = client.post(reverse("training:leave_bulk_decide"), {"ids": [r.pk for r in requests], "decision": decision,
                                                                        "comment": "同意"}, follow=True)
        assert "请点击“批准所选”或“驳回所选”" in response.content.decode()
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.PENDING}
    page = client.get(reverse("training:leave_list")).content.decode()
    assert '<button type="submit" disabled hidden' in page  # Enter in the comment box submits nothing
