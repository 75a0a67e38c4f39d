"""Private helpers shared by the training services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yanxiu.org import scopes


def _local(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _actor_person(actor):
    from yanxiu.org.models import Person

    person_id = scopes.scope_of(actor).person_id
    scopes.require(person_id is not None, _("您的账号未关联教师档案。"))
    return Person.objects.get(pk=person_id)
