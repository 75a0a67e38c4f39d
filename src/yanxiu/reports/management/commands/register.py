"""``yanxiu register --school CODE --year YYYY --xlsx FILE``: a school's register of one school year.

Sheet 1 (台账): every active ledger row of the school's current teachers in school
year YYYY (the year starting in autumn YYYY), with the teacher's name, masked ID
number and registering school, then date, level, kind, category, title, hours
(and credits where the county's policy counts 学分), source and evidence. Sheet 2
(教师汇总): one row per teacher, as the school register page shows it. ID numbers
are masked. A bad school code or year is an error on stderr with exit status 2,
and no file is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yanxiu.core import params
from yanxiu.org.models import School

from ...registers import write_school_register

USAGE_ERROR = 2


def _fail(message: str):
    raise CommandError(message, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = _("导出学校某学年的学时台账（Excel）：第一页为每条学时记录，第二页为每位教师的汇总。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--year", required=True, help=_("学年（秋季开学的年份，如 2025 表示 2025—2026 学年）"))
        parser.add_argument("--xlsx", required=True, help=_("输出的 Excel 文件路径"))

    def handle(self, *args, **options) -> None:
        code = options["school"].strip()[:20]
        school = School.objects.filter(code=code).select_related("county").first()
        if school is None:
            _fail(_("找不到学校标识码为“%(code)s”的学校。") % {"code": code})
        raw = options["year"].strip()
        low, high = params.year_bounds()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and low <= int(raw) <= high):
            _fail(_("--year 须是 %(lo)s 到 %(hi)s 之间的学年，收到“%(value)s”。") % {"lo": low, "hi": high, "value": raw[:20]})
        target = Path(options["xlsx"])
        if target.suffix.lower() != ".xlsx":
            _fail(_("--xlsx 须是以 .xlsx 结尾的文件名，收到“%(value)s”。") % {"value": str(target)[:200]})
        if not target.parent.is_dir():
            _fail(_("目录“%(dir)s”不存在。") % {"dir": str(target.parent)[:200]})
        year = int(raw)
        partial = target.with_name(target.name + ".part")
        try:
            entries, teachers = write_school_register(partial, school, year)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(_("已写入 %(path)s：%(school)s %(y)s—%(n)s 学年，学时记录 %(entries)d 条，教师 %(teachers)d 人。")
                          % {"path": target, "school": school.name, "y": year, "n": year + 1, "entries": entries, "teachers": teachers})
