"""``yanxiu import_roster FILE --school CODE [--dry-run] [--json] [--create-groups]``.

Imports a staff roster into a school as the system (no acting user). Exit
status 0 only when the file had no errors (and, without ``--dry-run``, was
imported). ``--json`` prints exactly one JSON object:
``{"ok": bool, "rows": n, "errors": [{"row": r, "column": "...", "message": "..."}]}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yanxiu.core.import_commands import write_refusal
from yanxiu.org.models import School
from yanxiu.org.roster import RosterReport, RowError, import_roster, preview_roster


def format_error(error: RowError) -> str:
    if error.row <= 0:
        return _("文件：%(message)s") % {"message": error.message}
    if error.column:
        return _("第 %(row)d 行 [%(column)s]：%(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }
    return _("第 %(row)d 行：%(message)s") % {"row": error.row, "message": error.message}


class Command(BaseCommand):
    help = _("从教职工花名册（.xlsx/.xls/.ods/.csv）导入教师：人员、任职和账号。有任何错误时不写入数据。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("花名册文件"))
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))
        parser.add_argument(
            "--create-groups", action="store_true",
            help=_("新建表中填写、本校还没有的教研组/备课组（不加此项时，不存在的组名是错误）"),
        )

    def handle(self, *args, **options) -> None:
        as_json = options["json"]
        path = Path(options["file"])
        school = School.objects.filter(code=options["school"].strip()).first()
        problem = None
        if school is None:
            problem = _("找不到学校标识码为“%(code)s”的学校。") % {"code": options["school"]}
        elif not path.is_file():
            problem = _("找不到文件“%(path)s”。") % {"path": path}
        if problem is not None:
            if as_json:
                self._print_json(RosterReport(ok=False, rows=0, errors=[RowError(0, "", problem)]))
                sys.exit(1)
            raise CommandError(problem)

        data = path.read_bytes()
        create_groups = options["create_groups"]
        if options["dry_run"]:
            report = preview_roster(school=school, file_name=path.name, data=data, create_groups=create_groups)
        else:
            report = import_roster(actor=None, school=school, file_name=path.name, data=data, create_groups=create_groups)

        if as_json:
            self._print_json(report)
        else:
            self._print_summary(report, school=school, dry_run=options["dry_run"])
        if not report.ok:
            sys.exit(1)

    def _print_json(self, report: RosterReport) -> None:
        self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False))

    def _print_summary(self, report: RosterReport, *, school: School, dry_run: bool) -> None:
        if not report.ok:
            write_refusal(self.stdout, report, school_name=school.name, format_error=format_error)
            return
        if dry_run:
            self.stdout.write(
                _("%(school)s：检查通过，共 %(rows)d 行，将新增 %(created)d 人，另有 %(updated)d 人已在本校、将按表更新（未写入数据）。")
                % {"school": school.name, "rows": report.rows, "created": report.created, "updated": report.updated}
            )
            return
        self.stdout.write(
            _("%(school)s：导入完成，共 %(rows)d 行，新增 %(created)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人。")
            % {
                "school": school.name,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
        if report.groups_created:
            self.stdout.write(_("新建教研组/备课组：%(names)s") % {"names": "、".join(report.groups_created)})
