"""Write a session's sign-in sheet to an Excel file (phones always masked)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yanxiu.attendance import exports, selectors
from yanxiu.training.models import Session


class _System:
    """The command runs with the operator's authority over every session."""

    is_authenticated = True
    is_superuser = True
    pk = None
    _yanxiu_scope = None


class Command(BaseCommand):
    help = "Export a session's sign-in sheet (签到表) as .xlsx"

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int)
        parser.add_argument("--xlsx", required=True, help="output file path")

    def handle(self, *args, session_id, xlsx, **options):
        session = Session.objects.select_related("project").filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"session {session_id} does not exist")
        from yanxiu.org.scopes import Scope

        actor = _System()
        actor._yanxiu_scope = Scope(superuser=True)
        rows = selectors.attendance_sheet(user=actor, session=session)
        Path(xlsx).write_bytes(exports.sheet_workbook(session, rows))
        self.stdout.write(f"{len(rows)} rows written to {xlsx}")
