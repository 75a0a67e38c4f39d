"""A group leader (教研组长) runs their own group's sessions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.training.conftest import at
from yanxiu.training import services
from yanxiu.training.models import Session

pytestmark = pytest.mark.django_db

FIXED = dict(starts_at=at(4), ends_at=at(4, 16, 40), place="语文组办公室", presenter_name="组内", content="第三单元集体备课")


def test_a_leader_adds_publishes_and_invites_their_groups_session(roles, school_project, group):
    session = services.session_create(
        actor=roles.leader, project=school_project, title="集体备课：第三单元", group=group,
        theme="大单元教学设计", lead_speaker=roles.leader.person, invite_scope="group", **FIXED,
    )
    services.session_publish(actor=roles.leader, session=session)
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED
    enrolled = set(session.enrollments.values_list("person_id", flat=True))
    assert enrolled == {roles.leader.person.pk, roles.member.person.pk}


def test_a_leader_cannot_add_a_session_for_the_whole_school_or_another_group(roles, school_project, school):
    from yanxiu.org.models import Group

    maths = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=roles.leader, project=school_project, title="全校讲座", **FIXED)
    assert "本组" in exc.value.message_dict["group"][0]
    with pytest.raises(ValidationError):
        services.session_create(actor=roles.leader, project=school_project, title="数学组活动", group=maths, **FIXED)


def test_a_leader_cannot_move_a_school_session_into_their_group_or_touch_it(roles, ready_session, group):
    with pytest.raises(PermissionDenied):
        services.session_update(actor=roles.leader, session=ready_session, group=group)


def test_a_teacher_who_leads_no_group_cannot_add_sessions(roles, school_project, group):
    with pytest.raises(PermissionDenied):
        services.session_create(actor=roles.member, project=school_project, title="x", group=group, **FIXED)


def test_the_leaders_form_offers_only_their_group(client, roles, school_project, group, school):
    from yanxiu.org.models import Group

    Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    client.force_login(roles.leader)
    assert "新建本组活动" in client.get(f"/training/projects/{school_project.pk}/").content.decode()
    html = client.get(f"/training/projects/{school_project.pk}/sessions/new/").content.decode()
    assert "语文组" in html and "数学组" not in html
    client.force_login(roles.member)
    assert client.get(f"/training/projects/{school_project.pk}/sessions/new/").status_code == 403
