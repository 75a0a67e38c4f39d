import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanxiu.accounts.models import User
from yanxiu.credits.importer import import_results


class Command(BaseCommand):
    help = (
        "Import the result list of a bureau/provincial/national training (xlsx, xls, ods or csv). "
        "All or nothing; prints one JSON object {ok, rows, credited, not_passed, errors:[{row, column, message}]} with --json; "
        "exits 0 only when ok."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument("--year", type=int, help="school year (start year, e.g. 2025 for 2025-2026); default: the current one")
        parser.add_argument("--user", help="username recorded as the importer (default: system)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no such user: {options['user']}")
        today = timezone.localdate()
        year = options["year"] or (today.year if today.month >= 9 else today.year - 1)
        result = import_results(actor=actor, name=path.name, data=path.read_bytes(), school_year=year, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            for error in result.errors:
                self.stdout.write(f"第 {error.row} 行 [{error.column}] {error.message}")
            verb = "可登记" if options["dry_run"] else "已登记"
            self.stdout.write(f"{result.rows} 行；{verb} {result.credited} 条；不合格 {result.failed_results} 条；错误 {len(result.errors)} 处")
        if not result.ok:
            raise SystemExit(1)
