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
