"""``yanxiu import_growth FILE --school CODE [--dry-run] [--json]``.

Imports a school's register of past growth records (听课记录, 成果登记) as the
system (no acting user): :mod:`yanxiu.growth.importing`. Exit status 0 only
when the file had no errors (and, without ``--dry-run``, was imported).
``--json`` prints exactly one JSON object, the roster import's:
``{"ok": bool, "rows": n, "errors": [{"row": r, "column": "...", "message": "..."}]}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yanxiu.core.import_commands import write_refusal
from yanxiu.growth.importing import ImportReport, RowError, import_records, preview_records
from yanxiu.org.models import School


def format_error(error: RowError) -> str:
    if error.row <= 0:
        return _("文件：%(message)s") % {"message": error.message}
    if error.column:
        return _("第 %(row)d 行 [%(column)s]：%(message)s") % {"row": error.row, "column": error.column, "message": error.message}
    return _("第 %(row)d 行：%(message)s") % {"row": error.row, "message": error.message}


class Command(BaseCommand):
    help = _("从听课记录、成果登记等表格（.xlsx/.xls/.ods/.csv）导入以往的成长记录。有任何错误时不写入数据。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("登记表文件"))
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(self, *args, **options) -> None:
        as_json = options["json"]
        path = Path(options["file"])
        school = School.objects.filter(code=options["school"].strip()[:20]).first()
        problem = None
        if school is None:
            problem = _("找不到学校标识码为“%(code)s”的学校。") % {"code": options["school"][:20]}
        elif not path.is_file():
            problem = _("找不到文件“%(path)s”。") % {"path": path}
        if problem is not None:
            if as_json:
                self.stdout.write(json.dumps(ImportReport(ok=False, rows=0, errors=[RowError(0, "", problem)]).to_json(),
                                             ensure_ascii=False))
                sys.exit(1)
            raise CommandError(problem)
        data = path.read_bytes()
        if options["dry_run"]:
            report = preview_records(school=school, file_name=path.name, data=data)
        else:
            report = import_records(actor=None, school=school, file_name=path.name, data=data)
        if as_json:
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            self._print_summary(report, school=school, dry_run=options["dry_run"])
        if not report.ok:
            sys.exit(1)

    def _print_summary(self, report: ImportReport, *, school: School, dry_run: bool) -> None:
        if not report.ok:
            write_refusal(self.stdout, report, school_name=school.name, format_error=format_error)
            return
        if dry_run:
            self.stdout.write(_("%(school)s：检查通过，共 %(rows)d 行，将导入 %(n)d 条记录（%(kinds)s），未写入数据。") % {
                "school": school.name, "rows": report.rows, "n": report.created, "kinds": report.kinds_text()})
            return
        self.stdout.write(_("%(school)s：导入完成，共 %(rows)d 行，导入 %(n)d 条记录（%(kinds)s）。") % {
            "school": school.name, "rows": report.rows, "n": report.created, "kinds": report.kinds_text()})
