"""The school calendar: the terms of a school year and the periods inside them.

A school year ``Y`` starts in autumn of ``Y``. Without a :class:`SchoolTerm`
row, term 1 runs 1 September–31 January and term 2 1 February–31 July; a
school edits its dates per school year (:func:`yanxiu.growth.services.terms_set`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Period

MIN_YEAR, MAX_YEAR = 1950, 2100


@dataclass(frozen=True)
class TermSpan:
    school_year: int
    number: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        years = {"y": self.school_year, "n": self.school_year + 1}
        return (_("%(y)s—%(n)s 学年第一学期") if self.number == 1 else _("%(y)s—%(n)s 学年第二学期")) % years

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def check_year(year: int) -> int:
    """A school year the calendar can hold, else a Chinese ``ValueError``."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(_("学年须在 %(lo)s 到 %(hi)s 之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
    return year


def default_term(year: int, number: int) -> TermSpan:
    check_year(year)
    if number == 1:
        return TermSpan(year, 1, dt.date(year, 9, 1), dt.date(year + 1, 1, 31))
    if number == 2:
        return TermSpan(year, 2, dt.date(year + 1, 2, 1), dt.date(year + 1, 7, 31))
    raise ValueError(_("学期只能是 1 或 2。"))


def term(school, year: int, number: int) -> TermSpan:
    """The school's term ``number`` of school year ``year``."""
    from .models import SchoolTerm

    default = default_term(year, number)
    row = SchoolTerm.objects.filter(school=school, school_year=year, number=number).values_list("start", "end").first()
    return TermSpan(year, number, *row) if row else default


def terms_of_year(school, year: int) -> tuple[TermSpan, TermSpan]:
    """Both terms of school year ``year``, in one query."""
    from .models import SchoolTerm

    spans = {n: default_term(year, n) for n in (1, 2)}
    rows = SchoolTerm.objects.filter(school=school, school_year=year).values_list("number", "start", "end")
    spans.update({n: TermSpan(year, n, start, end) for n, start, end in rows})
    return spans[1], spans[2]


def year_span(school, year: int) -> tuple[dt.date, dt.date]:
    first, second = terms_of_year(school, year)
    return first.start, max(second.end, first.end)


def nominal_school_year(day: dt.date) -> int:
    """The school year ``day`` falls in by the months alone (from August), without a school's calendar."""
    return day.year if day.month >= 8 else day.year - 1


def term_of(school, day: dt.date) -> TermSpan:
    """The term ``day`` falls in; a day between terms (holidays) belongs to the term just ended."""
    year = nominal_school_year(day)
    for candidate in (year, year - 1, year + 1):
        if not MIN_YEAR <= candidate <= MAX_YEAR:
            continue
        first, second = terms_of_year(school, candidate)
        if first.start <= day <= first.end:
            return first
        if second.start <= day <= second.end:
            return second
    first, second = terms_of_year(school, year)
    return first if day < second.start else second


def school_year_of(school, day: dt.date) -> int:
    return term_of(school, day).school_year


#: Days in one period of each kind, for scaling a target to a span.
PERIOD_DAYS = {Period.WEEK: 7, Period.FORTNIGHT: 14, Period.MONTH: 30}


def periods_in(per: str, start: dt.date, end: dt.date) -> int:
    """How many periods ``per`` fit in [start, end] (at least one): a weekly
    target over a 21-week term is due 21 times."""
    if per in PERIOD_DAYS:
        return max(1, ((end - start).days + 1) // PERIOD_DAYS[per])
    return 1
