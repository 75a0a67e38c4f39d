"""A material's file goes only once its removal has committed; a rolled-back removal leaves it."""

from pathlib import Path

import pytest
from django.db import transaction

from yanxiu.archive import services
from yanxiu.archive.models import Material
from yanxiu.core.models import AuditEvent

from .conftest import pdf

pytestmark = pytest.mark.django_db


class Stop(Exception):
    pass


def test_a_rolled_back_removal_leaves_the_row_the_file_and_no_audit_row(roles, session, add, django_capture_on_commit_callbacks):
    material = add(session, pdf())
    path = Path(material.file.path)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Stop):
            with transaction.atomic():
                waiting = len(transaction.get_connection().run_on_commit)
                services.material_remove(actor=roles.member, material=material)
                assert not Material.objects.filter(pk=material.pk).exists()
                # The file's removal is scheduled for the commit, not done: so the rollback can drop it.
                assert len(transaction.get_connection().run_on_commit) == waiting + 1 and path.exists()
                raise Stop  # whatever the caller did next failed
    assert callbacks == []  # the file removal was dropped with the transaction
    assert path.exists() and Material.objects.filter(pk=material.pk).exists()
    assert not AuditEvent.objects.filter(action="material.remove").exists()


def test_the_file_is_not_touched_before_the_commit(roles, session, add, django_capture_on_commit_callbacks):
    material = add(session, pdf())
    path = Path(material.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.material_remove(actor=roles.member, material=material)
        assert path.exists()
    assert len(callbacks) == 1 and path.exists()
    callbacks[0]()
    assert not path.exists()


def test_a_storage_error_after_the_commit_does_not_undo_a_done_removal(roles, session, add, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    material = add(session, pdf())
    storage = material.file.storage

    tried = []

    def refuse(name):
        tried.append(name)
        raise OSError("disk unavailable")

    monkeypatch.setattr(storage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.material_remove(actor=roles.member, material=material)  # does not raise
    assert len(callbacks) == 1
    assert tried == [material.file.name]  # the removal was attempted after the commit, and failed
    assert not Material.objects.filter(pk=material.pk).exists()
    assert AuditEvent.objects.filter(action="material.remove").count() == 1
