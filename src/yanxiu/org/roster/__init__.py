"""Roster import: a school's staff spreadsheet -> Person + Employment + account.

The spreadsheet is the kind bureaus hand out (教职工花名册): a title row or
two, then a header row, then one teacher per row. Columns are found by their
header text (with common aliases) in any order; values are matched to the
choices of :mod:`yanxiu.org.choices` by their Chinese labels and a few usual
variants.

Two entry points:

- :func:`preview_roster` reads and validates, writes nothing;
- :func:`import_roster` runs the same validation and, only when the whole file
  is clean, writes everything in one transaction (all or nothing).

Both return a :class:`RosterReport`; problems in the file are reported, never
raised. Each problem names the row as the user sees it in the spreadsheet
(1-based, title rows included) and the column by its header text in the file.

A row whose ID number belongs to a current teacher of *this* school updates
that employment; one that belongs to a teacher of another school is refused
(that is a transfer, which keeps the person's record, 档随人走). A person known
from an earlier, ended employment gets a new employment.

Writes are bulk so that a 10,000-row file imports in a second or two:
``bulk_create`` for people and employments, one ``executemany`` for accounts
and group memberships. Created rows get their simple_history rows copied by
the database (see ``HISTORY_ON_CREATE``); changed rows get them through
simple-history. One ``roster.import`` audit event with the counts records
each import.

The modules, in the order a file goes through them: :mod:`.columns` (the
columns and value vocabularies), :mod:`.read` (header and rows, no database),
:mod:`.check` (against the database, reads only), :mod:`.write` (the bulk
writes); :mod:`.report` holds what is returned. This module runs them.
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yanxiu.accounts.otp import new_usernames
from yanxiu.core import audit, sheets
from yanxiu.core.events import Event
from yanxiu.org import scopes

from ..models import School
from .check import STAGES_OF_SCHOOL, _check_known, _current_here, _load_known, stages_of_school  # noqa: F401
from .columns import COLUMNS  # noqa: F401
from .read import _parse_date, _prepare, _ValueError  # noqa: F401
from .report import RosterReport, RowError
from .write import BATCH_SIZE, write_rows  # noqa: F401

__all__ = ["RowError", "RosterReport", "preview_roster", "import_roster", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = sheets.SUPPORTED_EXTENSIONS
# History rows (simple_history) for the people and employments an import
# creates are copied by the database (core.history.record_created, one
# INSERT … SELECT per chunk); simple-history's own bulk helper builds them in
# Python and more than doubled the import's time. Changes to known people and
# employments go through bulk_update_with_history (few per import). Read at
# each import, so a bulk load may switch it off here.
HISTORY_ON_CREATE = True


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a roster is read and written.

    An import allocates hundreds of thousands of short-lived containers, which
    makes the collector run (and walk every live object) again and again; pausing
    it saves about a fifth of the time. Reference counting still frees the
    garbage; the collector resumes when the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def preview_roster(*, school: School, file_name: str, data: bytes, create_groups: bool = False, actor=None) -> RosterReport:
    """Read and validate a roster without writing anything.

    The caller is responsible for checking that the user may manage ``school``.
    The report names the other school that employs a given ID number only for
    ``actor`` None (the command line) or region staff of that school's county.
    """
    with _gc_paused():
        return _preview(school=school, file_name=file_name, data=data, create_groups=create_groups, actor=actor)


def _preview(*, school: School, file_name: str, data: bytes, create_groups: bool = False, actor=None) -> RosterReport:
    rows, errors, count = _prepare(file_name, data)
    if rows:
        known = _load_known(school, rows)
        _check_known(school, rows, known, errors, create_groups=create_groups, actor=actor)
        new = sum(1 for r in rows if not r.failed and _current_here(r, known, school) is None)
        updated = sum(1 for r in rows if not r.failed and _current_here(r, known, school) is not None)
    else:
        new = updated = 0
    found = errors.sorted()
    return RosterReport(ok=not found, rows=count, created=new, updated=updated, errors=found, dry_run=True)


def import_roster(*, actor, school: School, file_name: str, data: bytes, create_groups: bool = False) -> RosterReport:
    """Validate a roster and, if it has no errors at all, import it in one transaction.

    ``actor`` must be allowed to manage ``school`` (else ``PermissionDenied``);
    ``None`` means the system and is for the ``import_roster`` management
    command only. Errors in the file are returned in the report (``ok`` False)
    and nothing is written. A group the file names and the school does not have
    is an error unless ``create_groups`` (an explicit choice) creates it.
    """
    if actor is not None and not scopes.can_manage_school(actor, school):
        raise PermissionDenied(_("您没有权限向该学校导入教师名单。"))
    with _gc_paused():
        return _import(actor=actor, school=school, file_name=file_name, data=data, create_groups=create_groups)


def _import(*, actor, school: School, file_name: str, data: bytes, create_groups: bool = False) -> RosterReport:
    rows, errors, count = _prepare(file_name, data)
    if errors.items or not rows:
        return RosterReport(ok=False, rows=count, errors=errors.sorted())
    try:
        with transaction.atomic():
            known = _load_known(school, rows)
            _check_known(school, rows, known, errors, create_groups=create_groups, actor=actor)
            if errors.items:
                return RosterReport(ok=False, rows=count, errors=errors.sorted())
            created, updated, unchanged, groups_created = write_rows(
                actor=actor, school=school, rows=rows, known=known,
                history_on_create=HISTORY_ON_CREATE, draw_usernames=new_usernames,
            )
            audit.record(
                actor=actor,
                event=Event.ROSTER_IMPORT,
                target=school,
                school=school,
                file=PurePath(file_name).name,
                rows=count,
                created=created,
                updated=updated,
                unchanged=unchanged,
                groups_created=groups_created,
            )
    except IntegrityError:
        return RosterReport(
            ok=False,
            rows=count,
            errors=[RowError(0, "", _("导入过程中数据被其他操作同时修改，本次导入未写入任何数据，请重新导入。"))],
        )
    return RosterReport(
        ok=True, rows=count, created=created, updated=updated, unchanged=unchanged, groups_created=groups_created
    )
