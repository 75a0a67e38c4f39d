"""The delivery pass as a background task (django-tasks, run by ``yanxiu db_worker``).

:func:`send_messages` sends what is due (``channels.send_due``) and queues its
own next run ``YANXIU_NOTIFY_PASS_SECONDS`` later, like the daily tasks
(``core/daily.py``): it is listed in ``settings.DAILY_TASKS``, so
``yanxiu schedule_daily`` (run by scripts/serve.sh) starts it. A service that
queues a delivery also asks for a pass at once (:func:`queue_pass`), which does
nothing while a run is already waiting: a new message leaves within one pass
interval. Without a worker, ``yanxiu send_messages`` from cron does the same.

:func:`send_reminders` runs the reminder pass (``reminders.reminders_pass``) and
queues itself ``YANXIU_REMINDER_PASS_SECONDS`` (300) later; scripts/serve.sh
starts it (``yanxiu send_reminders --schedule``), or run ``yanxiu send_reminders``
from cron every few minutes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from yanxiu.core import daily

from . import channels, reminders


@task()
def send_messages() -> dict:
    """Send the due deliveries; queue the next pass."""
    result = channels.send_due()
    daily.queue_next(send_messages, after=dt.timedelta(seconds=max(5, settings.YANXIU_NOTIFY_PASS_SECONDS)))
    return result


def queue_pass() -> bool:
    """A pass as soon as the worker is free, unless one is already waiting; True when queued."""
    return daily.queue_next(send_messages, after=dt.timedelta(0))


def reminder_interval() -> dt.timedelta:
    return dt.timedelta(seconds=max(30, int(settings.YANXIU_REMINDER_PASS_SECONDS)))


@task()
def send_reminders() -> dict:
    """Send the reminders due now (never one already sent); queue the next pass."""
    try:
        result = reminders.reminders_pass()
    finally:
        daily.queue_next(send_reminders, after=reminder_interval())
    return result


def schedule_reminders() -> bool:
    """Queue a reminder pass now unless one is waiting (serve.sh at start); True when queued."""
    return daily.queue_next(send_reminders, after=dt.timedelta(0))
