"""History rows written by the database for bulk creations.

django-simple-history writes a historical row per saved instance; for an
import of thousands of rows, building those instances in Python costs more
than the import itself. ``record_created`` copies the new rows into the
historical table with one ``INSERT … SELECT`` per chunk instead: the same
rows simple-history would write (type "+", date, user, reason).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

CHUNK = 2000


def record_created(model, pks: Sequence[int], *, user=None, reason: str = "") -> None:
    if not pks:
        return
    historical = model.history.model
    base_columns = {f.column for f in model._meta.concrete_fields}
    copied = [f.column for f in historical._meta.concrete_fields if f.column in base_columns]
    ops = connection.ops
    target = ", ".join(ops.quote_name(c) for c in copied)
    source = ", ".join(ops.quote_name(c) for c in copied)
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (
        f"INSERT INTO {ops.quote_name(historical._meta.db_table)} ({target}, {', '.join(ops.quote_name(c) for c in extra)}) "
        f"SELECT {source}, %s, %s, %s, %s FROM {ops.quote_name(model._meta.db_table)} WHERE {ops.quote_name(model._meta.pk.column)} IN ({{}})"
    )
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), CHUNK):
            chunk = list(pks[start : start + CHUNK])
            cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), [now, reason or None, "+", user_id, *chunk])
