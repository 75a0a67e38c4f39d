"""质量监测 measures: per class, subject and exam, the students counted, absent
and exempt, the average, the excellent and pass rates, the targets met,
六项达标 and 进步最快奖.

Everything is exact: averages and rates are :class:`~decimal.Decimal` values
computed from the stored scores (half points included) and rounded only where
they are shown (:func:`shown_average`, :func:`shown_rate`). A class with no
counted student has ``None`` for its average and rates and meets no target.

- Counted: a row with a score (status ``scored``); absent: 缺考, 请假 or an
  empty cell (:data:`yanxiu.routine.choices.ABSENT_STATUSES`); exempt: 免考.
- A subject a class does not take (every row of the class in that subject is
  an empty cell) is not reported for that class.
- Lines (per school, :class:`~yanxiu.routine.models.QualitySettings`):
  excellent = score ≥ ``excellent_ratio`` × full marks, pass = score ≥
  ``pass_ratio`` × full marks; the exam gives the full marks.
- Targets (:class:`~yanxiu.routine.models.QualityTarget`): a grade's target
  for the subject, else its target for every subject (empty subject); a
  measure without a target is not met.

The pages, the ``yanxiu quality`` command and :func:`yanxiu.routine.quality_selectors.exam_summary`
all read these functions; :func:`class_label` is the one class label.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .choices import ABSENT_STATUSES, ScoreStatus
from .models import Exam, ExamScore, QualitySettings, QualityTarget

MEASURES = ("average", "excellent_rate", "pass_rate")
DEFAULT_EXCELLENT = Decimal("0.900")
DEFAULT_PASS = Decimal("0.600")
DEFAULT_SIX_SUBJECTS = ("语文", "数学")

#: The seed's targets (001 篇7): grade → (excellent rate, pass rate, average), for every subject.
PRESET_TARGETS = {
    1: (Decimal("0.85"), Decimal("1"), Decimal("92")),
    2: (Decimal("0.85"), Decimal("1"), Decimal("92")),
    3: (Decimal("0.80"), Decimal("0.95"), Decimal("90")),
    4: (Decimal("0.80"), Decimal("0.95"), Decimal("90")),
    5: (Decimal("0.80"), Decimal("0.95"), Decimal("90")),
}

_NUMERALS = "零一二三四五六七八九"
TWO = Decimal("0.01")


def grade_numeral(grade: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二."""
    if grade < 10:
        return _NUMERALS[grade]
    return "十" + (_NUMERALS[grade - 10] if grade > 10 else "")


def grade_label(grade: int) -> str:
    return _("%(n)s年级") % {"n": grade_numeral(grade)}


def class_label(grade: int, class_no: int) -> str:
    """The class as schools write it: ``三（2）班``."""
    return _("%(grade)s（%(no)s）班") % {"grade": grade_numeral(grade), "no": class_no}


def shown_average(value: Decimal | None) -> str:
    return "—" if value is None else str(value.quantize(TWO, rounding=ROUND_HALF_UP))


def shown_rate(value: Decimal | None) -> str:
    """A rate as a percentage with two decimals: ``Decimal("0.8333…")`` → ``83.33%``."""
    return "—" if value is None else f"{(value * 100).quantize(TWO, rounding=ROUND_HALF_UP)}%"


# --- Settings and targets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    """A school's lines and 六项达标 subjects (its settings, else the defaults)."""

    excellent_ratio: Decimal = DEFAULT_EXCELLENT
    pass_ratio: Decimal = DEFAULT_PASS
    six_subjects: tuple[str, ...] = DEFAULT_SIX_SUBJECTS


def lines_of(school) -> Lines:
    row = QualitySettings.objects.filter(school=school).first()
    if row is None:
        return Lines()
    subjects = tuple(str(s) for s in (row.six_subjects or []) if str(s).strip()) or DEFAULT_SIX_SUBJECTS
    return Lines(excellent_ratio=row.excellent_ratio, pass_ratio=row.pass_ratio, six_subjects=subjects)


@dataclass(frozen=True)
class Target:
    average: Decimal
    excellent_rate: Decimal
    pass_rate: Decimal


class Targets:
    """A school's targets by (grade, subject), the empty subject standing for every subject."""

    def __init__(self, rows):
        self._by_key = {(t.grade, t.subject): Target(t.average, t.excellent_rate, t.pass_rate) for t in rows}

    @classmethod
    def of(cls, school) -> Targets:
        return cls(QualityTarget.objects.filter(school=school))

    def get(self, grade: int, subject: str) -> Target | None:
        return self._by_key.get((grade, subject)) or self._by_key.get((grade, ""))


# --- One class in one subject ------------------------------------------------------------------


@dataclass
class ClassResult:
    """One class in one subject of one exam; values exact, ``None`` without a counted student."""

    grade: int
    class_no: int
    subject: str
    counted: int = 0
    absent: int = 0
    exempt: int = 0
    total: Decimal = Decimal("0")
    excellent: int = 0
    passed: int = 0
    target: Target | None = None
    met: dict[str, bool] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return class_label(self.grade, self.class_no)

    @property
    def grade_name(self) -> str:
        return grade_label(self.grade)

    @property
    def average(self) -> Decimal | None:
        return self.total / self.counted if self.counted else None

    @property
    def excellent_rate(self) -> Decimal | None:
        return Decimal(self.excellent) / self.counted if self.counted else None

    @property
    def pass_rate(self) -> Decimal | None:
        return Decimal(self.passed) / self.counted if self.counted else None

    def value(self, measure: str) -> Decimal | None:
        return getattr(self, measure)

    @property
    def shown(self) -> dict[str, str]:
        """The three measures as shown on pages (two decimals; rates as percentages)."""
        return {"average": shown_average(self.average), "excellent_rate": shown_rate(self.excellent_rate),
                "pass_rate": shown_rate(self.pass_rate)}

    def judge(self, target: Target | None) -> None:
        self.target = target
        self.met = {m: bool(target is not None and self.value(m) is not None and self.value(m) >= getattr(target, m))
                    for m in MEASURES}

    def as_json(self) -> dict:
        def number(value):
            return None if value is None else float(value)

        return {"grade": self.grade, "class": self.label, "subject": self.subject, "counted": self.counted,
                "absent": self.absent, "exempt": self.exempt, "average": number(self.average),
                "excellent_rate": number(self.excellent_rate), "pass_rate": number(self.pass_rate),
                "targets": {m: self.met.get(m, False) for m in MEASURES}}


def _tally(exam: Exam, lines: Lines, classes) -> dict[tuple[int, int, str], tuple[ClassResult, bool]]:
    """(grade, class, subject) → (its counts, whether any row is more than an empty cell)."""
    excellent_line = lines.excellent_ratio * exam.full_marks
    pass_line = lines.pass_ratio * exam.full_marks
    out: dict[tuple[int, int, str], list] = {}
    rows = ExamScore.objects.filter(exam=exam).values_list("grade", "class_no", "subject", "status", "score")
    for grade, class_no, subject, status, score in rows.iterator(chunk_size=5000):
        if classes is not None and (grade, class_no) not in classes:
            continue
        key = (grade, class_no, subject)
        entry = out.get(key)
        if entry is None:
            entry = out[key] = [ClassResult(grade=grade, class_no=class_no, subject=subject), False]
        result = entry[0]
        if status == ScoreStatus.SCORED and score is not None:
            score = Decimal(score)
            result.counted += 1
            result.total += score
            result.excellent += score >= excellent_line
            result.passed += score >= pass_line
        elif status == ScoreStatus.EXEMPT:
            result.exempt += 1
        elif status in ABSENT_STATUSES:
            result.absent += 1
        if status != ScoreStatus.EMPTY:
            entry[1] = True
    return {k: (v[0], v[1]) for k, v in out.items()}


def exam_results(exam: Exam, *, classes=None, lines: Lines | None = None, targets: Targets | None = None) -> list[ClassResult]:
    """Every class and subject the exam reports (``classes``: a set of (grade, class_no) to keep, None for all),
    ordered by grade, class and subject; subjects a class does not take are left out."""
    lines = lines or lines_of(exam.school)
    targets = targets or Targets.of(exam.school)
    results = []
    for (grade, _class_no, subject), (result, taken) in _tally(exam, lines, classes).items():
        if taken:
            result.judge(targets.get(grade, subject))
            results.append(result)
    subject_order = _subject_order(results, lines)
    results.sort(key=lambda r: (r.grade, r.class_no, subject_order[r.subject], r.subject))
    return results


def _subject_order(results, lines: Lines) -> dict[str, int]:
    """The 六项达标 subjects first, then the rest by name."""
    names = sorted({r.subject for r in results})
    first = [s for s in lines.six_subjects if s in names]
    return {s: n for n, s in enumerate(first + [s for s in names if s not in first])}


# --- 六项达标 -----------------------------------------------------------------------------------


@dataclass
class SixItems:
    """How many of the six items (three measures × the two named subjects) a class meets."""

    grade: int
    class_no: int
    met: int
    items: dict[tuple[str, str], bool]

    @property
    def label(self) -> str:
        return class_label(self.grade, self.class_no)


def six_items(results: list[ClassResult], lines: Lines) -> dict[tuple[int, int], SixItems]:
    """(grade, class) → its 六项达标; a named subject the class lacks meets none of its items."""
    by_class: dict[tuple[int, int], dict[str, ClassResult]] = defaultdict(dict)
    for r in results:
        by_class[(r.grade, r.class_no)][r.subject] = r
    out = {}
    for (grade, class_no), subjects in by_class.items():
        items = {}
        for subject in lines.six_subjects:
            result = subjects.get(subject)
            for measure in MEASURES:
                items[(subject, measure)] = bool(result and result.met.get(measure))
        out[(grade, class_no)] = SixItems(grade, class_no, sum(items.values()), items)
    return out


# --- 进步最快奖 ---------------------------------------------------------------------------------


@dataclass
class Improvement:
    """The classes of one grade whose value in one measure of one subject rose most (all of them on a tie)."""

    grade: int
    subject: str
    measure: str
    classes: list[dict]

    def as_json(self) -> dict:
        return {"most_improved": {"grade": self.grade, "subject": self.subject, "measure": self.measure,
                                  "classes": [{**c, "before": float(c["before"]), "after": float(c["after"]),
                                               "rise": float(c["rise"])} for c in self.classes]}}


def most_improved(after: list[ClassResult], before: list[ClassResult]) -> list[Improvement]:
    """For each grade, subject and measure: the class (every tied class) whose value rose most from
    ``before`` to ``after``; a class needs a value in both exams, and only a rise above zero counts."""
    earlier = {(r.grade, r.class_no, r.subject): r for r in before}
    rises: dict[tuple[int, str, str], list[tuple[Decimal, ClassResult, Decimal]]] = defaultdict(list)
    for r in after:
        old = earlier.get((r.grade, r.class_no, r.subject))
        if old is None:
            continue
        for measure in MEASURES:
            a, b = r.value(measure), old.value(measure)
            if a is not None and b is not None and a > b:
                rises[(r.grade, r.subject, measure)].append((a - b, r, b))
    out = []
    for (grade, subject, measure), found in rises.items():
        top = max(rise for rise, _r, _b in found)
        classes = [{"class": r.label, "before": b, "after": r.value(measure), "rise": rise}
                   for rise, r, b in sorted(found, key=lambda x: x[1].class_no) if rise == top]
        out.append(Improvement(grade, subject, measure, classes))
    order = {m: n for n, m in enumerate(MEASURES)}
    out.sort(key=lambda i: (i.grade, i.subject, order[i.measure]))
    return out


def measure_label(measure: str) -> str:
    return {"average": _("平均分"), "excellent_rate": _("优秀率"), "pass_rate": _("及格率")}[measure]
