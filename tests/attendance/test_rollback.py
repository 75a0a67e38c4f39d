"""A reflection whose transaction rolls back leaves the originality index as it was.

The index (``ShingleIndex``, ``ShingleStat``) and the similarity flags are
written in the submitting transaction, so they commit or vanish with the
reflection: a later submission is never compared against text that was not kept.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from yanxiu.attendance import services
from yanxiu.attendance.models import Reflection, ShingleIndex, ShingleStat, SimilarityFlag
from yanxiu.core.models import AuditEvent

from .conftest import text_of

pytestmark = pytest.mark.django_db


class Stop(Exception):
    pass


def _index_state():
    return (
        sorted(ShingleIndex.objects.values_list("reflection_id", "hash")),
        sorted(ShingleStat.objects.values_list("hash", "df")),
        sorted(SimilarityFlag.objects.values_list("reflection_id", "other_id")),
    )


def test_a_rolled_back_submission_leaves_the_index_and_flags_unchanged(sessions, roles, django_capture_on_commit_callbacks):
    session = sessions.make(enroll=[roles.teacher, roles.member])
    body = text_of(7)
    services.reflection_submit(actor=roles.teacher, session=session, notes="", body=body)
    before = _index_state()
    assert before[0]  # the first reflection is indexed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Stop):
            with transaction.atomic():
                copy = services.reflection_submit(actor=roles.member, session=session, notes="", body=body)
                assert SimilarityFlag.objects.filter(reflection=copy).exists()  # flagged inside the transaction
                # The index and the flags are written in the transaction itself: nothing waits for a commit,
                # so a rollback is all it takes to undo them.
                assert transaction.get_connection().run_on_commit == []
                raise Stop
    assert callbacks == []  # nothing of the rolled-back submission runs after a commit
    assert _index_state() == before
    assert not Reflection.objects.filter(person=roles.member.person).exists()
    assert AuditEvent.objects.filter(action="reflection.submit").count() == 1


def test_a_rolled_back_resubmission_keeps_the_earlier_text_indexed(sessions, roles):
    session = sessions.make(enroll=[roles.teacher])
    services.reflection_submit(actor=roles.teacher, session=session, notes="", body=text_of(3))
    before = _index_state()
    with pytest.raises(Stop):
        with transaction.atomic():
            services.reflection_submit(actor=roles.teacher, session=session, notes="", body=text_of(11))
            assert _index_state() != before
            raise Stop
    assert _index_state() == before
    assert Reflection.objects.get(person=roles.teacher.person).revision == 1
