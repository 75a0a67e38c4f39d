"""``yanxiu quality --school CODE --exam NAME --json [--compare NAME]``.

Prints the measures of every class and subject of exam NAME of the school:
one JSON object per class and subject per line (JSON Lines)::

    {"grade": 3, "class": "三（2）班", "subject": "语文", "counted": 42, "absent": 1, "exempt": 0,
     "average": 88.5, "excellent_rate": 0.5, "pass_rate": 0.9761904761904762,
     "targets": {"average": false, "excellent_rate": false, "pass_rate": true}}

``counted`` are the students with a score, ``absent`` those marked 缺考 or 请假
or left empty, ``exempt`` those marked 免考. Rates are fractions of the counted
students (0.85), not rounded; ``average``, ``excellent_rate`` and ``pass_rate``
are ``null`` for a class with no counted student, whose targets are all false.
A subject a class does not take (all its cells empty) is left out.

With ``--compare NAME`` (进步最快奖), extra lines follow, one per grade,
subject and measure whose value rose in some class from exam NAME to this
exam: the class that rose most (every tied class)::

    {"most_improved": {"grade": 3, "subject": "数学", "measure": "pass_rate",
     "classes": [{"class": "三（1）班", "before": 0.9, "after": 1.0, "rise": 0.1}]}}

Without ``--json`` a table in Chinese. An unknown school or exam is an error
on stderr with exit status 2.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yanxiu.org.models import School

from ...models import Exam
from ...quality import MEASURES, Targets, exam_results, lines_of, measure_label, most_improved, shown_average, shown_rate, six_items
from ...services.quality import quality_first_use

USAGE_ERROR = 2


def _fail(message: str):
    raise CommandError(message, returncode=USAGE_ERROR)


def _exam(school, name: str, option: str) -> Exam:
    name = (name or "").strip()[:60]
    exam = Exam.objects.filter(school=school, name=name).first()
    if exam is None:
        _fail(_("%(option)s：%(school)s没有名为“%(name)s”的考试。") % {"option": option, "school": school.name, "name": name})
    return exam


class Command(BaseCommand):
    help = _("按班级和学科统计一次质量监测：参考、缺考、免考人数，平均分、优秀率、及格率及是否达到目标；"
             "--compare 另列各年级每一学科每一项提高最多的班级（进步最快奖，并列的都列出），"
             "以 {\"most_improved\": …} 行输出。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help=_("学校标识码（10 位）"))
        parser.add_argument("--exam", required=True, help=_("考试名称"))
        parser.add_argument("--compare", help=_("与之比较的考试名称（进步最快奖）"))
        parser.add_argument("--json", action="store_true", help=_("每个班级每个学科输出一行 JSON"))

    def handle(self, *args, **options) -> None:
        code = (options["school"] or "").strip()[:20]
        school = School.objects.filter(code=code).first()
        if school is None:
            _fail(_("找不到学校标识码为“%(code)s”的学校。") % {"code": code})
        exam = _exam(school, options["exam"], "--exam")
        before_exam = _exam(school, options["compare"], "--compare") if options.get("compare") else None
        quality_first_use(school=school)
        lines, targets = lines_of(school), Targets.of(school)
        results = exam_results(exam, lines=lines, targets=targets)
        improved = most_improved(results, exam_results(before_exam, lines=lines, targets=targets)) if before_exam else []
        if options["json"]:
            for row in results:
                self.stdout.write(json.dumps(row.as_json(), ensure_ascii=False))
            for item in improved:
                self.stdout.write(json.dumps(item.as_json(), ensure_ascii=False))
            return
        self._table(school, exam, results, lines, improved)

    def _table(self, school, exam, results, lines, improved) -> None:
        self.stdout.write(_("%(school)s %(exam)s（满分 %(full)s）") % {"school": school.name, "exam": exam.name,
                                                                 "full": exam.full_marks})
        six = six_items(results, lines)
        for r in results:
            marks = "".join("✓" if r.met[m] else "✗" for m in MEASURES)
            self.stdout.write(f"{r.label}\t{r.subject}\t{r.counted}/{r.absent}/{r.exempt}\t{shown_average(r.average)}\t"
                              f"{shown_rate(r.excellent_rate)}\t{shown_rate(r.pass_rate)}\t{marks}\t"
                              + _("六项达标 %(n)s") % {"n": six[(r.grade, r.class_no)].met})
        for item in improved:
            names = "、".join(c["class"] for c in item.classes)
            self.stdout.write(_("进步最快：%(subject)s %(measure)s %(classes)s") % {
                "subject": item.subject, "measure": measure_label(item.measure), "classes": names})
