"""``yanxiu year_summary --school CODE --year YYYY --json [--docx FILE] [--pdf FILE]``.

Prints the figures of a school's year-end summary as one JSON object
``{"school": CODE, "school_year": YYYY, "figures": [{"key", "label", "value", "source"}, ...]}``
(values are JSON numbers, ``null`` where a rate has no base, or small lists / objects for
distributions; ``compliance_rate`` is a fraction such as 0.8125), and writes the summary as
.docx and / or PDF quoting the same values: the figures are computed once, at the command's
start, and the documents' appendix lists them; the sections are the school's saved text, else
the draft from those figures. A filed (报送) summary is locked: its documents quote the snapshot
it was filed with, the same files as the summary page's download (the JSON stays the figures of
now). A bad school or year exits with status 2 and a Chinese message on stderr, and writes no file.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanxiu.core import params
from yanxiu.org.models import School
from yanxiu.reports import documents, measures
from yanxiu.reports.figures import school_figures, value_text
from yanxiu.reports.summary import summary_document, summary_of


def _fail(message: str):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "The figures of a school's year-end summary (校本培训工作总结) as JSON, and the summary as .docx / PDF."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="10-digit school code")
        parser.add_argument("--year", required=True, help="school year start, e.g. 2025 for 2025-2026")
        parser.add_argument("--json", action="store_true", help="print one JSON object with every figure")
        parser.add_argument("--docx", help="write the summary as .docx to this file")
        parser.add_argument("--pdf", help="write the summary as PDF to this file")

    def _school_and_year(self, options) -> tuple[School, int]:
        code = str(options["school"]).strip()
        school = School.objects.filter(code=code).select_related("county").first() if code else None
        if school is None:
            raise _fail(f"没有学校标识码为 {code[:20]} 的学校。")
        text = str(options["year"]).strip()
        if not text.isdigit() or len(text) > 4:
            raise _fail(f"学年须为四位数的年份（如 2025 表示 2025—2026 学年），收到的是 {text[:20]}。")
        try:
            year = params.check_year(int(text), name="--year")
        except ValueError as exc:
            raise _fail(str(exc)) from None
        start, _end = measures.year_span(school.county, year)
        if start > timezone.localdate():
            raise _fail(f"{year}—{year + 1} 学年尚未开始（{start:%Y-%m-%d} 开始）。")
        return school, year

    def _targets(self, options) -> list[tuple[str, Path]]:
        targets = []
        for fmt in ("docx", "pdf"):
            if options[fmt]:
                target = Path(options[fmt])
                if not target.parent.is_dir():
                    raise _fail(f"目录 {target.parent} 不存在，无法写入 {fmt} 文件。")
                targets.append((fmt, target))
        return targets

    def handle(self, *args, **options):
        school, year = self._school_and_year(options)
        targets = self._targets(options)
        now = timezone.now()
        figures = school_figures(school, year, now=now)
        if options["json"]:
            payload = {"school": school.code, "school_year": year, "figures": [f.as_json() for f in figures]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        elif not targets:
            for f in figures:
                self.stdout.write(f"{f.label}：{value_text(f.key, f.value)}")
        if targets:
            # A filed summary is locked: its documents quote its snapshot, exactly as the web download does.
            summary = summary_of(school, year)
            quoted = None if summary is not None and summary.is_filed else figures
            document = summary_document(school, year, figures=quoted, now=now)
            for fmt, target in targets:
                target.write_bytes(documents.render(document, fmt))
