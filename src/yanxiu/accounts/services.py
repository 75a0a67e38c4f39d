from django.db import transaction

from yanxiu.core import audit

from .models import User


@transaction.atomic
def password_set(*, user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="account.password_set", target=user)


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record(actor=actor, action="account.unlock", target=user)


@transaction.atomic
def password_reset_to_initial(*, actor: User, user: User) -> None:
    """Back to the initial password (last six characters of the ID number), unlocked."""
    user.set_unusable_password()
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
    audit.record(actor=actor, action="account.password_reset", target=user)
