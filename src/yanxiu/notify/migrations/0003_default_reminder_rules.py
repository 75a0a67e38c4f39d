"""The installation's default reminder rules (editable on the reminder rules page)."""

from django.db import migrations

DEFAULTS = [
    # what, days, hours
    ("session_start", 1, 0),        # the day before a session
    ("session_start", 0, 1),        # and an hour before
    ("quota_deadline", 2, 0),       # quota names 2 days before the deadline
    ("questionnaire_close", 1, 0),  # questionnaires 1 day before they close
    ("reflection_due", 2, 0),       # reflections 2 days after a session, to those present who have not submitted
    ("objection_deadline", 1, 0),   # open objections 1 day before the posting ends
    ("approval_escalation", 3, 0),  # leave requests undecided for 3 days
]


def create(apps, schema_editor):
    ReminderRule = apps.get_model("notify", "ReminderRule")
    for what, days, hours in DEFAULTS:
        if not ReminderRule.objects.filter(what=what, county__isnull=True, days=days, hours=hours).exists():
            ReminderRule.objects.create(what=what, days=days, hours=hours, enabled=True)


def remove(apps, schema_editor):
    ReminderRule = apps.get_model("notify", "ReminderRule")
    for what, days, hours in DEFAULTS:
        ReminderRule.objects.filter(what=what, county__isnull=True, days=days, hours=hours, sent__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_reminders_notices")]
    operations = [migrations.RunPython(create, remove)]
