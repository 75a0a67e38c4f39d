"""Import of past growth records: a school's 听课记录 and 成果登记 registers.

The roster import's rules (:mod:`yanxiu.org.roster`): the file is read by the
bounded reader :mod:`yanxiu.core.sheets`; columns are found by their header
text and synonyms in any order, below title rows; every problem is reported
with its row as the user sees it, its column as the file heads it and a
Chinese reason; only a file without any problem is written, in one
transaction (all or nothing).

- Each row is matched to its teacher by ID number (a current or past
  teacher of the school), or, without an ID column or cell, by a name that is
  one teacher's among the school's staff; ambiguous and unknown names are errors.
- Its kind by the Chinese names of :class:`~yanxiu.growth.choices.RecordKind`
  and :data:`~yanxiu.growth.choices.KIND_SYNONYMS`; a register of one kind may
  say it in its sheet name or title (听课记录) instead of a 类型 column.
- Each record meets the rules of a record filed by hand
  (:func:`yanxiu.growth.services.records.check_record`).
- Imported records arrive accepted (``source="imported"``, ``import_row``), so
  they count towards progress by their date; they are not credited (the
  ledger has its own result import). One ``growth.record_import`` audit row
  with the counts records each import.
- Re-importing a file does not double its records: a row that matches a
  record already there (same teacher, kind, date and name) is an error, so is
  one repeating an earlier row of the file. Errors rather than silent skips:
  a file that was partly imported before is shown row by row.

:func:`preview_records` checks and writes nothing (``--dry-run``, the page's
preview); :func:`import_records` checks again and writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event

from .. import access
from ..models import GrowthRecord
from .check import Checker
from .read import prepare
from .report import ImportReport, RowError

__all__ = ["ImportReport", "RowError", "preview_records", "import_records"]

BATCH_SIZE = 500


def _require(actor, school) -> None:
    if actor is not None and not access.can_manage(actor, school):
        raise PermissionDenied(_("您没有权限向该学校导入成长记录。"))


def preview_records(*, school, file_name: str, data: bytes, actor=None, today: dt.date | None = None) -> ImportReport:
    """Read and check a register without writing anything.

    ``actor`` None is the system (the ``import_growth`` command); a user must manage ``school``."""
    _require(actor, school)
    today = today or timezone.localdate()
    table = prepare(file_name, data, today=today)
    records = Checker(school=school, table=table, actor=actor, today=today).check() if table.rows else []
    errors = table.errors.sorted()
    return ImportReport(ok=not errors, rows=table.count, created=len(records) if not errors else 0,
                        by_kind=_by_kind(records) if not errors else {}, errors=errors, dry_run=True)


def import_records(*, actor, school, file_name: str, data: bytes, today: dt.date | None = None) -> ImportReport:
    """Check a register and, when no row has a problem, write all its records in one transaction."""
    _require(actor, school)
    today = today or timezone.localdate()
    table = prepare(file_name, data, today=today)
    if not table.rows:
        return ImportReport(ok=False, rows=table.count, errors=table.errors.sorted())
    try:
        with transaction.atomic():
            records = Checker(school=school, table=table, actor=actor, today=today).check()
            if table.errors:
                return ImportReport(ok=False, rows=table.count, errors=table.errors.sorted())
            GrowthRecord.objects.bulk_create(records, batch_size=BATCH_SIZE)
            by_kind = _by_kind(records)
            audit.record(actor=actor, event=Event.GROWTH_RECORD_IMPORT, target=school, school=school,
                         file=PurePath(file_name).name[-120:], rows=table.count, created=len(records), by_kind=by_kind)
    except IntegrityError:
        return ImportReport(ok=False, rows=table.count, errors=[
            RowError(0, "", _("导入过程中数据被其他操作同时修改，本次导入未写入任何数据，请重新导入。"))])
    return ImportReport(ok=True, rows=table.count, created=len(records), by_kind=by_kind)


def _by_kind(records) -> dict[str, int]:
    return dict(sorted(Counter(r.kind for r in records).items()))
