import pytest

from yanxiu.attendance import tokens
from yanxiu.attendance.models import Attendance, Reflection

from .test_reflections import ORIGINAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member])


@pytest.fixture
def api(client):
    def call(method, path, user, **data):
        client.force_login(user)
        kwargs = {"content_type": "application/json", "data": data} if method == "post" else {}
        return getattr(client, method)(f"/api/attendance{path}", **kwargs)
    return call


def test_sign_in_by_token_then_by_code_says_already(api, session, roles):
    issued = tokens.issue(session.pk, "in")
    r = api("post", "/signin", roles.teacher, session_id=session.pk, token=issued.token)
    assert r.status_code == 200 and r.json()["changed"] and r.json()["attendance"]["status_label"] == "正常"
    r = api("post", "/signin", roles.teacher, session_id=session.pk, code=issued.code)
    assert r.status_code == 200 and not r.json()["changed"] and "无需重复签到" in r.json()["message"]
    r = api("post", "/signin", roles.member, session_id=session.pk, token="forged-token-xxxx")
    assert r.status_code == 400 and "二维码" in r.json()["detail"]


def test_my_and_session_list_and_mark(api, session, roles):
    api("post", "/signin", roles.teacher, session_id=session.pk, token=tokens.issue(session.pk, "in").token)
    mine = api("get", "/my", roles.teacher).json()
    assert mine[0]["session_id"] == session.pk and mine[0]["signed_in_at"]
    assert api("get", f"/sessions/{session.pk}/attendance", roles.teacher).status_code == 403
    rows = api("get", f"/sessions/{session.pk}/attendance", roles.school_admin).json()
    assert {r["name"] for r in rows} == {"张老师", "组员"} and all("****" in r["phone"] for r in rows)
    r = api("post", f"/sessions/{session.pk}/mark", roles.school_admin, person_id=roles.member.person.pk, status="leave", reason="")
    assert r.status_code == 400
    r = api("post", f"/sessions/{session.pk}/mark", roles.teacher, person_id=roles.member.person.pk, status="leave", reason="x")
    assert r.status_code == 403
    r = api("post", f"/sessions/{session.pk}/mark", roles.school_admin, person_id=roles.member.person.pk, status="leave", reason="病假")
    assert r.status_code == 200 and r.json()["status_label"] == "请假"
    assert Attendance.objects.count() == 2


def test_reflection_submit_and_review(api, session, roles):
    r = api("post", f"/sessions/{session.pk}/reflection", roles.teacher, body="短")
    assert r.status_code == 400 and "至少" in r.json()["detail"]
    r = api("post", f"/sessions/{session.pk}/reflection", roles.teacher, body=ORIGINAL)
    rid = r.json()["id"]
    assert api("get", f"/sessions/{session.pk}/reflections", roles.teacher).status_code == 403
    assert len(api("get", f"/sessions/{session.pk}/reflections", roles.school_admin).json()) == 1
    r = api("post", f"/reflections/{rid}/review", roles.school_admin, accept=False, comment="")
    assert r.status_code == 400
    r = api("post", f"/reflections/{rid}/review", roles.school_admin, accept=False, comment="补充课例")
    assert r.json()["status"] == "returned" and Reflection.objects.get().review_comment == "补充课例"
