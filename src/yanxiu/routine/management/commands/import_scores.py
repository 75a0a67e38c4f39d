"""``yanxiu import_scores FILE --school CODE --exam NAME [--date YYYY-MM-DD] [--full-marks N] [--dry-run] [--json]``.

Creates the exam and imports its scores (:mod:`yanxiu.routine.importing`) as
the system (no acting user). Exit status 0 only when the file and the options
had no errors (and, without ``--dry-run``, the scores were imported).
``--json`` prints exactly one JSON object, the roster import's:
``{"ok": bool, "rows": n, "errors": [{"row": r, "column": "...", "message": "..."}]}``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yanxiu.core.import_commands import write_refusal
from yanxiu.org.models import School
from yanxiu.routine.importing import ExamInput, RowError, ScoreReport, import_scores, preview_scores


def format_error(error: RowError) -> str:
    if error.row <= 0:
        where = _("文件") if not error.column else error.column
        return _("%(where)s：%(message)s") % {"where": where, "message": error.message}
    if error.column:
        return _("第 %(row)d 行 [%(column)s]：%(message)s") % {"row": error.row, "column": error.column, "message": error.message}
    return _("第 %(row)d 行：%(message)s") % {"row": error.row, "message": error.message}


def _date(value: str | None) -> tuple[dt.date | None, str | None]:
    if not value:
        return None, None
    try:
        return dt.date.fromisoformat(value.strip()[:10]), None
    except ValueError:
        return None, _("考试日期“%(v)s”无法识别，请按 YYYY-MM-DD 填写（如 2025-01-15）。") % {"v": value[:20]}


class Command(BaseCommand):
    help = _("从成绩表（.xlsx/.xls/.ods/.csv）建立一次考试并导入学生成绩。有任何错误时不写入数据。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("成绩表文件"))
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--exam", required=True, help=_("考试名称（本校唯一；名称中的“期末”“期中”“月考”“单元”决定考试类型）"))
        parser.add_argument("--date", help=_("考试日期 YYYY-MM-DD（默认今天；据此确定学年和学期）"))
        parser.add_argument("--full-marks", help=_("满分（默认 100）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(self, *args, **options) -> None:
        as_json = options["json"]
        path = Path(options["file"])
        school = School.objects.filter(code=options["school"].strip()[:20]).first()
        day, problem = _date(options["date"])
        if school is None:
            problem = _("找不到学校标识码为“%(code)s”的学校。") % {"code": options["school"][:20]}
        elif not path.is_file():
            problem = _("找不到文件“%(path)s”。") % {"path": path}
        if problem is not None:
            if as_json:
                self.stdout.write(json.dumps(ScoreReport(ok=False, rows=0, errors=[RowError(0, "", problem)]).to_json(),
                                             ensure_ascii=False))
                sys.exit(1)
            raise CommandError(problem)
        exam = ExamInput(name=options["exam"], date=day, full_marks=options["full_marks"])
        data = path.read_bytes()
        if options["dry_run"]:
            report = preview_scores(school=school, file_name=path.name, data=data, exam=exam)
        else:
            report = import_scores(actor=None, school=school, file_name=path.name, data=data, exam=exam)
        if as_json:
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            self._print_summary(report, school=school, dry_run=options["dry_run"])
        if not report.ok:
            sys.exit(1)

    def _print_summary(self, report: ScoreReport, *, school: School, dry_run: bool) -> None:
        if not report.ok:
            write_refusal(self.stdout, report, school_name=school.name, format_error=format_error)
            return
        facts = {"school": school.name, "rows": report.rows, "classes": len(report.classes),
                 "subjects": "、".join(report.subjects), "scores": report.scores}
        if dry_run:
            self.stdout.write(_("%(school)s：检查通过，共 %(rows)d 名学生、%(classes)d 个班，学科：%(subjects)s，"
                                "将导入 %(scores)d 条成绩（未写入数据）。") % facts)
        else:
            self.stdout.write(_("%(school)s：导入完成，共 %(rows)d 名学生、%(classes)d 个班，学科：%(subjects)s，"
                                "导入 %(scores)d 条成绩。") % facts)
        if report.ignored:
            self.stdout.write(_("未导入的列：%(cols)s") % {"cols": "、".join(report.ignored)})
