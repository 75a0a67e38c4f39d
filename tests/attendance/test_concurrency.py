"""Many phones signing in at once to one session.

Needs real concurrent connections: on SQLite the test database must be a file
(the suite sets YANXIU_TEST_SQLITE_NAME for this); with pytest-django's
default in-memory SQLite database the test is skipped. PostgreSQL always runs it.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from yanxiu.accounts.models import User
from yanxiu.attendance import services
from yanxiu.attendance.models import Attendance
from yanxiu.core.models import AuditEvent
from yanxiu.org.models import Person
from yanxiu.training.models import Enrollment

from ..conftest import make_id_number

TEACHERS = 200
WORKERS = 40  # concurrent connections; PostgreSQL allows 100 by default


@pytest.mark.django_db(transaction=True)
def test_200_simultaneous_sign_ins_make_exactly_200_rows(sessions, county, school):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot be shared between threads; set YANXIU_TEST_SQLITE_NAME to a file path")
    session = sessions.make()
    users = User.objects.bulk_create([User(username=f"burst{i}", password="!") for i in range(TEACHERS)])
    people = Person.objects.bulk_create([
        Person(name=f"教师{i}", gender="M", birth_date="1985-06-15", id_number=make_id_number(i, place="430121"), user=u)
        for i, u in enumerate(users)
    ])
    Enrollment.objects.bulk_create([Enrollment(session=session, person=p, school=school) for p in people])

    # Every teacher signs in once, and the first 50 press the button twice at the same time.
    attempts = list(range(TEACHERS)) + list(range(50))
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []
    lock = threading.Lock()
    chunks = [attempts[i::WORKERS] for i in range(WORKERS)]

    def worker(chunk):
        try:
            barrier.wait(timeout=30)
            for i in chunk:
                user = User.objects.get(pk=users[i].pk)
                result = services.attendance_sign_in(actor=user, session=session, method="qr", device=f"phone-{i:06d}-xxxxxxxx")
                with lock:
                    results.append((i, result.created))
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, chunks))

    assert errors == []
    assert Attendance.objects.filter(session=session).count() == TEACHERS
    assert len({a for a in Attendance.objects.filter(session=session).values_list("person_id", flat=True)}) == TEACHERS
    assert sum(1 for _, created in results if created) == TEACHERS
    assert AuditEvent.objects.filter(action="attendance.sign_in").count() == TEACHERS
    assert not Attendance.objects.filter(device_flagged=True).exists()
