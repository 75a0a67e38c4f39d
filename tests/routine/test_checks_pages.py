"""Teaching-routine check pages: who sees which check and finding, recording through the form, counts, exports, hostile queries."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yanxiu.routine.check_forms import FINDING_ROWS
from yanxiu.routine.models import CheckAttachment, CheckFinding, CheckKind, RoutineCheck
from yanxiu.routine.services.checks import check_record

from .conftest_checks import IN_TERM, fake_png, finding, kinds, media, png, principal  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(roles, school, kinds, principal, media):
    """A 随堂听课 by the principal of 张老师 (not in a group) and 组员 (in the leader's group), with a photo."""
    return check_record(actor=principal, school=school, kind=kinds["随堂听课"], date=IN_TERM, checker=principal.person,
                        findings=[finding(roles.teacher, "improve", "三（2）班", "提问过多"), finding(roles.member, "excellent", "三（1）班", "组织有序")],
                        files=[png()])


def _get(client, user, url, **query):
    client.force_login(user)
    return client.get(url, query)


def test_teacher_sees_own_findings_only(client, roles, check):
    response = _get(client, roles.teacher, reverse("routine:my_checks"))
    text = response.content.decode()
    assert response.status_code == 200 and "提问过多" in text and "随堂听课" in text
    assert "组织有序" not in text
    export = _get(client, roles.teacher, reverse("routine:my_checks"), export="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "提问过多" in values and "组织有序" not in values
    assert _get(client, roles.member, reverse("routine:my_checks")).content.decode().count("组织有序") == 1
    # The teacher opens neither the school's list, nor the check, nor its papers, nor the feedback button.
    assert _get(client, roles.teacher, reverse("routine:checks")).status_code == 403
    assert _get(client, roles.teacher, reverse("routine:check_detail", args=[check.pk])).status_code == 404
    attachment = check.attachments.get()
    assert _get(client, roles.teacher, reverse("routine:check_attachment", args=[attachment.pk])).status_code == 404
    response = client.post(reverse("routine:finding_feedback", args=[check.findings.first().pk]))
    assert response.status_code == 404
    assert not CheckFinding.objects.filter(feedback_on__isnull=False).exists()


def test_another_school_gets_404(client, roles, school, check):
    detail = reverse("routine:check_detail", args=[check.pk])
    for user in (roles.other_admin, roles.other_teacher, roles.far_bureau):
        assert _get(client, user, detail).status_code == 404
    assert _get(client, roles.other_admin, reverse("routine:checks"), school=school.pk).status_code == 404
    own = _get(client, roles.other_admin, reverse("routine:checks"))
    assert own.status_code == 200 and "提问过多" not in own.content.decode() and "王校长" not in own.content.decode()
    kind = check.kind
    assert _get(client, roles.other_admin, reverse("routine:check_kind_edit", args=[kind.pk])).status_code == 404
    assert _get(client, roles.other_admin, reverse("routine:check_counts"), school=school.pk).status_code == 404


def test_group_leader_sees_their_members_findings(client, roles, school, check):
    response = _get(client, roles.leader, reverse("routine:checks"))
    assert response.status_code == 200 and reverse("routine:check_detail", args=[check.pk]) in response.content.decode()
    detail = _get(client, roles.leader, reverse("routine:check_detail", args=[check.pk])).content.decode()
    assert "组织有序" in detail and "提问过多" not in detail
    assert "check-attachments" not in detail
    assert _get(client, roles.leader, reverse("routine:check_counts")).status_code == 403
    assert _get(client, roles.leader, reverse("routine:check_kinds")).status_code == 403
    assert _get(client, roles.member, reverse("routine:check_add")).status_code == 403


def test_group_leader_records_through_the_page(client, roles, school, kinds, media):
    client.force_login(roles.leader)
    page = client.get(reverse("routine:check_add")).content.decode()
    kind_options = page.split('name="kind"')[1].split("</select>")[0]
    assert "写字本" in kind_options and "随堂听课" not in kind_options  # the leaders' kinds are not offered
    people = page.split('name="f-0-person"')[1].split("</select>")[0]
    assert "组员" in people and "张老师" not in people
    data = _form_data(kinds["写字本"], roles.leader.person, [(roles.member.person, "good", "书写工整")])
    assert client.post(reverse("routine:check_add"), data).status_code == 302
    assert RoutineCheck.objects.get().checker == roles.leader.person
    refused = _form_data(kinds["写字本"], roles.leader.person, [(roles.teacher.person, "good", "")])
    assert client.post(reverse("routine:check_add"), refused).status_code == 400
    assert RoutineCheck.objects.count() == 1


def test_school_readers_see_everything(client, roles, school, check, principal):
    for user in (roles.school_admin, principal, roles.bureau, roles.centre):
        detail = _get(client, user, reverse("routine:check_detail", args=[check.pk]), school=school.pk)
        text = detail.content.decode()
        assert detail.status_code == 200 and "组织有序" in text and "提问过多" in text and "check.png" in text
    attachment = _get(client, principal, reverse("routine:check_attachment", args=[check.attachments.get().pk]))
    assert attachment.status_code == 200 and attachment["Content-Security-Policy"] == "sandbox"
    exported = _get(client, roles.school_admin, reverse("routine:checks"), export="xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[1][1:3] == ("随堂听课", "王校长")


def test_feedback_button(client, roles, check, principal):
    target = check.findings.get(person=roles.teacher.person)
    client.force_login(principal)
    response = client.post(reverse("routine:finding_feedback", args=[target.pk]), {"day": (IN_TERM + dt.timedelta(days=9)).isoformat()})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.feedback_on == IN_TERM + dt.timedelta(days=9)
    page = client.get(reverse("routine:check_detail", args=[check.pk])).content.decode()
    assert "反馈逾期" in page
    assert client.post(reverse("routine:finding_feedback", args=[target.pk])).status_code == 302  # refused as a message
    assert client.get(reverse("routine:finding_feedback", args=[target.pk])).status_code == 405


def _form_data(kind, checker, rows, **extra):
    data = {"kind": kind.pk, "date": IN_TERM.isoformat(), "checker": checker.pk, "scope": "三年级", "summary": "",
            "f-TOTAL_FORMS": "8", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "200", **extra}
    for n, (person, grade, comment) in enumerate(rows):
        data.update({f"f-{n}-person": person.pk, f"f-{n}-grade": grade, f"f-{n}-comment": comment, f"f-{n}-class_name": ""})
    return data


def test_record_through_the_page(client, roles, school, principal, media):
    client.force_login(principal)
    page = client.get(reverse("routine:check_add"))
    assert page.status_code == 200 and "随堂听课" in page.content.decode()  # the presets arrive on first use
    kind = CheckKind.objects.get(school=school, name="备课")
    data = _form_data(kind, principal.person, [(roles.teacher.person, "good", "教案详实"), (roles.member.person, "pass", "")])
    response = client.post(reverse("routine:check_add"), {**data, "attachments": [png()]})
    assert response.status_code == 302
    made = RoutineCheck.objects.get()
    assert response["Location"] == reverse("routine:check_detail", args=[made.pk])
    assert made.findings.count() == 2 and made.attachments.count() == 1


def test_page_refuses_a_bad_file_and_writes_nothing(client, roles, school, principal, media):
    client.force_login(principal)
    client.get(reverse("routine:check_kinds"))
    kind = CheckKind.objects.get(school=school, name="备课")
    data = _form_data(kind, principal.person, [(roles.teacher.person, "good", "")])
    response = client.post(reverse("routine:check_add"), {**data, "attachments": [fake_png()]})
    assert response.status_code == 400 and "page.png" in response.content.decode()
    no_grade = _form_data(kind, principal.person, [(roles.teacher.person, "", "")])
    response = client.post(reverse("routine:check_add"), no_grade)
    assert response.status_code == 400 and "请选择等级" in response.content.decode()
    empty = _form_data(kind, principal.person, [])
    response = client.post(reverse("routine:check_add"), empty)
    assert response.status_code == 400 and "至少填写一位" in response.content.decode()
    assert (RoutineCheck.objects.count(), CheckFinding.objects.count(), CheckAttachment.objects.count()) == (0, 0, 0)


def test_kind_pages(client, roles, school):
    client.force_login(roles.school_admin)
    assert "教学常规检查" in client.get(reverse("routine:check_kinds")).content.decode()
    response = client.post(reverse("routine:check_kind_add"), {"name": "实验记录", "cadence": "monthly", "per_period": "2", "is_active": "on"})
    assert response.status_code == 302
    kind = CheckKind.objects.get(school=school, name="实验记录")
    assert (kind.per_period, kind.is_active, kind.feedback_days) == (2, True, None)
    response = client.post(reverse("routine:check_kind_edit", args=[kind.pk]), {"name": "实验记录", "cadence": "monthly", "per_period": "99"})
    assert response.status_code == 400 and "每周期次数" in response.content.decode()
    response = client.post(reverse("routine:check_kind_edit", args=[kind.pk]), {"name": "实验记录", "cadence": "weekly", "per_period": "1"})
    kind.refresh_from_db()
    assert response.status_code == 302 and (kind.cadence, kind.is_active) == ("weekly", False)
    client.force_login(roles.teacher)
    assert client.get(reverse("routine:check_kinds")).status_code == 403


def test_counts_page_and_export(client, roles, school, check, principal):
    client.force_login(roles.school_admin)
    page = client.get(reverse("routine:check_counts"), {"year": 2025, "term": 1})
    text = page.content.decode()
    assert page.status_code == 200 and "随堂听课" in text and "落后" in text and "王校长" in text
    export = client.get(reverse("routine:check_counts"), {"year": 2025, "term": 1, "export": "xlsx"})
    assert export.status_code == 200 and "filename*=UTF-8''" in export["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    listening = [r for r in rows if r[0] == "随堂听课"]
    assert listening[0][1:7] == ("全校", "每周 2 次", 42, 42, 1, "落后")
    assert listening[1][1] == "王校长" and listening[1][5] == 1


@pytest.mark.parametrize("query", [
    {"year": str(10**30)}, {"year": "-5"}, {"year": "abc"}, {"term": "3"}, {"term": "x" * 50}, {"school": "abc"},
    {"school": str(10**30)},
])
def test_hostile_count_parameters_are_400(client, roles, query):
    client.force_login(roles.school_admin)
    assert client.get(reverse("routine:check_counts"), query).status_code == 400


@pytest.mark.parametrize("query", [{"kind": str(10**30)}, {"kind": "-1"}, {"school": "1e5"}, {"page": "9" * 40, "sort": "x" * 99}])
def test_hostile_list_parameters(client, roles, query):
    client.force_login(roles.school_admin)
    status = client.get(reverse("routine:checks"), query).status_code
    assert status == (200 if "page" in query else 400)



def test_the_add_page_lists_the_staff_once_for_every_row(client, roles, school):
    client.force_login(roles.school_admin)
    client.get(reverse("routine:check_add"))
    with CaptureQueriesContext(connection) as seen:
        page = client.get(reverse("routine:check_add")).content.decode()
    people = [q["sql"] for q in seen.captured_queries if 'FROM "org_person"' in q["sql"]]
    assert len(people) < FINDING_ROWS  # not one staff query per teacher row
    assert page.count(f'value="{roles.member.person.pk}"') >= FINDING_ROWS  # yet every row offers the staff
