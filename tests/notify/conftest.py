"""Notify fixtures: the training, growth and credits fixtures, and helpers reading who was told what."""

from __future__ import annotations

import pytest

from tests.growth.conftest import growth, policy  # noqa: F401  (fixtures)
from tests.training.conftest import at, bureau_project, bureau_session, category, own_category, published_session, ready_session, school_project  # noqa: F401


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the on-commit callbacks of what happens inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told(kind: str | None = None, *, topic: str | None = None) -> set[str]:
    """Usernames holding a message (of ``kind``, about ``topic``)."""
    from yanxiu.notify.models import Message

    rows = Message.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if topic:
        rows = rows.filter(topic=topic)
    return set(rows.values_list("recipient__username", flat=True))


def everyone_else(roles, *names: str) -> set[str]:
    """The usernames of the ``roles`` users not named."""
    users = {k: v.username for k, v in vars(roles).items()}
    return {u for k, u in users.items() if k not in names}
