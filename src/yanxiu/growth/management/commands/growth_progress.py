"""``yanxiu growth_progress --school CODE --year YYYY --term N [--json] [--today YYYY-MM-DD]``.

Prints each current teacher's progress against their task list in term N of
school year YYYY (the term starting in autumn YYYY is term 1), counting
accepted and imported records by their date within the term (items due per
year over the school year). ``--json`` prints one JSON object per teacher per
line (JSON Lines)::

    {"id_number": "...", "name": "...", "tier": "young", "template": "青年教师“六个一”",
     "items": [{"kind": "observation", "target": 17, "done": 12, "behind": true}, ...]}

``behind`` is judged as of today, or of ``--today`` for a reproducible run.
Without ``--json`` a table in Chinese. A bad school code, a year outside
1950–2100 or a term other than 1 or 2 is an error on stderr with exit status 2.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org.models import School

from ... import calendar
from ...progress import school_progress, spans

USAGE_ERROR = 2


def _fail(message: str):
    raise CommandError(message, returncode=USAGE_ERROR)


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        _fail(_("--today 须是 YYYY-MM-DD 格式的日期，收到“%(value)s”。") % {"value": value[:20]})
    if not calendar.MIN_YEAR <= day.year <= calendar.MAX_YEAR:
        _fail(_("--today 须在 %(lo)s 到 %(hi)s 年之间。") % {"lo": calendar.MIN_YEAR, "hi": calendar.MAX_YEAR})
    return day


class Command(BaseCommand):
    help = _("按学期统计教师成长任务的完成情况（已通过审核或导入的记录），列出进度落后的项目。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--year", required=True, help=_("学年（秋季开学的年份，如 2025 表示 2025—2026 学年）"))
        parser.add_argument("--term", required=True, help=_("学期：1 或 2"))
        parser.add_argument("--json", action="store_true", help=_("每位教师输出一行 JSON"))
        parser.add_argument("--today", help=_("按此日期判断是否落后（YYYY-MM-DD，默认今天）"))

    def handle(self, *args, **options) -> None:
        code = options["school"].strip()[:20]
        school = School.objects.filter(code=code).first()
        if school is None:
            _fail(_("找不到学校标识码为“%(code)s”的学校。") % {"code": code})
        year, term = options["year"].strip(), options["term"].strip()
        if not (year.isascii() and year.isdigit() and calendar.MIN_YEAR <= int(year) <= calendar.MAX_YEAR):
            _fail(_("--year 须是 %(lo)s 到 %(hi)s 之间的学年，收到“%(value)s”。")
                  % {"lo": calendar.MIN_YEAR, "hi": calendar.MAX_YEAR, "value": year[:20]})
        if term not in ("1", "2"):
            _fail(_("--term 只能是 1 或 2，收到“%(value)s”。") % {"value": term[:20]})
        today = _day(options["today"]) if options["today"] else timezone.localdate()
        year, term = int(year), int(term)
        term_spans = spans(school, year, term)
        rows = school_progress(school, year=year, term=term, today=today, term_spans=term_spans)
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps(row.as_json(), ensure_ascii=False))
            return
        self._table(school, term_spans[0], rows, today)

    def _table(self, school, span, rows, today) -> None:
        self.stdout.write(_("%(school)s %(term)s（%(start)s 至 %(end)s），按 %(today)s 判断进度")
                          % {"school": school.name, "term": span.label, "start": span.start, "end": span.end, "today": today})
        behind = 0
        for row in rows:
            behind += row.behind
            items = "；".join(
                f"{item.kind_label} {item.done}/{item.target}{_('（落后）') if item.behind else ''}" for item in row.items
            ) or _("未设任务清单")
            template = row.template.name if row.template else "—"
            self.stdout.write(f"{row.person.name}\t{row.tier_label or '—'}\t{template}\t{items}")
        self.stdout.write(_("共 %(n)d 名教师，进度落后 %(behind)d 名。") % {"n": len(rows), "behind": behind})
