"""Two submits of one teacher's answer at the same moment: no error, one sheet, the last answer kept.

Needs real concurrent connections: on SQLite the test database must be a file (YANXIU_TEST_SQLITE_NAME);
with the in-memory SQLite database the test is skipped. PostgreSQL always runs it.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from yanxiu.accounts.models import User
from yanxiu.core.models import AuditEvent
from yanxiu.needs import questionnaires as logic
from yanxiu.needs.models import Answer, Respondent, Response
from yanxiu.needs.services import questionnaires as services

ROUNDS = 4  # the first round races to create the sheet, the others to change it


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [False, True])
def test_two_submits_at_once_make_one_sheet(roles, school, anonymous):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot be shared between threads; set YANXIU_TEST_SQLITE_NAME to a file path")
    today = timezone.localdate()
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", title="并发问卷", school=school)
    services.questionnaire_update(actor=roles.school_admin, questionnaire=q, title=q.title, anonymous=anonymous, audience="all",
                                  groups=[], opens_on=today, closes_on=today + dt.timedelta(days=3))
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="single", text="您的教龄",
                           options=["5 年以下", "5-15 年", "15 年以上"])
    q = services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    question = logic.questions_of(q)[0]
    options = [str(o.pk) for o in question.option_list]
    teacher_pk = roles.teacher.pk

    errors: list[str] = []
    lock = threading.Lock()

    def submit(args):
        barrier, option = args
        try:
            user = User.objects.get(pk=teacher_pk)
            barrier.wait(timeout=30)
            services.questionnaire_respond(actor=user, questionnaire=q, answers={f"q{question.pk}": option})
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _round in range(ROUNDS):
            barrier = threading.Barrier(2)
            list(pool.map(submit, [(barrier, options[0]), (barrier, options[1])]))
            assert errors == [], errors
            assert Response.objects.filter(questionnaire=q).count() == 1
            assert Respondent.objects.filter(questionnaire=q).count() == 1
            assert Answer.objects.filter(response__questionnaire=q).count() == 1  # one of the two, not both
            assert str(Answer.objects.get(response__questionnaire=q).option_id) in options[:2]

    assert AuditEvent.objects.filter(action="questionnaire.respond", target_id=str(q.pk)).count() == 1
    assert AuditEvent.objects.filter(action="questionnaire.respond.update", target_id=str(q.pk)).count() == 2 * ROUNDS - 1
